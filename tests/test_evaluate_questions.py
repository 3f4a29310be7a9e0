"""Loading project questions and SQuAD files."""
from __future__ import annotations

import json

import pytest

from replyqa.evaluate.questions import (QuestionFileError, evidence_sentence, load_questions, load_squad, sample,
                                        save_questions, write_passages)

SQUAD = {"version": "test", "data": [
    {"title": "梵文", "paragraphs": [
        {"id": "A-1", "context": "梵語是古印度的語言。現存最古老的文法大約於公元前四世紀成形。",
         "qas": [{"id": "q1", "question": "最古老的文法何時成形？",
                  "answers": [{"text": "公元前四世紀", "answer_start": 16}]},
                 {"id": "q-none", "question": "沒有答案？", "answers": []},
                 {"id": "q0", "question": "古印度的語言？", "answers": [{"text": "梵語", "answer_start": 0}]}]},
        {"id": "A-2", "context": "第二段有20個字。", "qas": [{"id": "q2", "question": "幾個字？",
                                                         "answers": [{"text": "20個", "answer_start": 999}]}]}]}]}


def test_project_format_round_trip(tmp_path):
    rows = [{"id": "P1", "question": "q", "language": "zh-Hans", "doc": ["a.txt", "b.txt"], "answer": "x",
             "evidence": ["e1", "e2"], "kind": "precedent"},
            {"id": "U1", "question": "q", "language": "en", "doc": "", "answer": "", "evidence": "",
             "kind": "unanswerable", "near_doc": "a.txt"}]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    p, u = load_questions(path)
    assert p.docs == ("a.txt", "b.txt") and p.evidence == ("e1", "e2") and not p.unanswerable
    assert u.docs == () and u.answers == () and u.unanswerable and u.near_doc == "a.txt"
    save_questions(tmp_path / "again.jsonl", [p, u])
    assert load_questions(tmp_path / "again.jsonl") == [p, u]


def test_a_bad_line_names_file_and_line(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "1", "question": "ok"}\nnot json\n')
    with pytest.raises(QuestionFileError, match=r"q.jsonl:2"):
        load_questions(path)


def test_bundled_sample_questions_load():
    from pathlib import Path

    questions = load_questions(Path(__file__).resolve().parents[1] / "eval" / "questions.jsonl")
    assert {q.kind for q in questions} >= {"number", "fact", "unanswerable"}
    assert all(q.docs for q in questions if not q.unanswerable)


def test_squad_paragraphs_become_passages_and_questions(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(SQUAD, ensure_ascii=False))
    passages, questions = load_squad(path)
    assert [p.name for p in passages] == ["0000_A-1.txt", "0001_A-2.txt"]
    assert passages[0].file_text().startswith("梵文\n\n梵語是")
    assert [q.id for q in questions] == ["q1", "q0", "q2"]  # the question without an answer is skipped
    q1, q0, q2 = questions
    assert q1.docs == ("0000_A-1.txt",) and q1.language == "zh-Hant" and q1.kind == "number"  # 四世紀
    assert q1.evidence == ("現存最古老的文法大約於公元前四世紀成形。",)
    assert q0.kind == "fact" and q0.evidence == ("梵語是古印度的語言。",)
    assert q2.kind == "number" and q2.evidence == ("第二段有20個字。",)  # a wrong answer_start is found again
    folder = write_passages(tmp_path / "p", passages)
    assert (folder / "0001_A-2.txt").read_text(encoding="utf-8") == "梵文\n\n第二段有20個字。\n"


def test_evidence_sentence_edges():
    text = "第一句。第二句有答案！第三句"
    assert evidence_sentence(text, text.index("答案"), 2) == "第二句有答案！"
    assert evidence_sentence(text, text.index("第三"), 2) == "第三句"
    assert evidence_sentence(text, 0, 1) == "第一句。"


def test_sample_is_fixed_by_seed_and_keeps_order(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text("".join(json.dumps({"id": str(i), "question": "q"}) + "\n" for i in range(50)))
    questions = load_questions(path)
    a, b = sample(questions, 10, seed=3), sample(questions, 10, seed=3)
    assert a == b and len(a) == 10
    assert [int(q.id) for q in a] == sorted(int(q.id) for q in a)
    assert sample(questions, 10, seed=4) != a
    assert sample(questions, None) == questions and sample(questions, 500) == questions
