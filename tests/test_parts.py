"""Template parts: where the header ends and the closing block begins."""
from __future__ import annotations

from replyqa.parts import salutation_of, tail_kind, template_parts
from replyqa.units import split_units

REPLY = """深圳市教育局
深教函〔2024〕56号
尊敬的張三委員：
您提出的《关于加强学校体育的提案》收悉。现答复如下：
一、基本情况
我市共有中小学120所。
感谢您对教育工作的关心。
深圳市教育局
2024年6月1日
联系人：李四，电话：0755-12345678
"""


def test_every_unit_gets_its_part():
    parts = template_parts(split_units(REPLY))
    assert parts == ["header", "header", "salutation", "opening", "body", "body", "closing", "signature",
                     "signature", "contact"]


def test_without_salutation_the_opening_ends_the_header():
    text = "深教函〔2024〕56号\n关于学校体育的提案收悉，现答复如下：\n我市共有中小学120所。\n"
    assert template_parts(split_units(text)) == ["header", "opening", "body"]


def test_without_salutation_or_opening_short_lines_and_site_keys_are_header():
    text = "政府信息公开\n索引号：11440300/2024-00012，主题分类：教育，发布机构：深圳市教育局。\n我市共有中小学120所，今年新建学校8所。\n"
    assert template_parts(split_units(text)) == ["header", "header", "body"]


def test_salutations_of_a_person_and_of_an_institution():
    person, office, sentence = split_units("尊敬的張三委員：\n深圳市教育局：\n王主任：这是会上的发言摘要。")
    assert salutation_of(person) == "张三委员"
    assert salutation_of(office) == "深圳市教育局"
    assert salutation_of(sentence) is None  # what follows the colon is no greeting


def test_tail_kinds():
    units = split_units("签发人：王五\n联系电话：0755-12345678\n二〇二四年六月一日\n此致\n我市共有中小学120所。")
    assert [tail_kind(u) for u in units] == ["signature", "contact", "signature", "closing", None]
