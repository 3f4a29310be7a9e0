"""Scoring a running web app through gradio_client, against a tiny app that keeps the ask contract."""
from __future__ import annotations

import json

import pytest

from replyqa.evaluate.baselines import AppSystem
from replyqa.evaluate.questions import Question
from replyqa.evaluate.runner import run_system, score_record

pytestmark = pytest.mark.server

ANSWER = {"question": "", "answer": "原則上每年不少於60學分 [1]", "refused": False,
          "citations": [{"n": 1, "reply_id": "r1", "title": "t", "doc_number": "", "office": "", "date": "",
                         "section": [], "quote": "原則上每年不少於60學分", "start": 10, "end": 22,
                         "source": "replies/000_a.txt", "quote_simplified": "原则上每年不少于60学分"}],
          "related": [{"reply_id": "r2", "title": "t2", "doc_number": "", "date": "", "source": "replies/001_b.txt"}],
          "timings": {"total_ms": 1.0}}


@pytest.fixture
def app_url():
    gr = pytest.importorskip("gradio")

    def ask(question: str) -> dict:
        if "年终奖" in question:
            return {**ANSWER, "question": question, "answer": "档案中没有找到答案。", "refused": True, "citations": []}
        return {**ANSWER, "question": question}

    demo = gr.Interface(fn=ask, inputs=gr.Textbox(), outputs=gr.JSON(), api_name="ask")
    _, url, _ = demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True, show_error=True)
    yield url
    demo.close()


def test_app_answers_are_scored_like_the_product(app_url):
    questions = [Question("S1", "每年需要多少学分", "zh-Hans", "number", docs=("000_a.txt",), answers=("60學分",),
                          evidence=("每年不少於60學分",)),
                 Question("S2", "年终奖多少", "zh-Hans", "unanswerable")]
    run = run_system(AppSystem(app_url), questions, progress=False)
    first, second = run.records
    assert first["response"]["citations"][0]["quote"] == "原則上每年不少於60學分"
    assert [r["source"] for r in first["retrieved"]] == ["replies/000_a.txt", "replies/001_b.txt"]
    assert first["timings"]["ask_ms"] > 0 and first["timings"]["search_ms"] is None
    row = score_record(questions[0], first)
    assert row["answer_correct"] and row["citation_correct"] and row["reply_hit@1"] == 1.0
    assert second["response"]["refused"] is True and score_record(questions[1], second)["refused"]
    json.dumps(run.records, ensure_ascii=False)  # results.jsonl must be able to hold it
