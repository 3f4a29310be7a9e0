"""The embedder protocol: every embedder offers all of it, so callers never probe with getattr."""
from __future__ import annotations

import numpy as np
import pytest

from replyqa.embed import Embedder, HashEmbedder, OnnxEmbedder, SentenceTransformerEmbedder

METHODS = [name for name, value in vars(Embedder).items() if callable(value) and not name.startswith("_")]


def test_the_protocol_names_what_the_answerer_and_the_evaluation_call():
    assert {"embed_passages", "embed_passages_fast", "embed_queries", "clear_query_cache"} <= set(METHODS)


@pytest.mark.parametrize("cls", [HashEmbedder, SentenceTransformerEmbedder, OnnxEmbedder])
def test_every_embedder_implements_the_whole_protocol(cls):
    missing = [m for m in METHODS if not callable(getattr(cls, m, None))]
    assert not missing, (cls.__name__, missing)


def test_the_fake_embedder_gives_normalised_rows_from_every_method():
    e = HashEmbedder(dim=32)
    texts = ["每年不少于60学分", "停车泊位"]
    for rows in (e.embed_passages(texts), e.embed_passages_fast(texts), e.embed_queries(texts)):
        assert rows.shape == (2, 32) and rows.dtype == np.float32
        assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(e.embed_passages_fast(texts), e.embed_passages(texts))
    e.clear_query_cache()  # nothing cached, nothing to fail
