"""Answer-removed near misses: what is removed, what stays, what is dropped, and that a seed fixes it."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from replyqa.cli import main
from replyqa.evaluate.metrics import contains
from replyqa.evaluate.questions import Passage, Question, load_questions, load_squad
from replyqa.evaluate.removal import export, remove_answers, sample_removal
from replyqa.evaluate.report import combine


def _para(pid: str, context: str, qas: list[tuple[str, str, str]]) -> dict:
    return {"id": pid, "context": context,
            "qas": [{"id": qid, "question": q, "answers": [{"text": a, "answer_start": context.find(a)}]}
                    for qid, q, a in qas]}


SQUAD = {"data": [
    {"title": "梵文", "paragraphs": [
        _para("A-1", "梵語是古印度的語言。最古老的文法成形於公元前四世紀。", [("a1", "文法何時成形？", "公元前四世紀")]),
        _para("A-2", "佛經多以巴利文寫成。巴利文流行於斯里蘭卡。", [("a2", "佛經以什麼寫成？", "巴利文"),
                                                       ("a2b", "巴利文流行於哪裡？", "斯里蘭卡")]),
        _para("A-3", "梵文字母稱為天城體。天城體有四十七個字母。", [("a3", "有幾個字母？", "四十七個")])]},
    {"title": "孤篇", "paragraphs": [_para("B-1", "這篇只有一段。它提到了黃鶴樓。", [("b1", "提到了什麼樓？", "黃鶴樓")])]},
    {"title": "同答", "paragraphs": [
        _para("D-1", "第一座橋叫做彩虹橋。它建於清朝。", [("d1", "第一座橋叫什麼？", "彩虹橋")]),
        _para("D-2", "第二座橋也叫彩虹橋。它建於民國。", [("d2", "第二座橋叫什麼？", "彩虹橋")])]},
]}


@pytest.fixture
def squad(tmp_path):
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(SQUAD, ensure_ascii=False), encoding="utf-8")
    return load_squad(path)


def _articles(passages):
    out = {}
    for p in passages:
        out.setdefault(p.article, set()).add(p.name)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_a_removed_paragraph_is_gone_and_its_siblings_stay(squad, seed):
    passages, questions = squad
    cut = remove_answers(passages, questions, 1.0, seed)
    archive = {p.name for p in cut.passages}
    articles = _articles(passages)
    # every article with siblings lost exactly one paragraph; the single-paragraph article lost none
    assert len(cut.changed) == 2 and all(name not in archive for name in cut.changed)
    for members in articles.values():
        gone = members - archive
        assert len(gone) == (1 if len(members) > 1 else 0)
        assert members - gone <= archive
    by_id = {q.id: q for q in questions}
    for q in cut.removed:
        source = by_id[q.id]
        assert source.docs[0] in cut.changed and q.unanswerable and q.near_kind == "answer-removed"
        assert q.near_doc in archive and q.near_doc != source.docs[0] and q.source_id == source.docs[0]
        assert not any(contains(p.file_text(), a) for p in cut.passages for a in source.answers)
    assert all(q.docs[0] in archive for q in cut.kept)
    assert {q.id for q in cut.removed} | {q.id for q in cut.kept} | {q.id for q in cut.dropped} == set(by_id)


def test_a_question_whose_answer_occurs_elsewhere_is_dropped_not_asked(squad):
    passages, questions = squad
    cut = remove_answers(passages, questions, 1.0, seed=0)
    removed_from_d = next(n for n in cut.changed if "D-" in n)
    dropped = {q.id: q for q in cut.dropped}
    # both paragraphs of 同答 say 彩虹橋, so removing either leaves the answer in the archive
    assert {"d1", "d2"} & set(dropped) and all(q.docs[0] == removed_from_d for q in cut.dropped if q.id[0] == "d")
    for q in cut.dropped:
        assert any(contains(p.file_text(), a) for p in cut.passages for a in q.answers)
    assert cut.summary()["dropped"] == len(cut.dropped) >= 1


def test_the_seed_fixes_the_choice_and_other_seeds_vary_it(squad):
    passages, questions = squad
    assert remove_answers(passages, questions, 1.0, 3) == remove_answers(passages, questions, 1.0, 3)
    assert len({remove_answers(passages, questions, 1.0, s).changed for s in range(8)}) > 1


def test_the_fraction_is_a_share_of_the_articles_with_siblings(squad):
    passages, questions = squad
    assert remove_answers(passages, questions, 0.0, 1).changed == ()
    assert len(remove_answers(passages, questions, 0.5, 1).changed) == 1
    with pytest.raises(ValueError):
        remove_answers(passages, questions, 1.5, 1)


def _sentences(text: str) -> list[str]:
    return [part + "。" for part in text.split("。") if part]


@pytest.mark.parametrize("seed", range(4))
def test_the_sentence_unit_cuts_one_answer_sentence_and_keeps_the_rest(squad, seed):
    passages, questions = squad
    cut = remove_answers(passages, questions, 1.0, seed=seed, unit="sentence")
    originals = {p.name: p for p in passages}
    edited = {p.name: p for p in cut.passages if p.name in cut.changed}
    assert set(edited) == set(cut.changed) == set(originals) and len(cut.passages) == len(passages)
    for name, p in edited.items():
        before = _sentences(originals[name].text)
        assert any(p.text == "".join(before[:i] + before[i + 1:]) for i in range(len(before)))
    by_id = {q.id: q for q in questions}
    for q in cut.removed:
        source = by_id[q.id]
        assert q.near_doc == source.docs[0] and source.evidence[0] not in edited[source.docs[0]].text
    for q in cut.kept:
        assert q.evidence[0] in edited[q.docs[0]].text and contains(edited[q.docs[0]].text, q.answers[0])
    a2 = {q.id: kind for kind, group in (("removed", cut.removed), ("kept", cut.kept), ("dropped", cut.dropped))
          for q in group if q.id in ("a2", "a2b")}
    # 巴利文 is in both sentences of A-2: cutting the first drops a2 (its answer stays); cutting the second
    # removes a2b and keeps a2
    assert a2 in ({"a2": "dropped", "a2b": "kept"}, {"a2": "kept", "a2b": "removed"})


def test_the_sample_asks_half_removed_and_half_kept(squad):
    passages, questions = squad
    cut = remove_answers(passages, questions, 1.0, seed=0)
    asked = sample_removal(cut, 4, seed=1)
    assert sum(q.unanswerable for q in asked) == min(2, len(cut.removed))
    assert len(asked) == 4 and sample_removal(cut, 4, seed=1) == asked
    assert len(sample_removal(cut, None, 1)) == len(cut.removed) + len(cut.kept)


def test_export_writes_an_archive_and_labelled_questions(squad, tmp_path):
    passages, questions = squad
    cut = remove_answers(passages, questions, 1.0, seed=0)
    folder = export(tmp_path / "nm", cut, source="mini.json")
    assert sorted(p.name for p in (folder / "passages").iterdir()) == sorted(p.name for p in cut.passages)
    again = load_questions(folder / "questions.jsonl")
    assert {q.id for q in again if q.unanswerable} == {q.id for q in cut.removed}
    assert all(q.near_kind == "answer-removed" and q.near_doc for q in again if q.unanswerable)
    info = json.loads((folder / "removal.json").read_text())
    assert info["source"] == "mini.json" and set(info["dropped_ids"]) == {q.id for q in cut.dropped}
    # a second export with another seed leaves no stale paragraph behind
    other = remove_answers(passages, questions, 1.0, seed=5)
    export(tmp_path / "nm", other)
    assert sorted(p.name for p in (folder / "passages").iterdir()) == sorted(p.name for p in other.passages)


def test_eval_asks_the_removed_and_the_kept_and_reports_the_counts(tmp_path, monkeypatch):
    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(SQUAD, ensure_ascii=False), encoding="utf-8")
    out, work = tmp_path / "out", tmp_path / "work"
    result = CliRunner().invoke(main, ["eval", "--squad", str(path), "--remove-answers", "1", "--seed", "0",
                                       "--out", str(out), "--work", str(work), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    removal = report["removal"]
    assert report["dataset"] == "mini-answer-removed" and removal["changed"] == 2
    assert report["questions"] == removal["asked_removed"] + removal["asked_kept"]
    assert report["systems"]["product"]["overall"]["unanswerable"] == removal["removed"]
    assert report["indexing"]["product"]["replies"] == 4  # 6 paragraphs, 2 removed
    assert any("Answer-removed" in n for n in report["notes"])
    (cached,) = work.iterdir()  # one index per benchmark, removal and seed, kept for the next run
    assert cached.name.startswith("mini-") and cached.name.endswith("-paragraph-1-s0")
    table = combine([out / "report.json"], tmp_path / "RESULTS.md")
    assert "| mini-answer-removed (n=" in table
    assert f"{removal['dropped']} more were dropped because a gold answer still occurs elsewhere" in table


def test_remove_answers_needs_a_squad_file(tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps(Question("1", "q", "zh-Hans", "fact").to_json()) + "\n")
    result = CliRunner().invoke(main, ["eval", str(questions), "--corpus", str(tmp_path), "--remove-answers", "0.5"])
    assert result.exit_code == 2 and "--squad" in result.output
    assert Passage("a", "t", "x").article == 0
