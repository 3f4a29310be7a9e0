"""Questions that count replies: the count first, each reply counted cited, zeros said, left-out replies explained."""
from __future__ import annotations

import pytest

from replyqa.answer import Answerer
from replyqa.counting import count, is_count_question
from replyqa.filters import Filters
from replyqa.ingest import ingest
from replyqa.normalise import match_key
from replyqa.question import analyse, read_names
from replyqa.web.archive import matching


@pytest.fixture
def archive(fake_index, samples):
    ingest(fake_index, [samples], progress=False)
    return fake_index


@pytest.mark.parametrize("question, expected", [
    ("2024年县教育局答复了几件建议？", True), ("档案里有多少件政协提案的答复？", True), ("哪些答复来自岳阳县？", True),
    ("省人大代表建议的答复有哪些？", True), ("How many replies did the transport bureau give in 2023?", True),
    ("Which replies came from Zhenkang County?", True),
    ("中小学教师每年需要多少培训学分？", False), ("新郑市在多少个路口安装交通信号灯？", False),
    ("How many training credits are required per year", False), ("您提出的建议有几个方面？", False),
])
def test_counting_questions_are_told_from_questions_about_a_replys_content(question, expected):
    assert is_count_question(analyse(question)) is expected


def test_the_count_comes_first_and_each_counted_reply_is_cited_where_it_states_the_fact(archive):
    answer = Answerer(archive).ask("交通运输局答复了几件建议？")
    lines = answer.text.splitlines()
    assert lines[0].startswith("共3件") and lines[-1] == "另有2件答复未计入：2件未写明答复单位。"
    assert [line[:3] for line in lines[1:4]] == ["[1]", "[2]", "[3]"]
    for c in answer.citations:
        reply = archive.reply(c.chunk.reply_id)
        assert reply.text[c.start:c.end] == c.quote and match_key(reply.meta.office) in match_key(c.quote)
        assert c.chunk.start <= c.start < c.chunk.end


def test_a_year_count_cites_the_date_each_reply_is_filed_under(archive):
    answer = Answerer(archive).ask("2017年有几件答复？")
    assert answer.text.startswith("共2件（2017年）")
    assert [c.quote for c in answer.citations] == ["二〇一七年七月五日", "2017年8月9日"]
    assert "另有2件答复未计入：2件未写明年份。" in answer.text


def test_a_count_of_zero_says_so_instead_of_refusing(archive):
    for question, head in (("2020年有多少件答复？", "共0件（2020年）：档案中没有符合的答复。"),
                           ("How many replies did the transport bureau give in 2023?",
                            "0 replies (2023 · transport office): none of the archive's replies states these facts."),
                           ("有幾件D類答覆？", "共0件（D类）：檔案中沒有符合的答覆。")):
        answer = Answerer(archive).ask(question)
        assert not answer.refused and answer.text.splitlines()[0] == head and not answer.citations


def test_replies_that_do_not_state_the_year_or_office_are_left_out_and_the_answer_says_why(archive):
    answer = Answerer(archive).ask("How many replies did the education bureau give?")
    assert answer.text.splitlines()[-1] == "3 more replies were not counted: they state no office (3)."
    found = count(archive, read_names(analyse("2018年以来交通局答复了几件建议？"), archive.gazetteer))
    assert len(found.counted) == 2 and sorted(m for _, m in found.left_out) == [("office",), ("year", "office")]


def test_the_chat_and_the_archive_tab_count_the_same_replies(archive):
    for year in (2017, 2021, 2025):
        found = count(archive, analyse(f"哪些答复是{year}年的？"))
        shown = matching(archive, "", Filters(year_from=year, year_to=year))
        assert {r.reply_id for r in found.counted} == {r.reply_id for r in shown}
    found = count(archive, analyse("档案里有多少件政协提案的答复？"))
    assert {r.reply_id for r in found.counted} == {r.reply_id for r in matching(archive, "", Filters(body="政协"))}
