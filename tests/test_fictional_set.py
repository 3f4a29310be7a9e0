"""The fictional in-genre set (eval/fictional/): every answer is quoted from its reply, and it loads as `make eval` reads it."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from replyqa.evaluate.questions import load_questions

FOLDER = Path(__file__).resolve().parents[1] / "eval" / "fictional"
FOLDS = ("dev.jsonl", "report.jsonl")
ROWS = [json.loads(line) for fold in FOLDS
        for line in (FOLDER / fold).read_text(encoding="utf-8").splitlines() if line]
STYLES = ("plain", "colloquial", "order", "traditional", "english", "typo")


def test_evidence_is_verbatim_in_its_reply_and_holds_the_answer():
    for row in ROWS:
        if row["kind"] == "unanswerable":
            assert (FOLDER / "replies" / row["near_doc"]).is_file(), row["id"]
            assert row["near_kind"] in ("attribute", "entity", "premise") and not row["answer"], row["id"]
            continue
        text = (FOLDER / "replies" / row["doc"]).read_text(encoding="utf-8")
        assert row["evidence"] in text, row["id"]
        assert row["answer"] and row["answer"] in row["evidence"], row["id"]


def test_every_reply_has_one_question_per_style_and_four_near_misses():
    ids = [row["id"] for row in ROWS]
    assert len(ids) == len(set(ids))
    replies = sorted(p.name for p in (FOLDER / "replies").glob("*.txt"))
    per_reply = Counter((row["doc"] or row["near_doc"], row["style"]) for row in ROWS)
    for name in replies:
        assert all(per_reply[(name, style)] == 1 for style in STYLES), name
        assert per_reply[(name, "near")] == 4, name


def test_the_folds_split_by_writer_and_load_as_make_eval_reads_them():
    dev, report = (load_questions(FOLDER / fold) for fold in FOLDS)
    assert {q.id[0] for q in dev} == {"A", "B"} and {q.id[0] for q in report} == {"C"}
    questions = dev + report
    assert len(questions) == len(ROWS)
    assert sum(q.unanswerable for q in questions) == sum(row["kind"] == "unanswerable" for row in ROWS)
    assert all(q.docs for q in questions if not q.unanswerable)
