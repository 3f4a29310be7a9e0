"""Chunks follow sections, split on sentence ends, stay under the limit and quote the original exactly."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from replyqa.chunk import chunk_reply
from replyqa.parse import parse_reply

SAMPLES = sorted((Path(__file__).resolve().parents[1] / "samples" / "replies").glob("*.txt"))


def check_chunks(reply, chunks, limit):
    text = reply.text
    covered = [0] * len(text)
    sections = {(s.start, s.end): s.path for s in reply.sections}
    for c in chunks:
        assert text[c.start:c.end] == c.text
        assert 0 < len(c.text) <= limit
        assert c.reply_id == reply.reply_id
        home = [(a, b) for (a, b) in sections if a <= c.start and c.end <= b]
        assert len(home) == 1 and sections[home[0]] == c.section  # never spans two sections
        for i in range(c.start, c.end):
            covered[i] += 1
    assert all(covered[i] == 1 for i, ch in enumerate(text) if not ch.isspace())


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:3])
@pytest.mark.parametrize("limit", [300, 80])
def test_sample_chunks_cover_follow_sections_and_respect_the_limit(path, limit):
    reply = parse_reply(path.read_text(encoding="utf-8"), str(path))
    check_chunks(reply, chunk_reply(reply, limit), limit)


def test_long_sections_split_between_sentences():
    path = SAMPLES[0]
    reply = parse_reply(path.read_text(encoding="utf-8"), str(path))
    chunks = chunk_reply(reply, 300)
    three = [c for c in chunks if c.section == ("三、在隊伍建設上做“乘法”,助力教師減負",)]
    assert len(three) >= 3
    assert all(c.text.endswith("。") for c in three[:-1])
    assert three[0].text.startswith("三、在隊伍建設上做“乘法”")


def test_a_sentence_longer_than_the_limit_is_cut_at_clauses():
    text = "王五代表:\n" + ",".join(["我局积极争取项目资金用于道路硬化"] * 30) + "。"
    reply = parse_reply(text, "t")
    chunks = chunk_reply(reply, 100)
    check_chunks(reply, chunks, 100)
    body = [c for c in chunks if c.section != ("salutation",)]
    assert len(body) >= 5 and all(c.text.endswith((",", "。")) for c in body)


def test_chunk_ids_are_stable_across_reads():
    text = SAMPLES[1].read_text(encoding="utf-8")
    first = [c.chunk_id for c in chunk_reply(parse_reply(text, "a"))]
    again = [c.chunk_id for c in chunk_reply(parse_reply(text, "b"))]
    assert first == again and len(set(first)) == len(first)


PIECES = ["一、关于修路的问题", "(一)", "1、", "一是", "二是", "一方面,", "另一方面,", "我局", "今年修路3公里", "。", "!", "?",
          ";", ",", "\n", "\n\n", " ", "　", "王五代表:", "您提出的建议收悉,现答复如下:", "感谢您的关心。", "2025年4月21日",
          "某县交通运输局", "联系人:张三", "|", "現(xiàn)", "答     复"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=30)), max_size=60),
       st.integers(min_value=1, max_value=320))
def test_any_reply_chunks_exactly(parts, limit):
    reply = parse_reply("".join(parts), "generated")
    check_chunks(reply, chunk_reply(reply, limit), limit)
