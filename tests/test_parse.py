"""Parsing replies: exact metadata and sections for every sample, the genre's forms, and robustness."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from replyqa.cli import main
from replyqa.dates import cn_number, find_dates, parse_date
from replyqa.parse import parse_reply, reply_id_for
from replyqa.read import read_document
from replyqa.template import TEMPLATE_PARTS

from tests.test_handling import FIELDS as HANDLING_FIELDS
from tests.test_handling import assert_spans

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = json.loads((Path(__file__).parent / "data" / "expected_meta.json").read_text(encoding="utf-8"))
SAMPLE_FILES = sorted(p.name for p in (ROOT / "samples" / "replies").glob("*.txt"))


def parsed(relpath: str):
    doc = read_document(ROOT / relpath)
    return parse_reply(doc.text, doc.source)


def test_every_sample_has_hand_written_expectations():
    covered = {Path(k).name for k in EXPECTED if k.startswith("samples/")}
    assert covered == set(SAMPLE_FILES)


@pytest.mark.parametrize("relpath", sorted(EXPECTED))
def test_metadata_and_section_headings_match_expectations(relpath):
    reply = parsed(relpath)
    want = dict(EXPECTED[relpath])
    sections = want.pop("sections")
    got = asdict(reply.meta)
    spans = got.pop("spans")
    got["session"], got["addressees"], got["co_units"] = (list(got["session"]), list(got["addressees"]),
                                                          list(got["co_units"]))
    assert got == want
    assert [" > ".join(s.path) for s in reply.sections] == sections
    assert_spans(reply.text, reply.meta)
    assert {field for field, _, _ in spans} == {f for f in HANDLING_FIELDS if want[f]}


@pytest.mark.parametrize("relpath", sorted(EXPECTED))
def test_sections_tile_the_text(relpath):
    reply = parsed(relpath)
    assert_tiles(reply)


def assert_tiles(reply) -> None:
    """Sections are in order, disjoint, trimmed, and hold every non-blank character."""
    text = reply.text
    covered = [0] * len(text)
    last_end = 0
    for s in reply.sections:
        assert last_end <= s.start < s.end <= len(text)
        assert not text[s.start].isspace() and not text[s.end - 1].isspace()
        for i in range(s.start, s.end):
            covered[i] += 1
        last_end = s.end
    assert all(covered[i] == 1 for i, ch in enumerate(text) if not ch.isspace())


def test_headings_and_template_parts_of_a_known_reply():
    reply = parsed("samples/replies/000_yueyangxian-jiaoti-zx45-jiaoshi-jianfu-fanti.txt")
    text = reply.text
    by_path = {s.path: text[s.start:s.end] for s in reply.sections}
    three = ("三、在隊伍建設上做“乘法”,助力教師減負",)
    assert by_path[three].startswith("三、在隊伍建設上做“乘法”") and "360學分" in by_path[three]
    assert by_path[("salutation",)] == "翟亞丹委員:"
    assert by_path[("signature",)].endswith("2025年4月21日")
    assert "承辦人及聯係電話" in by_path[("contact",)]


def test_title_joins_lines_and_folds_spaced_characters():
    reply = parse_reply("嶽陽縣教育體育局\n\n  對縣政協十四屆四次會議第45號提案的\n\n  答     複\n\n翟亞丹委員:\n"
                        "您提出的《關於減負的建議》已收悉。現答複如下:\n正文。", "t")
    assert reply.meta.title == "對縣政協十四屆四次會議第45號提案的答複"
    assert reply.meta.office == "嶽陽縣教育體育局"


def _mini(head: str, salute: str = "王五代表:", opening: str = "您提出的《关于修路的建议》收悉,现答复如下:",
          tail: str = "") -> str:
    return f"{head}\n{salute}\n{opening}\n一、关于修路的问题\n今年将修路3公里。\n{tail}"


@pytest.mark.parametrize("head,number", [
    ("对县政协十四届四次会议第45號提案的答复", "第45號"),
    ("关于对镇康县第十八届人民代表大会第四次会议代表第0038号 建议的答复函", "第0038号"),
    ("关于交通信号灯的建议答复的函(编号:B(2017)103号)", "B(2017)103号"),
    ("关于区十八届人大四次会议第20250118040077号建议的答复函", "第20250118040077号"),
    ("关于市政协十四届二次会议第18070123号提案的答复", "第18070123号"),
])
def test_proposal_number_forms(head, number):
    assert parse_reply(_mini(head), "t").meta.proposal_number == number


def test_proposal_number_after_the_proposal_title():
    reply = parse_reply(_mini("答复", opening="你提出的《关于改善住宿条件的建议》(第457号),已交我们办理,现答复如下:"), "t")
    assert reply.meta.proposal_number == "第457号"
    assert reply.meta.proposal_title == "关于改善住宿条件的建议"


@pytest.mark.parametrize("line,cls", [
    ("岳县教体字〔2025〕12号 B2类 同意公开", "B2"), ("类别:C", "C"), ("办复类别:B类", "B"),
    ("平交复函[2017]19号B类", "B"), ("嶽縣教體字〔2025〕23號 A1類  同意公開", "A1"),
])
def test_reply_class_forms(line, cls):
    assert parse_reply(_mini(f"{line}\n关于县十八届人大四次会议第72号建议的答复"), "t").meta.reply_class == cls


@pytest.mark.parametrize("line,disclosure", [
    ("岳县教体字〔2025〕12号 B2类 同意公开", "同意公开"), ("公开方式 | 主动公开 |", "主动公开"),
    ("• 公开方式:依申请公开", "依申请公开"), ("嶽縣教體字〔2025〕23號 A1類  同意公開", "同意公开"),
])
def test_disclosure_forms(line, disclosure):
    assert parse_reply(_mini(line), "t").meta.disclosure == disclosure


@pytest.mark.parametrize("title,body,level,session", [
    ("對縣政協十四屆四次會議第45號提案的答複", "政协", "县", (14, 4)),
    ("对十二届全国人大五次会议第7464号建议的答复", "人大", "全国", (12, 5)),
    ("黔东南州人民政府关于贵州省人大十三届四次会议第560号建议的会办意见", "人大", "省", (13, 4)),
    ("关于区十八届人大四次会议第1号建议的答复函", "人大", "区", (18, 4)),
    ("关于市政协十三届五次会议第0156号提案的协办意见", "政协", "市", (13, 5)),
    ("关于广西壮族自治区政协十二届三次会议第8号提案的答复", "政协", "省", (12, 3)),
])
def test_body_level_and_session(title, body, level, session):
    meta = parse_reply(_mini(title), "t").meta
    assert (meta.body, meta.level, meta.session) == (body, level, session)


@pytest.mark.parametrize("salute,addressees", [
    ("翟亞丹委員:", ("翟亞丹委員",)),
    ("罗进等10位代表:", ("罗进等10位代表",)),
    ("樊伯巍、李伟红、赵丽红委员:", ("樊伯巍委员", "李伟红委员", "赵丽红委员")),
    ("尊敬的王爱珍代表:", ("王爱珍代表",)),
    ("省教育厅:", ("省教育厅",)),
])
def test_addressee_forms(salute, addressees):
    assert parse_reply(_mini("答复", salute=salute), "t").meta.addressees == addressees


@pytest.mark.parametrize("opening,title", [
    ("您提出的《关于基层教师提质减负的建议》已收悉。现答复如下:", "关于基层教师提质减负的建议"),
    ("您所提的“关于改善就医环境的建议”已收悉,现答复如下:", "关于改善就医环境的建议"),
    ("您提出关于拓宽麻庄村道路的建议收悉,现答复如下:", "关于拓宽麻庄村道路的建议"),
    ("您在县第十八届人民代表大会第一次会议提出的《关于修桥的建议》第122号建议交县交通局办理。现答复如下:", "关于修桥的建议"),
])
def test_proposal_title_forms(opening, title):
    assert parse_reply(_mini("答复", opening=opening), "t").meta.proposal_title == title


def test_no_role_without_evidence():
    text = _mini("关于县十八届人大四次会议第72号建议的答复", opening="您提出的建议收悉。我局牵头实施了改造,现答复如下:")
    assert parse_reply(text, "t").meta.role == ""


@pytest.mark.parametrize("opening,role", [
    ("您们提出的“关于雾霾治理的建议”,由我部会同教育部办理。经认真研究,答复如下:", "主办"),
    ("您领衔提出的《关于加装电梯的建议》收悉。我局作为协办单位,现提出如下意见:", "协办"),
])
def test_role_forms(opening, role):
    assert parse_reply(_mini("答复", opening=opening), "t").meta.role == role


@pytest.mark.parametrize("tail,contact", [
    ("承辦負責人:袁文炳\n承辦人及聯係電話:袁文炳   0730--7628035", "袁文炳 0730--7628035"),
    ("联系人:陈西平 联系电话:6822773", "陈西平 6822773"),
    ("联系电话:2698617\n联 系 人:陈乃俊", "陈乃俊 2698617"),
    ("(联系人:黄磊,电话:0551-62345678)", "黄磊 0551-62345678"),
])
def test_contact_forms(tail, contact):
    reply = parse_reply(_mini("答复", tail=f"感谢您的关心。\n某县交通运输局\n2025年4月21日\n{tail}"), "t")
    assert reply.meta.contact == contact
    assert reply.meta.signed == "2025-04-21"


@pytest.mark.parametrize("text,iso", [
    ("2025年4月21日", "2025-04-21"), ("二〇一七年七月五日", "2017-07-05"), ("二0一七年七月五日", "2017-07-05"),
    ("20211026", "2021-10-26"), ("2025-07-14 16:47", "2025-07-14"), ("二〇一九年七月八日", "2019-07-08"),
    ("二〇二三年八月0二十六日", "2023-08-26"), ("二0一七年五月", "2017-05"), ("2022年6月", "2022-06"),
    ("2025年13月40日", ""), ("索引号 000014349/2021-3225216", ""),
])
def test_dates(text, iso):
    assert parse_date(text) == iso


def test_compact_dates_need_clear_edges():
    assert find_dates("01526376-3/20240529-00008") == []


@pytest.mark.parametrize("text,value", [("十四", 14), ("四", 4), ("二十六", 26), ("十", 10), ("0二十六", 26),
                                        ("一百零二", 102), ("18", 18)])
def test_cn_number(text, value):
    assert cn_number(text) == value


def test_reply_id_is_a_hash_of_the_normalised_content():
    text = "王五代表:\n您提出的建议收悉。"
    assert reply_id_for(text) == reply_id_for("王五代表:\r\n  您提出的建議收悉。  ")
    assert reply_id_for(text) != reply_id_for("王五代表:\n您提出的意见收悉。")
    assert parse_reply(text, "a").reply_id == parse_reply(text, "b").reply_id


def test_reply_title_falls_back_to_the_proposal_title():
    reply = parsed("samples/replies/008_zhenkangxian-jiaotong-zhongchangcun-daolu-fanti.txt")
    assert reply.meta.title == ""
    assert reply.title == reply.meta.proposal_title == "關于中廠村至軍南線連接線道路硬化的建議"


def test_unseen_genre_replies_nearly_all_yield_title_addressee_and_a_body_section():
    genre = [k for k in EXPECTED if k.startswith("tests/data/genre/")]
    complete = 0
    for relpath in genre:
        reply = parsed(relpath)
        body = [s for s in reply.sections if not (len(s.path) == 1 and s.path[0] in TEMPLATE_PARTS)]
        complete += bool(reply.meta.title and reply.meta.addressees and body)
    assert complete >= len(genre) - 2  # g5 has no title, g9 is a bare fragment


FRAGMENTS = ["翟亞丹委員:", "王五代表:", "您提出的《关于修路的建议》收悉,现答复如下:", "一、", "(二)", "3.", "一是", "二是",
             "一方面,", "另一方面,", "感谢您的关心和支持。", "此致", "敬礼", "某县交通运输局", "2025年4月21日", "二〇一七年七月五日",
             "联系人:张三 电话:0730-1234567", "答     复", "索引号 | 123 |", "|", "•", "(xiàn)", "。", ",", ":", " ", "\n",
             "\n\n", "　", "关于县十八届人大四次会议第72号建议的", "现(xiàn)答复如下:", "办复类别:B类", "今年修路3公里"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=40))
def test_any_text_parses_into_sections_that_tile_it(parts):
    text = "".join(parts)
    reply = parse_reply(text, "generated")
    assert_tiles(reply)
    for s in reply.sections:
        assert isinstance(s.path, tuple) and all(isinstance(p, str) and p for p in s.path)


def test_parse_command_json_is_stable():
    path = ROOT / "samples" / "replies" / SAMPLE_FILES[0]
    out = CliRunner().invoke(main, ["parse", str(path), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert {"title", "office", "doc_number", "reply_class", "disclosure", "body", "level", "session",
            "proposal_number", "role", "addressees", "proposal_title", "published", "signed", "contact",
            "signer", "handler", "phone", "lead_unit", "co_units", "proposer_org", "delegation", "result_grade",
            "result_meaning", "spans", "sections", "chunks"} <= set(data)
    assert data["session"] == [14, 4] and data["addressees"] == ["翟亞丹委員"]
    assert (data["handler"], data["phone"], data["result_grade"]) == ("袁文炳", "0730--7628035", "A1")
    assert data["co_units"] == [] and data["signer"] == ""
    text = path.read_text(encoding="utf-8")
    assert {text[s["start"]:s["end"]]: s["field"] for s in data["spans"]} == {
        "A1類": "result_grade", "袁文炳": "handler", "0730--7628035": "phone"}
    assert all(set(s) == {"path", "start", "end"} for s in data["sections"])
    for c in data["chunks"]:
        assert set(c) == {"chunk_id", "section", "start", "end", "text"}
        assert text[c["start"]:c["end"]] == c["text"]


def test_parse_command_reports_an_unreadable_file(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    out = CliRunner().invoke(main, ["parse", str(bad)])
    assert out.exit_code == 1 and "empty.txt" in out.output and "empty file" in out.output
