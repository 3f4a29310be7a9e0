"""Body headings, inline enumerations and sections that tile the text."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from replyqa.parts import template_parts
from replyqa.sections import build_sections, heading_at, inline_items, section_boundaries
from replyqa.units import split_units


def unit(text: str):
    return split_units(text)[0]


@pytest.mark.parametrize("line, style, label", [
    ("一、基本情况", "cn", "一、基本情况"),
    ("（二）加强师资：今年培训教师300人。", "pcn", "（二）加强师资"),
    ("3.完善场地。", "num", "3.完善场地"),
    ("第一，加强统筹。", "di", "第一，加强统筹"),
    ("一是加强师资，二是完善场地。", "shi", "一是加强师资"),
    ("办理情况", "named", "办理情况"),
])
def test_heading_styles_and_label_ends(line, style, label):
    u = unit(line)
    found = heading_at(u)
    assert found is not None and found[0] == style
    assert u.original(0, found[1]) == label


def test_not_a_heading():
    assert heading_at(unit("我市共有中小学120所。")) is None
    assert heading_at(unit("2.5亿元用于新建学校。")) is None  # a decimal is no numbered heading


def test_inline_items_need_a_run_of_two():
    two = unit("今年重点做好两项工作：一是加强师资；二是完善场地。")
    assert [style for _, style in inline_items(two, 1)] == ["shi", "shi"]
    assert inline_items(unit("今年重点是加强师资，统一是原则。"), 1) == []


def test_body_sections_carry_their_heading_path():
    text = "尊敬的张三委员：\n一、基本情况\n我市共有中小学120所。一是加强师资；二是完善场地。\n二、下一步工作\n继续推进。\n"
    units = split_units(text)
    paths = [s.path for s in build_sections(text, "r", section_boundaries(units, template_parts(units)))]
    assert paths == [("salutation",), ("一、基本情况",), ("一、基本情况", "一是加强师资"),
                     ("一、基本情况", "二是完善场地"), ("二、下一步工作",)]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["一、基本情况", "我市共有中小学120所。", "一是加强师资；二是完善场地。", " ", "|",
                                 "尊敬的张三委员：", "感谢您的关心。", "深圳市教育局", "2024年6月1日", "\t"]),
                max_size=12).map("\n".join))
def test_sections_are_trimmed_ordered_and_cover_every_character(text):
    units = split_units(text)
    sections = build_sections(text, "r", section_boundaries(units, template_parts(units)))
    covered = [i for s in sections for i in range(s.start, s.end)]
    assert covered == sorted(set(covered))
    assert {i for i, ch in enumerate(text) if not ch.isspace()} <= set(covered)
    assert all(not text[s.start].isspace() and not text[s.end - 1].isspace() for s in sections)
