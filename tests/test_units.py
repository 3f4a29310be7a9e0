"""Units: a reply's lines, cut where one line runs several template parts together."""
from __future__ import annotations

from replyqa.units import split_units


def test_a_flattened_table_line_is_cut_before_the_opening_and_blank_lines_give_no_unit():
    text = "深教函〔2024〕56号\n\n  | \n尊敬的張三委員：|您提出的《关于加强学校体育的提案》收悉。现答复如下：\n"
    units = split_units(text)
    assert [text[u.start:u.end] for u in units] == [
        "深教函〔2024〕56号", "尊敬的張三委員：", "|您提出的《关于加强学校体育的提案》收悉。现答复如下："]
    assert [u.ntext for u in units][1:] == ["尊敬的张三委员:", "您提出的《关于加强学校体育的提案》收悉。现答复如下:"]


def test_a_unit_maps_its_matching_form_back_to_the_original():
    text = "前言\n|  聯繫人：李四"
    unit = split_units(text)[1]
    a = unit.ntext.index("李四")
    assert unit.original(a, a + 2) == "李四"
    assert unit.original(0, 3) == "聯繫人"
    s, e = unit.span(0, len(unit.ntext))
    assert text[s:e] == "聯繫人：李四"


def test_a_trailing_signature_date_becomes_its_own_unit():
    text = "深圳市教育局 2024年6月1日"
    assert [text[u.start:u.end].strip() for u in split_units(text)] == ["深圳市教育局", "2024年6月1日"]
