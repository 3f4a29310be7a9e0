"""Vectors: the Chroma adapter, for embedded Chroma in the index folder or a Chroma server.

Chroma never embeds anything itself (``embedding_function=None``): every vector
comes from our embedder, so the two sides of an index can never use different
models. Reads and writes go in batches under Chroma's limits.

Dense queries are exact while the collection holds at most ``EXACT_MAX`` vectors:
the vectors are read from Chroma once into a matrix (rows in chunk-id order) and
scored against every row, ties broken by chunk id. Chroma's HNSW graph is
approximate and differs between two builds of the same vectors, so its top-k could
move with a rebuild or a reopen; an exact ranking depends on the vectors alone.
A ``where`` filter is still evaluated by Chroma (the ids it admits), so filters
keep Chroma's meaning. Larger collections use HNSW, except for a filter whose admitted
ids the caller already knows and which admits few chunks (``FETCH_MAX``, e.g. the
replies a question names): their vectors are read by id and scored exactly, which
costs a few ms where Chroma's filtered search scans every row's metadata first.

With a Chroma server, every call has a time limit and a server that does not answer
(restarting, stopped) raises :class:`~replyqa.errors.StoreUnavailable` at once, whose
message asks the person to try again; the same collection object works again as soon
as the server is back. Embedded Chroma keeps what it read in memory, so another
process's writes are seen only after :meth:`VectorStore.reopen`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable, Sequence
from urllib.parse import urlparse

import httpx
import numpy as np

from .errors import StoreUnavailable

COLLECTION = "replyqa_chunks"
WRITE_BATCH = 4000  # hand-set: under Chroma's maximum batch size, which its client enforces
HASH_BATCH = 500  # hand-set: keeps each `$in` filter (and the vectors it returns) a modest size
DEFAULT_PORT = 8000  # Chroma's own default for `chroma run`
READ_BATCH = 4000  # hand-set: vectors read per request when the exact matrix is loaded, as WRITE_BATCH
# hand-set: exact search keeps every vector in memory and scores every row. On the 10k-chunk bench
# index (384 dims, 2 busy cores) it costs a 0.3 s CPU load once per process, 15 MB, and ~1 ms per
# query (HNSW: ~1 ms unfiltered, ~14 ms filtered); all grow linearly, so 20k keeps them near 0.6 s,
# 30 MB and 2 ms, and beyond that HNSW's sublinear search is worth its approximation
EXACT_MAX = 20_000
# hand-set: above EXACT_MAX, a filter that admits at most this many chunks is searched exactly over their
# vectors, read by id. Chroma's own filtered search costs ~100 ms at 100k chunks whatever the filter admits
# (the metadata filter runs over every row first), while reading vectors by id cost 0.7 ms for 10 ids and
# 21 ms for 1000 (embedded Chroma 1.5, 100k vectors of 384 dims, 2 cores): 1000 keeps the read under a
# quarter of the filtered search it replaces.
FETCH_MAX = 1000
# hand-set: a refused connection fails at once; these bound a server that accepts but does not answer.
# A write of WRITE_BATCH vectors took under 2 s on the 2-core machine, so 30 s is room, not a guess at speed.
CONNECT_SECONDS = 3.0
REQUEST_SECONDS = 30.0


class VectorsBehind(Exception):
    """A filtered query named chunks Chroma's search graph does not hold yet: a writer is storing them beside
    this reader (Chroma's metadata is committed before the graph it has in memory is reloaded)."""


def server_address(url: str) -> tuple[str, int, bool]:
    """(host, port, ssl) of a Chroma server URL; a bare "host:port" means http."""
    parsed = urlparse(url if "//" in url else "http://" + url)
    return parsed.hostname, parsed.port or DEFAULT_PORT, parsed.scheme == "https"


@dataclass(frozen=True)
class ExactMatrix:
    """Every stored vector, unit length, one row per chunk id in sorted order."""

    ids: list[str]
    vectors: np.ndarray  # (n, dim) float32
    row_of: dict[str, int]

    @classmethod
    def build(cls, ids: Sequence[str], vectors: np.ndarray) -> "ExactMatrix":
        order = sorted(range(len(ids)), key=ids.__getitem__)
        sorted_ids = [ids[i] for i in order]
        mat = np.asarray(vectors, np.float32)[np.array(order, dtype=np.intp)]
        norms = np.linalg.norm(mat, axis=1, keepdims=True)
        mat = mat / np.where(norms > 0, norms, 1.0)  # cosine, as the collection's "hnsw:space" says
        return cls(sorted_ids, np.ascontiguousarray(mat), {cid: i for i, cid in enumerate(sorted_ids)})

    def top(self, vector: np.ndarray, k: int, allowed: Iterable[str] | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk_id, cosine) over all rows or only the ``allowed`` ids; equal scores go by chunk id."""
        norm = float(np.linalg.norm(vector))
        query = np.asarray(vector, np.float32) / (norm if norm > 0 else 1.0)
        if allowed is None:
            rows = np.arange(len(self.ids))
        else:
            rows = np.array(sorted(self.row_of[c] for c in allowed if c in self.row_of), dtype=np.intp)
        if not len(rows):
            return []
        matrix = self.vectors if allowed is None else self.vectors[rows]
        # einsum's own single-threaded loop: a BLAS product spawns threads that, on a busy
        # machine, made a 10k-row query wait 30 ms instead of 1 ms (measured on 2 cores)
        scores = np.einsum("ij,j->i", matrix, query)
        best = np.argsort(-scores, kind="stable")[:k]  # stable: ties keep row (chunk id) order
        return [(self.ids[rows[i]], float(scores[i])) for i in best]


def _server_call(method):
    """Turn a Chroma server that cannot be reached into StoreUnavailable, a message a person can act on."""
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except httpx.TransportError as exc:  # refused, reset, timed out
            raise self._unavailable(exc) from exc
        except ValueError as exc:
            # chromadb.HttpClient's own check at connect time ("Could not connect to a Chroma server")
            if self.server_url and "connect" in str(exc).lower():
                raise self._unavailable(exc) from exc
            raise
    return call


class VectorStore:
    """One Chroma collection of chunk vectors, keyed by chunk id, with flat metadata for filters."""

    def __init__(self, folder: Path, server_url: str = ""):
        self.folder = Path(folder)
        self.server_url = server_url

    @cached_property
    def collection(self):
        """The collection, created on first use; the client is only built when vectors are needed."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.server_url:
            host, port, ssl = server_address(self.server_url)
            client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
            # chromadb's HTTP session waits forever by default; a hung server must not hang a visitor
            session = getattr(getattr(client, "_server", None), "_session", None)
            if isinstance(session, httpx.Client):
                session.timeout = httpx.Timeout(REQUEST_SECONDS, connect=CONNECT_SECONDS)
        else:
            client = chromadb.PersistentClient(path=str(self.folder), settings=chroma_settings)
        return client.get_or_create_collection(COLLECTION, metadata={"hnsw:space": "cosine"},
                                               embedding_function=None)

    @cached_property
    def _exact(self) -> ExactMatrix | None:
        """The matrix for exact search, read once; None when the collection is over ``EXACT_MAX``."""
        count = self.collection.count()
        if count > EXACT_MAX:
            return None
        ids: list[str] = []
        parts: list[np.ndarray] = []
        for offset in range(0, count, READ_BATCH):
            got = self.collection.get(include=["embeddings"], limit=READ_BATCH, offset=offset)
            ids += got["ids"]
            parts.append(np.asarray(got["embeddings"], np.float32))
        return ExactMatrix.build(ids, np.concatenate(parts) if parts else np.zeros((0, 0), np.float32))

    def _changed(self) -> None:
        """Forget the exact matrix after a write; the next query reads it afresh."""
        self.__dict__.pop("_exact", None)

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        where = f"the Chroma server at {self.server_url}" if self.server_url else "the vector store"
        return StoreUnavailable(f"{where} is not answering ({type(exc).__name__}); please try again in a few seconds")

    def reopen(self) -> None:
        """See writes made by another process: read the matrix again and, for embedded Chroma, open it afresh.

        Embedded Chroma shares one client per folder within a process and keeps that folder's search
        graph in memory, so the shared client is dropped and a new one built. A query already running
        keeps the old client, which stays usable until it is no longer referenced.
        """
        self._changed()
        if self.server_url or "collection" not in self.__dict__:
            return  # a server serves every process's writes itself
        from chromadb.api.shared_system_client import SharedSystemClient

        with SharedSystemClient._refcount_lock:
            SharedSystemClient._identifier_to_system.pop(str(self.folder), None)
            SharedSystemClient._identifier_to_refcount.pop(str(self.folder), None)
        self.__dict__.pop("collection", None)

    @_server_call
    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict],
               documents: Sequence[str]) -> None:
        """Store vectors with their metadata and documents (the chunk text, for inspection only)."""
        for i in range(0, len(ids), WRITE_BATCH):
            self.collection.upsert(ids=list(ids[i:i + WRITE_BATCH]), embeddings=vectors[i:i + WRITE_BATCH],
                                   metadatas=list(metadatas[i:i + WRITE_BATCH]),
                                   documents=list(documents[i:i + WRITE_BATCH]))
        self._changed()

    @_server_call
    def by_text_hash(self, hashes: Sequence[str]) -> dict[str, list[float]]:
        """Stored vectors whose ``text_hash`` is among ``hashes``: identical embedded text is never embedded twice."""
        known: dict[str, list[float]] = {}
        for i in range(0, len(hashes), HASH_BATCH):
            got = self.collection.get(where={"text_hash": {"$in": list(set(hashes[i:i + HASH_BATCH]))}},
                                      include=["embeddings", "metadatas"])
            for meta, emb in zip(got["metadatas"], got["embeddings"]):
                known[meta["text_hash"]] = emb
        return known

    @_server_call
    def ids(self) -> set[str]:
        """Every stored chunk id."""
        return set(self.collection.get(include=[])["ids"])

    @_server_call
    def delete_ids(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), WRITE_BATCH):
            self.collection.delete(ids=ids[i:i + WRITE_BATCH])
        self._changed()

    @_server_call
    def delete_reply(self, reply_id: str) -> None:
        """Delete every vector of one reply."""
        self.collection.delete(where={"reply_id": reply_id})
        self._changed()

    def _top_of(self, vector: np.ndarray, k: int, admitted: Sequence[str]) -> list[tuple[str, float]]:
        """Exact top-k among a few ids, over their vectors read by id (an id Chroma lacks yet is left out)."""
        if not admitted:
            return []
        got = self.collection.get(ids=list(admitted), include=["embeddings"])
        if not got["ids"]:
            return []
        return ExactMatrix.build(got["ids"], np.asarray(got["embeddings"], np.float32)).top(vector, k)

    @_server_call
    def query(self, vector: np.ndarray, k: int, where: dict | None = None,
              admitted: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk_id, cosine similarity), filtered by Chroma's reading of ``where``.

        Exact over the matrix when the collection is small enough, else Chroma's HNSW.
        ``admitted`` (the chunk ids the same filter admits, as the caller's catalog knows
        them) spares the exact search asking Chroma which ids ``where`` admits, and above
        ``EXACT_MAX`` a short list is searched exactly over its vectors, read by id.
        Only ids and distances come back from Chroma: the text is sliced from the
        catalog, so asking for documents and metadata would be wasted work.
        """
        from chromadb.errors import InternalError

        try:
            exact = self._exact
            if exact is not None:
                if where and admitted is None:
                    admitted = self.collection.get(where=where, include=[])["ids"]
                return exact.top(vector, k, admitted if where else None)
            if where and admitted is not None and len(admitted) <= FETCH_MAX:
                return self._top_of(vector, k, admitted)
        except InternalError:
            # A writer beside this reader is storing vectors Chroma cannot read back yet: this query
            # goes to the search graph, and the matrix is read again by the next one.
            pass
        try:
            got = self.collection.query(query_embeddings=[vector.tolist()], n_results=k, where=where or None,
                                        include=["distances"])
        except InternalError as exc:
            if not where:
                raise
            raise VectorsBehind(str(exc)) from exc
        return [(cid, 1.0 - dist) for cid, dist in zip(got["ids"][0], got["distances"][0])]
