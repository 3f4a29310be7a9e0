"""Reading a new proposal: checks, title, places, asks and windows that cover the whole text."""
from __future__ import annotations

import io

import pytest
from hypothesis import given, strategies as st

from replyqa.errors import QueryError, ReadError
from replyqa.gazetteer import Gazetteer, reply_names
from replyqa.proposal import (MAX_PROPOSAL_CHARS, SENTENCES, WINDOW_CHARS, analyse_proposal, check_proposal, proposal_title,
                              read_proposal, windows)
from replyqa.records import ReplyMeta
from replyqa.text import spans

PROPOSAL = ("关于拓宽改造宁陕县麻庄村通村公路的建议\n宁陕县麻庄村通往外界的道路路面狭窄，会车困难。"
            "建议县交通部门对麻庄村道路进行拓宽改造，积极向上争取项目资金，并与相邻县协调同步建设。")


def gazetteer(*metas: tuple[str, ReplyMeta]) -> Gazetteer:
    rows = [(f"r{i}", n.kind, n.value, n.form, n.script) for i, (title, meta) in enumerate(metas)
            for n in reply_names(title, meta)]
    return Gazetteer(rows)


@pytest.mark.parametrize("text", ["", "   \n\t ", "。。，", None])
def test_an_empty_proposal_is_refused_with_a_message(text):
    with pytest.raises(QueryError, match="empty|too short"):
        check_proposal(text)


def test_200_kb_of_text_is_refused_and_says_how_long_it_is():
    with pytest.raises(QueryError, match=f"{MAX_PROPOSAL_CHARS:,}") as err:
        check_proposal("长" * 70_000)
    assert "70,000" in str(err.value)


def test_a_file_of_another_kind_or_binary_text_is_refused_naming_the_file(tmp_path):
    (tmp_path / "a.zip").write_bytes(b"PK\x03\x04" + bytes(200))
    (tmp_path / "b.txt").write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(ReadError, match=r"a\.zip.*unsupported file type"):
        read_proposal(str(tmp_path / "a.zip"))
    with pytest.raises(ReadError, match=r"b\.txt.*binary"):
        read_proposal(str(tmp_path / "b.txt"))


def test_stdin_is_read_as_utf8_and_a_bad_encoding_is_an_error(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(PROPOSAL.encode("utf-8"))))
    assert read_proposal("-") == PROPOSAL
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO("建议".encode("gbk"))))
    with pytest.raises(QueryError, match="not UTF-8"):
        read_proposal("-")


def test_title_is_the_short_first_line_else_the_first_guanyu_phrase():
    assert proposal_title(PROPOSAL) == "关于拓宽改造宁陕县麻庄村通村公路的建议"
    assert proposal_title("案由：关于增设公厕的提案\n正文") == "关于增设公厕的提案"
    long_first = "我县城区" + "公厕不足，" * 30 + "为此提出关于增建城区公厕的建议。"
    assert proposal_title(long_first) == "关于增建城区公厕的建议"


def test_places_are_those_of_the_title_and_known_ones_not_verbs_read_as_counties():
    names = gazetteer(("答复", ReplyMeta(office="宁陕县交通运输局", proposal_title="关于拓宽麻庄村道路的建议")))
    p = analyse_proposal(PROPOSAL, names)
    assert [e.value for e in p.places] == ["宁陕县", "麻庄村"]  # not 相邻县 of "与相邻县协调"
    other = analyse_proposal("关于推动蒙阴县全民健身的提案\n建议加快县体育中心建设。", names)
    assert [e.value for e in other.places] == ["蒙阴县"]  # unknown, but in the title; 加快县 is not a place


def test_asks_are_the_sentences_that_ask():
    p = analyse_proposal(PROPOSAL)
    assert [p.text[a:b] for a, b in p.asks] == [
        "建议县交通部门对麻庄村道路进行拓宽改造，积极向上争取项目资金，并与相邻县协调同步建设。"]
    assert p.ask_text.startswith(p.title) and "争取项目资金" in p.ask_text


def test_a_long_proposal_is_windowed_to_its_end_not_cut():
    background = "本县山区道路多年失修，群众出行不便。" * 120  # about 2,000 characters
    text = "关于修路的建议\n" + background + "建议县交通局把南坡村道路列入明年硬化计划。"
    p = analyse_proposal(text)
    assert len(p.windows) > 5
    assert p.windows[-1][1] == len(text)
    assert "南坡村道路列入明年硬化计划" in p.window_texts()[-1]


@given(st.lists(st.text(alphabet="道路硬化建议县村。，！\n", min_size=1, max_size=700), min_size=1, max_size=5))
def test_windows_cover_every_sentence_in_order_and_stay_bounded(parts):
    text = "".join(parts)
    sentences = spans(text, SENTENCES)
    got = windows(text, sentences)
    assert all(0 < b - a <= WINDOW_CHARS for a, b in got)
    assert all(got[i][1] <= got[i + 1][0] for i in range(len(got) - 1))
    for a, b in sentences:  # every character of every sentence is in a window
        assert all(any(wa <= i < wb for wa, wb in got) for i in range(a, b))
