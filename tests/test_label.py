"""The one reply label: title, else the proposal title in the reply's script, else office and date."""
from __future__ import annotations

import re

import pytest

from replyqa.label import is_traditional, reply_label
from replyqa.records import Reply, ReplyMeta

SIMPLIFIED = "张三委员:\n您提出的关于解决停车难问题的建议收悉。现答复如下:我局高度重视，已经新建停车场三座。"
TRADITIONAL = "張三委員:\n您提出的關於解決停車難問題的建議收悉。現答覆如下:我局高度重視，已經新建停車場三座。"
SOURCE = "/srv/archive/corpus/107_zhoucunqu-zhujian.txt"
RID = "defcb8a2c52c5924"


def reply(text: str = SIMPLIFIED, **meta) -> Reply:
    m = ReplyMeta(**meta)
    # as the parser builds it: the reply's title falls back to the bare proposal title
    return Reply(RID, m.title or m.proposal_title, m, text, SOURCE)


def test_the_reply_title_comes_first():
    r = reply(title="关于停车难问题的答复", proposal_title="关于停车的建议", office="住建局", signed="2024-05-06",
              doc_number="住建函〔2024〕5号")
    assert reply_label(r) == "关于停车难问题的答复"


def test_without_a_title_the_proposal_title_in_simplified():
    r = reply(proposal_title="关于解决停车难问题的建议", office="住建局", doc_number="住建函〔2024〕5号")
    assert reply_label(r) == "关于《关于解决停车难问题的建议》的答复"


def test_without_a_title_the_proposal_title_in_traditional():
    r = reply(TRADITIONAL, proposal_title="關於解決停車難問題的建議", office="住建局")
    assert reply_label(r) == "關於《關於解決停車難問題的建議》的答覆"


def test_without_titles_the_office_and_date():
    r = reply(office="某市住房和城乡建设局", published="2024-05-06", doc_number="住建函〔2024〕5号")
    assert reply_label(r) == "某市住房和城乡建设局（2024-05-06）"
    assert reply_label(r, dated=False) == "某市住房和城乡建设局"
    signed = reply(office="某局", published="2024-05-06", signed="2024-04-30")
    assert reply_label(signed) == "某局（2024-04-30）"  # the signing date before the publishing date


def test_the_office_alone_or_the_document_number_alone():
    assert reply_label(reply(office="某局")) == "某局"
    assert reply_label(reply(doc_number="住建函〔2024〕5号", signed="2024-04-30")) == "住建函〔2024〕5号"


@pytest.mark.parametrize("text, expected", [(SIMPLIFIED, "答复（2024-04-30）"), (TRADITIONAL, "答覆（2024-04-30）")])
def test_a_reply_with_no_metadata_is_still_named_in_its_script(text, expected):
    assert reply_label(reply(text, signed="2024-04-30")) == expected
    assert reply_label(reply(text)) == expected.split("（")[0]


@pytest.mark.parametrize("meta", [{}, {"office": "某局"}, {"proposal_title": "关于停车的建议"},
                                  {"doc_number": "住建函〔2024〕5号"}, {"signed": "2024-04-30"}])
def test_never_a_path_or_an_id(meta):
    for text in (SIMPLIFIED, TRADITIONAL, ""):
        label = reply_label(reply(text, **meta))
        assert label and RID not in label and "/" not in label and ".txt" not in label
        assert not re.fullmatch(r"[0-9a-f]{8,64}", label)


def test_script_detection():
    assert is_traditional(TRADITIONAL) and not is_traditional(SIMPLIFIED) and not is_traditional("no Chinese")


def test_samples_without_a_title_line_get_the_proposal_label(samples):
    from replyqa.parse import parse_reply
    from replyqa.read import read_document

    doc = read_document(samples / "008_zhenkangxian-jiaotong-zhongchangcun-daolu-fanti.txt")
    assert reply_label(parse_reply(doc.text, doc.source)) == "關於《關于中廠村至軍南線連接線道路硬化的建議》的答覆"
    doc = read_document(samples / "024_zhoucunqu-zhujian-buxingjie-liti-tingchechang.txt")
    assert reply_label(parse_reply(doc.text, doc.source)).startswith("关于《关于在步行街南段修建机械式立体停车场")


def test_a_listing_without_text_names_every_sample_as_the_full_reply_does():
    """The archive, desk and admin tabs list replies from metadata alone (no text held in memory)."""
    from pathlib import Path

    from replyqa.catalog import ReplyInfo
    from replyqa.parse import parse_reply

    for path in sorted(Path(__file__).resolve().parents[1].joinpath("samples", "replies").glob("*.txt")):
        reply = parse_reply(path.read_text(encoding="utf-8"), path.name)
        info = ReplyInfo(reply.reply_id, reply.title, reply.source, reply.meta)
        assert reply_label(info) == reply_label(reply), path.name
