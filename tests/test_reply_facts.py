"""The facts a reply states about itself, what a question asks of them, and the verdict with unknowns."""
from __future__ import annotations

import pytest

from replyqa.question import analyse
from replyqa.records import ReplyMeta
from replyqa.reply_facts import Criteria, criteria_of, facts_of, judge, office_kinds


@pytest.mark.parametrize("name, kinds", [
    ("嶽陽縣教育體育局", ("education", "sports")),
    ("宁陕县交通运输局", ("transport",)),
    ("仙居縣民政局", ("civil affairs",)),
    ("腾冲市人民政府", ("government",)),  # the 民政 inside 人民政府 is no civil-affairs office
    ("高平市卫生健康和体育局", ("health", "sports")),
    ("", ()),
])
def test_office_kinds(name, kinds):
    assert office_kinds(name) == kinds


def test_facts_from_metadata_fall_back_to_the_published_date_and_the_offices_place():
    meta = ReplyMeta(office="新郑市公安局", published="2017-07-05", body="政协", result_grade="A1")
    f = facts_of("r1", meta)
    assert (f.year, f.level, f.places, f.kinds, f.grade) == (2017, "市", ("新郑市",), ("police",), "A1")


@pytest.mark.parametrize("question, expected", [
    ("2024年县教育局答复了几件建议？", Criteria(2024, 2024, "人大", "县", ("education",))),
    ("2018年以来交通局答复了几件建议？", Criteria(2018, None, "人大", None, ("transport",))),
    ("2018年以前有几件答复？", Criteria(None, 2018)),
    ("档案里有多少件政协提案的答复？", Criteria(body="政协")),
    ("有幾件C類答覆？", Criteria(grade="C")),
    ("平江县交通运输局答复了几件建议？", Criteria(body="人大", kinds=("transport",), office_places=("平江县",))),
    ("How many replies did the transport bureau give in 2023?", Criteria(2023, 2023, kinds=("transport",))),
    ("How many replies were graded A?", Criteria(grade="A")),
    ("How many replies to CPPCC proposals are in the archive?", Criteria(body="政协")),
    ("How many replies were given since 2020?", Criteria(2020, None)),
])
def test_what_a_question_asks(question, expected):
    assert criteria_of(analyse(question)) == expected


def test_a_reply_without_its_year_or_office_is_unknown_unless_a_stated_fact_rules_it_out():
    asked = Criteria(2024, 2024, body="人大", kinds=("education",))
    undated = facts_of("r", ReplyMeta(office="县教育局", body="人大"))
    assert judge(asked, undated) == (None, ("year",))
    nameless = facts_of("r", ReplyMeta(body="人大", signed="2024-03-01"))
    assert judge(asked, nameless) == (None, ("office",))
    other_body = facts_of("r", ReplyMeta(body="政协"))
    assert judge(asked, other_body) == (False, ())
    assert judge(asked, facts_of("r", ReplyMeta(office="某县教育局", body="人大", signed="2024-03-01"))) == (True, ())


def test_grades_match_their_sub_grades_and_a_missing_grade_rules_out():
    assert judge(Criteria(grade="A"), facts_of("r", ReplyMeta(result_grade="A1")))[0] is True
    assert judge(Criteria(grade="B"), facts_of("r", ReplyMeta(result_grade="A1")))[0] is False
    assert judge(Criteria(grade="B"), facts_of("r", ReplyMeta()))[0] is False


def test_an_office_of_a_kind_not_listed_matches_none_rather_than_every_reply():
    c = criteria_of(analyse("How many replies did the unicorn bureau give?"))
    assert c.asks_office and c.office == "unicorn bureau" and not c.kinds
    assert judge(c, facts_of("r", ReplyMeta(office="某县交通运输局")))[0] is False
    assert criteria_of(analyse("县交警大队答复了几件？")).kinds == ("police",)
