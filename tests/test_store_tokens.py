"""The index keeps each chunk's BM25 tokens: updates tokenise only new chunks and score as a full rebuild."""
from __future__ import annotations

import sqlite3

import pytest

from replyqa.ingest import ingest
from replyqa.store import Index
from tests.test_store import QUERIES, _files


def _full_rebuild(index: Index):
    """BM25 as the index had it before tokens were kept: every chunk's text tokenised afresh."""
    from replyqa.bm25 import BM25Index

    ids = index.catalog.chunk_ids_in_order()
    return BM25Index.build(ids, [index.chunk(cid).text for cid in ids])


def _same_bm25(index: Index) -> bool:
    import numpy as np

    from replyqa.bm25 import tokenize

    rebuilt, kept = _full_rebuild(index), index.bm25
    if rebuilt.ids != kept.ids or set(rebuilt.vocabulary) != set(kept.vocabulary):
        return False
    for q in QUERIES:
        tokens = [t for t in tokenize(q) if t in kept.vocabulary]
        if tokens and not np.array_equal(rebuilt.scores(tokens), kept.scores(tokens)):
            return False
        if rebuilt.search(q, 20) != kept.search(q, 20):
            return False
    return True


def _count_tokenised(monkeypatch) -> list[str]:
    import replyqa.store as store_module

    seen: list[str] = []
    real = store_module.tokenize
    monkeypatch.setattr(store_module, "tokenize", lambda text: (seen.append(text), real(text))[1])
    return seen


def test_adding_and_removing_a_reply_tokenises_only_its_chunks_and_scores_as_a_full_rebuild(
        fake_index, samples, tmp_path, monkeypatch):
    ingest(fake_index, [_files(samples, tmp_path, n=4)], progress=False)
    assert _same_bm25(fake_index)
    extra = sorted(samples.glob("*.txt"))[5]
    seen = _count_tokenised(monkeypatch)
    ingest(fake_index, [extra], progress=False)
    (new_id,) = fake_index.catalog.reply_ids_for_source(str(extra))
    assert sorted(seen) == sorted(c.text for c in fake_index.chunks_of(new_id))
    assert _same_bm25(fake_index) and fake_index.check()["bm25_agrees"]
    seen.clear()
    assert fake_index.remove(new_id)
    assert seen == [] and _same_bm25(fake_index) and fake_index.check()["bm25_agrees"]


def _as_old_format(folder) -> None:
    """Make an index look as the version before stored tokens left it: no tokens, no tokenizer in the manifest."""
    import json

    with sqlite3.connect(folder / "catalog.sqlite") as db:
        db.execute("DROP TABLE chunk_tokens")
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["tokenizer_version"]
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_an_index_without_stored_tokens_answers_the_same_and_is_migrated_by_its_next_write(
        fake_embedder, settings, samples, tmp_path, monkeypatch):
    from replyqa.retrieve import HybridRetriever

    folder = tmp_path / "index"
    index = Index(folder, fake_embedder, settings)
    ingest(index, [_files(samples, tmp_path, n=4)], progress=False)
    before = {q: HybridRetriever(index).search(q, k=8) for q in QUERIES}
    index.catalog.close()
    _as_old_format(folder)

    old = Index(folder, fake_embedder, settings)
    assert {q: HybridRetriever(old).search(q, k=8) for q in QUERIES} == before  # reading needs no tokens
    seen = _count_tokenised(monkeypatch)
    extra = sorted(samples.glob("*.txt"))[5]
    ingest(old, [extra], progress=False)
    assert len(seen) == len(old)  # every chunk tokenised once, the new reply's included
    assert old.catalog.untokenised() == [] and old.manifest()["tokenizer_version"] >= 1
    assert _same_bm25(old)
    (new_id,) = old.catalog.reply_ids_for_source(str(extra))
    seen.clear()
    assert old.remove(new_id) and seen == []
    assert {q: HybridRetriever(old).search(q, k=8) for q in QUERIES} == before


def test_a_new_tokenizer_version_tokenises_the_archive_again(fake_index, samples, tmp_path, monkeypatch):
    import replyqa.store as store_module

    ingest(fake_index, [_files(samples, tmp_path, n=2)], progress=False)
    seen = _count_tokenised(monkeypatch)
    ingest(fake_index, [tmp_path / "in"], progress=False)  # nothing changed: nothing tokenised
    assert seen == []
    monkeypatch.setattr(store_module, "TOKENIZER_VERSION", store_module.TOKENIZER_VERSION + 1)
    ingest(fake_index, [tmp_path / "in"], progress=False)
    assert len(seen) == len(fake_index) and fake_index.manifest()["tokenizer_version"] == store_module.TOKENIZER_VERSION


def test_a_write_cut_short_before_bm25_is_completed_by_the_next(fake_embedder, settings, samples, tmp_path,
                                                                 monkeypatch):
    folder = _files(samples, tmp_path, n=3)
    index = Index(tmp_path / "index", fake_embedder, settings)

    def crash():
        raise KeyboardInterrupt

    monkeypatch.setattr(index, "_finish", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest(index, [folder], progress=False)
    assert index.catalog.untokenised() and not index.check()["bm25_agrees"]
    index = Index(tmp_path / "index", fake_embedder, settings)
    ingest(index, [folder], progress=False)
    check = index.check()
    assert check["bm25_agrees"] and check["orphans"] == 0 and check["missing"] == 0
    assert index.catalog.untokenised() == [] and _same_bm25(index)


def test_an_index_whose_bm25_bm25s_wrote_answers_the_same_and_its_next_write_saves_the_new_format(
        fake_embedder, settings, samples, tmp_path):
    import shutil

    bm25s = pytest.importorskip("bm25s")
    from replyqa.retrieve import HybridRetriever

    folder = tmp_path / "index"
    index = Index(folder, fake_embedder, settings)
    ingest(index, [_files(samples, tmp_path, n=4)], progress=False)
    before = {q: HybridRetriever(index).search(q, k=8) for q in QUERIES}
    ids, tokens = index.catalog.tokens()
    index.catalog.close()
    shutil.rmtree(folder / "bm25")
    old = bm25s.BM25()  # the folder as the version before this format wrote it
    old.index([t or ["<empty>"] for t in tokens], show_progress=False)
    old.save(str(folder / "bm25"), show_progress=False)
    (folder / "bm25" / "ids.json").write_text(__import__("json").dumps(ids))

    reopened = Index(folder, fake_embedder, settings)
    assert {q: HybridRetriever(reopened).search(q, k=8) for q in QUERIES} == before
    ingest(reopened, [sorted(samples.glob("*.txt"))[5]], progress=False)
    assert (folder / "bm25" / "postings.npz").is_file() and _same_bm25(reopened)
