"""Vectors: the Chroma adapter, for embedded Chroma in the index folder or a Chroma server.

Chroma never embeds anything itself (``embedding_function=None``): every vector
comes from our embedder, so the two sides of an index can never use different
models. Reads and writes go in batches under Chroma's limits.
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Iterable, Sequence
from urllib.parse import urlparse

import numpy as np

COLLECTION = "replyqa_chunks"
WRITE_BATCH = 4000  # hand-set: under Chroma's maximum batch size, which its client enforces
HASH_BATCH = 500  # hand-set: keeps each `$in` filter (and the vectors it returns) a modest size
DEFAULT_PORT = 8000  # Chroma's own default for `chroma run`


class VectorsBehind(Exception):
    """A filtered query named chunks Chroma's search graph does not hold yet: a writer is storing them beside
    this reader (Chroma's metadata is committed before the graph it has in memory is reloaded)."""


def server_address(url: str) -> tuple[str, int, bool]:
    """(host, port, ssl) of a Chroma server URL; a bare "host:port" means http."""
    parsed = urlparse(url if "//" in url else "http://" + url)
    return parsed.hostname, parsed.port or DEFAULT_PORT, parsed.scheme == "https"


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
        else:
            client = chromadb.PersistentClient(path=str(self.folder), settings=chroma_settings)
        return client.get_or_create_collection(COLLECTION, metadata={"hnsw:space": "cosine"},
                                               embedding_function=None)

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict],
               documents: Sequence[str]) -> None:
        """Store vectors with their metadata and documents (the chunk text, for inspection only)."""
        for i in range(0, len(ids), WRITE_BATCH):
            self.collection.upsert(ids=list(ids[i:i + WRITE_BATCH]), embeddings=vectors[i:i + WRITE_BATCH],
                                   metadatas=list(metadatas[i:i + WRITE_BATCH]),
                                   documents=list(documents[i:i + WRITE_BATCH]))

    def by_text_hash(self, hashes: Sequence[str]) -> dict[str, list[float]]:
        """Stored vectors whose ``text_hash`` is among ``hashes``: identical embedded text is never embedded twice."""
        known: dict[str, list[float]] = {}
        for i in range(0, len(hashes), HASH_BATCH):
            got = self.collection.get(where={"text_hash": {"$in": list(set(hashes[i:i + HASH_BATCH]))}},
                                      include=["embeddings", "metadatas"])
            for meta, emb in zip(got["metadatas"], got["embeddings"]):
                known[meta["text_hash"]] = emb
        return known

    def ids(self) -> set[str]:
        """Every stored chunk id."""
        return set(self.collection.get(include=[])["ids"])

    def delete_ids(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), WRITE_BATCH):
            self.collection.delete(ids=ids[i:i + WRITE_BATCH])

    def delete_reply(self, reply_id: str) -> None:
        """Delete every vector of one reply."""
        self.collection.delete(where={"reply_id": reply_id})

    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk_id, cosine similarity), filtered inside Chroma.

        Only ids and distances come back: the text is sliced from the catalog,
        so asking Chroma for documents and metadata would be wasted work.
        """
        from chromadb.errors import InternalError

        try:
            got = self.collection.query(query_embeddings=[vector.tolist()], n_results=k, where=where or None,
                                        include=["distances"])
        except InternalError as exc:
            if not where:
                raise
            raise VectorsBehind(str(exc)) from exc
        return [(cid, 1.0 - dist) for cid, dist in zip(got["ids"][0], got["distances"][0])]
