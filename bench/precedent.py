"""make bench: time per precedent check at 10k chunks (``replyqa precedent``'s whole check, model included).

Over bench/work/index-10000 when bench/run.py has built it (real vectors for every chunk); otherwise a cheap
index is built in a few minutes: the sample replies embedded by the model, and DRCD / CMRC 2018 paragraph
documents (bench/run.py's corpus) up to the size, whose text is real for BM25 but whose vectors are drawn
at random near the centroid of the samples' vectors instead of embedded (hours of embedding on 2 cores,
and a check's cost does not depend on what the vectors say). Every proposal of
eval/precedent_proposals.jsonl is checked once after a warm-up, each paying for its own embeddings.

    python bench/precedent.py [--index DIR] [--size 10000] [--out bench/results]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "replies"
PROPOSALS = ROOT / "eval" / "precedent_proposals.jsonl"


class NearCentroid:
    """Passage vectors at random near a centroid: an index of the right size without embedding it."""

    def __init__(self, like, centroid: np.ndarray, spread: float = 0.35, seed: int = 0):
        self.name, self.dim = like.name, like.dim  # the index's manifest stays the model's
        self.centroid, self.spread, self.rng = centroid, spread, np.random.default_rng(seed)

    def embed_passages(self, texts, progress: bool = False) -> np.ndarray:
        vecs = self.centroid + self.spread * self.rng.standard_normal((len(texts), self.dim)) / np.sqrt(self.dim)
        return (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)


def build_cheap(folder: Path, size: int) -> None:
    """Samples with the model's vectors, then filler documents with vectors near their centroid."""
    import tempfile

    sys.path.insert(0, str(ROOT / "bench"))
    from run import build_corpus  # bench/run.py's corpus: samples plus varied paragraph documents

    from replyqa.ingest import ingest
    from replyqa.settings import Settings
    from replyqa.store import open_index

    settings = Settings.from_env(index=str(folder))
    index = open_index(settings)
    ingest(index, [SAMPLES], progress=False)
    real = index.embedder
    vectors = index.vectors.collection.get(include=["embeddings"])["embeddings"]
    index.embedder = NearCentroid(real, np.asarray(vectors).mean(axis=0))
    with tempfile.TemporaryDirectory(prefix="replyqa-bench-precedent-") as tmp:
        build_corpus(size, Path(tmp))
        ingest(index, [tmp], progress=True)
    index.embedder = real


def measure(folder: Path) -> dict:
    from replyqa.evaluate.precedent import load_set, run, score
    from replyqa.settings import Settings
    from replyqa.store import open_index

    index = open_index(Settings.from_env(index=str(folder)))
    rows = load_set(PROPOSALS)
    report = score(run(index, rows), "precedent-bench")
    ms = [r["ms"] for r in report["results"]]
    return {"chunks": len(index), "replies": len(index.reply_infos()), "checks": len(ms),
            "ms_p50": round(statistics.median(ms), 1), "ms_p95": round(float(np.percentile(ms, 95)), 1),
            "ms_max": round(max(ms), 1), "chars_max": max(len(r["text"]) for r in rows),
            "hit1": report["figures"]["hit1"], "repeats_flagged": report["figures"]["repeats_flagged"],
            "others_not_flagged": report["figures"]["others_not_flagged"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", default=None, help="an index to time (default: bench/work/index-SIZE, else built)")
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--work", default=str(ROOT / "bench" / "work"))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    a = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    folder = Path(a.index or Path(a.work) / f"index-{a.size}")
    kind = "real vectors"
    if not (folder / "catalog.sqlite").exists():
        folder = Path(a.work) / f"precedent-{a.size}"
        kind = "samples' vectors, filler near their centroid"
        if not (folder / "catalog.sqlite").exists():
            build_cheap(folder, a.size)
    row = {**measure(folder), "index": str(folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder.name),
           "vectors": kind, "date": time.strftime("%Y-%m-%d"),
           "machine": f"{platform.machine()}, {os.cpu_count()} cores", "python": platform.python_version()}
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "precedent.json").write_text(json.dumps(row, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    lines = ["# Precedent check speed", "",
             f"Measured {row['date']} on {row['machine']}, Python {row['python']}, with `python bench/precedent.py` "
             f"over `{row['index']}` ({row['vectors']}).", "",
             "| chunks | replies | checks | ms per check p50 / p95 / max | longest proposal (chars) | hit@1 | repeats flagged | others not flagged |",
             "|---|---|---|---|---|---|---|---|",
             f"| {row['chunks']} | {row['replies']} | {row['checks']} | {row['ms_p50']} / {row['ms_p95']} / {row['ms_max']} "
             f"| {row['chars_max']} | {row['hit1']:.3f} | {row['repeats_flagged']:.3f} | {row['others_not_flagged']:.3f} |", ""]
    (out / "precedent.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
