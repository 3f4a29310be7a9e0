"""Turn bench results into a Markdown table and a latency plot."""
from __future__ import annotations

from pathlib import Path


def _f(value, fmt: str = ".1f") -> str:
    return "–" if value is None else format(value, fmt)


def table(rows: list[dict]) -> str:
    """One row per corpus size: ingest, no-op re-ingest, one-reply update, queries, resources, framework ratios."""
    head = ("| chunks | ingest chunks/s | model alone passages/s | ingest / model | parse / embed / store s "
            "| no-op re-ingest s | add / remove one long reply s (embedding) | add one average reply s "
            "| search p50 / p95 ms | ask p50 / p95 ms "
            "| search p95 via server ms "
            "| ingest RSS MB | query RSS MB | index MB | hit@5 ours / framework | framework search p95 ms "
            "| framework build s | theirs / ours (search p95) |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        ing, q, model = r["ingest"], r["query"], r["model"]
        fw = r["framework"] or {}  # None when the run skipped the framework at this size
        server = r.get("query_server", {})
        ratio = fw["search_p95_ms"] / q["search_p95_ms"] if fw and q.get("search_p95_ms") else None
        update = r.get("update") or {}  # measured on the largest index of a run, or at each size of a requery
        embedding = f" ({update['add_embed_s']:.2f})" if update.get("add_embed_s") is not None else ""
        lines.append(
            f"| {r['chunks']} | {_f(ing['chunks_per_s'])} | {_f(model['passages_per_s'])} "
            f"| {_f(ing['chunks_per_s'] / model['passages_per_s'], '.0%')} "
            f"| {_f(ing['parse_s'])} / {_f(ing['embed_s'])} / {_f(ing['store_s'])} | {_f(r['noop_ingest']['seconds'])} "
            f"| {_f(update.get('add_s'), '.2f')} / {_f(update.get('remove_s'), '.2f')}{embedding} "
            f"| {_f(update.get('add_typical_s'), '.2f')} "
            f"| {_f(q['search_p50_ms'], '.0f')} / {_f(q['search_p95_ms'], '.0f')} "
            f"| {_f(q.get('ask_p50_ms'), '.0f')} / {_f(q.get('ask_p95_ms'), '.0f')} | {_f(server.get('search_p95_ms'), '.0f')} "
            f"| {_f(ing['peak_rss_mb'], '.0f')} | {_f(q['peak_rss_mb'], '.0f')} | {_f(r['index_mb'], '.0f')} "
            f"| {_f(q['hit5'], '.2f')} / {_f(fw.get('hit5'), '.2f')} | {_f(fw.get('search_p95_ms'), '.0f')} "
            f"| {_f(fw.get('build_s'), '.0f')} | {_f(ratio, '.2f')} |")
    return "\n".join(lines)


def plot(rows: list[dict], path: Path) -> None:
    sizes = [r["chunks"] for r in rows]
    series = [("search p95 (ours)", [r["query"]["search_p95_ms"] for r in rows]),
              ("ask p95 (ours)", [r["query"].get("ask_p95_ms") for r in rows]),
              ("search p95 via Chroma server", [r.get("query_server", {}).get("search_p95_ms") for r in rows]),
              ("framework default p95", [(r["framework"] or {}).get("search_p95_ms") for r in rows])]
    _lines([(label, list(zip(sizes, values))) for label, values in series], "latency (ms)",
           "Query latency against corpus size (2-core CPU)", path)


def _lines(series: list[tuple[str, list[tuple[int, float | None]]]], ylabel: str, title: str, path: Path,
           **legend) -> None:
    """One line per series of (chunks, ms) points against a log axis of corpus size; None points are skipped."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for label, values in series:
        points = [(s, v) for s, v in values if v is not None]
        if points:
            ax.plot(*zip(*points), marker="o", label=label)
    ax.set_xscale("log")
    ax.set_xlabel("chunks in the index")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(**legend)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def stage_table(rows: list[dict]) -> str:
    """Where a question's time goes: p50 / p95 ms of each stage (``replyqa.timing``), per size, for a bare
    search and for a whole ask."""
    from replyqa.timing import STAGES

    kinds = [(r, kind) for r in rows for kind in ("search", "ask") if r["query"].get(f"{kind}_stages_p50_ms")]
    if not kinds:
        return ""
    seen = {s for r, kind in kinds for s in r["query"][f"{kind}_stages_p50_ms"]}
    names = [s for s in STAGES if s in seen] + sorted(seen - set(STAGES))
    head = "| chunks | call | " + " | ".join(names) + " | total |"
    lines = [head, "|" + "---|" * (len(names) + 3)]
    for r, kind in kinds:
        p50, p95 = r["query"][f"{kind}_stages_p50_ms"], r["query"][f"{kind}_stages_p95_ms"]
        cells = [f"{_f(p50.get(n))} / {_f(p95.get(n))}" for n in names]
        total = f"{_f(r['query'].get(f'{kind}_p50_ms'))} / {_f(r['query'].get(f'{kind}_p95_ms'))}"
        lines.append(f"| {r['chunks']} | {kind} | " + " | ".join(cells) + f" | {total} |")
    return ("\n\nPer stage, p50 / p95 ms (a stage a question skips counts 0 ms; the stages' p95s need not add up "
            "to the total's):\n\n" + "\n".join(lines) + "\n\n![latency per stage](stages.png)")


def plot_stages(rows: list[dict], path: Path) -> None:
    """p95 of each stage of an ask against corpus size, one line per stage."""
    from replyqa.timing import STAGES

    with_stages = [r for r in rows if r["query"].get("ask_stages_p95_ms")]
    if not with_stages:
        return
    series = [(name, [(r["chunks"], r["query"]["ask_stages_p95_ms"].get(name)) for r in with_stages]) for name in STAGES]
    _lines(series, "p95 latency (ms)", "Where an ask's time goes, per stage (2-core CPU)", path, ncol=3, fontsize=8)


def provenance(rows: list[dict]) -> str:
    """When and at which revision each size was measured, if rows come from more than one run."""
    marks = {(r.get("date"), r.get("revision"), r.get("query_revision")) for r in rows}
    if len(marks) < 2 and not any(r.get("query_revision") for r in rows):
        return ""

    def one(r: dict) -> str:
        text = f"{r['chunks']} chunks measured {r.get('date') or '?'} at `{r.get('revision') or '?'}`"
        if r.get("query_revision"):
            again = "queries (ours and the framework's)"
            if (r.get("update") or {}).get("revision") == r["query_revision"]:
                again += " and the one-reply update"
            text += f", {again} again {r['query_date']} at `{r['query_revision']}`"
        return text

    return "\n\n" + "; ".join(one(r) for r in rows) + "."


def passes(rows: list[dict]) -> str:
    """Each search pass's p95, ours and the framework's, where a run made several: the spread behind the ratio."""
    def ms(values) -> str:
        return ", ".join(f"{v:.0f}" for v in values) if values else "–"

    lines = [f"{r['chunks']} chunks: ours {ms(r['query']['search_p95_passes_ms'])}; framework "
             f"{ms((r['framework'] or {}).get('search_p95_passes_ms'))}"
             for r in rows if r["query"].get("search_p95_passes_ms")]
    if not lines:
        return ""
    return ("\n\nSearch p50 and p95 are the medians of each pass's own over the 40 questions, for both systems. "
            "The p95 ms of each pass:\n\n" + "\n".join(f"- {line}" for line in lines))


def write_report(meta: dict, rows: list[dict], out: Path) -> None:
    skipped = [str(r["chunks"]) for r in rows if not r["framework"]]
    note = f" The framework default was not built at {', '.join(skipped)} chunks (–)." if skipped else ""
    text = (f"Measured {meta['date']} on {meta['machine']}, Python {meta['python']}, with `{meta['command']}`.{note}\n\n"
            + table(rows) + provenance(rows) + passes(rows) + "\n\n![latency against corpus size](latency.png)"
            + stage_table(rows) + "\n")
    (out / "results.md").write_text(text, encoding="utf-8")
    plot(rows, out / "latency.png")
    plot_stages(rows, out / "stages.png")
