"""Conversations: follow-ups resolved from the previous turn, new topics start afresh."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from replyqa.chat import Conversation, is_follow_up, merge
from replyqa.question import analyse


def _turn(text):
    from replyqa.chat import Turn
    from replyqa.records import Answer

    return Turn(analyse(text), Answer(text, "x", (), False), ("r1",), ())


@pytest.mark.parametrize("text, follows", [
    ("那五年一共需要多少?", True),
    ("目前建成投用几座？", True),
    ("and who is responsible for that?", True),
    ("腾冲市近年来合计新建教师住房多少平方米？", False),
    ("What was the winning bid amount for Xinzheng's intelligent traffic-signal project?", False),
])
def test_follow_up_detection(text, follows):
    assert is_follow_up(analyse(text), _turn("教师每年需要多少学分?")) is follows


def test_first_question_is_never_a_follow_up():
    assert not is_follow_up(analyse("那五年一共需要多少?"), None)


def test_merge_carries_topic_and_unit_but_keeps_own_terms_first():
    merged = merge(analyse("那五年一共需要多少?"), analyse("教师每年需要多少学分?"))
    assert merged.units == ("学分",)
    assert "学分" in merged.context and "五年" in merged.terms and "学分" not in merged.terms


@pytest.mark.parametrize("follow_up, kinds, units", [
    ("那投资呢？", ("quantity",), ("元",)),  # another thing of the same reply: its own unit, not 平方米
    ("What about the investment?", ("quantity",), ("元",)),
    ("其中周转宿舍呢？", ("quantity",), ("平方米",)),  # the same measure of a part
    ("那五年一共需要多少?", ("quantity",), ("平方米",)),
    ("项目进展如何？", ("what",), ()),  # a question word of its own: not the last question's kind
    ("那什么时候完工？", ("date",), ()),
])
def test_a_follow_up_about_another_thing_asks_for_its_own_unit(follow_up, kinds, units):
    merged = merge(analyse(follow_up), analyse("腾冲市近年来合计新建教师住房多少平方米？"))
    assert (merged.kinds, merged.units) == (kinds, units)


def test_merge_carries_the_previous_entities_unless_the_follow_up_names_its_own():
    previous = analyse("岳阳县第45号提案的联系人是谁？")
    kept = merge(analyse("那文号呢？"), previous)
    assert {(e.kind, e.value) for e in kept.all_entities} == {("place", "岳阳县"), ("proposal_number", "45")}
    swapped = merge(analyse("那华容县呢？"), previous)
    assert {(e.kind, e.value) for e in swapped.all_entities} == {("place", "华容县"), ("proposal_number", "45")}
    assert swapped.entities[0].start == 1  # the follow-up's own spans index its own text


@pytest.fixture(scope="module")
def conversation(sample_index):
    from replyqa.answer import Answerer

    return Conversation(Answerer(sample_index))


@pytest.mark.model
def test_credits_per_year_then_over_five_years(conversation):
    conversation.reset()
    first = conversation.ask("教师每年需要多少学分?")
    assert "60學分" in first.text
    second = conversation.ask("那五年一共需要多少?")
    assert not second.refused and "360學分" in second.text
    assert second.citations[0].chunk.reply_id == first.citations[0].chunk.reply_id


@pytest.mark.model
def test_who_then_when_follow_up(conversation):
    conversation.reset()
    first = conversation.ask("镇康县农业农村局办理第0038号建议由谁牵头？")
    assert "刘权" in first.citations[0].quote
    second = conversation.ask("那什么时候面商的？")
    assert "2025年5月8日" in second.citations[0].quote
    assert second.citations[0].chunk.reply_id == first.citations[0].chunk.reply_id


@pytest.mark.model
def test_new_topic_starts_afresh(conversation):
    conversation.reset()
    first = conversation.ask("夏邑县2018年筹建了多少座新型环保公厕？")
    assert "10座" in first.text
    second = conversation.ask("腾冲市近年来合计新建教师住房多少平方米？")
    assert second.citations[0].chunk.reply_id != first.citations[0].chunk.reply_id
    assert "平方米" in second.text and conversation.history[-1].question.context == ()


def test_chat_command_session(tmp_path, samples, monkeypatch):
    from replyqa.cli import main

    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    monkeypatch.setenv("REPLYQA_HOME", str(tmp_path / "home"))
    runner = CliRunner()
    idx = str(tmp_path / "idx")
    assert runner.invoke(main, ["--index", idx, "ingest", str(next(samples.glob("000_*.txt")))]).exit_code == 0
    session = "中小学教师五年一周期内至少要获得多少培训学分？\n/history\n/new\n/quit\n"
    out = runner.invoke(main, ["--index", idx, "chat"], input=session)
    assert out.exit_code == 0, out.output
    assert "360學分" in out.output and "1. 中小学教师" in out.output and "(new topic)" in out.output


@pytest.mark.model
def test_a_follow_up_keeps_the_reply_its_entities_name_and_refuses_another_county(conversation):
    conversation.reset()
    first = conversation.ask("岳阳县2025年安排了多少个县级教师培训项目？")
    assert not first.refused and "40個" in first.text
    second = conversation.ask("那华容县呢？")
    assert second.refused and "华容县" in second.text


@pytest.mark.model
def test_a_follow_up_about_another_thing_of_the_reply_leads_with_its_own_figure(conversation):
    conversation.reset()
    first = conversation.ask("腾冲市近年来合计新建教师住房多少平方米？")
    assert "：66746平方米。“" in first.text
    second = conversation.ask("那投资呢？")
    lead = second.text.split("“")[0]
    assert "12815万元" in lead and "平方米" not in lead
    conversation.reset()
    conversation.ask("夏邑县2018年筹建了多少座新型环保公厕？")
    assert conversation.ask("那每座造价呢？").refused  # no cost is stated: not the count of toilets again
