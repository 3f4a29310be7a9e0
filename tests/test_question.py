"""A question analysed once: its checked text, language, forms, kinds, units, focus and terms."""
from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

from replyqa.errors import QueryError
from replyqa.question import MAX_QUERY_CHARS, Question, analyse, as_question, check_query, unit_match


@pytest.mark.parametrize("text, kinds, units, focus", [
    ("中小学教师每年需要多少培训学分？", ("quantity",), ("学分",), ()),  # 每年 names no thing
    ("夏邑县新建的环保公厕每座造价是多少？", ("quantity",), ("元",), ("造价",)),
    ("县里给每位教师发放了多少元的年终奖？", ("quantity",), ("元",), ("年终奖",)),
    # a verb, an adverb or a pronoun next to the question word is not what is asked about
    ("老师一年得修够多少培训学分啊？", ("quantity",), ("学分",), ()),
    ("县里新配了多少台电信云电脑？", ("quantity",), ("台",), ()),
    ("这个答复文号是多少？", ("quantity", "doc_number"), (), ()),
    ("夏邑县的公厕预算是多少？", ("quantity",), ("元",), ("预算",)),  # tagged a verb, but also a thing
    ("红绿灯为什么好几天都用不了？", ("cause",), (), ()),  # 好几天: "for days", no count asked
    ("腾冲市合计新建教师住房多少平方米？总投资多少？", ("quantity",), ("平方米", "元"), ("住房", "投资")),
    ("该区培训了多少教师？", ("quantity",), ("人",), ("培训",)),
    ("镇康县道路硬化工程预计什么时候完工？", ("date",), (), ()),
    ("高平市第71号建议答复的文号是什么？", ("doc_number",), (), ()),
    ("黔东南州是否支持台江县修建学校？", ("yesno",), (), ()),
    ("由哪个部门牵头负责？", ("who",), (), ()),
    # spoken question words ask as the written ones do
    ("新郑新装的那批红绿灯啥时候能用上？", ("date",), (), ()),
    ("红绿灯为啥用不了？", ("cause",), (), ()),
    # a unit that is also the thing counted, named before the question word
    ("每年要求的培训学分，最少是多少？", ("quantity",), ("学分",), ()),
    # a verb before the question word: the thing counted follows it, 准备 is not what is asked about
    ("夏邑县2018年准备建几个新式环保厕所？", ("quantity",), ("个",), ()),
    # people counted by 个 are stated in 名 or 人
    ("县城派了多少个老师去乡下学校轮岗？", ("quantity",), ("人",), ()),
])
def test_chinese_questions_kinds_units_and_focus(text, kinds, units, focus):
    q = analyse(text)
    assert (q.language, q.kinds, q.units, q.focus) == ("zh-Hans", kinds, units, focus)


@pytest.mark.parametrize("text, focus", [
    # the thing whose date is asked, as the subject of 是: a reply that never names a revised edition cannot date one
    ("《大气十条》修订版是哪一年印发的？", ("修订版",)),
    ("南梳坝村产业道路硬化工程是哪天开工的？", ("工程",)),
    # no 是: the word before the question word is a modal or the doer, not the thing dated
    ("道路硬化工程预计什么时候完工？", ()),
    ("大气十条是国务院哪年发的？", ()),
    # the doer ("上级单位" where the reply says 上级部门), a time noun, or a verb names no thing the reply must hold
    ("上级单位是哪一年核定建设计划的？", ()),
    ("杨世国代表是哪天和文旅局当面商量的？", ()),
    ("老旧宿舍维修的完成期限是什么时候？", ()),
    ("道路硬化工程开工是哪一天？", ()),
    # after a verb the noun is its object: the approach is dated, not the earth
    ("哈雷彗星前一次接近地球是何时？", ()),
])
def test_a_date_question_focuses_on_the_thing_it_dates(text, focus):
    q = analyse(text)
    assert "date" in q.kinds and q.focus == focus


def test_traditional_reads_like_simplified():
    hant, hans = analyse("縣裡給每位教師發放了多少元的年終獎？"), analyse("县里给每位教师发放了多少元的年终奖？")
    assert hant.language == "zh-Hant" and hans.language == "zh-Hans"
    assert (hant.kinds, hant.units, hant.focus, hant.terms) == (hans.kinds, hans.units, hans.focus, hans.terms)
    assert hant.simplified == hans.text and hant.key == hans.key
    assert len(hant.simplified) == len(hant.text)  # same length: offsets carry over


@pytest.mark.parametrize("text, kinds, units, focus", [
    ("how many training credits are required per year", ("quantity",), ("学分",), ()),
    ("How much money did the county invest?", ("quantity",), ("元",), ()),
    ("How many projects, and at what cost?", ("quantity",), ("个", "元"), ()),
    ("How long is the Mazhuang village road?", ("quantity",), ("公里",), ()),
    ("When will the project be completed?", ("date",), (), ()),
    ("On what dates did the bureau meet the deputy?", ("date",), (), ()),
    ("What was the winning bid amount for Xinzheng's traffic-signal project?", ("what",), (), ("winning", "bid")),
    ("Does the county support building the school?", ("yesno",), (), ()),
])
def test_english_questions_kinds_units_and_focus(text, kinds, units, focus):
    q = analyse(text)
    assert (q.language, q.kinds, q.units, q.focus) == ("en", kinds, units, focus)


def test_english_terms_are_stemmed_content_words_and_chinese_words_in_it_count():
    q = analyse("Which handling class (类别) was assigned to Ningshan County's reply?")
    assert q.terms[0] == "类别"  # the Chinese words first
    assert {"handling", "class", "assigned", "ningshan", "county"} <= set(q.terms)
    assert "reply" not in q.terms and "which" not in q.terms  # genre and question words name no topic


def test_chinese_terms_drop_question_words_and_compound_parts():
    q = analyse("环境保护部对雾霾治理有哪些措施？")
    assert "措施" not in q.terms and "哪些" not in q.terms
    assert "环境保护部" in q.terms and "环境" not in q.terms  # the compound, not its parts


def test_the_record_holds_every_form_of_the_text_once():
    q = analyse("  鎮康縣 道路(lù)硬化多少公里？\x00 ")
    assert q.text == "鎮康縣 道路(lù)硬化多少公里？"  # trimmed, control characters dropped
    assert q.simplified == "镇康县 道路(lù)硬化多少公里？"
    assert q.key == "镇康县道路硬化多少公里?"  # glosses, spaces and full-width forms folded
    assert q.search_text == q.text and q.context == ()
    # entities index the question as asked and carry their Simplified value
    assert [(e.kind, e.text, e.value, e.start, e.end) for e in q.entities] == [("place", "鎮康縣", "镇康县", 0, 3)]
    with pytest.raises(FrozenInstanceError):
        q.text = "x"


@pytest.mark.parametrize("bad", ["", "   \n\t", "\x00\x01"])
def test_empty_questions_are_refused_clearly(bad):
    with pytest.raises(QueryError, match="empty"):
        check_query(bad)
    with pytest.raises(QueryError, match="empty"):
        analyse(bad)


def test_overlong_question_is_refused():
    with pytest.raises(QueryError, match="limit"):
        analyse("字" * (MAX_QUERY_CHARS + 1))


def test_as_question_analyses_strings_and_passes_records_through():
    q = analyse("教师每年需要多少学分？")
    assert as_question(q) is q
    assert as_question("教师每年需要多少学分？") == q
    assert isinstance(as_question("reply"), Question)


def test_units_of_the_same_kind_match_less():
    assert unit_match("所", "12所") == 1.0
    assert unit_match("所", "12个") == 0.8
    assert unit_match("元", "5350万元") == 1.0
    assert unit_match("学分", "60天") == 0.0


@pytest.mark.parametrize("text, units", [
    ("雪山村通往雪山瀑布的道路工程全長多少？", ("公里",)),
    ("新建的师生宿舍面积有多少平方米？", ("平方米",)),
    ("平江县今年打算拓宽的公路总长多少？", ("公里",)),
])
def test_a_noun_naming_only_the_measure_is_asked_through_its_unit_not_as_a_focus(text, units):
    q = analyse(text)
    assert q.focus == () and q.units == units
    assert analyse("夏邑县新建的环保公厕每座造价是多少？").focus == ("造价",)  # a kind of cost, not any money


def test_spoken_function_words_and_particles_are_no_topic_terms():
    terms = analyse("除了校长群跟基教群，别的工作群咋弄的啊？").terms
    assert not {"跟", "别的", "咋", "弄", "啊"} & set(terms) and {"校长", "工作"} <= set(terms)
    assert not {"几月", "几号"} & set(analyse("龙陵县文旅局跟杨世国代表当面协商是在几月几号？").terms)
    # a question word or a demonstrative with its measure word points at the thing, it does not name it
    assert analyse("新蓋了幾間錄播教室？").terms == ("新盖", "录播", "教室")
    assert "那批" not in analyse("新郑新装的那批红绿灯啥时候能用上？").terms
    assert "每年" in analyse("老師每年最少要修滿多少研習學分？").terms  # "each year" says when: a term


@pytest.mark.parametrize("text, date", [
    ("When is construction scheduled to start, and when should it be finished?", True),
    ("By when will the road open?", True),
    ("Tell me when the road opens", True),
    ("What does the bureau do when public toilets are not cleaned on time?", False),  # a conjunction
    ("What happens when it rains?", False),
])
def test_english_when_asks_for_a_date_only_as_a_question_word(text, date):
    assert ("date" in analyse(text).kinds) is date
