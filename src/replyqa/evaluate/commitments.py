"""Score extracted commitments against a hand-annotated set (``eval/commitments.jsonl``).

Each extracted item is matched to the gold promise of the same reply whose quote it overlaps most,
one to one. Reported: recall (gold promises matched), precision (extracted items matched), due exact
(the same ISO day, or both null, over matched promises; and over the dated gold ones), condition (the
same condition after normalising, one containing the other, or both empty) and exact slices (every
extracted quote equals ``reply.text[start:end]``).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from ..commitments import Commitment, extract
from ..normalise import match_key
from ..parse import parse_reply
from ..read import SUFFIXES, read_document
from .reportfile import one_row, pct
from .revision import git_revision


def load_gold(path: str | Path) -> list[dict]:
    """The annotated promises, one JSON object a line."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def extract_corpus(corpus: str | Path) -> dict[str, tuple[str, list[Commitment]]]:
    """Each reply file of a folder, by file name: its text and the commitments extracted from it."""
    out = {}
    for f in sorted(Path(corpus).iterdir()):
        if f.suffix.lower() in SUFFIXES:
            reply = parse_reply(read_document(f).text, str(f))
            out[f.name] = (reply.text, list(extract(reply)))
    return out


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match(gold: Sequence[tuple[int, int]], found: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """(gold index, found index) pairs: the largest overlaps first, each side used once."""
    pairs = sorted(((_overlap(g, f), i, j) for i, g in enumerate(gold) for j, f in enumerate(found)), reverse=True)
    used_g, used_f, out = set(), set(), []
    for size, i, j in pairs:
        if size and i not in used_g and j not in used_f:
            used_g.add(i)
            used_f.add(j)
            out.append((i, j))
    return sorted(out)


def same_condition(gold: str, found: str) -> bool:
    """Both empty, or the same words once normalised, or one holding the other."""
    g, f = match_key(gold), match_key(found)
    return g == f or bool(g and f and (g in f or f in g))


def score(gold_rows: list[dict], extracted: dict[str, tuple[str, list[Commitment]]], name: str = "commitments") -> dict:
    """The report of one comparison: figures, and every miss, spurious item and wrong due day or condition."""
    matched, misses, spurious, wrong_due, wrong_cond = [], [], [], [], []
    n_found = n_exact = 0
    for doc in sorted({g["doc"] for g in gold_rows} | set(extracted)):
        text, found = extracted.get(doc, ("", []))
        golds = [g for g in gold_rows if g["doc"] == doc]
        spans = [(text.find(g["quote"]), text.find(g["quote"]) + len(g["quote"])) for g in golds]
        n_found += len(found)
        n_exact += sum(text[c.start:c.end] == c.quote for c in found)
        pairs = match(spans, [(c.start, c.end) for c in found])
        hit_g, hit_f = {i for i, _ in pairs}, {j for _, j in pairs}
        misses += [{"id": g["id"], "doc": doc, "quote": g["quote"]} for i, g in enumerate(golds) if i not in hit_g]
        spurious += [{"doc": doc, "quote": c.quote, "due": c.due} for j, c in enumerate(found) if j not in hit_f]
        for i, j in pairs:
            g, c = golds[i], found[j]
            matched.append((g, c))
            if g["due"] != c.due:
                wrong_due.append({"id": g["id"], "gold": g["due"], "found": c.due, "quote": c.quote})
            if not same_condition(g["condition"], c.condition):
                wrong_cond.append({"id": g["id"], "gold": g["condition"], "found": c.condition})
    dated = [(g, c) for g, c in matched if g["due"]]
    conditioned = [(g, c) for g, c in matched if g["condition"]]
    figures = {
        "gold": len(gold_rows), "extracted": n_found, "matched": len(matched),
        "recall": _share(len(matched), len(gold_rows)), "precision": _share(len(matched), n_found),
        "due_exact": _share(sum(g["due"] == c.due for g, c in matched), len(matched)),
        "due_exact_dated": _share(sum(g["due"] == c.due for g, c in dated), len(dated)),
        "condition": _share(sum(same_condition(g["condition"], c.condition) for g, c in matched), len(matched)),
        "condition_stated": _share(sum(same_condition(g["condition"], c.condition) for g, c in conditioned),
                                   sum(bool(g["condition"]) for g in gold_rows)),
        "exact_slices": _share(n_exact, n_found),
    }
    return {"dataset": name, "kind": "commitments", "git_revision": git_revision(), "figures": figures,
            "missed": misses, "spurious": spurious, "wrong_due": wrong_due, "wrong_condition": wrong_cond}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


TARGETS = {"recall": 0.90, "precision": 0.85, "due_exact": 0.90, "condition": 0.85, "exact_slices": 1.0}
COLUMNS = (("recall", "recall"), ("precision", "precision"), ("due_exact", "due exact"),
           ("due_exact_dated", "due exact (dated)"), ("condition", "condition"),
           ("condition_stated", "condition (stated)"), ("exact_slices", "exact slices"))


def table(report: dict) -> str:
    """The figures as a markdown table with the issue's targets."""
    f = report["figures"]
    head = ["data set", "gold", "extracted", "matched"] + [label for _, label in COLUMNS]
    cells = [report["dataset"], str(f["gold"]), str(f["extracted"]), str(f["matched"])]
    cells += [pct(f[k]) + (f" (≥{TARGETS[k] * 100:.0f})" if k in TARGETS else "") for k, _ in COLUMNS]
    return one_row(head, cells)


def write(report: dict, out: str | Path) -> Path:
    """report.json and report.md into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = [f"# {report['dataset']}", "", table(report), ""]
    for key in ("missed", "spurious", "wrong_due", "wrong_condition"):
        lines += [f"## {key} ({len(report[key])})", ""] + [f"- {json.dumps(r, ensure_ascii=False)}" for r in report[key]]
        lines.append("")
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")
    return out
