"""Handling fields in every layout the genre prints them: rows, tables, footers, openings, Traditional script.

Each variant is a whole short reply in the genre's shape; every value found must sit
at its span in the text, and a field the variant does not state must stay empty.
"""
from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from replyqa.catalog import _meta_from_json
from replyqa.handling import KEY_SCAN
from replyqa.normalise import match_key, tidy
from replyqa.parse import parse_reply

FIELDS = ("signer", "handler", "phone", "lead_unit", "co_units", "proposer_org", "delegation", "result_grade",
          "result_meaning")


def reply(head: str = "", salute: str = "王五代表:", opening: str = "您提出的《关于修路的建议》收悉,现答复如下:",
          tail: str = "", title: str = "关于县十八届人大四次会议第72号建议的答复") -> str:
    return (f"{head}\n{title}\n{salute}\n{opening}\n一、关于修路的问题\n今年将修路3公里。\n感谢您对交通工作的关心和支持。\n"
            f"某县交通运输局\n2025年4月21日\n{tail}")


def assert_fields(text: str, **want) -> None:
    """The handling fields equal ``want`` (the rest empty) and each value sits at its span."""
    meta = parse_reply(text, "t").meta
    got = {f: getattr(meta, f) for f in FIELDS}
    expected = {f: () if f == "co_units" else "" for f in FIELDS} | want
    assert got == expected
    assert_spans(text, meta)


def assert_spans(text: str, meta) -> None:
    """Every span slices its field's value out of the text (grades in their Simplified form)."""
    values: dict[str, list[str]] = {f: [] for f in FIELDS}
    for field, start, end in meta.spans:
        values[field].append(text[start:end])
    for field in FIELDS:
        value = getattr(meta, field)
        stated = values[field]
        if field == "co_units":
            assert [tidy(s) for s in stated] == list(value)
        elif field == "result_grade":
            assert len(stated) == (1 if value else 0)
            assert not value or match_key(stated[0]).upper().startswith(match_key(value).upper())
        else:
            assert [tidy(s) for s in stated] == ([value] if value else [])


# -- tables and rows --------------------------------------------------------------------------

def test_pipe_table_row_with_lead_and_co_unit():
    assert_fields(reply(head="| 主办单位 | 县教育局 | 协办单位 | 县交通运输局 |"),
                  lead_unit="县教育局", co_units=("县交通运输局",))


def test_key_value_rows_with_full_width_colons():
    assert_fields(reply(head="主办单位：县教育局\n协办单位：县交通运输局、县财政局"),
                  lead_unit="县教育局", co_units=("县交通运输局", "县财政局"))


def test_keys_and_values_on_separate_lines():
    assert_fields(reply(head="主办单位\n县教育局\n会办单位\n县交通运输局;县公安局"),
                  lead_unit="县教育局", co_units=("县交通运输局", "县公安局"))


def test_a_row_of_keys_over_a_row_of_values():
    assert_fields(reply(head="| 主办单位 | 协办单位 | 办理结果 |\n| 县教育局 | 县交通运输局、县公安局 | A类 |"),
                  lead_unit="县教育局", co_units=("县交通运输局", "县公安局"), result_grade="A")


def test_handling_form_rows_in_traditional_script():
    assert_fields(reply(head="| 主辦單位 | 縣教育局 | 協辦單位 | 縣交通運輸局 |\n| 辦復類別 | B2 |"),
                  lead_unit="縣教育局", co_units=("縣交通運輸局",), result_grade="B2")


def test_bullet_rows_with_half_width_colons():
    assert_fields(reply(head="• 主办单位: 市住房和城乡建设局\n• 分办单位: 市财政局/市自然资源和规划局"),
                  lead_unit="市住房和城乡建设局", co_units=("市财政局", "市自然资源和规划局"))


# -- footers ----------------------------------------------------------------------------------

def test_signer_and_handler_with_phone_on_one_footer_line():
    assert_fields(reply(tail="领导签发：张三  承办人及联系电话：李四 0730-1234567"),
                  signer="张三", handler="李四", phone="0730-1234567")


def test_handler_and_phone_with_the_number_first():
    assert_fields(reply(tail="承办人及联系电话：0730-1234567 李四"), handler="李四", phone="0730-1234567")


def test_traditional_footer_with_full_width_space():
    assert_fields(reply(tail="簽發人：張三\n承辦人及聯繫電話：李四　0730-1234567"),
                  signer="張三", handler="李四", phone="0730-1234567")


def test_spaced_contact_key_and_phone_on_the_next_line():
    assert_fields(reply(tail="联 系 人：赵六\n联系电话：13812345678"), handler="赵六", phone="13812345678")


def test_handler_title_is_not_part_of_the_name():
    assert_fields(reply(tail="经办人：王五科长 电话：0730-7654321"), handler="王五", phone="0730-7654321")


def test_handler_row_wins_over_contact_row():
    assert_fields(reply(tail="承办负责人：袁新明\n承办人：张湘平\n联系人：刘洋 联系电话：0371-67181234"),
                  handler="张湘平", phone="0371-67181234")


def test_an_empty_signature_key_does_not_take_the_office_below_it():
    text = (f"关于县十八届人大四次会议第72号建议的答复\n王五代表:\n您提出的《关于修路的建议》收悉,现答复如下:\n"
            f"今年将修路3公里。\n此致\n敬礼\n领导签字:\n某县交通运输局\n2023年6月29日")
    assert_fields(text)


def test_signer_key_and_name_on_separate_lines():
    assert_fields(reply(tail="签发人\n陈刚"), signer="陈刚")


def test_handling_form_as_pipe_rows_after_the_reply():
    assert_fields(reply(tail="| 承办人 | 周敏 | 联系电话 | 13812345678 |\n| 领导签发 | 陈刚 | 日期 | 20211026 |"),
                  signer="陈刚", handler="周敏", phone="13812345678")


# -- result grades ----------------------------------------------------------------------------

def test_result_grade_with_its_meaning_in_brackets():
    assert_fields(reply(tail="办理结果：A类（所提问题已经解决或基本解决）"),
                  result_grade="A", result_meaning="所提问题已经解决或基本解决")


def test_result_grade_with_a_legend_of_classes():
    assert_fields(reply(tail="办复类别：B1类\n注：A类——已经解决；B1类——正在解决；B2类——列入计划逐步解决"),
                  result_grade="B1", result_meaning="正在解决")


def test_word_grade_in_a_table_row():
    assert_fields(reply(head="| 办理结果 | 解决采纳 |"), result_grade="解决采纳")


def test_word_grade_in_traditional_script():
    assert_fields(reply(tail="辦理結果：列入計劃"), result_grade="列入计划")


def test_word_grade_as_a_bare_class_in_the_header():
    assert_fields(reply(head="岳县教体字〔2025〕12号 留作参考类 同意公开"), result_grade="留作参考")


def test_result_grade_agrees_with_reply_class():
    meta = parse_reply(reply(head="岳县教体字〔2025〕12号 B2类 同意公开"), "t").meta
    assert meta.reply_class == meta.result_grade == "B2"


def test_a_handling_heading_is_not_a_grade():
    assert_fields(reply(tail="办理情况\n我局已安排资金100万元。"))


# -- proposer body, delegation, co-handling in the opening -------------------------------------

def test_party_committee_named_as_the_addressee():
    assert_fields(reply(salute="九三学社市委：", opening="您单位提出的《关于加强城区停车管理的提案》收悉，现答复如下："),
                  proposer_org="九三学社市委")


def test_party_committee_and_opening_on_one_line():
    assert_fields(reply(salute="", opening="九三学社市委：您单位提出的《关于加强城区停车管理的提案》收悉，现答复如下："),
                  proposer_org="九三学社市委")


def test_proposer_body_named_in_the_opening():
    assert_fields(reply(salute="", opening="农工党岳阳市委员会提出的《关于基层医疗的提案》收悉,现答复如下:"),
                  proposer_org="农工党岳阳市委员会")


def test_proposer_body_in_a_proposal_record_row():
    assert_fields(reply(head="| 提案人 | 民盟县委 |"), proposer_org="民盟县委")


def test_sector_group_as_proposer_in_traditional_script():
    assert_fields(reply(salute="", opening="由市政協經濟界別提出的《關於優化營商環境的提案》收悉，現答覆如下："),
                  proposer_org="市政協經濟界別")


def test_federation_of_industry_as_the_addressee():
    assert_fields(reply(salute="县工商联：", opening="你单位提出的《关于支持民营企业的提案》收悉,现答复如下:"),
                  proposer_org="县工商联")


def test_a_person_proposer_is_no_proposer_body():
    assert_fields(reply(head="| 提案人 | 刘建国 |"))


def test_delegation_in_the_salutation():
    assert_fields(reply(salute="北辛代表团马某某代表:"), delegation="北辛代表团")


def test_delegation_in_the_opening():
    assert_fields(reply(opening="您在县十八届人大四次会议期间随城关代表团提出的《关于修路的建议》收悉,现答复如下:"),
                  delegation="城关代表团")


def test_co_units_named_in_the_opening():
    assert_fields(reply(opening="您提出的《关于修路的建议》,由我局会同县财政局、县自然资源局和县公安局办理,现答复如下:"),
                  co_units=("县财政局", "县自然资源局", "县公安局"))


def test_a_role_in_prose_is_no_table_row():
    assert_fields(reply(opening="您提出的《关于修路的建议》收悉。我局作为主办单位,会同市财政局认真研究,现答复如下:"),
                  co_units=("市财政局",))


def test_a_co_handling_opinion_names_its_lead_unit_in_the_salutation():
    text = ("市教育局关于市政协十三届五次会议第0156号提案的协办意见\n市公安局:\n"
            "刘建国委员提出的《关于学校周边交通的提案》收悉。现提出如下协办意见:\n一、落实护学岗。\n市教育局\n2022年6月")
    assert_fields(text, lead_unit="市公安局")


def test_keys_are_scanned_longest_first():
    assert KEY_SCAN.match("承办人及联系电话").group(0) == "承办人及联系电话"
    assert KEY_SCAN.match("联系电话").group(0) == "联系电话"


FRAGMENTS = ["王五代表:", "九三学社市委:", "您提出的《关于修路的建议》收悉,现答复如下:", "北辛代表团", "由我局会同县财政局、县公安局办理,",
             "一、", "今年修路3公里。", "感谢您的关心和支持。", "某县交通运输局", "2025年4月21日", "领导签发:张三", "签发人\n",
             "承辦人及聯繫電話:李四 0730-1234567", "| 主办单位 | 县教育局 | 协办单位 | 县交通运输局 |", "| 主办单位 | 协办单位 |",
             "| 县教育局 | 县公安局 |", "办理结果:A类(所提问题已经解决)", "B1类——正在解决;", "留作参考类", "联 系 人:", "人:",
             "提案人 | 民盟县委 |", "(xiàn)", "|", " ", "\n", "　", "。", ":"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=30))
def test_any_text_gives_handling_values_at_their_spans(parts):
    text = "".join(parts)
    meta = parse_reply(text, "generated").meta
    assert all(0 <= a < b <= len(text) for _, a, b in meta.spans)
    assert_spans(text, meta)


def test_meta_survives_the_catalogs_json_and_old_rows_load_empty():
    meta = parse_reply(reply(head="| 主办单位 | 县教育局 | 协办单位 | 县交通运输局、县公安局 |",
                             tail="领导签发:张三 承办人及联系电话:李四 0730-1234567"), "t").meta
    assert _meta_from_json(json.dumps(asdict(meta), ensure_ascii=False)) == meta
    hash(meta)
    old = {k: v for k, v in asdict(meta).items() if k not in FIELDS + ("spans",)}
    loaded = _meta_from_json(json.dumps(old, ensure_ascii=False))
    assert (loaded.signer, loaded.co_units, loaded.spans) == ("", (), ())


@pytest.mark.parametrize("paragraph", ["已解决了群众出行难的问题。", "A级景区创建工作稳步推进。"])
def test_a_paragraph_after_a_handling_heading_is_no_grade(paragraph):
    assert_fields(reply(tail=f"办理情况\n{paragraph}"))


@pytest.mark.parametrize("tail,want", [
    ("承办人:张三(0730-1234567)", {"handler": "张三", "phone": "0730-1234567"}),
    ("签发人:局长 王五", {"signer": "王五"}),
    ("签发：副局长李强", {"signer": "李强"}),
    ("联系人:阿不都·热合曼 电话:0991-1234567", {"handler": "阿不都·热合曼", "phone": "0991-1234567"}),
    ("承办人:张三、李四 电话:0730-1234567", {"handler": "张三", "phone": "0730-1234567"}),
    ("协办单位:无", {}),
])
def test_names_keep_clear_of_titles_brackets_and_lists(tail, want):
    assert_fields(reply(tail=tail), **want)


def test_several_bodies_proposing_together():
    assert_fields(reply(head="提案人：民建县委、县工商联"), proposer_org="民建县委、县工商联")


# -- footers as real replies print them (short lines quoted from public replies, with their source) -------
# Each line below is copied from the reply at the URL beside it; the rest of the reply is the test's template.

def test_real_bracketed_contact_and_phone_with_a_long_dash():
    # http://ynmg.gov.cn/info/2239/87284.htm (马关县水务局, 2022)
    assert_fields(reply(tail="(联系人及电话:张高南 0876—7122073)\n责任编辑:王霏菲"), handler="张高南",
                  phone="0876—7122073")


def test_real_contact_and_mobile_after_a_comma():
    # http://ynmg.gov.cn/info/2089/67562.htm (马关县交通运输局, 2020)
    assert_fields(reply(tail="联系人及电话:骆永仙,13887859117"), handler="骆永仙", phone="13887859117")


def test_real_signer_and_contact_before_the_copy_list():
    # https://shaheshi.gov.cn/article/240/81060.html (沙河市交通局, 2023)
    assert_fields(reply(tail="领导签发:刘民华\n联系人及电话:李伟    8788586\n"
                             "抄送:市人大常委会选举任免代表工作委员会,市政府办公室。"),
                  signer="刘民华", handler="李伟", phone="8788586")


def test_real_handler_whose_name_is_spaced_out_under_the_head_of_the_office():
    # https://www.yyx.gov.cn/37586/38025/38495/content_1976579.html (岳阳县水利局, 2019)
    assert_fields(reply(tail="承办负责人:刘 毅\n承办人及联系电话:张亮华  0730-7629006"), handler="张亮华",
                  phone="0730-7629006")


def test_real_site_footer_after_the_reply_is_not_the_offices():
    # https://www.xifeng.gov.cn/zwgk/zdlygk/jytabl_5741631/dbjydf_5741632/201810/t20181028_62998410.html (息烽县):
    # the reply's contact in brackets, then the site's own 主办单位 and 联系方式
    assert_fields(reply(tail="(联系人:夏五洲)\n扫一扫在手机打开当前页面\n"
                             "主办单位:息烽县人民政府办公室 联系方式:0851-87721549 地址:息烽县永阳街道县府路27号2号楼"),
                  handler="夏五洲")
    # http://www.panshan.gov.cn/2023_11/01_14/content-435453.html (盘山县水利局): no contact, the site's phone
    assert_fields(reply(tail="foot_img_01.png\n主办单位:盘山县人民政府 版权所有:盘锦市人民政府办公室 网站地图\n"
                             "联系电话:0427-3554789"))


# -- the same footers in the other layouts the genre writes them in (written for the test) ------------------

@pytest.mark.parametrize("tail", [
    "联系人、电话：李四 7654321", "联系人/电话：李四/7654321", "联系人和电话：李四 7654321", "联系人（电话）：李四（7654321）",
    "联系人及联系方式：李四（7654321）", "联系人及手机：李四 7654321", "經辦人及電話：李四 7654321",
])
def test_a_handler_key_joined_to_a_contact_word(tail):
    assert_fields(reply(tail=tail), handler="李四", phone="7654321")


@pytest.mark.parametrize("tail", ["承办人姓名：李四", "经办人（签字）：李四", "经办人签字：李四", "承办人签名：李四",
                                  "联络人：李四"])
def test_a_handler_key_with_what_the_line_asks_for(tail):
    assert_fields(reply(tail=tail), handler="李四")


@pytest.mark.parametrize("tail", ["联系人：局办公室 李四 7654321", "承办人：规划股李四 7654321", "经办人:办公室 李四 7654321",
                                  "联系人：办公室主任 李四 7654321", "联系人:县交通局李四 电话:7654321"])
def test_the_unit_a_handler_is_named_with_is_not_the_name(tail):
    assert_fields(reply(tail=tail), handler="李四", phone="7654321")


def test_a_key_the_table_does_not_know_ends_the_value_before_it():
    assert_fields(reply(tail="签发人：张三 承办人：李四 核稿人：王五 联系电话：7654321"), signer="张三", handler="李四",
                  phone="7654321")


def test_a_name_in_brackets_after_the_phone():
    assert_fields(reply(tail="联系电话：0730-1234567（李四）"), handler="李四", phone="0730-1234567")


def test_a_unit_alone_is_no_handler():
    assert_fields(reply(tail="联系人：县交通运输局办公室 电话：7654321"), phone="7654321")
