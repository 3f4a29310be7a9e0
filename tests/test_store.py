"""The index keeps catalog, Chroma and BM25 in agreement through every write."""
from __future__ import annotations

import shutil

import pytest

from replyqa.errors import IndexMismatchError
from replyqa.ingest import ingest
from replyqa.settings import Settings
from replyqa.store import Index


def _files(samples, tmp_path, n=3):
    folder = tmp_path / "in"
    folder.mkdir()
    for f in sorted(samples.glob("*.txt"))[:n]:
        shutil.copy(f, folder / f.name)
    return folder


def test_ingest_then_noop_reingest(fake_index, samples, tmp_path):
    folder = _files(samples, tmp_path)
    first = ingest(fake_index, [folder], progress=False)
    assert len(first.added) == 3 and first.chunks_embedded == len(fake_index)
    before = fake_index.check()
    second = ingest(fake_index, [folder], progress=False)
    assert len(second.unchanged) == 3 and not second.added and second.chunks_embedded == 0
    assert fake_index.check() == before
    assert before["orphans"] == 0 and before["missing"] == 0 and before["bm25_agrees"]


def test_changed_file_replaces_its_reply_and_reuses_unchanged_vectors(fake_index, samples, tmp_path):
    folder = _files(samples, tmp_path, n=1)
    ingest(fake_index, [folder], progress=False)
    (old_id,) = fake_index.catalog.reply_ids()
    path = next(folder.glob("*.txt"))
    path.write_text(path.read_text(encoding="utf-8") + "\n补充说明:新增一条测试内容。", encoding="utf-8")
    report = ingest(fake_index, [folder], progress=False)
    assert len(report.updated) == 1
    (new_id,) = fake_index.catalog.reply_ids()
    assert new_id != old_id and not fake_index.chunks_of(old_id)
    assert report.chunks_reused >= 1  # only the changed chunks were embedded again
    check = fake_index.check()
    assert check["orphans"] == 0 and check["missing"] == 0 and check["bm25_agrees"]


def test_remove_deletes_everywhere(fake_index, samples, tmp_path):
    ingest(fake_index, [_files(samples, tmp_path, n=2)], progress=False)
    victim = sorted(fake_index.catalog.reply_ids())[0]
    assert fake_index.remove(victim)
    assert victim not in fake_index.catalog.reply_ids()
    assert not fake_index.chroma.get(where={"reply_id": victim})["ids"]
    assert all(fake_index.chunk(c).reply_id != victim for c in fake_index.bm25.ids)
    assert fake_index.remove(victim) is False


def test_orphan_vectors_from_an_interrupted_ingest_are_removed(fake_index, samples, tmp_path):
    ingest(fake_index, [_files(samples, tmp_path, n=1)], progress=False)
    fake_index.chroma.upsert(ids=["orphan"], embeddings=[[0.1] * 64], metadatas=[{"reply_id": "x", "text_hash": "y"}])
    ingest(fake_index, [tmp_path / "in"], progress=False)
    assert "orphan" not in fake_index.chroma.get(include=[])["ids"]


def test_manifest_mismatch_is_a_clear_error(tmp_path, fake_embedder, samples):
    folder = tmp_path / "idx"
    index = Index(folder, fake_embedder, Settings(index=str(folder), chunk_chars=300))
    ingest(index, [_files(samples, tmp_path, n=1)], progress=False)
    with pytest.raises(IndexMismatchError, match="chunk_chars.*rebuild"):
        Index(folder, fake_embedder, Settings(index=str(folder), chunk_chars=200))


def test_an_unexpected_reader_error_costs_one_file_not_the_ingest(fake_index, samples, tmp_path, monkeypatch):
    import replyqa.ingest as ingest_module

    folder = _files(samples, tmp_path, n=3)
    victim = sorted(folder.glob("*.txt"))[1]
    real = ingest_module.read_document

    def flaky(path):
        if path == victim:
            raise KeyError("reader bug")
        return real(path)

    monkeypatch.setattr(ingest_module, "read_document", flaky)
    report = ingest(fake_index, [folder], progress=False)
    assert len(report.added) == 2
    assert report.failed == [(str(victim), f"{victim}: unexpected error (KeyError: 'reader bug')")]


def test_remove_many_rebuilds_once_and_counts(fake_index, samples, tmp_path, monkeypatch):
    ingest(fake_index, [_files(samples, tmp_path, n=3)], progress=False)
    ids = sorted(fake_index.catalog.reply_ids())
    finishes = []
    real_finish = fake_index._finish
    monkeypatch.setattr(fake_index, "_finish", lambda: (finishes.append(1), real_finish()))
    assert fake_index.remove_many(ids[:2] + ["not-there"]) == 2
    assert finishes == [1]
    assert fake_index.catalog.reply_ids() == {ids[2]}
    check = fake_index.check()
    assert check["orphans"] == 0 and check["bm25_agrees"]
