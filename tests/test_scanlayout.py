"""From OCR boxes to a reply's text: reading order on a skewed page, rows, wraps, corrections, offsets."""
from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from replyqa.ocr import OcrLine, OcrPage
from replyqa.scanlayout import assemble, correct, restore_script, skew

EM = 40.0  # a character's height (and width) on the test pages, in pixels
LEFT = 100.0  # the text column's left edge


def box(x: float, y: float, chars: int, angle: float = 0.0) -> tuple[float, ...]:
    """The quadrilateral of a run of ``chars`` characters whose top left corner is at (x, y) on a page
    turned by ``angle`` radians about the origin."""
    w = chars * EM
    corners = [(x, y), (x + w, y), (x + w, y + EM), (x, y + EM)]
    cos, sin = math.cos(angle), math.sin(angle)
    return tuple(v for px, py in corners for v in (cos * px - sin * py, sin * px + cos * py))


def page(lines: list[tuple[str, float, float]], angle: float = 0.0, shuffle: int | None = None) -> OcrPage:
    """A page of boxes: (text, x, y) each, turned by ``angle``, in a shuffled order when a seed is given."""
    boxes = [OcrLine(text, box(x, y, len(text), angle), 0.99) for text, x, y in lines]
    if shuffle is not None:
        random.Random(shuffle).shuffle(boxes)
    return OcrPage(number=1, width=2000, height=3000, lines=tuple(boxes), image=b"")


def test_rows_are_read_top_to_bottom_and_left_to_right_on_a_page_turned_two_degrees():
    rows = [("一、基本情况", LEFT, 100), ("全县现有停车泊位8491个", LEFT, 200), ("二、下步工作", LEFT, 300)]
    # the second row was read as two boxes, the right one first in the detector's order
    boxes = [rows[0], ("全县现有停车", LEFT, 200), ("泊位8491个", LEFT + 6 * EM, 200), rows[2]]
    for angle in (math.radians(2), math.radians(-2)):
        text, scan = assemble([page(boxes, angle, shuffle=3)])
        assert text == "一、基本情况\n全县现有停车泊位8491个\n二、下步工作"
        assert abs(skew(list(page(boxes, angle).lines)) - angle) < 1e-6
        assert [text[ln.start:ln.end] for ln in scan.lines] == ["一、基本情况", "全县现有停车", "泊位8491个", "二、下步工作"]


def test_boxes_far_apart_on_a_row_keep_a_space_between_them():
    text, _ = assemble([page([("承办人:张三", LEFT, 100), ("联系电话:0730-7628035", LEFT + 10 * EM, 100)])])
    assert text == "承办人:张三 联系电话:0730-7628035"


def test_lines_wrapped_inside_a_paragraph_are_joined_and_an_indent_starts_a_new_one():
    full = "全县现有停车泊位八千四百九十一个其中公共停车泊位三百二十六个城区停车难的问"  # 36 characters: the column
    lines = [("您提出的建议收悉现答复如下:", LEFT, 100),
             (full, LEFT + 2 * EM, 200), (full, LEFT, 260), ("题主要在老城区。", LEFT, 320),
             (full, LEFT + 2 * EM, 380), ("完。", LEFT, 440)]
    text, scan = assemble([page(lines)])
    assert text.split("\n") == ["您提出的建议收悉现答复如下:", full + full + "题主要在老城区。", full + "完。"]
    assert all(text[ln.start:ln.end] == ln_text for ln, (ln_text, _, _) in zip(scan.lines, lines))


def test_a_wrap_between_digits_was_a_space():
    prose = "全县现有停车泊位八千四百九十一个其中公共停车泊位三百二十六个城区停车难的问"
    rows = [("公开目录 | 人大建议办理结果 | 发布日期 | 2024-05-29", LEFT, 100), ("15:17:23 |", LEFT, 160),
            (prose, LEFT, 220), (prose, LEFT, 280), ("止。", LEFT, 340)]
    text, _ = assemble([page(rows)])
    assert text.split("\n")[0] == "公开目录 | 人大建议办理结果 | 发布日期 | 2024-05-29 15:17:23 |"


def test_what_ocr_does_to_document_numbers_dates_and_table_rules_is_undone():
    assert correct("岳县交字[2025]12号") == "岳县交字〔2025〕12号"
    assert correct("平交复函(2017)第19號") == "平交复函〔2017〕第19號"
    assert correct("发布日期:2018-09-1110:09") == "发布日期:2018-09-11 10:09"
    assert correct("联系电话:32216712021年7月15日") == "联系电话:3221671 2021年7月15日"
    assert correct("索引号|430621/2025-00012|发布机构|") == "索引号 | 430621/2025-00012 | 发布机构 |"
    assert correct("共有2025个项目,投资(2024)年度") == "共有2025个项目,投资(2024)年度"  # no 号 after it: no number


def test_a_date_and_its_time_read_as_two_close_boxes_keep_their_space():
    text, _ = assemble([page([("发布日期:2024-05-29", LEFT, 100), ("15:17:23", LEFT + 15.2 * EM, 100)])])
    assert text == "发布日期:2024-05-29 15:17:23"


def test_a_traditional_reply_gets_back_the_characters_ocr_read_in_simplified_form():
    text = "鎮康縣交通運輸局 鎮康縣第十七屆人民代表大會\n鎮康县交通運輸局關于連接線项目,于2018年由上級下達"
    assert restore_script(text) == "鎮康縣交通運輸局 鎮康縣第十七屆人民代表大會\n鎮康縣交通運輸局關于連接線項目,于2018年由上級下達"
    assert restore_script("镇康县交通运输局 镇康县") == "镇康县交通运输局 镇康县"  # a Simplified reply stays


def test_confidence_is_the_mean_over_characters():
    lines = (OcrLine("一二三四五六七八九十", box(LEFT, 100, 10), 1.0), OcrLine("甲乙", box(LEFT, 200, 2), 0.4))
    _, scan = assemble([OcrPage(1, 2000, 3000, lines, b"")])
    assert scan.confidence == round((10 * 1.0 + 2 * 0.4) / 12, 4)


def test_a_page_with_nothing_read_gives_no_text():
    text, scan = assemble([OcrPage(1, 2000, 3000, (), b"")])
    assert text == "" and scan.lines == () and len(scan.pages) == 1


WORDS = st.text(alphabet="县交通局第号年月日一二三、。:|()[]0123456789ABab -", min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(WORDS, st.floats(0, 400), st.integers(0, 30)), min_size=1, max_size=25),
       st.floats(-0.05, 0.05), st.integers(0, 2))
def test_every_line_keeps_its_exact_offsets_in_the_text(boxes, angle, pages):
    """Whatever boxes OCR gives, each line's offsets slice out its (corrected) text."""
    placed = [[] for _ in range(pages + 1)]
    for i, (text, x, row) in enumerate(boxes):
        placed[i % len(placed)].append((text, LEFT + x, 100 + 70 * row))
    text, scan = assemble([page(p, angle) for p in placed])
    for ln in scan.lines:
        piece = text[ln.start:ln.end]
        assert piece and piece == piece.strip() and "\n" not in piece
    starts = [ln.start for ln in scan.lines]
    assert starts == sorted(starts) and all(a.end <= b.start for a, b in zip(scan.lines, scan.lines[1:]))
