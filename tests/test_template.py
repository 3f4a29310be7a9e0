"""The reply template: header keys, the two document-number rules, the answer cues, and no cycles."""
from __future__ import annotations

import subprocess
import sys

import pytest

from replyqa import question, template
from replyqa.dates import find_dates
from replyqa.normalise import match_key
from replyqa.template import (DATE, DOC_NUMBER, FIELD_KEYS, HEADER_DOC_NUMBER, HEADER_LINE_KEY, HEADER_LINE_KEYS,
                              KEY_RE, NUMBER_UNIT, OFFICE_TITLE, PROPOSAL_KEYS, SITE_KEYS)


def test_no_header_key_is_a_prefix_of_another_so_alternation_order_is_free():
    keys = set(FIELD_KEYS) | set(HEADER_LINE_KEYS)
    assert len(FIELD_KEYS) == len(set(FIELD_KEYS))
    assert not [(a, b) for a in keys for b in keys if a != b and b.startswith(a)]


def test_field_keys_and_header_line_keys_differ_only_as_documented():
    assert set(FIELD_KEYS) - set(HEADER_LINE_KEYS) == set(PROPOSAL_KEYS) | {"答复类别"}
    assert set(HEADER_LINE_KEYS) - set(FIELD_KEYS) == {"政府信息公开"}
    assert set(SITE_KEYS) <= set(FIELD_KEYS) & set(HEADER_LINE_KEYS)


def test_header_keys_find_values_and_header_lines():
    line = "索引号:11440300|发布日期:2024-05-06|提案标题:关于加强养老服务的建议"
    assert [m.group(0) for m in KEY_RE.finditer(line)] == ["索引号", "发布日期", "提案标题"]
    assert HEADER_LINE_KEY.match("政府信息公开") and not HEADER_LINE_KEY.match("案由:养老")
    assert not HEADER_LINE_KEY.match("本单位索引号")  # a header line starts with its key


@pytest.mark.parametrize("text, header, passage", [
    ("京政办发〔2023〕12号", True, True),
    ("深府办函(2021)第108号", True, False),   # 第 before the number: only the header's form
    ("粤府函（2023）5号", True, True),          # full-width brackets: the header sees them folded,
    ("粤府函﹝2023﹞5号", True, True),          # the passage rule lists them
    ("某办发〔1987〕3号", True, True),
    ("某办发〔3087〕3号", False, True),         # the header's own number has a 19xx/20xx year
    ("某办发〔2023〕123456号", False, True),    # and at most five digits
])
def test_the_two_document_number_rules(text, header, passage):
    assert bool(HEADER_DOC_NUMBER.search(match_key(text))) is header
    assert bool(DOC_NUMBER.search(text)) is passage


def test_date_cue_spots_fuzzy_times_that_find_dates_does_not_read():
    for fuzzy in ("2023年底", "上半年", "3月底", "2024年内"):
        assert DATE.search(fuzzy)
        assert not find_dates(fuzzy)
    assert DATE.fullmatch("2025年4月21日") and find_dates("2025年4月21日")[0][2] == "2025-04-21"


def test_number_unit_takes_the_longest_unit():
    assert NUMBER_UNIT.search("新建3.5万平方米的校舍").group(0) == "3.5万平方米"
    assert NUMBER_UNIT.search("投入资金1200多万元").group(0) == "1200多万元"


def test_office_at_the_start_of_a_title():
    assert OFFICE_TITLE.match("深圳市教育局关于加强学校体育工作的答复").group(1) == "深圳市教育局"
    assert not OFFICE_TITLE.match("关于加强学校体育工作的答复")


def test_question_reads_the_same_cues():
    for name in ("UNITS", "NUMBER_UNIT", "DATE", "DOC_NUMBER", "WHO", "YES_NO", "CAUSE", "PLACE"):
        assert getattr(question, name) is getattr(template, name)


def test_the_parser_modules_import_without_a_cycle():
    # Each module imported first, alone: with a cycle one of them would find the other half-initialised.
    for module in ("template", "units", "sections", "parts", "metadata", "parse"):
        code = f"import replyqa.{module}"
        assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0, module
    code = "import sys, replyqa.metadata; assert 'replyqa.parse' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def test_a_five_year_plans_name_is_no_figure_and_numerals_are_read_whole():
    from replyqa.template import NUMBER_UNIT

    found = lambda text: [m.group(0) for m in NUMBER_UNIT.finditer(text)]  # noqa: E731
    assert found("十四五期间规划新建教师周转宿舍27755平方米") == ["27755平方米"]
    assert found("共三十五个") == ["三十五个"] and found("五十五万元") == ["五十五万元"]
