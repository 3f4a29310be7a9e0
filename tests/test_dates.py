"""Dates and the periods promises are due by, resolved against a reply's own date."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, strategies as st

from replyqa.dates import anchor_date, parse_date, periods

REPLY = date(2024, 5, 20)


def due(text: str, anchor: date | None = REPLY) -> list[tuple[str, str, str | None]]:
    return [(text[p.start:p.end], p.kind, p.due) for p in periods(text, anchor)]


# The table of issue 26: the last day of the stated period, the reply dated 2024-05-20.
@pytest.mark.parametrize("text, phrase, expected", [
    ("年底前完成", "年底前", "2024-12-31"),
    ("年内建成", "年内", "2024-12-31"),
    ("今年完工", "今年", "2024-12-31"),
    ("下半年开工", "下半年", "2024-12-31"),
    ("四季度完成", "四季度", "2024-12-31"),
    ("上半年完成", "上半年", "2024-06-30"),
    ("一季度启动", "一季度", "2024-03-31"),
    ("第三季度完成", "第三季度", "2024-09-30"),
    ("6月底前完成", "6月底前", "2024-06-30"),
    ("6月份开工", "6月份", "2024-06-30"),
    ("明年实施", "明年", "2025-12-31"),
    ("明年上半年完成", "明年上半年", "2025-06-30"),
    ("2025年完成", "2025年", "2025-12-31"),
    ("十四五期间规划新建", "十四五期间", "2025-12-31"),
    ("“十五五”时期", "“十五五”时期", "2030-12-31"),
    ("6月10日前完成", "6月10日前", "2024-06-10"),
    ("2024年年底开工", "2024年年底", "2024-12-31"),
    ("2026年下半年完工", "2026年下半年", "2026-12-31"),
    ("2017年9月底前投入使用", "2017年9月底前", "2017-09-30"),
    ("明年6月底前", "明年6月底前", "2025-06-30"),
    ("2024-2026年,我县将", "2024-2026年", "2026-12-31"),
    ("三年内完成", "三年内", "2026-12-31"),
])
def test_a_period_is_due_on_its_last_day(text, phrase, expected):
    assert due(text) == [(phrase, "time", expected)]


def test_a_length_counts_from_its_stated_start_year():
    text = "从2024年开始,我县计划利用三年时间全面建设名师工作室"
    assert due(text, date(2025, 4, 21)) == [("从2024年开始,我县计划利用三年时间", "time", "2026-12-31")]


def test_before_a_month_is_the_day_before_it_begins():
    assert due("6月前完成") == [("6月前", "time", "2024-05-31")]
    assert due("1月前完成") == [("1月前", "time", "2023-12-31")]


def test_plan_names_hold_years_but_no_due_day():
    assert due("《岳阳县国土空间总体规划(2018-2035年)》") == [("(2018-2035年)", "plan", None)]
    assert due("拟申报2026-2028年任务计划2118套") == [("2026-2028年", "plan", None)]


def test_a_starting_point_of_past_work_is_no_due_day():
    assert due("今年以来,为从根本上杜绝形式主义") == [("今年", "since", None)]
    assert due("2022年以来新建师生宿舍") == [("2022年", "since", None)]


def test_a_relative_period_without_a_reply_date_stays_unresolved():
    [p] = periods("今年完成", None)
    assert p.due is None and p.relative
    [p] = periods("2025年完成", None)  # a year written out needs no anchor
    assert p.due == "2025-12-31" and p.explicit_year


def test_a_month_without_a_suffix_is_no_period():
    assert due("5月全民健身月") == []


def test_anchor_dates():
    assert anchor_date("2025-04-21") == date(2025, 4, 21)
    assert anchor_date("2025-04") == date(2025, 4, 1)  # a signature dated by month only
    assert anchor_date("") is None and anchor_date("2025-13-01") is None


def test_parse_date_still_reads_chinese_numerals():
    assert parse_date("二〇一七年七月五日") == "2017-07-05"


@given(st.text(alphabet="年月日底前内今明后上下半季度一二三四五六七八九十0123456789-(),从开始时间期十四五", max_size=40),
       st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
def test_periods_never_fail_and_stay_inside_the_text(text, anchor):
    for p in periods(text, anchor):
        assert 0 <= p.start < p.end <= len(text)
        assert p.due is None or date.fromisoformat(p.due)
