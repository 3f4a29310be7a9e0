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
