"""The catalog: replies and chunks round-trip, tokens follow their chunks, and the query-time views read little."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from replyqa.catalog import Catalog, ChunkTable, ReplyCache, ReplyInfo
from replyqa.chunk import chunk_reply
from replyqa.parse import parse_reply
from tests.conftest import SAMPLES


def _replies(n: int = 3):
    files = sorted(SAMPLES.glob("*.txt"))[:n]
    return [parse_reply(f.read_text(encoding="utf-8"), str(f)) for f in files]


@pytest.fixture
def catalog(tmp_path) -> Catalog:
    cat = Catalog(tmp_path / "catalog.sqlite")
    for reply in _replies():
        cat.put(reply, chunk_reply(reply))
    return cat


def test_replies_and_chunks_round_trip(catalog):
    for reply in _replies():
        assert catalog.reply(reply.reply_id) == reply
        chunks = catalog.chunks_of(reply)
        assert chunks == list(chunk_reply(reply))
        assert all(reply.text[c.start:c.end] == c.text for c in chunks)
    assert catalog.reply("missing") is None


def test_reply_infos_are_the_replies_without_their_text_in_the_same_order(catalog):
    full = list(catalog.replies())
    assert catalog.reply_infos() == [ReplyInfo(r.reply_id, r.title, r.source, r.meta) for r in full]
    assert [r.source for r in full] == sorted(r.source for r in full)


def test_reply_rows_read_many_replies_at_once(catalog, monkeypatch):
    import replyqa.catalog as catalog_module

    ids = sorted(catalog.reply_ids())
    monkeypatch.setattr(catalog_module, "READ_BATCH", 2)  # three ids: two queries
    rows = catalog.reply_rows(ids + ["missing"])
    assert sorted(row[0] for row in rows) == ids
    assert all(catalog_module.reply_from_row(row) == catalog.reply(row[0]) for row in rows)


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_a_new_catalog_has_no_state_table_and_an_old_one_keeps_its_own(tmp_path):
    Catalog(tmp_path / "new.sqlite").close()
    assert "state" not in _tables(tmp_path / "new.sqlite") and "chunk_tokens" in _tables(tmp_path / "new.sqlite")
    with sqlite3.connect(tmp_path / "old.sqlite") as db:
        db.execute("CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO state VALUES ('k', 'v')")
    Catalog(tmp_path / "old.sqlite").close()
    assert {"state", "chunk_tokens", "replies"} <= _tables(tmp_path / "old.sqlite")


def test_tokens_are_stored_per_chunk_in_bm25_order_and_go_with_their_reply(catalog):
    order = catalog.chunk_ids_in_order()
    assert [cid for cid, *_ in catalog.untokenised()] == order  # nothing tokenised yet, grouped by reply
    catalog.put_tokens([(cid, [cid[:4], "词"]) for cid in order[:5]] + [("not-a-chunk", ["x"])])
    ids, tokens = catalog.tokens()
    assert ids == order and tokens[:5] == [[cid[:4], "词"] for cid in order[:5]]
    assert tokens[5:] == [None] * (len(ids) - 5)
    assert catalog.tokens(skip={order[0]})[1][0] is None
    assert len(catalog.untokenised()) == len(order) - 5
    assert catalog.db.execute("SELECT COUNT(*) FROM chunk_tokens WHERE chunk_id='not-a-chunk'").fetchone()[0] == 0

    first_reply = catalog.location(order[0])[0]
    catalog.delete(first_reply)
    assert all(catalog.location(cid) is None or catalog.location(cid)[0] != first_reply for cid in order)
    stored = {cid for (cid,) in catalog.db.execute("SELECT chunk_id FROM chunk_tokens")}
    assert stored <= catalog.chunk_ids()  # the deleted reply's tokens went with it
    catalog.clear_tokens()
    assert catalog.tokens()[1] == [None] * len(catalog.chunk_ids())


def test_the_chunk_table_locates_each_bm25_row_without_holding_text(catalog):
    order = catalog.chunk_ids_in_order() + ["gone"]  # a row whose chunk the catalog no longer holds
    table = ChunkTable({cid: i for i, cid in enumerate(order)}, catalog.locations())
    for reply in _replies():
        for c in catalog.chunks_of(reply):
            assert table.get(c.chunk_id) == (c.reply_id, c.section, c.start, c.end)
            assert catalog.location(c.chunk_id) == (c.reply_id, c.section, c.start, c.end)
    assert table.get("gone") is None and table.get("never") is None
    assert table.reply[-1] == -1 and len(table.reply_ids) == 3


def test_the_reply_cache_is_bounded_and_does_not_remember_a_miss(catalog):
    replies = _replies(4)
    cache = ReplyCache(catalog, size=2)
    a, b, c = (r.reply_id for r in replies[:3])
    assert cache.get(a) == replies[0] and cache.get(a) is cache.get(a)
    assert cache.text(b) == replies[1].text
    cache.get(a)  # a is now the most recent: c pushes b out
    cache.get(c)
    assert list(cache._entries) == [a, c]
    new = replies[3]
    assert cache.get(new.reply_id) is None
    catalog.put(new, chunk_reply(new))
    assert cache.get(new.reply_id) == new
    cache.clear()
    cache.load([a, b, "missing"])
    assert set(cache._entries) == {a, b}


def _scanned(reply):
    """``reply`` as if read by OCR: two lines on one page, with the page image."""
    from dataclasses import replace

    from replyqa.records import Scan, ScanLine, ScanPage

    lines = (ScanLine(0, 0, 5, (10, 10, 200, 10, 200, 40, 10, 40), 0.98),
             ScanLine(0, 6, 12, (10, 50, 220, 52, 219, 82, 9, 80), 0.87))
    return replace(reply, scan=Scan(confidence=0.93, pages=(ScanPage(1, 1000, 1414, b"\xff\xd8jpeg"),), lines=lines))


def test_a_scan_round_trips_and_goes_with_its_reply(tmp_path):
    cat = Catalog(tmp_path / "catalog.sqlite")
    reply = _scanned(_replies(1)[0])
    cat.put(reply, chunk_reply(reply))
    scan = cat.scan(reply.reply_id)
    assert scan == reply.scan and scan.pages[0].image == b"\xff\xd8jpeg"
    assert cat.scan(reply.reply_id, images=False).pages[0].image == b""
    assert cat.scan_confidences() == {reply.reply_id: 0.93}
    assert cat.reply(reply.reply_id).scan is None  # answering reads the reply without its scan
    cat.delete(reply.reply_id)
    assert cat.scan(reply.reply_id) is None and cat.scan_confidences() == {}
    assert cat.db.execute("SELECT COUNT(*) FROM scan_pages").fetchone() == (0,)
