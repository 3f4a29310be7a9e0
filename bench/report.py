"""Turn bench results into a Markdown table and a latency plot."""
from __future__ import annotations

from pathlib import Path


def _f(value, fmt: str = ".1f") -> str:
    return "–" if value is None else format(value, fmt)


def table(rows: list[dict]) -> str:
    """One row per corpus size: ingest, no-op re-ingest, one-reply update, queries, resources, framework ratios."""
    head = ("| chunks | ingest chunks/s | model alone passages/s | ingest / model | parse / embed / store s "
            "| no-op re-ingest s | add / remove one reply s | search p50 / p95 ms | ask p50 / p95 ms "
            "| search p95 via server ms "
            "| ingest RSS MB | query RSS MB | index MB | hit@5 ours / framework | framework search p95 ms "
            "| framework build s | theirs / ours (search p95) |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        ing, q, model = r["ingest"], r["query"], r["model"]
        fw = r["framework"] or {}  # None when the run skipped the framework at this size
        server = r.get("query_server", {})
        ratio = fw["search_p95_ms"] / q["search_p95_ms"] if fw and q.get("search_p95_ms") else None
        update = r.get("update") or {}  # measured on the largest index of a run only
        lines.append(
            f"| {r['chunks']} | {_f(ing['chunks_per_s'])} | {_f(model['passages_per_s'])} "
            f"| {_f(ing['chunks_per_s'] / model['passages_per_s'], '.0%')} "
            f"| {_f(ing['parse_s'])} / {_f(ing['embed_s'])} / {_f(ing['store_s'])} | {_f(r['noop_ingest']['seconds'])} "
            f"| {_f(update.get('add_s'))} / {_f(update.get('remove_s'))} "
            f"| {_f(q['search_p50_ms'], '.0f')} / {_f(q['search_p95_ms'], '.0f')} "
            f"| {_f(q.get('ask_p50_ms'), '.0f')} / {_f(q.get('ask_p95_ms'), '.0f')} | {_f(server.get('search_p95_ms'), '.0f')} "
            f"| {_f(ing['peak_rss_mb'], '.0f')} | {_f(q['peak_rss_mb'], '.0f')} | {_f(r['index_mb'], '.0f')} "
            f"| {_f(q['hit5'], '.2f')} / {_f(fw.get('hit5'), '.2f')} | {_f(fw.get('search_p95_ms'), '.0f')} "
            f"| {_f(fw.get('build_s'), '.0f')} | {_f(ratio, '.2f')} |")
    return "\n".join(lines)


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["chunks"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4))
    series = [("search p95 (ours)", [r["query"]["search_p95_ms"] for r in rows]),
              ("ask p95 (ours)", [r["query"].get("ask_p95_ms") for r in rows]),
              ("search p95 via Chroma server", [r.get("query_server", {}).get("search_p95_ms") for r in rows]),
              ("framework default p95", [(r["framework"] or {}).get("search_p95_ms") for r in rows])]
    for label, values in series:
        points = [(s, v) for s, v in zip(sizes, values) if v is not None]
        if points:
            ax.plot(*zip(*points), marker="o", label=label)
    ax.set_xscale("log")
    ax.set_xlabel("chunks in the index")
    ax.set_ylabel("latency (ms)")
    ax.set_title("Query latency against corpus size (2-core CPU)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def provenance(rows: list[dict]) -> str:
    """When and at which revision each size was measured, if rows come from more than one run."""
    marks = {(r.get("date"), r.get("revision"), r.get("query_revision")) for r in rows}
    if len(marks) < 2 and not any(r.get("query_revision") for r in rows):
        return ""

    def one(r: dict) -> str:
        text = f"{r['chunks']} chunks measured {r.get('date') or '?'} at `{r.get('revision') or '?'}`"
        if r.get("query_revision"):
            text += f", queries (ours and the framework's) again {r['query_date']} at `{r['query_revision']}`"
        return text

    return "\n\n" + "; ".join(one(r) for r in rows) + "."


def write_report(meta: dict, rows: list[dict], out: Path) -> None:
    skipped = [str(r["chunks"]) for r in rows if not r["framework"]]
    note = f" The framework default was not built at {', '.join(skipped)} chunks (–)." if skipped else ""
    text = (f"Measured {meta['date']} on {meta['machine']}, Python {meta['python']}, with `{meta['command']}`.{note}\n\n"
            + table(rows) + provenance(rows) + "\n\n![latency against corpus size](latency.png)\n")
    (out / "results.md").write_text(text, encoding="utf-8")
    plot(rows, out / "latency.png")
