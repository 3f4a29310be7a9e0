"""Repairing a PDF text layer: radicals folded, added spaces and print chrome dropped, wrapped lines joined."""
from __future__ import annotations

import json
import random
import re
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from replyqa.textlayer import (RADICALS_SUPPLEMENT, drop_added_spaces, drop_print_chrome, fold_ideographs, rejoin,
                               repair_pages)

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "replies"
LINE = "全县现有停车泊位8491个,其中公共停车泊位326个,城区停车难的问题主要在老城区,我局已会"  # a full line


def is_unified(ch: str) -> bool:
    return "CJK UNIFIED IDEOGRAPH" in unicodedata.name(ch, "")


def test_radicals_fold_to_the_characters_they_stand_for():
    assert fold_ideographs("对县⼗⼋届⼈⼤四次会议") == "对县十八届人大四次会议"
    assert fold_ideographs("⼈⺠代表⼤会 意⻅ ⻓期 ⻰湖") == "人民代表大会 意见 长期 龙湖"


def test_every_kangxi_radical_and_supplement_pair_folds_to_one_unified_character():
    kangxi = [chr(c) for c in range(0x2F00, 0x2FD6)]
    supplement = list(RADICALS_SUPPLEMENT[::2])
    folded = fold_ideographs("".join(kangxi + supplement))
    assert len(folded) == len(kangxi) + len(supplement)
    assert all(is_unified(c) for c in folded)
    assert all("RADICAL" in unicodedata.name(c) for c in supplement)


def test_compatibility_ideographs_fold_and_unified_ones_stay():
    assert fold_ideographs("\uf900\ufa0c\U0002f800") == "\u8c48\u5140\u4e3d"
    assert fold_ideographs("\ufa0e\ufa11") == "\ufa0e\ufa11"  # unified ideographs inside the compatibility block


def test_the_fold_leaves_every_sample_reply_as_it_is():
    for path in SAMPLES.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        assert fold_ideographs(text) == text, path.name


def test_spaces_added_between_chinese_and_another_font_are_dropped():
    assert drop_added_spaces("对县政协十四届四次会议第 45 号提案的答复") == "对县政协十四届四次会议第45号提案的答复"
    assert drop_added_spaces("平原代表 :") == "平原代表:"
    assert drop_added_spaces("在规范管理上做 “ 减法 ”, 抓好") == "在规范管理上做“减法”,抓好"
    # an EN SPACE comes from the Latin font: the space before it is added, the one after it was written
    assert drop_added_spaces("嶽縣教體字〔2025〕23號 \u2002A1類 \u2002 同意公開") == "嶽縣教體字〔2025〕23號\u2002A1類\u2002 同意公開"


def test_the_door_radical_is_read_by_the_script_of_the_reply():
    # Noto CJK SC draws ⼾ with the glyph of 户, TC with that of 戶: the PDF names the radical either way
    assert repair_pages(["惠及26208⼾居民。老旧小区改造85个。"]) == "惠及26208户居民。老旧小区改造85个。"
    assert repair_pages(["惠及26208⼾居民。老舊小區改造85個。"]) == "惠及26208戶居民。老舊小區改造85個。"


def test_spaces_between_chinese_words_and_beside_table_bars_stay():
    assert drop_added_spaces("联系人:张三 联系电话") == "联系人:张三 联系电话"
    assert drop_added_spaces("| 主办单位 | 县教育局 |") == "| 主办单位 | 县教育局 |"
    assert drop_added_spaces("答     复") == "答     复"


def test_browser_print_heading_and_foot_are_dropped_at_either_edge():
    page = ["12/1/26, 5:23 PM 关于第72号建议的答复", "正文第一行", "正文第二行", "ﬁle:///tmp/reply.html 1/3"]
    assert drop_print_chrome(page) == ["正文第一行", "正文第二行"]
    moved = ["正文第一行", "正文第二行", "12/1/26, 5:25 PM", "file:///tmp/pdf/036_zhenkangxian.…1/2"]
    assert drop_print_chrome(moved) == ["正文第一行", "正文第二行"]
    assert drop_print_chrome(["2025年4月21日", "正文"]) == ["2025年4月21日", "正文"]


def test_lines_wrapped_inside_a_paragraph_are_joined():
    lines = ["一、基本情况", LINE, "同县公安局对城区主要道路的停车问题进行了专项整治。", "二、下步工作",
             LINE, LINE, "结尾。"]
    assert rejoin(lines) == ["一、基本情况", LINE + "同县公安局对城区主要道路的停车问题进行了专项整治。", "二、下步工作",
                             LINE + LINE + "结尾。"]


def test_a_full_line_that_ends_a_sentence_keeps_its_break_before_a_heading_or_paragraph():
    ends = LINE[:-2] + "了。"
    assert rejoin([LINE, ends, "（二）进度安排", LINE, ends, "感谢您的关心和支持。"]) == [
        LINE + ends, "（二）进度安排", LINE + ends, "感谢您的关心和支持。"]


def test_closing_marks_and_inline_items_run_on_after_a_sentence_end():
    ends = LINE[:-2] + "了。"
    assert rejoin([LINE, ends, "”的建议不符合布局。", LINE, ends, "二是规范道路停车管理。"]) == [
        LINE + ends + "”的建议不符合布局。", LINE + ends + "二是规范道路停车管理。"]


def test_titles_salutations_headings_and_table_rows_keep_their_lines():
    title = "镇康县农业农村局关于对镇康县第十八届人民代表大会第四次会议代表第0038号建议的答复函"
    heading = "二、关于进雪山的道路未硬化,阻碍了游客进山游玩意愿和乡村旅游发展的问题"
    row = "| 索引号 | 15262660-/2021-0702001 | 发布机构 | 龙陵县文化和旅游局 | 发布日期 | 2021 |"
    lines = [title, "杨文强等3名代表:", LINE, "你们提出的建议收悉。", heading, LINE, "结束。", row, LINE, "收尾。"]
    assert rejoin(lines) == [title, "杨文强等3名代表:", LINE + "你们提出的建议收悉。", heading, LINE + "结束。", row,
                             LINE + "收尾。"]


def test_a_table_cell_wrapped_inside_its_row_is_joined():
    lines = ["索引号 | 15262660-/2021-0702001 | 发布机构 | 龙陵县文化和旅游", "局 |", LINE, "结束。", LINE, "完。"]
    assert rejoin(lines)[0] == "索引号 | 15262660-/2021-0702001 | 发布机构 | 龙陵县文化和旅游局 |"


def test_a_title_wrapped_over_two_lines_is_joined():
    first = "云南省临沧市镇康县农业农村局关于对镇康县第十八届人民代表大会第四次会议代表第"  # as wide as LINE
    lines = [first, "0038号建议的答复函", "杨文强等3名代表:", LINE, LINE, "完。"]
    assert rejoin(lines)[:2] == [first + "0038号建议的答复函", "杨文强等3名代表:"]


def test_short_lines_with_no_column_of_wrapped_prose_stay_as_they_are():
    lines = ["李明代表:", "您提出的建议已收悉。现答复如下:", "一、基本情况", "全县现有停车泊位8491个", "2025年4月21日"]
    assert rejoin(lines) == lines


def test_a_paragraph_runs_on_across_a_page_break_and_the_chrome_goes():
    pages = [f"12/1/26, 5:23 PM\n{LINE}\n{LINE}\nﬁle:///tmp/r.html 1/2", f"12/1/26, 5:23 PM\n同县公安局整治。\n{LINE}\n完。"]
    assert repair_pages(pages) == LINE + LINE + "同县公安局整治。\n" + LINE + "完。"


def test_a_two_em_dash_drawn_as_one_glyph_becomes_two_dashes():
    assert repair_pages(["B2类⸺所提问题已列入计划"]) == "B2类——所提问题已列入计划"


@given(st.lists(st.text(alphabet="十⼗人⼈民⺠ 。,:|一、二是“”ab12\u3000", max_size=50), max_size=12))
def test_repair_keeps_every_character_but_added_spaces_in_order(lines):
    pages = ["\n".join(lines)]
    out = repair_pages(pages)
    assert "".join(out.split()) == "".join(fold_ideographs("\n".join(lines)).split())


def test_the_opening_ends_its_line_and_a_salutation_with_text_runs_on():
    opening = "您提出的关于在步行街南段修建机械式立体停车场缓解停车压力的建议收悉,现答复如下:"
    salute = "张晓哲委员:您提出的“开展全民健身,增强体质”提案收悉,现将办理情况答复如下:近年来,随着《全民健"
    lines = [opening, "步行街南段148医院北侧小公园建设之初为满足群众生活需要。", salute, "身条例》的深入落实。", LINE, "完。"]
    assert rejoin(lines)[:3] == [opening, "步行街南段148医院北侧小公园建设之初为满足群众生活需要。", salute + "身条例》的深入落实。"]


# -- what another machine's fonts do to the same page -------------------------------------------------------
# The text layers pypdf extracted from every sample printed by chromium (tests/data/make_fixtures.py). Where a
# printer draws a gloss's tone-marked vowel with a fallback font, an extractor spaces the gloss out, breaks the
# line before it or puts thin or zero-width spaces in it; whatever it does, the reply must parse the same.
EXTRACTED = json.loads((Path(__file__).parent / "data" / "extracted_pages.json").read_text(encoding="utf-8"))
GLOSS = re.compile(r"(?<=[\u3400-\u9fff]) ?[(（][a-zA-Z\u00c0-\u024f]{1,7}[)）]")
GAPS = st.sampled_from([" ", "  ", "\u2009", "\u200a", "\u2002", "\u200b"])
BREAKS = st.sampled_from(["\n", " \n"])  # inside a gloss only: an extractor breaks a line only where the page did


def test_a_gloss_spaced_out_by_a_fallback_font_is_written_back_whole():
    assert repair_pages(["《關于建設白塔鎮(zhèn)康養(y ǎ ng)中項目的建議》"]) == "《關于建設白塔鎮(zhèn)康養(yǎng)中項目的建議》"
    assert repair_pages(["縣民政局 發 (f ā) 布日期"]) == "縣民政局 發(fā)布日期"
    assert repair_pages(["康養 ( y\u2009ǎ\u200bng ) 中心"]) == "康養(yǎng)中心"
    assert repair_pages(["方案(a)和方案(a b c)"]) == "方案(a)和方案(a b c)"  # not pinyin: left as it was


@st.composite
def damaged_pages(draw):
    """One sample's extracted pages with every gloss spaced out at random, and zero-width spaces between
    Chinese characters, as another font set would have them extracted."""
    name = draw(st.sampled_from(sorted(EXTRACTED)))
    layout = draw(st.sampled_from(sorted(EXTRACTED[name])))

    rnd = random.Random(draw(st.integers(0, 2**32)))

    def gap(breaking: bool = False) -> str:
        return "" if rnd.random() < 0.5 else draw(BREAKS) if breaking and rnd.random() < 0.1 else draw(GAPS)

    def damage(m: re.Match) -> str:
        gloss = m.group(0).strip()
        return gap() + gloss[0] + "".join(c + gap(breaking=True) for c in gloss[1:-2]) + gloss[-2:]

    pages = []
    for page in EXTRACTED[name][layout]:
        page = GLOSS.sub(damage, page)
        pages.append(re.sub(r"(?<=[\u4e00-\u9fff])(?=[\u4e00-\u9fff])",
                            lambda m: "\u200b" if rnd.random() < 0.03 else "", page))
    return name, layout, pages


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_pages())
def test_pages_extracted_with_any_font_spacing_parse_as_the_text_does(case):
    from replyqa.parse import parse_reply
    from tests.test_read import same_parse

    name, layout, pages = case
    text = (SAMPLES / name).read_text(encoding="utf-8")
    clean = parse_reply(repair_pages(EXTRACTED[name][layout]), name)
    same_parse(parse_reply(repair_pages(pages), name), clean, same_id=False)
    same_parse(clean, parse_reply(text, name), same_id=False)
