"""Score answers to questions that count replies (``eval/count_questions.jsonl``).

Each question is asked through the product's answerer, as the CLI and the chat ask it, and its
answer text is read as a person reads it: the count it states first ("共3件", "3 replies"), the
replies it cites, and how many it says were left out. Reported: count right (the stated count is the
gold count), counted replies exact (the cited replies are exactly the gold's) and left-out right
(the number said to be left out is the gold's).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from .reportfile import one_row, write_report
from .revision import git_revision

HEAD = re.compile(r"^共(\d+)件|^(\d+) repl")
LEFT_OUT = re.compile(r"另有(\d+)件答[复覆]未[计計]入|(\d+) more repl(?:y|ies) (?:was|were) not counted")
TARGETS = {"count_right": 0.95, "counted_exact": 0.90}


def load_questions(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def stated_count(text: str) -> int | None:
    """The count an answer states first, or None when it states none."""
    m = HEAD.search(text.strip().splitlines()[0] if text.strip() else "")
    return int(m.group(1) or m.group(2)) if m else None


def stated_left_out(text: str) -> int:
    """How many replies an answer says it left out (0 when it says nothing of them)."""
    m = LEFT_OUT.search(text)
    return int(m.group(1) or m.group(2)) if m else 0


def score(rows: list[dict], answers: list[dict], name: str = "count-questions") -> dict:
    """``answers``: per question, {"answer": text, "cited": [file names]}, in the order of ``rows``."""
    results = []
    for row, got in zip(rows, answers):
        n = stated_count(got["answer"])
        results.append({"id": row["id"], "question": row["question"], "gold": row["count"], "stated": n,
                        "count_right": n == row["count"],
                        "counted_exact": sorted(set(got["cited"])) == sorted(row["replies"]),
                        "left_out_right": stated_left_out(got["answer"]) == len(row.get("left_out", [])),
                        "answer": got["answer"]})
    total = len(results) or 1
    figures = {key: round(sum(r[key] for r in results) / total, 4)
               for key in ("count_right", "counted_exact", "left_out_right")}
    figures["questions"] = len(results)
    return {"dataset": name, "kind": "counts", "git_revision": git_revision(), "figures": figures,
            "failures": [r for r in results if not (r["count_right"] and r["counted_exact"] and r["left_out_right"])]}


def ask_all(index, rows: list[dict]) -> list[dict]:
    """Ask each question of the product's answerer over ``index``; the replies each answer cites, by file name."""
    from ..answer import Answerer

    answerer = Answerer(index)
    out = []
    for row in rows:
        answer = answerer.ask(row["question"])
        cited = [Path(index.reply(c.chunk.reply_id).source).name for c in answer.citations]
        out.append({"answer": answer.text, "cited": cited})
    return out


def table(report: dict) -> str:
    f = report["figures"]
    head = ["data set", "questions", "count right", "counted replies exact", "left-out right"]
    cells = [report["dataset"], str(f["questions"]), f"{100 * f['count_right']:.1f} (≥95)",
             f"{100 * f['counted_exact']:.1f} (≥90)", f"{100 * f['left_out_right']:.1f}"]
    return one_row(head, cells)


def write(report: dict, out: str | Path) -> Path:
    """report.json and report.md into ``out``."""
    return write_report(report, out, table(report), "failures")
