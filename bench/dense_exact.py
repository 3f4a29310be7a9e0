"""Dense query latency and agreement, Chroma's HNSW against the exact search, over an existing index.

Reads every vector of the index's Chroma collection, copies 1000 of them (seeded) into a
scratch collection, and times 200 noisy copies of stored vectors as queries (k=20) at both
sizes, unfiltered and with a ``reply_id`` ``$in`` list of 50 replies and a ``year`` filter.
Opens nothing for writing except the scratch collection, but run it on a copy all the same.

    python bench/dense_exact.py COPY_OF_INDEX/chroma
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import replyqa.vectors as vectors_module
from replyqa.vectors import VectorStore

BOUND = vectors_module.EXACT_MAX
QUERIES = 200  # hand-set: the p95 then rests on the 10 slowest queries, not on one
K = 20  # the retrieval depth the evaluation records


def timed(store: VectorStore, queries: np.ndarray, where: dict | None) -> tuple[list, float, float]:
    lat, out = [], []
    for q in queries:
        started = time.perf_counter()
        out.append(store.query(q, K, where))
        lat.append(time.perf_counter() - started)
    lat.sort()
    return out, statistics.median(lat) * 1000, lat[int(0.95 * len(lat))] * 1000


def measure(name: str, store: VectorStore, vecs: np.ndarray, metas: list[dict], rng) -> None:
    queries = vecs[rng.choice(len(vecs), QUERIES)] + rng.normal(scale=0.03, size=(QUERIES, vecs.shape[1]))
    rids = sorted({m["reply_id"] for m in metas})
    filters = {"none": None, "reply_id $in 50": {"reply_id": {"$in": list(rng.choice(rids, 50, replace=False))}},
               "year": {"year": {"$eq": metas[0]["year"]}}}
    results = {}
    for label, bound in (("hnsw", -1), ("exact", BOUND)):
        vectors_module.EXACT_MAX = bound
        store._changed()
        started = time.perf_counter()
        store.query(queries[0], K)
        first = (time.perf_counter() - started) * 1000
        for fname, where in filters.items():
            results[label, fname], p50, p95 = timed(store, queries, where)
            print(f"{name} {label:5} where={fname:16} first query {first:7.1f} ms  p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")
    for fname in filters:
        pairs = list(zip(results["hnsw", fname], results["exact", fname]))
        order = sum([c for c, _ in a] != [c for c, _ in b] for a, b in pairs)
        missed = sum(len({c for c, _ in b} - {c for c, _ in a}) for a, b in pairs)
        print(f"  {name} where={fname}: HNSW's top-{K} order differs in {order}/{QUERIES} queries; "
              f"it misses {missed} of {QUERIES * K} exact hits")


def main(chroma: str) -> None:
    rng = np.random.default_rng(0)
    store = VectorStore(Path(chroma))
    got = store.collection.get(include=["embeddings", "metadatas"])
    vecs, metas = np.asarray(got["embeddings"], np.float32), got["metadatas"]
    with tempfile.TemporaryDirectory() as scratch:
        small = VectorStore(Path(scratch))
        pick = sorted(rng.choice(len(vecs), min(1000, len(vecs)), replace=False))
        small.upsert([got["ids"][i] for i in pick], vecs[pick], [metas[i] for i in pick], [""] * len(pick))
        measure(f"{len(pick)}", small, vecs[pick], [metas[i] for i in pick], rng)
    measure(f"{len(vecs)}", store, vecs, metas, rng)


if __name__ == "__main__":
    main(sys.argv[1])
