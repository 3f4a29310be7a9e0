"""make bench, scans: seconds OCR takes per A4 page, and what reading scans does to questions asked meanwhile.

The sample replies are rendered as scanned copies (an image-only PDF, a tilted photo with a seal, a
clean PNG; ``replyqa.evaluate.scans``) and each copy is read as an ingest reads it: rendered or
decoded, prepared, recognised in the OCR worker process and laid out. Seconds per page are the
reading's wall time over its pages, the worker started and warmed first (its start is timed apart).

Then the sample questions are asked, round after round, of an index of the text replies: alone, and
while an ingest of the photo copies runs in a thread of the same process, as an upload in the web app
does (a warm-up round first, each question embedded afresh). OCR runs in its worker process, so the
difference is the CPU the two share, not the interpreter.

    python bench/ocr.py [--out bench/results] [--work bench/work]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "replies"
sys.path.insert(0, str(Path(__file__).parent))
from run import _answerer, _open, _pct, questions  # noqa: E402  (bench/run.py, this script's sibling)

TARGET_S_PER_PAGE = 5.0  # issue 24: at most 5 s per A4 page on 2 cores
QUIET_ROUNDS = 5  # rounds of the questions asked alone, after a warm-up round
MAX_ROUNDS = 40  # rounds of the questions asked while the photos are read; the reading takes about a minute


def read_speed(copies: dict[str, list[Path]]) -> tuple[dict, float]:
    """Seconds per page of each style (mean, median, slowest copy) and the worker's start-up seconds."""
    from PIL import Image

    from replyqa.ocr import pool
    from replyqa.read import read_document

    started = time.perf_counter()
    pool().read([(1, Image.new("RGB", (200, 200), "white"))])  # start and warm the worker
    startup = time.perf_counter() - started
    out = {}
    for style, files in copies.items():
        per_page, pages, seconds = [], 0, 0.0
        for f in files:
            started = time.perf_counter()
            doc = read_document(f)
            took = time.perf_counter() - started
            n = len(doc.scan.pages)
            per_page.append(took / n)
            pages, seconds = pages + n, seconds + took
        out[style] = {"copies": len(files), "pages": pages, "s_per_page": round(seconds / pages, 2),
                      "median_s_per_page": round(statistics.median(per_page), 2),
                      "slowest_s_per_page": round(max(per_page), 2)}
    return out, startup


def ask_latency(index, answerer, qs: list[dict]) -> dict:
    """Ask p50/p95 over the questions, each embedded afresh (as a new visitor's would be)."""
    clear = getattr(index.embedder, "clear_query_cache", lambda: None)
    started_all, times = time.perf_counter(), []
    for q in qs:
        clear()
        started = time.perf_counter()
        answerer(q["question"])
        times.append(time.perf_counter() - started)
    return {"questions": len(qs), "ask_p50_ms": round(_pct(times, 0.5), 1), "ask_p95_ms": round(_pct(times, 0.95), 1),
            "seconds": round(time.perf_counter() - started_all, 1)}


def during_ocr(work: Path, photos: list[Path]) -> dict:
    """Ask latency over the text archive alone, then while the photo copies are ingested in a thread."""
    from replyqa.ingest import ingest

    index = _open(str(work / "index-text"))
    ingest(index, [SAMPLES], progress=False)
    answerer = _answerer(index)
    qs = questions()
    ask_latency(index, answerer, qs)  # warm: the answerer keeps what it scored of the archive's sentences
    quiet = merged_rounds([ask_latency(index, answerer, qs) for _ in range(QUIET_ROUNDS)])
    target = _open(str(work / "index-scans"))
    done = threading.Event()

    def upload():
        ingest(target, photos, progress=False)
        done.set()

    thread = threading.Thread(target=upload, daemon=True)
    thread.start()
    busy, rounds = [], 0
    while not done.is_set() and rounds < MAX_ROUNDS:
        busy.append(ask_latency(index, answerer, qs))
        rounds += 1
    thread.join()
    return {"quiet": quiet, "during_ocr": merged_rounds(busy)}


def merged_rounds(rounds: list[dict]) -> dict:
    """Rounds of the questions as one figure: the median round's p50, the worst round's p95."""
    return {"questions": sum(r["questions"] for r in rounds), "rounds": len(rounds),
            "ask_p50_ms": round(statistics.median(r["ask_p50_ms"] for r in rounds), 1) if rounds else None,
            "ask_p95_ms": round(max(r["ask_p95_ms"] for r in rounds), 1) if rounds else None}


def report(result: dict) -> str:
    lines = [f"Measured {result['date']} on {result['machine']}, Python {result['python']}, with `{result['command']}`.",
             "", "| style | copies | pages | s / page | median s / page | slowest copy s / page |", "|---|---|---|---|---|---|"]
    for style, r in result["read"].items():
        lines.append(f"| {style} | {r['copies']} | {r['pages']} | {r['s_per_page']} | {r['median_s_per_page']} | "
                     f"{r['slowest_s_per_page']} |")
    q, b = result["asking"]["quiet"], result["asking"]["during_ocr"]
    lines += ["", f"The OCR worker starts in {result['worker_startup_s']} s (once per process). Target: at most "
              f"{TARGET_S_PER_PAGE:g} s per A4 page.", "",
              "| sample questions asked | questions | ask p50 ms | ask p95 ms |", "|---|---|---|---|",
              f"| alone | {q['questions']} | {q['ask_p50_ms']} | {q['ask_p95_ms']} |",
              f"| while {result['photos']} photo copies are read by OCR in the same process's ingest | "
              f"{b['questions']} | {b['ask_p50_ms']} | {b['ask_p95_ms']} |"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--work", default=str(ROOT / "bench" / "work" / "ocr"))
    parser.add_argument("--seed", type=int, default=7)
    a = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from replyqa.evaluate.scans import scan_copies

    work, out = Path(a.work), Path(a.out)
    if work.exists():
        import shutil

        shutil.rmtree(work)
    work.mkdir(parents=True)
    copies = scan_copies(SAMPLES, work / "copies", seed=a.seed, progress=False)
    read, startup = read_speed(copies)
    for style, r in read.items():
        print(f"[ocr] {style}: {r['s_per_page']} s/page over {r['pages']} pages", flush=True)
    asking = during_ocr(work, copies["jpg"])
    result = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
              "python": platform.python_version(), "command": "python bench/ocr.py", "read": read,
              "worker_startup_s": round(startup, 1), "photos": len(copies["jpg"]), "asking": asking}
    out.mkdir(parents=True, exist_ok=True)
    (out / "ocr.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    (out / "ocr.md").write_text(report(result), encoding="utf-8")
    print(report(result))


if __name__ == "__main__":
    main()
