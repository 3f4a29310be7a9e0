"""Score the precedent check on proposals written for replies of an archive (``eval/precedent_proposals.jsonl``).

Each row is a new proposal written for one reply (``target``, the reply's file name): ``kind`` "repeat" asks
the same thing for the same place, "elsewhere" the same thing for another place; "different" asks something
the archive never answered, for a place it has replies from (no target). Reported: hit@1 and hit@3 (the
target among the first one or three replies, over repeats and elsewhere: a precedent is a precedent),
repeats flagged (``repeat_of`` is the target, over the repeats), others not flagged (``repeat_of`` is null,
over the elsewhere rows) and different not flagged (the same, over the "different" rows), the target's
similarity for each kind, and the time per check. ``eval/fit_precedent.py`` fits the
calibration on another file of the same shape (``eval/precedent_fit.jsonl``) through :func:`labelled_rows`.
"""
from __future__ import annotations

import json
import statistics
import time
from datetime import date
from pathlib import Path

from ..errors import QueryError
from ..precedent import PrecedentChecker
from .reportfile import one_row, pct, write_report
from .revision import git_revision

KINDS = ("repeat", "elsewhere", "different")
GRADE = {"repeat": 2, "elsewhere": 1}  # the calibration's grade of a target (precedent.GRADES)
TARGETS = {"hit1": 0.90, "hit3": 0.97, "repeats_flagged": 0.90, "others_not_flagged": 0.90}
COLUMNS = (("hit1", "hit@1"), ("hit3", "hit@3"), ("repeats_flagged", "repeats flagged"),
           ("others_not_flagged", "others not flagged"), ("different_not_flagged", "different asks not flagged"))


def load_set(path: str | Path) -> list[dict]:
    """The proposals, one JSON object a line, each with id, target, kind and text."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            missing = {"id", "target", "kind", "text"} - set(row)
            if missing or row["kind"] not in KINDS or (row["target"] is None) != (row["kind"] == "different"):
                raise QueryError(f"{path}:{n}: needs id, target (null for a different ask), kind "
                                 f"({', '.join(KINDS)}) and text")
            rows.append(row)
    return rows


def targets(index) -> dict[str, str]:
    """Reply id by the file name it came from."""
    return {Path(info.source).name: info.reply_id for info in index.reply_infos()}


def run(index, rows: list[dict], checker: PrecedentChecker | None = None) -> list[dict]:
    """Check every proposal; one result per row: the ranked reply ids, similarities, repeat_of and milliseconds."""
    checker = checker or PrecedentChecker(index)
    by_name = targets(index)
    if rows:  # load the model and the stores once, outside every timing
        checker.check(rows[0]["text"])
    out = []
    for row in rows:
        index.embedder.clear_query_cache()  # each check pays for its own embeddings
        started = time.perf_counter()
        result = checker.check(row["text"])
        ms = 1000 * (time.perf_counter() - started)
        target = by_name.get(row["target"]) if row["target"] else None
        if row["target"] and target is None:
            raise QueryError(f"{row['id']}: the archive has no reply from {row['target']}")
        ranked = [p.reply_id for p in result.similar]
        sims = {p.reply_id: round(p.similarity, 1) for p in result.similar}
        out.append({"id": row["id"], "kind": row["kind"], "target": target, "ranked": ranked[:5],
                    "rank": ranked.index(target) + 1 if target in ranked else None,
                    "target_similarity": sims.get(target), "top": ranked[0] if ranked else None,
                    "top_similarity": sims[ranked[0]] if ranked else None,
                    "repeat_of": result.repeat_of, "places": [e.value for e in result.proposal.places],
                    "ms": round(ms, 1)})
    return out


def score(results: list[dict], name: str = "precedent-proposals") -> dict:
    """Figures over the results of :func:`run`, and the rows that missed."""
    repeats = [r for r in results if r["kind"] == "repeat"]
    others = [r for r in results if r["kind"] == "elsewhere"]
    different = [r for r in results if r["kind"] == "different"]
    precedents = repeats + others
    ms = [r["ms"] for r in results]

    def share(rows, test):
        return round(sum(map(test, rows)) / len(rows), 6) if rows else None

    def mean_sim(rows):
        sims = [r["target_similarity"] for r in rows if r["target_similarity"] is not None]
        return round(statistics.mean(sims), 1) if sims else None

    figures = {
        "proposals": len(results), "repeats": len(repeats), "others": len(others), "different": len(different),
        "hit1": share(precedents, lambda r: r["rank"] == 1),
        "hit3": share(precedents, lambda r: r["rank"] in (1, 2, 3)),
        "repeats_flagged": share(repeats, lambda r: r["repeat_of"] == r["target"]),
        "others_not_flagged": share(others, lambda r: r["repeat_of"] is None),
        "different_not_flagged": share(different, lambda r: r["repeat_of"] is None),
        "similarity_repeat": mean_sim(repeats), "similarity_elsewhere": mean_sim(others),
        "similarity_different_top": (round(statistics.mean(r["top_similarity"] for r in different), 1)
                                     if different else None),
        "ms_p50": round(statistics.median(ms), 1) if ms else None,
        "ms_max": round(max(ms), 1) if ms else None,
    }
    misses = [r for r in results if (r["target"] and r["rank"] != 1)
              or (r["kind"] == "repeat" and r["repeat_of"] != r["target"])
              or (r["kind"] != "repeat" and r["repeat_of"] is not None)]
    return {"dataset": name, "kind": "precedent", "date": date.today().isoformat(), "git_revision": git_revision(),
            "figures": figures, "misses": misses, "results": results}


def labelled_rows(index, rows: list[dict], checker: PrecedentChecker) -> list[dict]:
    """For fitting: every candidate reply of every proposal, its features, and its grade (precedent.GRADES):
    2 for the target of a "repeat" row, 1 for the target of an "elsewhere" row, 0 for every other reply."""
    by_name = targets(index)
    out = []
    for row in rows:
        target = by_name[row["target"]] if row["target"] else None
        proposal = checker.analyse(row["text"])
        for c in checker.candidates(proposal):
            grade = GRADE[row["kind"]] if c.reply_id == target else 0
            out.append({"id": row["id"], "reply_id": c.reply_id, "features": c.features, "grade": grade})
    return out


def table(report: dict) -> str:
    """The figures as a markdown table with the issue's targets."""
    f = report["figures"]
    head = ["data set", "proposals (repeat / elsewhere / different)", *[label for _, label in COLUMNS],
            "similarity repeat / elsewhere / different's top", "ms per check p50 / max"]
    cells = [report["dataset"], f"{f['proposals']} ({f['repeats']} / {f['others']} / {f['different']})"]
    cells += [pct(f[k]) + (f" (≥{TARGETS[k] * 100:.0f})" if k in TARGETS else "") for k, _ in COLUMNS]
    cells += [f"{f['similarity_repeat']} / {f['similarity_elsewhere']} / {f['similarity_different_top']}",
              f"{f['ms_p50']} / {f['ms_max']}"]
    return one_row(head, cells)


def write(report: dict, out: str | Path) -> Path:
    """report.json and report.md into ``out``."""
    return write_report(report, out, table(report), "misses")
