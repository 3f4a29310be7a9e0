"""Fusion and retrieval behaviour."""
from __future__ import annotations

import pytest

from replyqa.errors import QueryError
from replyqa.ingest import ingest
from replyqa.retrieve import HybridRetriever, rrf


def test_rrf_rewards_agreement_and_reports_the_source():
    fused = rrf({"dense": ["a", "b", "c"], "bm25": ["b", "d"]}, {"dense": 1.0, "bm25": 1.0}, k=60)
    assert [c for c, _, _ in fused] == ["b", "a", "d", "c"]
    assert dict((c, v) for c, _, v in fused) == {"b": "both", "a": "dense", "d": "bm25", "c": "dense"}


def test_rrf_weights_shift_the_order():
    fused = rrf({"dense": ["a"], "bm25": ["b"]}, {"dense": 1.0, "bm25": 2.0}, k=60)
    assert fused[0][0] == "b"


def test_empty_queries_are_refused_before_searching(fake_index):
    with pytest.raises(QueryError, match="empty"):
        HybridRetriever(fake_index).search(" \u3000\n")


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


def _reply(rid_text: str, source: str, **meta):
    from replyqa.parse import reply_id_for
    from replyqa.records import Reply, ReplyMeta, Section

    rid = reply_id_for(rid_text)
    return Reply(reply_id=rid, title=source, meta=ReplyMeta(**meta), text=rid_text, source=source,
                 sections=(Section(rid, ("正文",), 0, len(rid_text)),))


@pytest.fixture
def filtered_index(fake_index):
    fake_index.add([
        _reply("关于城区停车难的答复。新增停车泊位326个。", "a.txt", body="人大", level="县", signed="2019-06-10", reply_class="A"),
        _reply("关于停车场建设的答复。建成立体停车场2座。", "b.txt", body="政协", level="市", signed="2023-07-05", reply_class="B"),
        _reply("关于停车收费的答复。停车收费标准已调整。", "c.txt", body="政协", level="县", signed="2025-04-21", reply_class="A"),
    ])
    return fake_index


@pytest.mark.parametrize("filters, expected", [
    ({"body": "政协"}, {"b.txt", "c.txt"}),
    ({"year_from": 2020}, {"b.txt", "c.txt"}),
    ({"year_to": 2023, "body": "政协"}, {"b.txt"}),
    ({"level": "县", "reply_class": "A"}, {"a.txt", "c.txt"}),
    ({"date_from": "2023-07-06", "date_to": "2025-12-31"}, {"c.txt"}),
    ({"body": "政协", "year_to": 2018}, set()),
])
@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_filters_apply_inside_each_store(filtered_index, filters, expected, mode):
    from replyqa.filters import Filters

    hits = HybridRetriever(filtered_index).search("停车", k=10, mode=mode, filters=Filters(**filters))
    assert {filtered_index.reply(h.chunk.reply_id).source for h in hits} == expected


def test_precedent_mode_gives_one_passage_per_reply(filtered_index):
    hits = HybridRetriever(filtered_index).by_reply("停车", k=10)
    ids = [h.chunk.reply_id for h in hits]
    assert len(ids) == len(set(ids)) == 3


def test_every_via_is_in_the_documented_vocabulary(fake_index, samples):
    from replyqa.records import VIAS

    ingest(fake_index, [samples], progress=False)
    hits = HybridRetriever(fake_index).search("交通信号灯", k=10)
    assert hits and {h.via for h in hits} <= {"dense", "bm25", "both"} <= set(VIAS)
    assert {"header", "context"} <= set(VIAS)  # added by the answerer and by a conversation


def test_a_filtered_dense_search_beside_a_writer_filters_the_unfiltered_results(fake_index, samples, monkeypatch):
    """Chroma's filter can name chunks its graph does not hold yet while another process writes; the search then
    filters unfiltered results instead of failing."""
    from replyqa.filters import Filters
    from replyqa.vectors import VectorsBehind

    ingest(fake_index, [samples], progress=False)
    retriever = HybridRetriever(fake_index)
    wanted = next(r for r in fake_index.replies() if r.source.endswith(".txt"))
    filters = Filters(reply_ids=(wanted.reply_id,))
    expected = retriever.dense("交通信号灯", 5, filters)
    real = fake_index.vectors.query

    def lagging(vector, k, where=None, admitted=None):
        if where:
            raise VectorsBehind("Error finding id")
        return real(vector, k)

    monkeypatch.setattr(fake_index.vectors, "query", lagging)
    found = retriever.dense("交通信号灯", 5, filters)
    assert found and all(fake_index.chunk(cid).reply_id == wanted.reply_id for cid, _ in found)
    assert [cid for cid, _ in found] == [cid for cid, _ in expected][: len(found)]
