"""The catalog: replies and chunks in SQLite, the index's source of truth.

Chroma and BM25 are derived from it. The files table remembers the (size, mtime_ns)
of each ingested file, keyed by its reply's source, so a re-ingest can skip files that
have not changed without reading them; a signature only counts while a reply with that
source is stored, and deleting a reply drops it. A reply's rows are written in one
transaction only after its vectors are stored, so a crash leaves at worst
vectors without a catalog row, which the next ingest removes as orphans.

The names table is the archive gazetteer (gazetteer.py): each reply's identifying names in
every spelling, written with the reply and deleted with it. The named table lists the replies
whose names are stored, so a reply with none is not listed again, and a catalog written before
the gazetteer existed gets its names from the next write.

The scans and scan_pages tables hold what OCR read of a scanned reply: the mean confidence, each
line's offsets and box, and the page images its source card shows. They are written and deleted with
the reply; answering never reads them, only showing a quote on its page does.

The chunk_tokens table keeps each chunk's BM25 tokens, so a write re-indexes the
archive without tokenising it again. A chunk without a row (a catalog written before
the table, or a write cut short before its tokens were made) is tokenised by the next
write. The query side reads replies one at a time (``reply``) and compact metadata
(``reply_infos``), never every reply's text at once.

The module runs past 400 lines because every table a reply owns (chunks, tokens, names, scans,
commitments) is written and deleted here, in the one transaction that keeps the catalog whole.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Container, Iterable, Iterator, Sequence

import numpy as np

from .gazetteer import Name
from .records import Chunk, Reply, ReplyMeta, Scan, ScanLine, ScanPage, Section

SCHEMA = """
CREATE TABLE IF NOT EXISTS replies (
    reply_id TEXT PRIMARY KEY, source TEXT NOT NULL, title TEXT NOT NULL,
    meta TEXT NOT NULL, text TEXT NOT NULL, sections TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS replies_source ON replies(source);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, reply_id TEXT NOT NULL REFERENCES replies(reply_id),
    ord INTEGER NOT NULL, section TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_reply ON chunks(reply_id);
CREATE TABLE IF NOT EXISTS files (source TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS chunk_tokens (chunk_id TEXT PRIMARY KEY, tokens TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS names (
    reply_id TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, form TEXT NOT NULL, script TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS names_reply ON names(reply_id);
CREATE TABLE IF NOT EXISTS named (reply_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS scans (reply_id TEXT PRIMARY KEY, confidence REAL NOT NULL, lines TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scan_pages (
    reply_id TEXT NOT NULL, ord INTEGER NOT NULL, number INTEGER NOT NULL, width INTEGER NOT NULL,
    height INTEGER NOT NULL, image BLOB NOT NULL, PRIMARY KEY (reply_id, ord));
CREATE TABLE IF NOT EXISTS commitments (reply_id TEXT PRIMARY KEY, version INTEGER NOT NULL, items TEXT NOT NULL);
"""

# Chunk ids with no tokens stored, with where their text lies.
_UNTOKENISED = """SELECT c.chunk_id, c.reply_id, c.start, c."end" FROM chunks c
    WHERE NOT EXISTS (SELECT 1 FROM chunk_tokens t WHERE t.chunk_id = c.chunk_id) ORDER BY c.reply_id, c.ord"""


@dataclass(frozen=True)
class ReplyInfo:
    """A reply without its text or sections: what listing, labelling and filtering need."""

    reply_id: str
    title: str
    source: str
    meta: ReplyMeta


_REPLY_COLUMNS = "reply_id, source, title, meta, text, sections"
ReplyRow = tuple[str, str, str, str, str, str]  # a replies row as stored, in _REPLY_COLUMNS order
READ_BATCH = 500  # hand-set: ids per `IN (...)` query, well under SQLite's limit on bound parameters
# Reads map the file rather than copying pages: a search reads some 40 replies scattered over the file.
# On the 10k-chunk bench catalog that cut the reads of one search from about 0.5 to 0.25 ms.
MMAP_BYTES = 256 * 2**20


def reply_from_row(row: ReplyRow) -> Reply:
    """A Reply from its stored row."""
    rid, source, title, meta, text, sections = row
    secs = tuple(Section(rid, tuple(p), s, e) for p, s, e in json.loads(sections))
    return Reply(reply_id=rid, title=title, meta=_meta_from_json(meta), text=text, source=source, sections=secs)


def _meta_from_json(raw: str) -> ReplyMeta:
    data = json.loads(raw)
    data["session"] = tuple(data.get("session", ()))
    data["addressees"] = tuple(data.get("addressees", ()))
    known = ReplyMeta.__dataclass_fields__
    return ReplyMeta(**{k: v for k, v in data.items() if k in known})


class Catalog:
    """Replies and their chunks, keyed by id; chunk text is sliced from the reply."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def reply_ids(self) -> set[str]:
        return {r for (r,) in self.db.execute("SELECT reply_id FROM replies")}

    def reply_ids_for_source(self, source: str) -> list[str]:
        return [r for (r,) in self.db.execute("SELECT reply_id FROM replies WHERE source=?", (source,))]

    def has_reply(self, reply_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM replies WHERE reply_id=?", (reply_id,)).fetchone() is not None

    def put(self, reply: Reply, chunks: Iterable[Chunk], replaces: Iterable[str] = (),
            names: Iterable[Name] | None = None) -> None:
        """Store a reply, its chunks and (if given) its gazetteer names, dropping the replies it replaces, in one
        transaction."""
        with self.db:
            for old in replaces:
                self._delete(old)
            self.db.execute("INSERT OR REPLACE INTO replies VALUES (?,?,?,?,?,?)", (
                reply.reply_id, reply.source, reply.title, json.dumps(asdict(reply.meta), ensure_ascii=False),
                reply.text, json.dumps([[list(s.path), s.start, s.end] for s in reply.sections], ensure_ascii=False)))
            self.db.executemany("INSERT OR REPLACE INTO chunks VALUES (?,?,?,?,?,?)", [
                (c.chunk_id, c.reply_id, i, json.dumps(list(c.section), ensure_ascii=False), c.start, c.end)
                for i, c in enumerate(chunks)])
            if names is not None:
                self._put_names(reply.reply_id, names)
            if reply.scan is not None:
                self._put_scan(reply.reply_id, reply.scan)

    def _put_scan(self, reply_id: str, scan: Scan) -> None:
        lines = [[ln.page, ln.start, ln.end, list(ln.box), ln.score] for ln in scan.lines]
        self.db.execute("INSERT OR REPLACE INTO scans VALUES (?,?,?)", (reply_id, scan.confidence, json.dumps(lines)))
        self.db.execute("DELETE FROM scan_pages WHERE reply_id=?", (reply_id,))
        self.db.executemany("INSERT INTO scan_pages VALUES (?,?,?,?,?,?)", [
            (reply_id, i, p.number, p.width, p.height, p.image) for i, p in enumerate(scan.pages)])

    def scan(self, reply_id: str, images: bool = True) -> Scan | None:
        """What OCR read of a reply (None for one read from a text layer); page images unless told not to."""
        row = self.db.execute("SELECT confidence, lines FROM scans WHERE reply_id=?", (reply_id,)).fetchone()
        if row is None:
            return None
        columns = "number, width, height, image" if images else "number, width, height, x''"
        pages = self.db.execute(f"SELECT {columns} FROM scan_pages WHERE reply_id=? ORDER BY ord", (reply_id,))
        lines = tuple(ScanLine(page, start, end, tuple(box), score) for page, start, end, box, score in json.loads(row[1]))
        return Scan(confidence=row[0], pages=tuple(ScanPage(n, w, h, bytes(img)) for n, w, h, img in pages), lines=lines)

    def scan_confidences(self) -> dict[str, float]:
        """The OCR confidence of every scanned reply, by reply id."""
        return dict(self.db.execute("SELECT reply_id, confidence FROM scans"))

    def _delete(self, reply_id: str) -> None:
        # the file signature goes with the reply: a stale one must never hide the file from the next ingest
        self.db.execute("DELETE FROM files WHERE source IN (SELECT source FROM replies WHERE reply_id=?)", (reply_id,))
        self.db.execute("DELETE FROM chunk_tokens WHERE chunk_id IN (SELECT chunk_id FROM chunks WHERE reply_id=?)",
                        (reply_id,))
        self.db.execute("DELETE FROM chunks WHERE reply_id=?", (reply_id,))
        self.db.execute("DELETE FROM names WHERE reply_id=?", (reply_id,))
        self.db.execute("DELETE FROM named WHERE reply_id=?", (reply_id,))
        self.db.execute("DELETE FROM scans WHERE reply_id=?", (reply_id,))
        self.db.execute("DELETE FROM scan_pages WHERE reply_id=?", (reply_id,))
        self.db.execute("DELETE FROM commitments WHERE reply_id=?", (reply_id,))
        self.db.execute("DELETE FROM replies WHERE reply_id=?", (reply_id,))

    def delete(self, reply_id: str) -> None:
        with self.db:
            self._delete(reply_id)

    def reply(self, reply_id: str) -> Reply | None:
        row = self.db.execute(f"SELECT {_REPLY_COLUMNS} FROM replies WHERE reply_id=?", (reply_id,)).fetchone()
        return reply_from_row(row) if row else None

    def reply_rows(self, reply_ids: Sequence[str]) -> list[ReplyRow]:
        """The stored rows of some replies, unparsed, in one query per READ_BATCH ids; missing ones are left out."""
        out: list[ReplyRow] = []
        for i in range(0, len(reply_ids), READ_BATCH):
            part = reply_ids[i:i + READ_BATCH]
            out += self.db.execute(f"SELECT {_REPLY_COLUMNS} FROM replies WHERE reply_id IN "
                                   f"({','.join('?' * len(part))})", part).fetchall()
        return out

    def replies(self) -> Iterator[Reply]:
        for row in self.db.execute(f"SELECT {_REPLY_COLUMNS} FROM replies ORDER BY source"):
            yield reply_from_row(row)

    def reply_infos(self) -> list[ReplyInfo]:
        """Every reply's id, title, source and metadata, in the order of ``replies``; no text is read."""
        rows = self.db.execute("SELECT reply_id, title, source, meta FROM replies ORDER BY source").fetchall()
        return [ReplyInfo(rid, title, source, _meta_from_json(meta)) for rid, title, source, meta in rows]

    def reply_text(self, reply_id: str) -> str | None:
        row = self.db.execute("SELECT text FROM replies WHERE reply_id=?", (reply_id,)).fetchone()
        return row[0] if row else None

    def chunks_of(self, reply: Reply) -> list[Chunk]:
        rows = self.db.execute('SELECT chunk_id, section, start, "end" FROM chunks WHERE reply_id=? ORDER BY ord',
                               (reply.reply_id,))
        return [Chunk(cid, reply.reply_id, tuple(json.loads(sec)), reply.text[s:e], s, e) for cid, sec, s, e in rows]

    def chunk_ids(self) -> set[str]:
        return {c for (c,) in self.db.execute("SELECT chunk_id FROM chunks")}

    def chunk_ids_in_order(self) -> list[str]:
        """Every chunk id in a stable order (by reply, then position): the order of the BM25 rows."""
        return [c for (c,) in self.db.execute("SELECT chunk_id FROM chunks ORDER BY reply_id, ord")]

    def locations(self) -> list[tuple[str, str, str, int, int]]:
        """(chunk_id, reply_id, section JSON, start, end) for every chunk."""
        return self.db.execute('SELECT chunk_id, reply_id, section, start, "end" FROM chunks').fetchall()

    def location(self, chunk_id: str) -> tuple[str, tuple[str, ...], int, int] | None:
        """(reply_id, section, start, end) of one chunk, or None."""
        row = self.db.execute('SELECT reply_id, section, start, "end" FROM chunks WHERE chunk_id=?',
                              (chunk_id,)).fetchone()
        return (row[0], tuple(json.loads(row[1])), row[2], row[3]) if row else None

    # -- BM25 tokens ------------------------------------------------------------------------------------------
    def untokenised(self) -> list[tuple[str, str, int, int]]:
        """(chunk_id, reply_id, start, end) of chunks whose tokens are not stored, grouped by reply."""
        return self.db.execute(_UNTOKENISED).fetchall()

    def put_tokens(self, rows: Iterable[tuple[str, list[str]]]) -> None:
        """Store (chunk_id, tokens) rows in one transaction; tokens of a chunk no longer stored are not kept."""
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO chunk_tokens SELECT ?1, ?2 "
                "WHERE EXISTS (SELECT 1 FROM chunks WHERE chunk_id=?1)",
                [(cid, json.dumps(tokens, ensure_ascii=False)) for cid, tokens in rows])

    def tokens(self, skip: Container[str] = ()) -> tuple[list[str], list[list[str] | None]]:
        """Every chunk id in BM25 order with its stored tokens; None for a chunk in ``skip`` or without tokens."""
        rows = self.db.execute("SELECT c.chunk_id, t.tokens FROM chunks c LEFT JOIN chunk_tokens t "
                               "ON t.chunk_id = c.chunk_id ORDER BY c.reply_id, c.ord").fetchall()
        return ([cid for cid, _ in rows],
                [None if tokens is None or cid in skip else json.loads(tokens) for cid, tokens in rows])

    def clear_tokens(self) -> None:
        """Forget every stored token list (they were made by another tokenizer)."""
        with self.db:
            self.db.execute("DELETE FROM chunk_tokens")

    # -- the gazetteer ----------------------------------------------------------------------------------------
    def _put_names(self, reply_id: str, names: Iterable[Name]) -> None:
        self.db.execute("DELETE FROM names WHERE reply_id=?", (reply_id,))
        self.db.executemany("INSERT INTO names VALUES (?,?,?,?,?)",
                            [(reply_id, n.kind, n.value, n.form, n.script) for n in names])
        self.db.execute("INSERT OR REPLACE INTO named VALUES (?)", (reply_id,))

    def put_names(self, rows: Iterable[tuple[str, Iterable[Name]]]) -> None:
        """Store (reply_id, names) rows in one transaction, replacing the names each reply had."""
        with self.db:
            for reply_id, names in rows:
                self._put_names(reply_id, names)

    def unnamed(self) -> list[ReplyInfo]:
        """The replies whose names are not stored (written before the gazetteer, or by another version of it)."""
        rows = self.db.execute("SELECT reply_id, title, source, meta FROM replies WHERE reply_id NOT IN "
                               "(SELECT reply_id FROM named) ORDER BY source").fetchall()
        return [ReplyInfo(rid, title, source, _meta_from_json(meta)) for rid, title, source, meta in rows]

    def names(self) -> list[tuple[str, str, str, str, str]]:
        """Every stored name as (reply_id, kind, value, form, script)."""
        return self.db.execute("SELECT reply_id, kind, value, form, script FROM names").fetchall()

    def clear_names(self) -> None:
        """Forget every stored name (they were listed by another version of the gazetteer)."""
        with self.db:
            self.db.execute("DELETE FROM names")
            self.db.execute("DELETE FROM named")

    # -- the ledger ------------------------------------------------------------------------------------------
    def put_commitments(self, version: int, rows: Iterable[tuple[str, list[dict]]]) -> None:
        """Store each reply's commitments (as dicts) extracted by ``version``, in one transaction; rows of a
        reply no longer stored are not kept."""
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO commitments SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM replies WHERE reply_id=?1)",
                [(rid, version, json.dumps(items, ensure_ascii=False)) for rid, items in rows])

    def unledgered(self, version: int) -> list[str]:
        """The replies whose commitments were never extracted, or by another version of the extractor."""
        return [r for (r,) in self.db.execute(
            "SELECT reply_id FROM replies WHERE reply_id NOT IN (SELECT reply_id FROM commitments WHERE version=?) "
            "ORDER BY source", (version,))]

    def commitment_rows(self, version: int) -> list[tuple[str, list[dict]]]:
        """(reply_id, commitments as dicts) of every reply extracted by ``version``, in the order of ``replies``."""
        rows = self.db.execute("SELECT c.reply_id, c.items FROM commitments c JOIN replies r ON r.reply_id = c.reply_id "
                               "WHERE c.version=? ORDER BY r.source", (version,)).fetchall()
        return [(rid, json.loads(items)) for rid, items in rows]

    def commitments_of(self, version: int, reply_ids: Iterable[str]) -> dict[str, list[dict]]:
        """The commitments (as dicts) of these replies extracted by ``version``; a reply never extracted is absent."""
        ids = list(dict.fromkeys(reply_ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(f"SELECT reply_id, items FROM commitments WHERE version=? AND reply_id IN ({marks})",
                               (version, *ids)).fetchall()
        return {rid: json.loads(items) for rid, items in rows}

    def counts(self) -> dict[str, int]:
        (n_replies,) = self.db.execute("SELECT COUNT(*) FROM replies").fetchone()
        (n_chunks,) = self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()
        return {"replies": n_replies, "chunks": n_chunks}

    def file_signature(self, source: str) -> tuple[int, int] | None:
        """The (size, mtime_ns) recorded for a file, if a reply from it is still stored."""
        row = self.db.execute("SELECT size, mtime_ns FROM files WHERE source=? AND EXISTS "
                              "(SELECT 1 FROM replies WHERE replies.source=files.source)", (source,)).fetchone()
        return (row[0], row[1]) if row else None

    def record_files(self, rows: Iterable[tuple[str, str, int, int]]) -> None:
        """Record (source, reply_id, size, mtime_ns) signatures in one transaction.

        A row only lands if the catalog holds that reply under that source: a file whose
        text duplicates another file's reply, or whose reply was removed meanwhile, is
        left unrecorded and so read again next time.
        """
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO files (source, size, mtime_ns) SELECT ?1, ?3, ?4 "
                "WHERE EXISTS (SELECT 1 FROM replies WHERE reply_id=?2 AND source=?1)",
                list(rows))



class ReplyCache:
    """The most recently used replies, read from the catalog on a miss; safe across threads.

    Answering reads the same few replies many times (every hit, its chunks, its
    label), so a small cache serves nearly every call without holding the archive.
    Rows are kept as stored and parsed into a Reply only when one is asked for:
    slicing a chunk's text needs none of the metadata. A reply not found is not
    remembered, since it may be stored a moment later.
    """

    def __init__(self, catalog: Catalog, size: int):
        self.catalog, self.size = catalog, size
        self._entries: OrderedDict[str, list] = OrderedDict()  # reply_id -> [row, Reply or None]
        self._lock = threading.Lock()

    def _entry(self, reply_id: str) -> list | None:
        with self._lock:
            entry = self._entries.get(reply_id)
            if entry is not None:
                self._entries.move_to_end(reply_id)
                return entry
        rows = self.catalog.reply_rows([reply_id])
        return self._store(rows)[0] if rows else None

    def _store(self, rows: list[ReplyRow]) -> list[list]:
        entries = [[row, None] for row in rows]
        with self._lock:
            for entry in entries:
                self._entries[entry[0][0]] = entry
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return entries

    def get(self, reply_id: str) -> Reply | None:
        entry = self._entry(reply_id)
        if entry is None:
            return None
        if entry[1] is None:
            entry[1] = reply_from_row(entry[0])  # two threads may both parse it: harmless, the results are equal
        return entry[1]

    def text(self, reply_id: str) -> str | None:
        entry = self._entry(reply_id)
        return entry[0][4] if entry else None

    def load(self, reply_ids: Iterable[str]) -> None:
        """Read the replies not cached yet in one query: cheaper than one query each."""
        with self._lock:
            missing = list(dict.fromkeys(r for r in reply_ids if r not in self._entries))
        if missing:
            self._store(self.catalog.reply_rows(missing[:self.size]))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class ChunkTable:
    """Where the chunk of each BM25 row lies (reply, section, offsets), as arrays; no text is held.

    ``position`` maps chunk id to row (the BM25 index's own map, shared rather than
    copied). A row whose chunk the catalog no longer holds has reply -1.
    """

    def __init__(self, position: dict[str, int], locations: Iterable[tuple[str, str, str, int, int]]):
        self.position = position
        n = len(position)
        self.reply_ids: list[str] = []  # distinct, in order of first appearance
        self.sections: list[tuple[str, ...]] = []
        self.reply = np.full(n, -1, dtype=np.int64)
        self.section = np.zeros(n, dtype=np.int64)
        self.start = np.zeros(n, dtype=np.int64)
        self.end = np.zeros(n, dtype=np.int64)
        reply_at: dict[str, int] = {}
        section_at: dict[str, int] = {}
        for cid, rid, section, start, end in locations:
            i = position.get(cid)
            if i is None:
                continue
            if rid not in reply_at:
                reply_at[rid] = len(self.reply_ids)
                self.reply_ids.append(rid)
            if section not in section_at:
                section_at[section] = len(self.sections)
                self.sections.append(tuple(json.loads(section)))
            self.reply[i], self.section[i] = reply_at[rid], section_at[section]
            self.start[i], self.end[i] = start, end

    def get(self, chunk_id: str) -> tuple[str, tuple[str, ...], int, int] | None:
        """(reply_id, section, start, end) of a chunk in the table, else None."""
        i = self.position.get(chunk_id)
        if i is None or self.reply[i] < 0:
            return None
        return (self.reply_ids[self.reply[i]], self.sections[self.section[i]], int(self.start[i]),
                int(self.end[i]))
