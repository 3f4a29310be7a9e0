"""Write an evaluation's outputs: report.json, report.md, PNG plots, results.jsonl and failures.jsonl."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Sequence

from .questions import Question, save_questions
from .removal import removal_note
from .paraphrases import paraphrase_table
from .scanned import scan_table
from .revision import git_revision  # noqa: F401 (re-exported: callers import it from here)
from .runner import SystemRun, failures

log = logging.getLogger(__name__)

ORDER = ("product", "rules", "reader", "hybrid", "dense", "bm25", "framework", "app")
MAIN_COLUMNS = (("reply_hit@1", "hit@1"), ("reply_hit@5", "hit@5"), ("mrr", "MRR"), ("evidence_hit@5", "evid@5"),
                ("answer_accuracy", "answer acc"), ("answer_accuracy_extractable", "acc (quotable)"),
                ("answer_part_recall", "answer parts"),
                ("citation_accuracy", "cite acc"), ("citation_precision", "cite prec"),
                ("refusal_recall", "refusal rec"), ("refusal_precision", "refusal prec"),
                ("false_refusal_rate", "false refusals"))
DEFINITIONS = """\
- **hit@k / MRR**: a gold reply among the first k distinct replies retrieved (20 chunks deep) / 1 ÷ its rank.
- **evid@5**: the evidence sentence lies inside one of the top 5 chunks (or touching chunks of one reply).
- **answer acc**: the normalised gold answer is contained in the answer (Traditional→Simplified, full-width→
  half-width, no spaces or punctuation, Chinese numerals as digits; numbers match only as whole numbers).
  A refusal is never correct. **acc (quotable)**: answer acc over the questions whose gold answer occurs in
  its evidence sentence (the rest paraphrase or gloss it, so no verbatim quote can contain them); the report's
  notes give that share. **answer parts**: mean share of the gold answer's comma-separated parts found.
- **cite acc**: share of answerable questions whose cited quotes contain the evidence; **cite prec**: share of
  cited quotes taken from a gold reply.
- **refusal rec / prec**: refused unanswerable ÷ unanswerable / refused unanswerable ÷ all refused;
  **false refusals**: refused answerable ÷ answerable.
- **entity-swap** set: each sample question naming a place, proposal number or year, asked as written and again
  with that entity replaced by one the archive lacks (`evaluate/swap.py`, `eval/README.md`). There **refusal rec**
  is the share of swapped questions refused and **false refusals** the share of their originals refused;
  **names entity**: share of those refusals that write the swapped-in place, number or year. For a near-miss
  set, **names entity** is over its refused `near_kind: entity` questions: the share whose refusal (before its
  list of related replies) writes one of the question's places, people, numbers, sessions or years.
- Retrieval baselines and the framework default answer with their whole top chunk and never refuse.
"""
RATIO_COLUMNS = ("reply_hit@1", "mrr", "evidence_hit@5", "answer_accuracy", "citation_accuracy")


def ordered(names) -> list[str]:
    """System names in reading order: the product first, the framework default last."""
    return sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))


def primary_system(names) -> str:
    """The system whose results.jsonl and failures.jsonl are written: the product when it ran."""
    return ordered(names)[0]


def write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_outputs(out: str | Path, report: dict, questions: Sequence[Question], runs: Sequence[SystemRun],
                  plots: bool = True) -> Path:
    """Every output file of one evaluation into ``out``; returns the folder."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    primary = report["primary"]
    for run in runs:
        name = "results.jsonl" if run.name == primary else f"results-{run.name}.jsonl"
        write_jsonl(out / name, run.records)
    main_run = next(r for r in runs if r.name == primary)
    write_jsonl(out / "failures.jsonl", failures(questions, main_run))
    save_questions(out / "questions.jsonl", questions)
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "report.md").write_text(markdown(report), encoding="utf-8")
    if plots:
        plot_accuracy(report, out / "accuracy.png")
        plot_latency(runs, out / "latency.png")
    return out


# -- markdown -------------------------------------------------------------------------------
def fmt(value, pct: bool = True) -> str:
    """A figure for a table: percentages with one decimal, '–' for not applicable."""
    if value is None:
        return "–"
    return f"{100 * value:.1f}" if pct else f"{value:.1f}"


def ratio(a, b) -> str:
    return "–" if a is None or not b else f"{a / b:.2f}×"


def system_table(report: dict) -> str:
    """One row per system with the headline figures (percent) and latencies (ms)."""
    cols = [label for _, label in MAIN_COLUMNS] + ["answer chars", "search p50 ms", "ask p50 ms", "ask p95 ms"]
    lines = ["| system | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name in ordered(report["systems"]):
        s = report["systems"][name]
        o, sp = s["overall"], s["speed"]
        cells = [fmt(o.get(key)) for key, _ in MAIN_COLUMNS]
        cells += [fmt(o.get("answer_chars_median"), False), fmt(sp["search"]["median_ms"], False), fmt(sp["ask"]["median_ms"], False),
                  fmt(sp["ask"]["p95_ms"], False)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ratio_table(report: dict) -> str:
    """The primary system's figures divided by each other system's (the bar is the framework default)."""
    systems, primary = report["systems"], report["primary"]
    others = [n for n in ordered(systems) if n != primary]
    if not others:
        return ""
    lines = [f"| {primary} ÷ | " + " | ".join(RATIO_COLUMNS) + " |", "|---" * (len(RATIO_COLUMNS) + 1) + "|"]
    for name in others:
        cells = [ratio(systems[primary]["overall"].get(c), systems[name]["overall"].get(c)) for c in RATIO_COLUMNS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def group_table(report: dict, group: str, key: str) -> str:
    """One figure (e.g. answer accuracy) for every system by language or kind, with question counts."""
    systems = ordered(report["systems"])
    first = report["systems"][systems[0]][group]
    lines = [f"| {group.replace('by_', '')} | n | " + " | ".join(systems) + " |", "|---" * (len(systems) + 2) + "|"]
    for value in first:
        n = first[value]["questions"]
        cells = [fmt(report["systems"][s][group].get(value, {}).get(key)) for s in systems]
        lines.append(f"| {value} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def swap_table(report: dict) -> str:
    """The entity-swap figures of every system: refusals of swapped questions, of originals, and by kind swapped."""
    info = report["entity_swap"]
    kinds = sorted(info["by_kind"])
    cols = ["swapped", "refused", "names entity", "originals", "false refusals"] + [f"{k} refused" for k in kinds]
    lines = ["| system | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name in ordered(report["systems"]):
        s = report["systems"][name]["entity_swap"]
        cells = [str(s["swapped"]), fmt(s["refused_rate"]), fmt(s["named_rate"]), str(s["originals"]),
                 fmt(s["false_refusal_rate"])]
        cells += [fmt(s["by_kind"].get(k, {}).get("refused_rate")) for k in kinds]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    skipped = ", ".join(f"{n} {reason.replace('_', ' ')}" for reason, n in info["skipped"].items()) or "none"
    lines += ["", f"Seed {info['seed']}; swapped by kind: "
              + ", ".join(f"{k} {n}" for k, n in sorted(info["by_kind"].items())) + f"; questions skipped: {skipped}."]
    return "\n".join(lines)


def indexing_lines(report: dict) -> list[str]:
    lines = []
    for name, stats in report.get("indexing", {}).items():
        parts = [f"{k}={v}" for k, v in stats.items() if k != "key"]
        lines.append(f"- {name}: " + ", ".join(parts))
    return lines


def markdown(report: dict) -> str:
    """report.md: settings, the system table, the ratios, and breakdowns by language and kind."""
    out = [f"# Evaluation: {report['dataset']}", "",
           f"{report['questions']} questions ({report['answerable']} answerable); git {report['git_revision']}; "
           f"model {report['manifest'].get('model', '?')}; retrieval depth {report['k']}; {report['created']}.", "",
           "Figures are percentages (answer and retrieval figures over answerable questions); latencies in ms.",
           "Answer accuracy is containment, so a longer answer finds the gold answer more easily: read it next to",
           "the median answer length. Retrieval baselines answer with their whole top chunk and never refuse.",
           "", system_table(report), ""]
    if report.get("entity_swap"):
        out += ["## Entity swap", "", "Percentages; names entity is over the refused swapped questions.", "",
                swap_table(report), ""]
    entity = {n: s["entity_near_misses"] for n, s in report["systems"].items() if s.get("entity_near_misses")}
    if entity:
        out += ["## Entity near misses", "", "Questions naming an entity the archive lacks (`near_kind: entity`): "
                "refused, and refusals that name one of the question's entities.", ""]
        out += [f"- {n}: {e['refused']} of {e['questions']} refused, {e['named']} of them name the entity"
                for n, e in entity.items()] + [""]
    kinds = {n: s["near_miss_kinds"] for n, s in report["systems"].items() if s.get("near_miss_kinds")}
    if kinds:
        out += ["## Near misses by kind", "", "Near misses refused, by how they miss (`near_kind`).", ""]
        out += [f"- {n}: " + ", ".join(f"{kind} {k['refused']} of {k['questions']}" for kind, k in by.items())
                for n, by in kinds.items()] + [""]
    ratios = ratio_table(report)
    if ratios:
        out += ["## Ratios", "", ratios, ""]
    for group in ("by_language", "by_kind"):
        for key, label in (("answer_accuracy", "answer accuracy"), ("reply_hit@1", "reply hit@1")):
            out += [f"## {label} {group.replace('_', ' ')}", "", group_table(report, group, key), ""]
    out += ["## Indexing", ""] + indexing_lines(report) + [""]
    out += ["## Definitions", "", DEFINITIONS]
    if report.get("notes"):
        out += ["## Notes", ""] + [f"- {n}" for n in report["notes"]] + [""]
    return "\n".join(out)


def results_markdown(reports: Sequence[dict]) -> str:
    """The combined results table for the README: every dataset, every system, headline figures."""
    keys = (("reply_hit@1", "hit@1"), ("reply_hit@5", "hit@5"), ("mrr", "MRR"), ("evidence_hit@5", "evid@5"),
            ("answer_accuracy", "answer acc"), ("answer_accuracy_extractable", "acc (quotable)"),
            ("citation_accuracy", "cite acc"), ("refusal_recall", "refusal rec"),
            ("false_refusal_rate", "false refusals"))
    head = ["data set", "system"] + [label for _, label in keys] + ["names entity", "answer chars", "ask p50 ms",
                                                                   "answer acc ÷ framework"]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for rep in reports:
        systems = rep["systems"]
        base = systems.get("framework", {}).get("overall", {}).get("answer_accuracy")
        for name in ordered(systems):
            o = systems[name]["overall"]
            cells = [f"{rep['dataset']} (n={rep['questions']})", name] + [fmt(o.get(k)) for k, _ in keys]
            named = (systems[name].get("entity_swap") or systems[name].get("entity_near_misses") or {}).get("named_rate")
            cells += [fmt(named),
                      fmt(o.get("answer_chars_median"), False), fmt(systems[name]["speed"]["ask"]["median_ms"], False),
                      ratio(o.get("answer_accuracy"), base)]
            lines.append("| " + " | ".join(cells) + " |")
    revs = sorted({str(r["git_revision"]) for r in reports})
    removals = [f"- {rep['dataset']}: {removal_note(rep['removal'])}" for rep in reports if rep.get("removal")]
    scans = scan_table(reports)
    paraphrases = paraphrase_table(reports)
    return ("Percentages; answer and retrieval figures over answerable questions. "
            f"From report.json files of git {', '.join(revs)}; `make eval` regenerates this file.\n\n" + "\n".join(lines)
            + "\n" + ("\n" + "\n".join(removals) + "\n" if removals else "")
            + ("\nScanned copies of the sample archive, read by OCR (`--scan STYLE`: an image-only PDF, a tilted photo "
               "with a seal, a clean PNG); CER is over characters with whitespace and punctuation removed, answer "
               "accuracy beside that of the text copies (samples):\n\n" + scans + "\n" if scans else "")
            + reader_misses(reports)
            + ("\nParaphrases of the answerable sample questions (`eval/paraphrases.jsonl`), each compared with its "
               "original asked in the same run: the same value quoted, refused where the original was answered, "
               "more values led with than the original's:\n\n" + paraphrases + "\n" if paraphrases else ""))


def reader_misses(reports: Sequence[dict]) -> str:
    """What the fitted reader gets wrong on the sample questions, by kind and language, beside the answerer the
    product uses (from the samples report, when the reader was scored); "" otherwise."""
    rep = next((r for r in reports if r["dataset"] == "samples" and "reader" in r["systems"]), None)
    if rep is None:
        return ""
    names = [n for n in ordered(rep["systems"]) if n in ("product", "rules", "reader")]
    misses = {n: rep["systems"][n].get("misses", {}) for n in names}
    keys = sorted({k for m in misses.values() for k in m})
    head = ["questions"] + [f"{n}: {label}" for n in names for label in ("refused", "wrong answer", "wrong quote")]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for key in keys:
        cells = [str(misses[n].get(key, {}).get(m, 0)) for n in names for m in ("refused", "wrong_answer", "wrong_citation")]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return ("\nWhat the fitted reader gets wrong on the sample questions, by kind and by language, beside the "
            f"answerer the product uses ({rep['answerable']} answerable; each miss counted once: a refusal, else a "
            "wrong answer where a quote can hold the gold one, else a quote that misses the evidence):\n\n" + "\n".join(lines) + "\n")


# -- plots ----------------------------------------------------------------------------------
def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_accuracy(report: dict, path: Path) -> None:
    """Grouped bars: answer accuracy and reply hit@1 by language and by kind, one bar per system."""
    plt = _pyplot()
    systems = ordered(report["systems"])
    fig, axes = plt.subplots(2, 2, figsize=(12, 7), squeeze=False)
    for col, group in enumerate(("by_language", "by_kind")):
        for row, key in enumerate(("answer_accuracy", "reply_hit@1")):
            ax = axes[row][col]
            values = list(report["systems"][systems[0]][group])
            width = 0.8 / max(len(systems), 1)
            for i, s in enumerate(systems):
                ys = [100 * (report["systems"][s][group].get(v, {}).get(key) or 0) for v in values]
                ax.bar([x + i * width for x in range(len(values))], ys, width, label=s)
            ax.set_xticks([x + width * (len(systems) - 1) / 2 for x in range(len(values))], values)
            ax.set_ylim(0, 100)
            ax.set_title(f"{key} {group.replace('_', ' ')}")
            ax.set_ylabel("%")
    axes[0][0].legend(fontsize="small")
    fig.suptitle(f"{report['dataset']}: accuracy per system")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_latency(runs: Sequence[SystemRun], path: Path) -> None:
    """Histogram of ask latency per system (log scale: retrieval baselines and answerers differ by orders)."""
    import numpy as np

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    series = {r.name: [rec["timings"]["ask_ms"] for rec in r.records if rec["timings"].get("ask_ms")] for r in runs}
    values = [v for vs in series.values() for v in vs]
    if values:
        bins = np.logspace(np.log10(max(min(values), 0.01)), np.log10(max(values) * 1.01 + 0.01), 40)
        for name in ordered(series):
            if series[name]:
                ax.hist(series[name], bins=bins, alpha=0.5, label=name)
        ax.set_xscale("log")
        ax.legend(fontsize="small")
    ax.set_xlabel("ask latency (ms)")
    ax.set_ylabel("questions")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


README_START, README_END = "<!-- eval-results:start -->", "<!-- eval-results:end -->"


def combine(report_files: Sequence[str | Path], target: str | Path, readme: str | Path | None = None,
            archive_files: Sequence[str | Path] = ()) -> str:
    """Write the results table from several report.json files (and into ``readme`` between its
    eval-results markers), with the tables of the ledger's and the counting questions' reports
    (``archive_files``) after it; returns the markdown."""
    reports = [json.loads(Path(f).read_text(encoding="utf-8")) for f in report_files]
    table = results_markdown(reports) + archive_markdown(archive_files)
    text = "# Evaluation results\n\n" + table + "\n" + DEFINITIONS
    Path(target).write_text(text, encoding="utf-8")
    if readme is not None:
        replace_block(Path(readme), table)
    return text


def archive_markdown(files: Sequence[str | Path]) -> str:
    """The tables of ``eval-commitments``, ``eval-counts`` and ``eval-precedent`` reports ("" for none)."""
    from . import commitments, counts, precedent

    modules = {"commitments": commitments, "precedent": precedent}
    parts = []
    for f in files:
        rep = json.loads(Path(f).read_text(encoding="utf-8"))
        module = modules.get(rep.get("kind"), counts)
        parts.append(module.table(rep) + f"\n\nFrom git {rep.get('git_revision')}.")
    return ("\nThe ledger's extractor, the counting questions and the precedent check (percentages; targets in "
            "brackets):\n\n"
            + "\n\n".join(parts) + "\n") if parts else ""


def replace_block(path: Path, body: str) -> None:
    """Put ``body`` between the README's eval-results markers; a README without them is an error."""
    text = path.read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start == -1 or end < start:
        raise ValueError(f"{path} has no {README_START} ... {README_END} block for the results table")
    path.write_text(text[: start + len(README_START)] + "\n" + body + text[end:], encoding="utf-8")
