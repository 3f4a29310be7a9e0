"""The catalog: replies and chunks in SQLite, the index's source of truth.

Chroma and BM25 are derived from it. The files table remembers the (size, mtime_ns)
of each ingested file, keyed by its reply's source, so a re-ingest can skip files that
have not changed without reading them; a signature only counts while a reply with that
source is stored, and deleting a reply drops it. A reply's rows are written in one
transaction only after its vectors are stored, so a crash leaves at worst
vectors without a catalog row, which the next ingest removes as orphans.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from pathlib import Path
from typing import Iterable, Iterator

from .records import Chunk, Reply, ReplyMeta, Section

SCHEMA = """
CREATE TABLE IF NOT EXISTS replies (
    reply_id TEXT PRIMARY KEY, source TEXT NOT NULL, title TEXT NOT NULL,
    meta TEXT NOT NULL, text TEXT NOT NULL, sections TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS replies_source ON replies(source);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, reply_id TEXT NOT NULL REFERENCES replies(reply_id),
    ord INTEGER NOT NULL, section TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_reply ON chunks(reply_id);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (source TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL);
"""


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
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def reply_ids(self) -> set[str]:
        return {r for (r,) in self.db.execute("SELECT reply_id FROM replies")}

    def reply_ids_for_source(self, source: str) -> list[str]:
        return [r for (r,) in self.db.execute("SELECT reply_id FROM replies WHERE source=?", (source,))]

    def has_reply(self, reply_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM replies WHERE reply_id=?", (reply_id,)).fetchone() is not None

    def put(self, reply: Reply, chunks: Iterable[Chunk], replaces: Iterable[str] = ()) -> None:
        """Store a reply and its chunks, dropping the replies it replaces, in one transaction."""
        with self.db:
            for old in replaces:
                self._delete(old)
            self.db.execute("INSERT OR REPLACE INTO replies VALUES (?,?,?,?,?,?)", (
                reply.reply_id, reply.source, reply.title, json.dumps(asdict(reply.meta), ensure_ascii=False),
                reply.text, json.dumps([[list(s.path), s.start, s.end] for s in reply.sections], ensure_ascii=False)))
            self.db.executemany("INSERT OR REPLACE INTO chunks VALUES (?,?,?,?,?,?)", [
                (c.chunk_id, c.reply_id, i, json.dumps(list(c.section), ensure_ascii=False), c.start, c.end)
                for i, c in enumerate(chunks)])

    def _delete(self, reply_id: str) -> None:
        # the file signature goes with the reply: a stale one must never hide the file from the next ingest
        self.db.execute("DELETE FROM files WHERE source IN (SELECT source FROM replies WHERE reply_id=?)", (reply_id,))
        self.db.execute("DELETE FROM chunks WHERE reply_id=?", (reply_id,))
        self.db.execute("DELETE FROM replies WHERE reply_id=?", (reply_id,))

    def delete(self, reply_id: str) -> None:
        with self.db:
            self._delete(reply_id)

    def reply(self, reply_id: str) -> Reply | None:
        row = self.db.execute("SELECT reply_id, source, title, meta, text, sections FROM replies WHERE reply_id=?",
                              (reply_id,)).fetchone()
        return self._reply_from_row(row) if row else None

    @staticmethod
    def _reply_from_row(row) -> Reply:
        rid, source, title, meta, text, sections = row
        secs = tuple(Section(rid, tuple(p), s, e) for p, s, e in json.loads(sections))
        return Reply(reply_id=rid, title=title, meta=_meta_from_json(meta), text=text, source=source, sections=secs)

    def replies(self) -> Iterator[Reply]:
        for row in self.db.execute("SELECT reply_id, source, title, meta, text, sections FROM replies ORDER BY source"):
            yield self._reply_from_row(row)

    def chunks_of(self, reply: Reply) -> list[Chunk]:
        rows = self.db.execute('SELECT chunk_id, section, start, "end" FROM chunks WHERE reply_id=? ORDER BY ord',
                               (reply.reply_id,))
        return [Chunk(cid, reply.reply_id, tuple(json.loads(sec)), reply.text[s:e], s, e) for cid, sec, s, e in rows]

    def chunk_ids(self) -> set[str]:
        return {c for (c,) in self.db.execute("SELECT chunk_id FROM chunks")}

    def chunk_rows(self) -> list[tuple[str, str, int, int]]:
        """(chunk_id, reply_id, start, end) for every chunk, in a stable order."""
        return self.db.execute('SELECT chunk_id, reply_id, start, "end" FROM chunks ORDER BY reply_id, ord').fetchall()

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

    def get_state(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM state WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_state(self, key: str, value: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO state VALUES (?,?)", (key, value))
