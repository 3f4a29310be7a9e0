"""Scoring results.jsonl records and aggregating them by language and kind."""
from __future__ import annotations

import pytest

from replyqa.evaluate.baselines import Outcome
from replyqa.evaluate.questions import Question
from replyqa.evaluate.runner import (SystemRun, aggregate, failures, grouped, misses_by_kind, run_system, score_record,
                                     to_record)

GOLD = Question(id="S001", question="每年需要多少学分", language="zh-Hans", kind="number", docs=("000_a.txt",),
                answers=("60學分",), evidence=("原則上每年不少於60學分",))
UNANS = Question(id="S013", question="年终奖多少", language="en", kind="unanswerable", near_doc="000_a.txt")


def chunk(source, text, rid=None, start=0):
    return {"reply_id": rid or source, "source": f"some/dir/{source}", "text": text, "start": start,
            "end": start + len(text), "score": 1.0}


def response(answer, quotes=(), refused=False):
    return {"question": "q", "answer": answer, "refused": refused, "related": [], "timings": {},
            "citations": [{"n": i + 1, "reply_id": src, "quote": q, "start": 0, "end": len(q),
                           "source": f"x/{src}"} for i, (src, q) in enumerate(quotes)]}


def record(question, chunks, resp, search=0.01, ask=0.02):
    return to_record(question, Outcome(tuple(chunks), resp, search, ask))


def test_a_right_answer_scores_everywhere():
    rec = record(GOLD, [chunk("9_other.txt", "别的"), chunk("000_a.txt", "原则上每年不少于60学分。"),
                        chunk("000_a.txt", "又一段")],
                 response("每年不少于六十学分 [1]", [("000_a.txt", "原則上每年不少於60學分"), ("9_other.txt", "别的")]))
    assert rec["retrieved"] == [{"reply_id": "9_other.txt", "source": "some/dir/9_other.txt"},
                                {"reply_id": "000_a.txt", "source": "some/dir/000_a.txt"}]
    row = score_record(GOLD, rec)
    assert row["rank"] == 2 and row["rr"] == 0.5
    assert (row["reply_hit@1"], row["reply_hit@3"]) == (0.0, 1.0)
    assert (row["evidence_hit@1"], row["evidence_hit@3"]) == (0.0, 1.0)
    assert row["answer_correct"] and row["citation_correct"]
    assert (row["quotes"], row["gold_quotes"]) == (2, 1)


def test_a_refusal_of_an_answerable_question_is_a_miss():
    rec = record(GOLD, [chunk("000_a.txt", "原则上每年不少于60学分")], response("无法回答，但60学分", refused=True))
    row = score_record(GOLD, rec)
    assert row["refused"] and not row["answer_correct"] and not row["citation_correct"]
    assert row["reply_hit@1"] == 1.0


def test_aggregate_counts_answer_figures_over_answerable_and_refusals_over_all():
    right = score_record(GOLD, record(GOLD, [chunk("000_a.txt", "60学分")], response("60学分", [("000_a.txt", "x")])))
    refused_unans = score_record(UNANS, record(UNANS, [], response("", refused=True)))
    answered_unans = score_record(UNANS, record(UNANS, [], response("1000元")))
    agg = aggregate([right, refused_unans, answered_unans])
    assert agg["questions"] == 3 and agg["answerable"] == 1 and agg["unanswerable"] == 2
    assert agg["answer_accuracy"] == 1.0 and agg["citation_accuracy"] == 0.0 and agg["citation_precision"] == 1.0
    assert agg["refusal_recall"] == 0.5 and agg["refusal_precision"] == 1.0 and agg["false_refusal_rate"] == 0.0
    g = grouped([right, refused_unans])
    assert set(g["by_language"]) == {"zh-Hans", "en"} and set(g["by_kind"]) == {"number", "unanswerable"}
    assert g["by_kind"]["unanswerable"]["answer_accuracy"] is None


class Broken:
    name = "broken"

    def run(self, question):
        raise RuntimeError("boom")


def test_a_failing_system_is_recorded_not_fatal():
    run = run_system(Broken(), [GOLD, UNANS], progress=False)
    assert [r["error"] for r in run.records] == ["RuntimeError: boom"] * 2
    found = failures([GOLD, UNANS], run)
    assert [f["id"] for f in found] == ["S001", "S013"]
    assert "error" in found[0]["failed"] and found[1]["failed"] == ["not_refused"]
    assert found[0]["expected"]["answer"] == ["60學分"]


def test_failures_skip_questions_that_passed():
    good = record(GOLD, [chunk("000_a.txt", "原则上每年不少于60学分")],
                  response("60学分 [1]", [("000_a.txt", "原则上每年不少于60学分")]))
    assert failures([GOLD], SystemRun("p", (good,))) == []
    assert score_record(GOLD, good)["answer_chars"] == len("60学分 [1]")


@pytest.mark.parametrize("ask_ms", [None, 12.5])
def test_record_timings_in_ms(ask_ms):
    rec = to_record(GOLD, Outcome((), response(""), 0.002, None if ask_ms is None else ask_ms / 1000))
    assert rec["timings"] == {"search_ms": 2.0, "ask_ms": ask_ms}


def test_each_system_pays_for_its_own_query_vectors():
    from replyqa.embed import SentenceTransformerEmbedder

    class Counting(SentenceTransformerEmbedder):
        calls = 0

        def _encode(self, texts, prefix, progress=False, fast=False):
            Counting.calls += 1
            import numpy as np

            return np.ones((len(texts), 4), np.float32)

    emb = Counting("unused")
    emb.embed_queries(["q"])
    emb.embed_queries(["q"])
    assert Counting.calls == 1  # a repeated question reuses its vector
    emb.clear_query_cache()
    emb.embed_queries(["q"])
    assert Counting.calls == 2


def test_misses_are_counted_once_by_kind_and_by_language():
    refused = record(GOLD, [chunk("000_a.txt", "原则上每年不少于60学分")], response("无法回答", refused=True))
    wrong = record(UNANS, [], response("1000元"))
    misses = misses_by_kind([GOLD, UNANS], SystemRun("reader", (refused, wrong)))
    # the refusal also fails the answer and the quote, but is counted as a refusal only
    assert misses == {"kind: number": {"refused": 1}, "language: zh-Hans": {"refused": 1},
                      "kind: unanswerable": {"not_refused": 1}, "language: en": {"not_refused": 1}}
    errors = misses_by_kind([GOLD], run_system(Broken(), [GOLD], progress=False))
    assert errors["kind: number"] == {"error": 1}
    # an English gloss of the answer no quote can hold: not a wrong answer, but the quote still misses the evidence
    glossed = Question(id="S002", question="credits a year?", language="en", kind="number", docs=("000_a.txt",),
                       answers=("60 credits",), evidence=("原則上每年不少於60學分",))
    answered = record(glossed, [chunk("000_a.txt", "别的")], response("60 [1]", [("000_a.txt", "别的")]))
    assert misses_by_kind([glossed], SystemRun("rules", (answered,)))["kind: number"] == {"wrong_citation": 1}
