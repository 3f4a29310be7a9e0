"""Entities of a question: what it names that identifies a reply, in Simplified, Traditional and English."""
from __future__ import annotations

import re
from dataclasses import FrozenInstanceError

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from replyqa.entities import Entity, doc_number_value, extract, latin_key, number_value
from replyqa.normalise import to_simplified


def found(text: str, names=None, english: bool | None = None) -> set[tuple[str, str, str]]:
    """(kind, words as asked, value) of every entity in ``text``."""
    english = bool(re.search(r"[A-Za-z]{3}", text)) if english is None else english
    return {(e.kind, e.text, e.value) for e in extract(text, to_simplified(text), english, names)}


@pytest.mark.parametrize("text, expected", [
    ("翟亚丹委员的第45号提案是怎么答复的",
     {("person", "翟亚丹", "翟亚丹"), ("proposal_number", "第45号", "45")}),
    ("2019年夏邑县城管局对公厕提案的答复",
     {("year", "2019", "2019"), ("place", "夏邑县", "夏邑县"), ("office", "夏邑县城管局", "夏邑县城管局")}),
    ("十二届全国人大五次会议第7464号建议由环境保护部会同哪些部门办理？",
     {("session", "十二届全国人大五次", "12-5"), ("body", "人大", "人大"), ("proposal_number", "第7464号", "7464"),
      ("office", "环境保护部", "环境保护部")}),
    ("根据黔教发〔2020〕25号文件，学校规模上限是多少人？",
     {("doc_number", "黔教发〔2020〕25号", "黔教发〔2020〕25号")}),
    ("推进马庄村道路和东城片区改造", {("place", "马庄村", "马庄村"), ("place", "东城片区", "东城片区")}),
    ("杨文强等3名代表提出的建议", {("person", "杨文强", "杨文强")}),
    ("县政协十四届四次会议", {("body", "政协", "政协"), ("session", "十四届四次", "14-4")}),
    ("二〇一九年的答复", {("year", "二〇一九年", "2019")}),
])
def test_simplified_questions(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("高平市第71號建議答覆的發文字號", {("place", "高平市", "高平市"), ("proposal_number", "第71號", "71")}),
    ("夏邑縣城市管理局對縣政協十屆三次會議第113號提案的答覆",
     {("office", "夏邑縣城市管理局", "夏邑县城市管理局"), ("place", "夏邑縣", "夏邑县"), ("body", "政協", "政协"),
      ("session", "十屆三次", "10-3"), ("proposal_number", "第113號", "113")}),
    ("嶽縣教體字〔2025〕23號是哪份答覆", {("doc_number", "嶽縣教體字〔2025〕23號", "岳县教体字〔2025〕23号")}),
    ("龍陵縣文化和旅遊局在哪一天與楊世國代表面商？",
     {("office", "龍陵縣文化和旅遊局", "龙陵县文化和旅游局"), ("place", "龍陵縣", "龙陵县"), ("person", "楊世國", "杨世国")}),
])
def test_traditional_questions_carry_simplified_values(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("What did Ningshan County say about the Mazhuang village road?",
     {("place", "Ningshan County", "ningshan"), ("place", "Mazhuang village", "mazhuang")}),
    ("Which reply answers suggestion No. 0038 of deputy Yang Wenqiang?",
     {("proposal_number", "suggestion No. 0038", "38"), ("person", "Yang Wenqiang", "yangwenqiang")}),
    ("What did the 4th session of the 14th CPPCC decide in 2019?",
     {("session", "4th session of the 14th", "14-4"), ("body", "CPPCC", "政协"), ("year", "2019", "2019")}),
    ("What did the fifth session of the 12th NPC ask?",
     {("session", "fifth session of the 12th", "12-5"), ("body", "NPC", "人大")}),
    ("Where will the Xinmi (新密) public security bureau put traffic lights?",
     {("place", "Xinmi", "新密"), ("office", "public security bureau", "public security bureau")}),
    ("What funding can schools in Jianhe County (剑河县) apply for?",
     {("place", "Jianhe County", "剑河县"), ("place", "剑河县", "剑河县")}),
])
def test_english_questions(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text, names", [
    ("推进城市更新和农贸市场建设", set()), ("县级教师培训一般持续多长时间？", set()), ("多少位代表联名提出的？", set()),
    ("该区2025年计划实施多少个老旧小区改造？", set()), ("答复县人大的建议时联系人是谁？", set()),
    ("全部干部都参加了吗？", set()), ("沂南县体育活动中心建到哪一步了？", {("place", "沂南县")}),
])
def test_common_words_that_end_like_names_are_not_entities(text, names):
    assert {(k, words) for k, words, _ in found(text) if k in ("place", "office", "person")} == names


def test_spans_index_the_question_as_asked():
    text = "請問鎮康縣交通運輸局第0038號建議"
    for e in extract(text, to_simplified(text)):
        assert text[e.start:e.end] == e.text
    assert isinstance(e, Entity)
    with pytest.raises(FrozenInstanceError):
        e.value = "x"


def test_values_compare_across_spellings():
    assert number_value("第0038號") == number_value("No. 38") == "38"
    assert doc_number_value("平交复函[2017]19号") == doc_number_value("平交复函〔2017〕第019号") == "平交复函〔2017〕19号"
    assert latin_key("Xi'an") == "xian" and latin_key("Ning Shan") == "ningshan"


GENRE_PIECES = st.sampled_from(["宁陕县", "鎮康縣", "村", "第", "45", "號", "号", "〔2024〕", "[2017]", "年", "十四届", "四次",
                                "代表", "委员", "交通局", "中心", "人大", "政協", "的", "和", "No. ", "deputy ", "Yang ",
                                "County ", "(剑河县)", "4th session of the 14th", "CPPCC", " ", "？", "a", "Z"])


@settings(max_examples=200, deadline=None)
@given(st.lists(GENRE_PIECES, max_size=12).map("".join), st.booleans())
def test_any_mix_of_the_genre_gives_exact_spans_and_values(text, english):
    entities = extract(text, to_simplified(text), english)
    for e in entities:
        assert text[e.start:e.end] == e.text and e.value
    assert [e.start for e in entities] == sorted(e.start for e in entities)


def test_a_number_after_a_bracketed_year_is_a_documents_not_a_proposals():
    kinds = {k for k, _, _ in found("Under Guizhou document Qianjiaofa [2020] No. 25, what is the maximum size?")}
    assert "proposal_number" not in kinds
    assert ("proposal_number", "suggestion No. 25", "25") in found("What did the reply to suggestion No. 25 say?")


@pytest.mark.parametrize("text, places", [
    # counties written with one character before the suffix, known from the list of divisions
    ("威县新建的教师周转宿舍有多少套？", {"威县"}),
    ("河北省威县教育和体育局", {"河北省", "威县"}),
    ("莒县石岭村的路拓宽了吗？", {"莒县", "石岭村"}),
    # a name that starts with a function word
    ("和龍市已建成農村幸福院多少處？", {"和龙市"}),
    # words that contain a one-character county's name are none ("和县", "高县")
    ("全市和县两级财政各出一半", set()),
    ("提高县级财政补助标准", set()),
    ("新县城建设进展如何？", set()),
    ("中山市场摊位费是多少？", set()),
])
def test_county_names_from_the_list_of_divisions(text, places):
    assert {value for kind, _, value in found(text) if kind == "place"} == places
