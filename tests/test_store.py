"""The index keeps catalog, Chroma and BM25 in agreement through every write."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3

import pytest

from replyqa.errors import IndexMismatchError
from replyqa.ingest import ingest
from replyqa.parse import parse_reply
from replyqa.settings import Settings
from replyqa.store import WRITING, Index

# Questions whose BM25 results the store tests compare across writes.
QUERIES = ["教师培训学分", "道路硬化", "停车难怎么解决", "交通信号灯", "卫生院"]


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


def test_orphan_vectors_from_an_interrupted_ingest_are_removed(fake_index, samples, tmp_path, monkeypatch):
    # a write cut off between its vectors and the catalog rows that make them live leaves orphan vectors
    ingest(fake_index, [_files(samples, tmp_path, n=1)], progress=False)
    extra = tmp_path / "more"
    extra.mkdir()
    shutil.copy(sorted(samples.glob("*.txt"))[1], extra)
    monkeypatch.setattr(fake_index.catalog, "put", _raise)
    with pytest.raises(RuntimeError):
        fake_index.add([parse_reply(f.read_text(encoding="utf-8"), str(f)) for f in extra.glob("*.txt")])
    monkeypatch.undo()
    assert fake_index.check()["orphans"] > 0 and (fake_index.folder / WRITING).exists()
    ingest(fake_index, [tmp_path / "in"], progress=False)
    check = fake_index.check()
    assert check["orphans"] == 0 and check["missing"] == 0 and not (fake_index.folder / WRITING).exists()


def _raise(*args, **kwargs):
    raise RuntimeError("killed between the vectors and the catalog")


def test_a_clean_write_does_not_list_the_stores_but_an_index_from_before_the_marker_is_checked_once(
        fake_index, samples, tmp_path, monkeypatch):
    ingest(fake_index, [_files(samples, tmp_path, n=2)], progress=False)
    listed = []
    real = fake_index._reconcile
    monkeypatch.setattr(fake_index, "_reconcile", lambda report: (listed.append(1), real(report)))
    victim = sorted(fake_index.catalog.reply_ids())[0]
    assert fake_index.remove(victim)
    ingest(fake_index, [tmp_path / "in"], progress=False)
    assert listed == [] and not (fake_index.folder / WRITING).exists()
    # a manifest written before writes were marked: a crash then would have left no marker
    manifest = fake_index.manifest()
    del manifest["marks_writes"]
    fake_index.manifest_path.write_text(json.dumps(manifest))
    fake_index.refresh()
    assert fake_index.remove(victim) and listed == [1]  # checked once, by whichever write comes first
    ingest(fake_index, [tmp_path / "in"], progress=False)
    assert listed == [1] and fake_index.check()["catalog"] == fake_index.check()["chroma"]


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

    def flaky(path, **options):
        if path == victim:
            raise KeyError("reader bug")
        return real(path, **options)

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


# -- skipping unchanged files by their (size, mtime_ns) signature ---------------------------------------------
def _count_reads(monkeypatch) -> dict[str, int]:
    import replyqa.ingest as ingest_module

    calls = {"read": 0, "parse": 0}
    real_read, real_parse = ingest_module.read_document, ingest_module.parse_reply

    def read(path, **options):
        calls["read"] += 1
        return real_read(path, **options)

    def parse(text, source):
        calls["parse"] += 1
        return real_parse(text, source)

    monkeypatch.setattr(ingest_module, "read_document", read)
    monkeypatch.setattr(ingest_module, "parse_reply", parse)
    return calls


def _bump_mtime(path, seconds=10) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + seconds * 10**9))


def test_noop_reingest_skips_unchanged_files_without_reading_them(fake_index, samples, tmp_path, monkeypatch):
    folder = _files(samples, tmp_path)
    ingest(fake_index, [folder], progress=False)
    before = fake_index.check()
    calls = _count_reads(monkeypatch)
    report = ingest(fake_index, [folder], progress=False)
    assert calls == {"read": 0, "parse": 0}
    assert sorted(report.unchanged) == sorted(str(p) for p in folder.glob("*.txt"))
    assert not report.added and not report.updated and not report.failed and report.chunks_embedded == 0
    assert fake_index.check() == before


def test_a_touched_file_is_read_again_and_a_changed_one_updated(fake_index, samples, tmp_path, monkeypatch):
    folder = _files(samples, tmp_path)
    ingest(fake_index, [folder], progress=False)
    touched, edited = sorted(folder.glob("*.txt"))[:2]
    calls = _count_reads(monkeypatch)

    _bump_mtime(touched)  # same bytes, new mtime: read again, its reply is unchanged
    report = ingest(fake_index, [folder], progress=False)
    assert calls["read"] == 1 and sorted(report.unchanged) == sorted(str(p) for p in folder.glob("*.txt"))

    text = edited.read_text(encoding="utf-8")
    i = next(i for i, ch in enumerate(text) if ch.isdigit())
    edited.write_text(text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1:], encoding="utf-8")  # same size
    _bump_mtime(edited, 20)
    calls.update(read=0, parse=0)
    report = ingest(fake_index, [folder], progress=False)
    assert calls["read"] == 1 and report.updated == [str(edited)] and len(report.unchanged) == 2

    appended = edited.read_text(encoding="utf-8") + "\n补充说明:新增一条测试内容。"  # a new size
    edited.write_text(appended, encoding="utf-8")
    calls.update(read=0, parse=0)
    report = ingest(fake_index, [folder], progress=False)
    assert calls["read"] == 1 and report.updated == [str(edited)]

    calls.update(read=0, parse=0)  # and the new signatures were recorded
    report = ingest(fake_index, [folder], progress=False)
    assert calls["read"] == 0 and len(report.unchanged) == 3
    check = fake_index.check()
    assert check["orphans"] == 0 and check["missing"] == 0 and check["bm25_agrees"]


def test_a_removed_reply_is_added_again_despite_its_old_signature(fake_index, samples, tmp_path):
    folder = _files(samples, tmp_path)
    ingest(fake_index, [folder], progress=False)
    one, *rest = sorted(fake_index.replies(), key=lambda r: r.source)
    assert fake_index.remove(one.reply_id)
    assert fake_index.catalog.file_signature(one.source) is None
    report = ingest(fake_index, [folder], progress=False)
    assert report.added == [one.source] and len(report.unchanged) == 2
    assert fake_index.remove_many(r.reply_id for r in rest) == 2
    report = ingest(fake_index, [folder], progress=False)
    assert sorted(report.added) == sorted(r.source for r in rest) and report.unchanged == [one.source]


def test_a_file_changed_after_it_was_read_is_read_again(fake_index, samples, tmp_path, monkeypatch):
    import replyqa.ingest as ingest_module

    folder = _files(samples, tmp_path, n=1)
    path = next(folder.glob("*.txt"))
    real = ingest_module.read_document

    def read_then_edit(p, **options):
        doc = real(p, **options)
        path.write_text(doc.text + "\n补充说明:读取之后才写入的内容。", encoding="utf-8")  # lands after the read
        return doc

    monkeypatch.setattr(ingest_module, "read_document", read_then_edit)
    assert ingest(fake_index, [folder], progress=False).added == [str(path)]
    monkeypatch.setattr(ingest_module, "read_document", real)
    report = ingest(fake_index, [folder], progress=False)  # the pre-read signature no longer matches
    assert report.updated == [str(path)]


def test_a_file_duplicating_another_reply_is_not_recorded(fake_index, samples, tmp_path):
    folder = _files(samples, tmp_path, n=1)
    original = next(folder.glob("*.txt"))
    copy = folder / ("zz_" + original.name)
    shutil.copy(original, copy)
    report = ingest(fake_index, [folder], progress=False)
    assert report.added == [str(original)] and report.unchanged == [str(copy)]
    assert fake_index.catalog.file_signature(str(original)) is not None
    assert fake_index.catalog.file_signature(str(copy)) is None  # its text is stored under the original's source


def test_a_catalog_without_the_files_table_opens_and_gains_it(fake_embedder, settings, samples, tmp_path,
                                                             monkeypatch):
    folder = _files(samples, tmp_path)
    index = Index(tmp_path / "index", fake_embedder, settings)
    ingest(index, [folder], progress=False)
    index.catalog.close()
    with sqlite3.connect(tmp_path / "index" / "catalog.sqlite") as db:  # as a catalog from before the table
        db.execute("DROP TABLE files")
    index = Index(tmp_path / "index", fake_embedder, settings)
    assert len(index.replies()) == 3
    calls = _count_reads(monkeypatch)
    assert len(ingest(index, [folder], progress=False).unchanged) == 3 and calls["read"] == 3
    calls.update(read=0, parse=0)
    assert len(ingest(index, [folder], progress=False).unchanged) == 3 and calls["read"] == 0


# -- query-time state -----------------------------------------------------------------------------------------
def test_chunks_are_sliced_from_their_reply_and_agree_with_the_chunker(fake_index, samples, tmp_path):
    from replyqa.chunk import chunk_reply

    ingest(fake_index, [_files(samples, tmp_path, n=3)], progress=False)
    for info in fake_index.reply_infos():
        reply = fake_index.reply(info.reply_id)
        assert (info.title, info.source, info.meta) == (reply.title, reply.source, reply.meta)
        expected = list(chunk_reply(reply, fake_index.settings.chunk_chars))
        assert fake_index.chunks_of(reply.reply_id) == expected
        assert [fake_index.chunk(c.chunk_id) for c in expected] == expected
    assert fake_index.chunk("no-such-chunk") is None and len(fake_index) == len(fake_index.catalog.chunk_ids())


def test_query_time_state_holds_a_bounded_number_of_replies(fake_embedder, settings, samples, tmp_path,
                                                            monkeypatch):
    import replyqa.store as store_module
    from replyqa.answer import Answerer, answer_json

    ingest(Index(tmp_path / "index", fake_embedder, settings), [samples], progress=False)
    full = Index(tmp_path / "index", fake_embedder, settings)
    monkeypatch.setattr(store_module, "REPLY_CACHE_SIZE", 2)
    small = Index(tmp_path / "index", fake_embedder, settings)
    for q in QUERIES:
        got, want = (answer_json(i, Answerer(i).ask(q)) for i in (small, full))
        assert {**got, "timings": None} == {**want, "timings": None}
        assert len(small._reply_cache._entries) <= 2
    assert not any(isinstance(v, list) and v and hasattr(v[0], "text") for v in vars(small).values())


def test_a_write_is_seen_by_the_next_read_of_the_same_index(fake_index, samples, tmp_path):
    ingest(fake_index, [_files(samples, tmp_path, n=2)], progress=False)
    victim = sorted(fake_index.catalog.reply_ids())[0]
    assert fake_index.reply(victim) is not None and fake_index.chunks_of(victim)
    chunk_ids = [c.chunk_id for c in fake_index.chunks_of(victim)]
    fake_index.remove(victim)
    assert fake_index.reply(victim) is None and fake_index.chunks_of(victim) == []
    assert all(fake_index.chunk(cid) is None for cid in chunk_ids)
    assert victim not in {i.reply_id for i in fake_index.reply_infos()}


def test_a_filtered_bm25_search_returns_only_chunks_of_admitted_replies(fake_index, samples, tmp_path):
    from replyqa.filters import Filters
    from replyqa.retrieve import HybridRetriever

    ingest(fake_index, [samples], progress=False)
    retriever = HybridRetriever(fake_index)
    everyone = {i.reply_id for i in fake_index.reply_infos()}
    for filters in (Filters(body="人大"), Filters(body="政协"), Filters(year_from=2021, year_to=2021),
                    Filters(level="县")):
        admitted = {i.reply_id for i in fake_index.reply_infos() if filters.matches(i.reply_id, i.meta)}
        assert admitted and admitted != everyone  # each filter keeps some replies and drops others
        for q in QUERIES:
            found = retriever.sparse(q, 50, filters)
            unfiltered = [cid for cid, _ in retriever.sparse(q, 500)]
            expected = [c for c in unfiltered if fake_index.chunk(c).reply_id in admitted][:50]
            assert [cid for cid, _ in found] == expected
