"""The Chroma adapter: server URLs, batched writes and reads, and vectors only ever from our embedder."""
from __future__ import annotations

import numpy as np
import pytest

import replyqa.vectors as vectors_module
from replyqa.vectors import VectorStore, server_address


@pytest.mark.parametrize("url, expected", [
    ("localhost:9000", ("localhost", 9000, False)),
    ("http://10.0.0.5", ("10.0.0.5", 8000, False)),
    ("https://chroma.example.org:8443/", ("chroma.example.org", 8443, True)),
    ("https://chroma.example.org", ("chroma.example.org", 8000, True)),
])
def test_server_address(url, expected):
    assert server_address(url) == expected


def _unit(rng, n, dim=16) -> np.ndarray:
    v = rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture
def store(tmp_path):
    return VectorStore(tmp_path / "chroma")


def test_upsert_query_and_delete_in_batches(store, monkeypatch):
    monkeypatch.setattr(vectors_module, "WRITE_BATCH", 3)
    monkeypatch.setattr(vectors_module, "HASH_BATCH", 2)
    rng = np.random.default_rng(0)
    vecs = _unit(rng, 8)
    ids = [f"c{i}" for i in range(8)]
    metas = [{"reply_id": f"r{i % 2}", "text_hash": f"h{i}", "date": 20210000 + i} for i in range(8)]
    store.upsert(ids, vecs, metas, [f"text {i}" for i in range(8)])
    assert store.ids() == set(ids)

    got = store.query(vecs[5], k=3)
    assert got[0][0] == "c5" and got[0][1] == pytest.approx(1.0, abs=1e-5)  # a similarity, not a distance
    assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
    assert {cid for cid, _ in store.query(vecs[5], k=8, where={"reply_id": "r0"})} == {"c0", "c2", "c4", "c6"}

    known = store.by_text_hash(["h1", "h4", "h6", "nope"])
    assert sorted(known) == ["h1", "h4", "h6"] and np.allclose(known["h4"], vecs[4], atol=1e-6)

    store.delete_reply("r1")
    assert store.ids() == {"c0", "c2", "c4", "c6"}
    store.delete_ids(["c0", "c2", "c4"])
    assert store.ids() == {"c6"}


def test_the_collection_never_embeds_text_itself(store):
    # Chroma would otherwise download and run its own model for documents without vectors
    assert store.collection._embedding_function is None
    with pytest.raises(Exception):
        store.collection.add(ids=["x"], documents=["没有向量的文本"])
    assert store.ids() == set()


# -- exact search -------------------------------------------------------------------------------
def _brute_force(collection, vector, k, admits=lambda meta: True) -> list[tuple[str, float]]:
    """The reference ranking: float64 cosine over every stored vector, equal scores by chunk id."""
    got = collection.get(include=["embeddings", "metadatas"])
    q = np.asarray(vector, np.float64) / np.linalg.norm(vector)
    scored = []
    for cid, emb, meta in zip(got["ids"], got["embeddings"], got["metadatas"]):
        if admits(meta):
            v = np.asarray(emb, np.float64)
            scored.append((cid, float(v @ q / np.linalg.norm(v))))
    return sorted(scored, key=lambda s: (-s[1], s[0]))[:k]


def _same_ranking(got, expected):
    assert [cid for cid, _ in got] == [cid for cid, _ in expected]
    assert [s for _, s in got] == pytest.approx([s for _, s in expected], abs=1e-5)


@pytest.fixture
def sample_fake_index(fake_index, samples):
    from replyqa.ingest import ingest

    ingest(fake_index, [samples], progress=False)
    return fake_index


def test_dense_top_k_is_the_brute_force_cosine_ranking(sample_fake_index):
    from replyqa.filters import Filters
    from replyqa.retrieve import HybridRetriever

    index = sample_fake_index
    assert len(index) <= vectors_module.EXACT_MAX
    metas = index.vectors.collection.get(include=["metadatas"])["metadatas"]
    years = [m["year"] for m in metas if m["year"]]
    year = max(set(years), key=years.count)
    some = tuple(sorted({m["reply_id"] for m in metas}))[::3]
    body = next(m["body"] for m in metas if m["reply_id"] == some[0])
    cases = [
        (None, lambda m: True),
        (Filters(year_from=year, year_to=year), lambda m: m["year"] == year),
        (Filters(reply_ids=some), lambda m: m["reply_id"] in some),
        (Filters(body=body, reply_ids=some), lambda m: m["body"] == body and m["reply_id"] in some),
    ]
    retriever = HybridRetriever(index)
    for question in ("交通信号灯", "停车难问题", "学校 建设 资金"):
        vec = index.embedder.embed_queries([question])[0]
        for filters, admits in cases:
            expected = _brute_force(index.vectors.collection, vec, 10, admits)
            assert expected, "each filter admits some chunks of the samples"
            _same_ranking(retriever.dense(question, 10, filters), expected)


def test_equal_vectors_are_ranked_by_chunk_id_whatever_the_insertion_order(tmp_path):
    rng = np.random.default_rng(1)
    vecs = _unit(rng, 12)
    vecs[[3, 7, 9]] = vecs[5]  # four chunks with one vector: a tie HNSW would order by its graph
    ids = [f"c{i:02d}" for i in range(12)]
    metas = [{"reply_id": f"r{i % 3}", "text_hash": f"h{i}"} for i in range(12)]
    rankings = []
    for n, order in enumerate((list(range(12)), list(rng.permutation(12)))):
        store = VectorStore(tmp_path / f"build{n}")
        store.upsert([ids[i] for i in order], vecs[order], [metas[i] for i in order], ["t"] * 12)
        rankings.append(store.query(vecs[5], k=12))
        assert VectorStore(tmp_path / f"build{n}").query(vecs[5], k=12) == rankings[-1]  # reopened
    assert rankings[0] == rankings[1]
    assert [cid for cid, _ in rankings[0][:4]] == ["c03", "c05", "c07", "c09"]


def test_writes_refresh_the_exact_matrix(store):
    rng = np.random.default_rng(2)
    vecs = _unit(rng, 4)
    store.upsert(["a", "b"], vecs[:2], [{"reply_id": "r"}] * 2, ["t"] * 2)
    assert store.query(vecs[2], k=5) and "c" not in dict(store.query(vecs[2], k=5))
    store.upsert(["c"], vecs[2:3], [{"reply_id": "s"}], ["t"])
    assert store.query(vecs[2], k=1)[0][0] == "c"
    store.delete_reply("s")
    assert "c" not in dict(store.query(vecs[2], k=5))
    store.delete_ids(["a"])
    assert [cid for cid, _ in store.query(vecs[0], k=5)] == ["b"]


def _filled(store, seed: int, n: int, replies: int):
    """``n`` random unit vectors stored as chunks ``c00``… of ``replies`` replies over three years."""
    vecs = _unit(np.random.default_rng(seed), n)
    ids = [f"c{i:02d}" for i in range(n)]
    metas = [{"reply_id": f"r{i % replies}", "year": 2020 + i % 3} for i in range(n)]
    store.upsert(ids, vecs, metas, ["t"] * n)
    return vecs, ids, metas


def test_over_the_bound_chroma_hnsw_answers_with_the_same_filters(store, monkeypatch):
    vecs, ids, _ = _filled(store, seed=3, n=30, replies=5)
    where = {"$and": [{"year": {"$gte": 2021}}, {"reply_id": {"$in": ["r1", "r2", "r4"]}}]}
    exact = store.query(vecs[7], k=30, where=where)
    monkeypatch.setattr(vectors_module, "EXACT_MAX", 10)
    store._changed()
    assert store._exact is None
    approx = store.query(vecs[7], k=30, where=where)
    # 30 vectors sit in Chroma's brute-force buffer, so here even HNSW's answer is exact
    _same_ranking(approx, exact)
    assert {cid for cid, _ in exact} == {ids[i] for i in range(30) if i % 3 and i % 5 in (1, 2, 4)}


def test_over_the_bound_a_short_admitted_list_is_searched_exactly_by_id(store, monkeypatch):
    """A filter admitting few chunks skips Chroma's filtered search (which scans every row's metadata first)."""
    vecs, ids, metas = _filled(store, seed=4, n=40, replies=8)
    where = {"reply_id": {"$in": ["r1", "r6"]}}
    admitted = [cid for cid, m in zip(ids, metas) if m["reply_id"] in ("r1", "r6")]
    exact = store.query(vecs[9], k=5, where=where)
    monkeypatch.setattr(vectors_module, "EXACT_MAX", 10)
    store._changed()
    searched = []
    real_query = store.collection.query
    monkeypatch.setattr(store.collection, "query", lambda **kw: searched.append(kw) or real_query(**kw))
    assert store.query(vecs[9], k=5, where=where, admitted=admitted + ["not-stored-yet"]) == exact
    assert not searched
    monkeypatch.setattr(vectors_module, "FETCH_MAX", 3)  # a long list goes to Chroma's filtered search
    _same_ranking(store.query(vecs[9], k=5, where=where, admitted=admitted), exact)
    assert searched and searched[0]["where"] == where
