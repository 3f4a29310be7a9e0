"""The ledger: commitments kept in the catalog with their reply, filtered, exported, and asked about in the chat."""
from __future__ import annotations

import csv
import io

import pytest

from replyqa.answer import Answerer
from replyqa.commitments import EXTRACTOR_VERSION
from replyqa.ingest import ingest
from replyqa.ledger import (topic_terms, JSON_FIELDS, LedgerFilter, due_month_counts, entry_json, fill_ledger, is_ledger_question,
                            load, select, to_csv)
from replyqa.question import analyse

TODAY = "2021-01-01"


@pytest.fixture
def archive(fake_index, samples):
    ingest(fake_index, [samples], progress=False)
    return fake_index


def test_ingest_stores_each_replys_commitments_and_removal_drops_them(archive):
    rows = dict(archive.catalog.commitment_rows(EXTRACTOR_VERSION))
    assert len(rows) == 16 and sum(map(len, rows.values())) == len(load(archive.catalog)) > 20
    rid = next(r for r, items in rows.items() if items)
    archive.remove(rid)
    assert rid not in dict(archive.catalog.commitment_rows(EXTRACTOR_VERSION))


def test_a_reply_stored_before_the_ledger_or_by_another_extractor_is_extracted_on_first_read(archive):
    before = [entry_json(e, TODAY) for e in load(archive.catalog)]
    with archive.catalog.db:
        archive.catalog.db.execute("DELETE FROM commitments")
        archive.catalog.db.execute("INSERT INTO commitments SELECT reply_id, -1, '[]' FROM replies LIMIT 3")
    assert len(archive.catalog.unledgered(EXTRACTOR_VERSION)) == 16
    assert [entry_json(e, TODAY) for e in load(archive.catalog)] == before
    assert archive.catalog.unledgered(EXTRACTOR_VERSION) == [] and fill_ledger(archive.catalog) == 0


def test_every_entry_quotes_its_reply_exactly_and_has_the_stable_fields(archive):
    for e in load(archive.catalog):
        c = e.commitment
        assert archive.reply(c.reply_id).text[c.start:c.end] == c.quote
        data = entry_json(e, TODAY)
        assert list(data)[:len(JSON_FIELDS)] == list(JSON_FIELDS)
        assert data["status"] in ("open", "overdue", "undated") and data["source"].endswith(".txt")


def test_filters_by_status_office_due_and_condition(archive):
    entries = load(archive.catalog)
    overdue = select(entries, LedgerFilter(status="overdue"), TODAY)
    assert overdue and all(e.commitment.due < TODAY for e in overdue)
    undated = select(entries, LedgerFilter(status="undated"), TODAY)
    assert undated and all(e.commitment.due is None for e in undated)
    transport = select(entries, LedgerFilter(office="交通运输局"), TODAY)  # Simplified finds 鎮康縣交通運輸局 too
    assert {e.facts.office for e in transport} == {"鎮康縣交通運輸局", "宁陕县交通运输局", "平江县交通运输局"}
    window = select(entries, LedgerFilter(due_from="2025-01-01", due_to="2025-12-31"), TODAY)
    assert window and all(e.commitment.due.startswith("2025") for e in window)
    conditioned = select(entries, LedgerFilter(has_condition=True), TODAY)
    assert {e.commitment.condition for e in conditioned} == {"待项目资金下达之后", "待项目资金下达后",
                                                             "如能进入自然村规划,等政策启动后"}


def test_csv_and_the_due_month_plot_data(archive):
    entries = load(archive.catalog)
    rows = list(csv.DictReader(io.StringIO(to_csv(entries, TODAY))))
    assert len(rows) == len(entries) and rows[0]["quote"] == entries[0].commitment.quote
    months = due_month_counts(entries, TODAY)
    assert sum(n for _, _, n in months) == sum(1 for e in entries if e.commitment.due)
    assert ("2017-09", "overdue", 1) in months


@pytest.mark.parametrize("question, expected", [
    ("县交通局有哪些承诺逾期了？", True), ("what did the education bureau promise for 2024?", True),
    ("Which promises are overdue?", True), ("县委和县政府出台了什么文件？", False),
    ("What document did the county Party committee issue?", False),
])
def test_questions_about_promises_are_recognised(question, expected):
    assert is_ledger_question(analyse(question)) is expected


def test_the_chat_answers_which_promises_of_an_office_are_overdue(archive):
    answerer = Answerer(archive, today=lambda: "2020-01-01")
    answer = answerer.ask("县交通局有哪些承诺逾期了？")
    assert answer.text.startswith("截至2020-01-01，县级交通部门的逾期承诺共2项")
    cited = [(c.quote, archive.reply(c.chunk.reply_id).meta.office) for c in answer.citations]
    assert cited == [("我局今年已经准备进行实施", "平江县交通运输局"), ("預(yù)計(jì)2019年完工", "鎮康縣交通運輸局")]
    for c in answer.citations:
        assert archive.reply(c.chunk.reply_id).text[c.start:c.end] == c.quote
        assert c.chunk.start <= c.start < c.chunk.end


def test_the_chat_answers_what_an_office_promised_for_a_year_and_says_none_when_none(archive):
    answerer = Answerer(archive, today=lambda: "2025-08-01")
    answer = answerer.ask("what did the education bureau promise for 2024?")
    assert answer.text.startswith("0 promises due in 2024 (education office)") and not answer.citations
    answer = answerer.ask("what did the education bureau promise for 2025?")
    assert answer.text.startswith("2 promises due in 2025") and len(answer.citations) == 2
    assert "left out" not in answer.text and "replies that state no office were not searched" in answer.text


@pytest.mark.parametrize("question, refusal", [
    ("What did the reply promise for the school sports grounds, and by when?",
     "The replies in the archive make no dated or undated promise about school/sport/ground."),
    ("学校运动场承诺什么时候完成？", "档案中的答复没有关于“学校/运动场”的承诺。"),
    ("學校運動場承諾什麼時候完成？", "檔案中的答覆沒有關於“學校/運動場”的承諾。"),
])
def test_a_promise_question_about_a_topic_no_promise_holds_is_refused_not_answered_with_every_promise(
        archive, question, refusal):
    answer = Answerer(archive, today=lambda: "2025-08-01").ask(question)
    assert answer.refused and answer.text == refusal and not answer.citations


def test_a_promise_question_about_a_topic_lists_only_the_promises_about_it(archive):
    answer = Answerer(archive, today=lambda: "2025-08-01").ask("Which replies promised road hardening?")
    assert not answer.refused and [c.quote for c in answer.citations] == [
        "預(yù)計(jì)2019年完工", "雪山道路硬化一事县交通部门已纳入十四五规划中"]
    assert topic_terms(analyse("县交通局有哪些承诺逾期了？")) == ()
    assert topic_terms(analyse("平江县交通运输局承诺哪年完成道路硬化？")) == ("道路", "硬化")
