"""Fusion and retrieval behaviour."""
from __future__ import annotations

import pytest

from replyqa.errors import QueryError
from replyqa.ingest import ingest
from replyqa.retrieve import HybridRetriever, check_query, rrf


def test_rrf_rewards_agreement_and_reports_the_source():
    fused = rrf({"dense": ["a", "b", "c"], "bm25": ["b", "d"]}, {"dense": 1.0, "bm25": 1.0}, k=60)
    assert [c for c, _, _ in fused] == ["b", "a", "d", "c"]
    assert dict((c, v) for c, _, v in fused) == {"b": "both", "a": "dense", "d": "bm25", "c": "dense"}


def test_rrf_weights_shift_the_order():
    fused = rrf({"dense": ["a"], "bm25": ["b"]}, {"dense": 1.0, "bm25": 2.0}, k=60)
    assert fused[0][0] == "b"


@pytest.mark.parametrize("bad", ["", "   \n\t", "\x00\x01"])
def test_empty_queries_are_refused_clearly(bad):
    with pytest.raises(QueryError, match="empty"):
        check_query(bad)


def test_overlong_query_is_refused():
    with pytest.raises(QueryError, match="limit"):
        check_query("字" * 5000)


def test_bm25_votes_only_for_matched_chunks(fake_index, samples):
    ingest(fake_index, [samples], progress=False)
    assert fake_index.bm25.search("zzzqqq 无关词汇xyz", 10) == []
    hits = HybridRetriever(fake_index).search("交通信号灯", k=3, mode="bm25")
    assert hits and all("信号灯" in h.chunk.text for h in hits)


@pytest.mark.model
def test_sample_question_finds_its_reply(sample_index):
    hits = HybridRetriever(sample_index).search("how many training credits are required per year", k=3)
    assert any(h.chunk.reply_id == hits[0].chunk.reply_id and "學分" in h.chunk.text for h in hits)
    assert sample_index.reply(hits[0].chunk.reply_id).source.endswith("000_yueyangxian-jiaoti-zx45-jiaoshi-jianfu-fanti.txt")
