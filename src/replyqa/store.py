"""The index: a catalog (SQLite), vectors (Chroma) and BM25, kept in agreement.

Layout of an index folder::

    manifest.json   model, dimension, chunker settings, counts (manifest.py)
    catalog.sqlite  replies, chunks, their BM25 tokens and the gazetteer: the source of truth (catalog.py)
    chroma/         embedded Chroma, unless a Chroma server is configured (vectors.py)
    bm25/           term counts, vocabulary and ids (bm25.py)
    .writing        present while a write is under way, or after one was cut off

``Index`` coordinates them. It owns the write path, whose order is what makes a
crash safe: vectors first, then the catalog rows that make them live, then BM25
and the manifest. A write leaves a marker file until it is whole; the next write
that finds it removes vectors without a catalog row and embeds catalog chunks
without a vector (listing every id of both stores, which a clean write skips).
For queries it holds BM25, arrays locating each BM25 row's chunk, compact reply
metadata and a bounded cache of recently read replies, never the text of the
whole archive.

Another process (``replyqa ingest`` or ``remove``) may write the same folder. The
manifest is the last file a write replaces, so a new manifest (another inode or
mtime) means a whole write is done: :meth:`Index.refresh` notices it with one
``stat`` and drops everything held in memory, Chroma's view included. Until then
a reader keeps the last complete state, and a chunk is only ever shown through a
catalog row, which a write commits with its whole reply in one transaction.

The module runs past 400 lines because ``Index`` is both sides of the one idea, keeping
the stores in agreement: the write path that orders them and the read path's caches,
which ``refresh`` must drop exactly when another process's write is whole.
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from .bm25 import TOKENIZER_VERSION, BM25Index, OldFormat, tokenize
from .catalog import Catalog, ChunkTable, ReplyCache, ReplyInfo
from .chunk import CHUNKER_VERSION, chunk_reply
from .filters import FilterColumns, reply_date
from .gazetteer import GAZETTEER_VERSION, Gazetteer, reply_names
from .ledger import fill_ledger
from .manifest import FORMAT_VERSION, Manifest
from .template import TEMPLATE_PARTS
from .records import Chunk, Reply, ReplyMeta, Scan
from .embed import load_embedder
from .settings import Settings
from .vectors import VectorStore

log = logging.getLogger(__name__)

EMBED_TEXT_VERSION = 2  # bump when embed_text changes: stored vectors would no longer match
WRITING = ".writing"  # present from a write's first change until its manifest is written: a crash leaves it
FLUSH_CHUNKS = 256  # hand-set: chunks embedded and committed together; a crash loses at most one batch's work
TOKEN_BATCH = 2000  # hand-set: tokens committed together when a write tokenises many chunks (a migration)
# hand-set: a search reads the replies of its ~60 candidates, about 40 at the 10k-chunk bench index;
# 1024 replies (a few MB of text) hold those of the last 25 or so questions
REPLY_CACHE_SIZE = 1024


@dataclass
class IngestReport:
    """What an ingest did, for the summary line and the JSON output."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    scanned: list[tuple[str, float]] = field(default_factory=list)  # (source, OCR confidence) of each scan read
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


class SparseView:
    """One BM25 index with the arrays aligned with its rows, built from the catalog on first use.

    Loaded together and replaced together, so a mask or a chunk location always
    refers to the BM25 rows it is used with, even while a write replaces the index.
    """

    def __init__(self, bm25: BM25Index, catalog: Catalog, meta_of: Callable[[str], ReplyMeta | None]):
        self.bm25, self._catalog, self._meta_of = bm25, catalog, meta_of

    @cached_property
    def table(self) -> ChunkTable:
        """Where each row's chunk lies."""
        return ChunkTable(self.bm25.position, self._catalog.locations())

    @cached_property
    def columns(self) -> FilterColumns:
        """Each row's filterable fields, for ``Filters.mask``."""
        table = self.table
        return FilterColumns([(rid, self._meta_of(rid)) for rid in table.reply_ids], table.reply)


class Index:
    """One index folder (and optionally a Chroma server) opened for reading and writing."""

    def __init__(self, folder: str | Path, embedder, settings: Settings | None = None):
        self.folder = Path(folder)
        self.embedder = embedder
        self.settings = settings or Settings.from_env()
        self.folder.mkdir(parents=True, exist_ok=True)
        self._manifest = Manifest(self.folder)
        self._manifest.check(self._expected())
        self.catalog = Catalog(self.folder / "catalog.sqlite")
        self.vectors = VectorStore(self.folder / "chroma", self.settings.chroma_url)
        self._reply_cache = ReplyCache(self.catalog, REPLY_CACHE_SIZE)
        self._stamp_lock = threading.Lock()
        self._seen = self._manifest_stamp()

    # -- manifest -----------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self._manifest.path

    def _expected(self) -> dict:
        return {"format": FORMAT_VERSION, "model": self.embedder.name, "chunker_version": CHUNKER_VERSION,
                "embed_text_version": EMBED_TEXT_VERSION, "chunk_chars": self.settings.chunk_chars}

    def manifest(self) -> dict:
        return self._manifest.read()

    def _write_manifest(self) -> None:
        # marks_writes: written by a version that leaves WRITING during a write (so its absence means a clean one)
        self._manifest.write({**self._expected(), "dim": self.embedder.dim, "counts": self.catalog.counts(),
                              "tokenizer_version": TOKENIZER_VERSION, "gazetteer_version": GAZETTEER_VERSION,
                              "marks_writes": True})

    # -- stores -------------------------------------------------------------
    @property
    def chroma(self):
        """The Chroma collection itself, for inspection; the index goes through ``vectors``."""
        return self.vectors.collection

    @cached_property
    def sparse(self) -> SparseView:
        """BM25 as last written, with its row-aligned arrays."""
        folder = self.folder / "bm25"
        try:
            bm25 = BM25Index.load(folder) if (folder / "ids.json").exists() else BM25Index.build([], [])
        except OldFormat:  # written by an earlier version: counted again from the stored tokens (the next write saves it)
            log.info("BM25 of an earlier format in %s: indexing the stored tokens again", folder)
            ids, tokens = self.catalog.tokens()
            bm25 = BM25Index.from_tokens(ids, [t if t is not None else tokenize(self.chunk(c).text)
                                               for c, t in zip(ids, tokens)])
        return SparseView(bm25, self.catalog, self._meta_of)

    @property
    def bm25(self) -> BM25Index:
        return self.sparse.bm25

    @cached_property
    def gazetteer(self) -> Gazetteer:
        """The names of the stored replies, as last written."""
        return Gazetteer(self.catalog.names())

    @cached_property
    def _infos(self) -> dict[str, ReplyInfo]:
        return {info.reply_id: info for info in self.catalog.reply_infos()}

    def reply_meta(self, reply_id: str) -> ReplyMeta | None:
        """A stored reply's metadata (from memory, without its text); None if it is not stored."""
        return self._meta_of(reply_id)

    def _meta_of(self, reply_id: str) -> ReplyMeta | None:
        info = self._infos.get(reply_id)
        return info.meta if info else None

    @cached_property
    def _count(self) -> int:
        return self.catalog.counts()["chunks"]

    def _manifest_stamp(self) -> tuple[int, int, int] | None:
        """What tells a write finished: the manifest's inode, mtime and size (it is replaced, never edited)."""
        try:
            st = os.stat(self._manifest.path)
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def refresh(self) -> bool:
        """Drop what is held in memory if another process finished a write since; True if it did.

        One ``stat`` when nothing changed, so it is cheap enough to call before every question.
        """
        with self._stamp_lock:
            stamp = self._manifest_stamp()
            if stamp == self._seen:
                return False
            self._seen = stamp
            self._invalidate()
            self.vectors.reopen()
        log.info("the index was written by another process: reloaded")
        return True

    def _invalidate(self) -> None:
        for name in ("sparse", "_infos", "_count", "gazetteer"):
            self.__dict__.pop(name, None)
        self._reply_cache.clear()

    # -- reading ------------------------------------------------------------
    def reply(self, reply_id: str) -> Reply | None:
        """One reply with its text, from a bounded cache of recent ones."""
        return self._reply_cache.get(reply_id)

    def scan(self, reply_id: str) -> Scan | None:
        """What OCR read of a scanned reply, page images included; None for one read from text."""
        return self.catalog.scan(reply_id)

    def replies(self) -> list[Reply]:
        """Every reply with its text, read afresh; a caller needing only metadata should use ``reply_infos``."""
        return list(self.catalog.replies())

    def reply_infos(self) -> list[ReplyInfo]:
        """Every reply's id, title, source and metadata, without text, in the order of ``replies``."""
        return list(self._infos.values())

    def chunk(self, chunk_id: str) -> Chunk | None:
        """A chunk with its text, sliced from its reply."""
        where = self.sparse.table.get(chunk_id) or self.catalog.location(chunk_id)
        if where is None:
            return None
        rid, section, start, end = where
        text = self._reply_cache.text(rid)
        return Chunk(chunk_id, rid, section, text[start:end], start, end) if text is not None else None

    def prefetch(self, chunk_ids: Iterable[str]) -> None:
        """Read the replies of these chunks in one query, ahead of a ``chunk`` call for each."""
        table = self.sparse.table
        self._reply_cache.load(where[0] for cid in chunk_ids if (where := table.get(cid)))

    def chunks_of(self, reply_id: str) -> list[Chunk]:
        reply = self.reply(reply_id)
        return self.catalog.chunks_of(reply) if reply else []

    def __len__(self) -> int:
        return self._count

    # -- writing ------------------------------------------------------------
    @contextmanager
    def _write_lock(self, report: IngestReport | None = None):
        """Hold the folder's write lock over stores that agree: an earlier write that was cut off is repaired first.

        The marker is made before any store changes and removed once the manifest is written, so a
        write killed anywhere between leaves it. An index whose manifest predates the marker counts as
        possibly cut off once. An exception inside leaves the marker too: stores may disagree. A repair
        that re-embeds counts in ``report``.
        """
        marker = self.folder / WRITING
        with open(self.folder / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                self.refresh()  # write on top of what another process wrote, never on a stale view of it
                written = self.manifest()
                cut_off = marker.exists() or written and not written.get("marks_writes")
                marker.touch()
                if cut_off:
                    self._reconcile(report or IngestReport())
                yield
                marker.unlink()
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def add(self, replies: Iterable[Reply], report: IngestReport | None = None,
            on_chunks: Callable[[int], None] | None = None) -> IngestReport:
        """Store replies: unchanged ones are skipped, a changed file replaces its old reply."""
        report = report or IngestReport()
        started = time.perf_counter()
        with self._write_lock(report):
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
                self.vectors.delete_reply(rid)
        self._put_vectors(items, vectors, metadatas)
        for reply, chunks, old in pending:
            self.catalog.put(reply, chunks, replaces=old, names=reply_names(reply.title, reply.meta))
        if on_chunks:
            on_chunks(len(items))

    def _vectors_for(self, texts: Sequence[str], hashes: Sequence[str], report: IngestReport) -> np.ndarray:
        """Vectors for texts, reusing any stored vector of identical embedded text."""
        known = self.vectors.by_text_hash(hashes)
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

    def _put_vectors(self, items: Sequence[tuple[Reply, Chunk]], vectors: np.ndarray, metadatas: list[dict]) -> None:
        self.vectors.upsert([c.chunk_id for _, c in items], vectors, metadatas, [c.text for _, c in items])

    def _reconcile(self, report: IngestReport) -> None:
        """Bring Chroma back in line with the catalog after an interrupted write."""
        stored = self.vectors.ids()
        wanted = self.catalog.chunk_ids()
        orphans = stored - wanted
        if orphans:
            log.warning("removing %d vectors left by an interrupted ingest", len(orphans))
            self.vectors.delete_ids(orphans)
        missing = wanted - stored
        if missing:
            log.warning("re-embedding %d chunks missing from the vector store", len(missing))
            items = []
            for reply in self.catalog.replies():
                items += [(reply, c) for c in self.catalog.chunks_of(reply) if c.chunk_id in missing]
            self._put_vectors(items, *self._embed_items(items, report))

    def _finish(self) -> None:
        """Bring BM25 up to the catalog, tokenising only chunks never tokenised, and write the manifest.

        An index whose tokens were made by another tokenizer version (or never stored,
        as by the version before tokens were kept) is tokenised afresh once, here; so are
        the gazetteer names of replies listed by another version or before it existed.
        """
        self._name_missing()
        fill_ledger(self.catalog)  # commitments of new replies (all of them after an extractor change)
        fresh_tokens = self.manifest().get("tokenizer_version") == TOKENIZER_VERSION
        order = self.catalog.chunk_ids_in_order()
        if not fresh_tokens or order != self.bm25.ids:
            if not fresh_tokens:
                self.catalog.clear_tokens()
            made = self._tokenise_missing()
            known = self.bm25.position
            if fresh_tokens and all(c in known or c in made for c in order):
                # rows of removed chunks dropped, new chunks' rows added: nothing else is counted again
                self.bm25.updated(order, made).save(self.folder / "bm25")
            else:
                ids, tokens = self.catalog.tokens(skip=made)
                BM25Index.from_tokens(ids, [made[c] if t is None else t for c, t in zip(ids, tokens)]).save(
                    self.folder / "bm25")
        with self._stamp_lock:  # our own write: nothing to reopen, only our caches to drop
            self._invalidate()
            self._write_manifest()
            self._seen = self._manifest_stamp()

    def _name_missing(self) -> None:
        """Store the gazetteer names of every reply without them (all of them after a gazetteer change)."""
        written = self.manifest()
        if written and written.get("gazetteer_version") != GAZETTEER_VERSION:
            self.catalog.clear_names()
        self.catalog.put_names((info.reply_id, reply_names(info.title, info.meta)) for info in self.catalog.unnamed())

    def _tokenise_missing(self) -> dict[str, list[str]]:
        """Tokenise and store every chunk without stored tokens; returns what it made, by chunk id."""
        made: dict[str, list[str]] = {}
        batch: list[tuple[str, list[str]]] = []
        text_of, text = None, ""
        for cid, rid, start, end in self.catalog.untokenised():
            if rid != text_of:
                text_of, text = rid, self.catalog.reply_text(rid) or ""
            made[cid] = tokenize(text[start:end])
            batch.append((cid, made[cid]))
            if len(batch) >= TOKEN_BATCH:
                self.catalog.put_tokens(batch)
                batch = []
        self.catalog.put_tokens(batch)
        return made

    def remove(self, reply_id: str) -> bool:
        """Delete a reply everywhere; False if it was not in the index."""
        return self.remove_many([reply_id]) == 1

    def remove_many(self, reply_ids: Iterable[str]) -> int:
        """Delete replies everywhere, re-indexing BM25 once; returns how many were there."""
        removed = 0
        with self._write_lock():
            for reply_id in reply_ids:
                if self.catalog.has_reply(reply_id):
                    self.vectors.delete_reply(reply_id)
                    self.catalog.delete(reply_id)
                    removed += 1
            if removed:
                self._finish()
        return removed

    def check(self) -> dict:
        """Agreement between the three stores: counts, orphans and gaps."""
        stored = self.vectors.ids()
        wanted = self.catalog.chunk_ids()
        return {"catalog": len(wanted), "chroma": len(stored), "bm25": len(self.bm25.ids),
                "orphans": len(stored - wanted), "missing": len(wanted - stored),
                "bm25_agrees": set(self.bm25.ids) == wanted}


def open_index(settings: Settings, embedder=None, folder: str | None = None) -> Index:
    """Open the index the settings name, loading the embedder they name."""
    return Index(folder or settings.index, embedder or load_embedder(settings), settings)
