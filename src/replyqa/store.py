"""The index: a catalog (SQLite), vectors (Chroma) and BM25, kept in agreement.

Layout of an index folder::

    manifest.json   model, dimension, chunker settings, counts
    catalog.sqlite  replies and chunks: the source of truth
    chroma/         embedded Chroma (unless a Chroma server is configured)
    bm25/           bm25s files plus ids.json

Chroma never embeds anything itself: every vector comes from our embedder.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from .bm25 import BM25Index
from .catalog import Catalog
from .template import TEMPLATE_PARTS
from .chunk import CHUNKER_VERSION, chunk_reply
from .errors import IndexMismatchError
from .filters import Filters, reply_date
from .records import Chunk, Reply
from .settings import Settings

log = logging.getLogger(__name__)

COLLECTION = "replyqa_chunks"
FORMAT_VERSION = 1
EMBED_TEXT_VERSION = 2  # bump when embed_text changes: stored vectors would no longer match
FLUSH_CHUNKS = 256


@dataclass
class IngestReport:
    """What an ingest did, for the summary line and the JSON output."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_reused: int = 0
    seconds: float = 0.0
    parse_seconds: float = 0.0  # reading and parsing files
    embed_seconds: float = 0.0  # the model alone

    @property
    def store_seconds(self) -> float:
        """Everything else: chunking, hashing, Chroma, catalog and BM25 writes."""
        return max(0.0, self.seconds - self.parse_seconds - self.embed_seconds)


def embed_text(reply: Reply, chunk: Chunk) -> str:
    """What gets embedded: the chunk with its identity (title, office, heading).

    Contact blocks and boilerplate look alike across replies; the context keeps
    them attached to their own reply. Only ``chunk.text`` is ever quoted.
    Template part names ("header", "contact", ...) are labels, not words of
    the reply, so only real headings join the context.
    """
    headings = [p for p in chunk.section if p not in TEMPLATE_PARTS]
    head = " ".join(p for p in (reply.title, reply.meta.office, *headings) if p)
    return f"{head}\n{chunk.text}" if head else chunk.text


def chunk_metadata(reply: Reply, chunk: Chunk, text_hash: str) -> dict:
    """Flat metadata for Chroma filters; dates are integers because ranges are numeric only."""
    m = reply.meta
    date = reply_date(m)
    return {
        "reply_id": reply.reply_id, "start": chunk.start, "end": chunk.end, "text_hash": text_hash,
        "date": date, "year": date // 10000, "body": m.body, "level": m.level, "office": m.office,
        "session": "-".join(map(str, m.session)), "proposal_number": m.proposal_number,
        "reply_class": m.reply_class,
    }


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class Index:
    """One index folder (and optionally a Chroma server) opened for reading and writing."""

    def __init__(self, folder: str | Path, embedder, settings: Settings | None = None):
        self.folder = Path(folder)
        self.embedder = embedder
        self.settings = settings or Settings.from_env()
        self.folder.mkdir(parents=True, exist_ok=True)
        self._check_manifest()
        self.catalog = Catalog(self.folder / "catalog.sqlite")

    # -- manifest -----------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.folder / "manifest.json"

    def _expected(self) -> dict:
        return {"format": FORMAT_VERSION, "model": self.embedder.name, "chunker_version": CHUNKER_VERSION,
                "embed_text_version": EMBED_TEXT_VERSION, "chunk_chars": self.settings.chunk_chars}

    def manifest(self) -> dict:
        return json.loads(self.manifest_path.read_text()) if self.manifest_path.exists() else {}

    def _check_manifest(self) -> None:
        found = self.manifest()
        for key, want in self._expected().items():
            if found and found.get(key) != want:
                raise IndexMismatchError(
                    f"the index in {self.folder} was built with {key}={found.get(key)!r}, but the settings give "
                    f"{want!r}. Rebuild it (`replyqa ingest --rebuild PATH...`) or point REPLYQA_INDEX elsewhere.")

    def _write_manifest(self) -> None:
        data = {**self._expected(), "dim": self.embedder.dim, "counts": self.catalog.counts(),
                "updated": time.strftime("%Y-%m-%dT%H:%M:%S")}
        tmp = self.manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False))
        tmp.replace(self.manifest_path)

    # -- stores -------------------------------------------------------------
    @cached_property
    def chroma(self):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.settings.chroma_url:
            from urllib.parse import urlparse

            url = urlparse(self.settings.chroma_url if "//" in self.settings.chroma_url
                           else "http://" + self.settings.chroma_url)
            client = chromadb.HttpClient(host=url.hostname, port=url.port or 8000, ssl=url.scheme == "https",
                                         settings=chroma_settings)
        else:
            client = chromadb.PersistentClient(path=str(self.folder / "chroma"), settings=chroma_settings)
        return client.get_or_create_collection(COLLECTION, metadata={"hnsw:space": "cosine"},
                                               embedding_function=None)

    @cached_property
    def bm25(self) -> BM25Index:
        folder = self.folder / "bm25"
        return BM25Index.load(folder) if (folder / "ids.json").exists() else BM25Index.build([], [])

    @cached_property
    def _chunk_table(self) -> dict[str, tuple[str, int, int]]:
        return {cid: (rid, s, e) for cid, rid, s, e in self.catalog.chunk_rows()}

    @cached_property
    def _replies(self) -> dict[str, Reply]:
        return {r.reply_id: r for r in self.catalog.replies()}

    @cached_property
    def _bm25_reply_positions(self) -> tuple[list[str], np.ndarray]:
        """Reply ids, and for each BM25 row the position of its reply: masks are built per reply."""
        reply_ids = sorted(self._replies)
        where = {rid: i for i, rid in enumerate(reply_ids)}
        rows = np.array([where[self._chunk_table[cid][0]] for cid in self.bm25.ids], dtype=np.int64)
        return reply_ids, rows

    def bm25_mask(self, filters: Filters) -> np.ndarray:
        """1.0 for BM25 rows whose reply passes the filters, else 0.0."""
        reply_ids, rows = self._bm25_reply_positions
        ok = np.array([filters.matches(r, self._replies[r].meta) for r in reply_ids], dtype=np.float32)
        return ok[rows] if len(rows) else np.zeros(0, np.float32)

    def _invalidate(self) -> None:
        for name in ("bm25", "_chunk_table", "_replies", "_bm25_reply_positions"):
            self.__dict__.pop(name, None)

    # -- reading ------------------------------------------------------------
    def reply(self, reply_id: str) -> Reply | None:
        return self._replies.get(reply_id)

    def replies(self) -> list[Reply]:
        return list(self._replies.values())

    def chunk(self, chunk_id: str) -> Chunk | None:
        row = self._chunk_table.get(chunk_id)
        if row is None:
            return None
        rid, start, end = row
        reply = self._replies[rid]
        section = next((s.path for s in reply.sections if s.start <= start < s.end), ())
        return Chunk(chunk_id, rid, section, reply.text[start:end], start, end)

    def chunks_of(self, reply_id: str) -> list[Chunk]:
        reply = self.reply(reply_id)
        return self.catalog.chunks_of(reply) if reply else []

    def __len__(self) -> int:
        return len(self._chunk_table)

    # -- writing ------------------------------------------------------------
    @contextmanager
    def _write_lock(self):
        with open(self.folder / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def add(self, replies: Iterable[Reply], report: IngestReport | None = None,
            on_chunks: Callable[[int], None] | None = None) -> IngestReport:
        """Store replies: unchanged ones are skipped, a changed file replaces its old reply."""
        report = report or IngestReport()
        started = time.perf_counter()
        with self._write_lock():
            self._reconcile(report)
            pending: list[tuple[Reply, list[Chunk], list[str]]] = []
            batch: set[str] = set()  # two identical files in one run would put the same chunk ids twice
            for reply in replies:
                if reply.reply_id in batch or self.catalog.has_reply(reply.reply_id):
                    report.unchanged.append(reply.source)
                    continue
                batch.add(reply.reply_id)
                old = [r for r in self.catalog.reply_ids_for_source(reply.source) if r != reply.reply_id]
                (report.updated if old else report.added).append(reply.source)
                pending.append((reply, list(chunk_reply(reply, self.settings.chunk_chars)), old))
                if sum(len(c) for _, c, _ in pending) >= FLUSH_CHUNKS:
                    self._flush(pending, report, on_chunks)
                    pending = []
            self._flush(pending, report, on_chunks)
            self._finish()
        report.seconds += time.perf_counter() - started
        return report

    def _flush(self, pending, report: IngestReport, on_chunks) -> None:
        """Embed and store a batch: vectors first, then the catalog rows that make them live."""
        if not pending:
            return
        items = [(reply, c) for reply, chunks, _ in pending for c in chunks]
        vectors, metadatas = self._embed_items(items, report)  # before the deletes: old vectors may be reused
        for reply, _, old in pending:
            for rid in old:
                self.chroma.delete(where={"reply_id": rid})
        self._chroma_put(items, vectors, metadatas)
        for reply, chunks, old in pending:
            self.catalog.put(reply, chunks, replaces=old)
        if on_chunks:
            on_chunks(len(items))

    def _vectors_for(self, texts: Sequence[str], hashes: Sequence[str], report: IngestReport) -> np.ndarray:
        """Vectors for texts, reusing any stored vector of identical embedded text."""
        known: dict[str, list[float]] = {}
        for i in range(0, len(hashes), 500):
            got = self.chroma.get(where={"text_hash": {"$in": list(set(hashes[i:i + 500]))}},
                                  include=["embeddings", "metadatas"])
            for meta, emb in zip(got["metadatas"], got["embeddings"]):
                known[meta["text_hash"]] = emb
        todo = [i for i, h in enumerate(hashes) if h not in known]
        out = np.zeros((len(texts), self.embedder.dim), np.float32)
        if todo:
            started = time.perf_counter()
            out[todo] = self.embedder.embed_passages([texts[i] for i in todo])
            report.embed_seconds += time.perf_counter() - started
        for i, h in enumerate(hashes):
            if h in known:
                out[i] = known[h]
        report.chunks_embedded += len(todo)
        report.chunks_reused += len(texts) - len(todo)
        return out

    def _embed_items(self, items: Sequence[tuple[Reply, Chunk]], report: IngestReport) -> tuple[np.ndarray, list[dict]]:
        """Vectors and Chroma metadata for (reply, chunk) pairs, keyed by the hash of the embedded text."""
        texts = [embed_text(r, c) for r, c in items]
        hashes = [_hash(self.embedder.name + "\0" + t) for t in texts]
        metadatas = [chunk_metadata(r, c, h) for (r, c), h in zip(items, hashes)]
        return self._vectors_for(texts, hashes, report), metadatas

    def _chroma_put(self, items: Sequence[tuple[Reply, Chunk]], vectors: np.ndarray, metadatas: list[dict]) -> None:
        step = 4000  # under Chroma's maximum batch size
        for i in range(0, len(items), step):
            batch = items[i:i + step]
            self.chroma.upsert(ids=[c.chunk_id for _, c in batch], embeddings=vectors[i:i + step],
                               metadatas=metadatas[i:i + step], documents=[c.text for _, c in batch])

    def _reconcile(self, report: IngestReport) -> None:
        """Bring Chroma back in line with the catalog after an interrupted write."""
        stored = set(self.chroma.get(include=[])["ids"])
        wanted = self.catalog.chunk_ids()
        orphans = stored - wanted
        if orphans:
            log.warning("removing %d vectors left by an interrupted ingest", len(orphans))
            orphan_list = list(orphans)
            for i in range(0, len(orphan_list), 4000):
                self.chroma.delete(ids=orphan_list[i:i + 4000])
        missing = wanted - stored
        if missing:
            log.warning("re-embedding %d chunks missing from the vector store", len(missing))
            items = []
            for reply in self.catalog.replies():
                items += [(reply, c) for c in self.catalog.chunks_of(reply) if c.chunk_id in missing]
            self._chroma_put(items, *self._embed_items(items, report))

    def _finish(self) -> None:
        """Rebuild BM25 if the catalog moved on, and write the manifest."""
        rows = self.catalog.chunk_rows()
        ids = [cid for cid, _, _, _ in rows]
        if ids != self.bm25.ids:
            replies = {r.reply_id: r for r in self.catalog.replies()}
            texts = [replies[rid].text[s:e] for _, rid, s, e in rows]
            BM25Index.build(ids, texts).save(self.folder / "bm25")
        self._invalidate()
        self._write_manifest()

    def remove(self, reply_id: str) -> bool:
        """Delete a reply everywhere; False if it was not in the index."""
        return self.remove_many([reply_id]) == 1

    def remove_many(self, reply_ids: Iterable[str]) -> int:
        """Delete replies everywhere, rebuilding BM25 once; returns how many were there."""
        removed = 0
        with self._write_lock():
            for reply_id in reply_ids:
                if self.catalog.has_reply(reply_id):
                    self.chroma.delete(where={"reply_id": reply_id})
                    self.catalog.delete(reply_id)
                    removed += 1
            if removed:
                self._finish()
        return removed

    def check(self) -> dict:
        """Agreement between the three stores: counts, orphans and gaps."""
        stored = set(self.chroma.get(include=[])["ids"])
        wanted = self.catalog.chunk_ids()
        return {"catalog": len(wanted), "chroma": len(stored), "bm25": len(self.bm25.ids),
                "orphans": len(stored - wanted), "missing": len(wanted - stored),
                "bm25_agrees": set(self.bm25.ids) == wanted}


def open_index(settings: Settings, embedder=None, folder: str | None = None) -> Index:
    """Open the index the settings name, loading the embedder they name."""
    from .embed import load_embedder

    return Index(folder or settings.index, embedder or load_embedder(settings), settings)
