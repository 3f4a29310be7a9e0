"""Soak test: simulated users asking through the running web app's ``ask`` API, on 127.0.0.1 only.

    python bench/soak.py                      # 50 users for 60 s, real model, the bundled samples
    python bench/soak.py --users 10 --seconds 10 --embed hash

It builds an index of the sample replies in a temporary folder, starts
``replyqa serve`` on a free local port (the app's own queue settings), and runs
``--users`` threads that each ask, wait for the answer and ask again, for
``--seconds``. One request in five is hostile (empty, 100k characters, markup,
SQL, injections...): those must come back as a message, not an error. It
prints a summary table and exits 1 if any request failed.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzz.questions import FIXED  # noqa: E402


@dataclass
class Tally:
    """What the users saw; appended to from every user thread."""

    latencies: list[float] = field(default_factory=list)
    answered: int = 0
    refused: int = 0
    messages: int = 0  # a clear message instead of an answer (empty, too long ...)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, outcome: str, detail: str = "") -> None:
        with self.lock:
            self.latencies.append(seconds)
            if outcome == "error":
                self.errors.append(detail)
            else:
                setattr(self, outcome, getattr(self, outcome) + 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def question_mix() -> tuple[list[str], list[str]]:
    """The sample questions (both languages), and the hostile ones."""
    real = []
    for line in (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            real.append(json.loads(line)["question"])
    hostile = [q for group in FIXED.values() for q in group]
    return real, hostile


def ask(client: httpx.Client, url: str, question: str, timeout: float) -> tuple[str, str]:
    """One question through Gradio's call API: (outcome, detail)."""
    started = client.post(f"{url}/gradio_api/call/ask", json={"data": [question]}, timeout=timeout)
    if started.status_code != 200:
        return "error", f"HTTP {started.status_code}: {started.text[:200]}"
    event_id = started.json()["event_id"]
    event = ""
    with client.stream("GET", f"{url}/gradio_api/call/ask/{event_id}", timeout=timeout) as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                if event == "error":
                    return "error", f"event error: {line[5:].strip()[:200]}"
                (data,) = json.loads(line[5:])
                if data.get("error"):
                    return "messages", ""
                return ("refused" if data.get("refused") else "answered"), ""
    return "error", f"stream ended without a result (last event {event!r})"


def user(k: int, url: str, deadline: float, tally: Tally, real: list[str], hostile: list[str], timeout: float) -> None:
    """One simulated visitor: ask, read the answer, ask again, until the deadline."""
    rng = random.Random(k)
    with httpx.Client() as client:
        while time.monotonic() < deadline:
            q = rng.choice(hostile if rng.random() < 0.2 else real)
            started = time.perf_counter()
            try:
                outcome, detail = ask(client, url, q, timeout)
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                outcome, detail = "error", f"{type(exc).__name__}: {exc}"
            tally.add(time.perf_counter() - started, outcome, detail)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def summary(tally: Tally, users: int, seconds: float, wall: float) -> str:
    lat = tally.latencies
    rows = [("users", f"{users}"), ("duration", f"{seconds:.0f} s (wall {wall:.1f} s)"),
            ("requests served", f"{len(lat)}"), ("  answered", f"{tally.answered}"),
            ("  refused (archive silent)", f"{tally.refused}"), ("  message (bad question)", f"{tally.messages}"),
            ("errors", f"{len(tally.errors)}"), ("throughput", f"{len(lat) / wall:.1f} req/s"),
            ("latency p50", f"{percentile(lat, 50) * 1000:.0f} ms"), ("latency p95", f"{percentile(lat, 95) * 1000:.0f} ms"),
            ("latency p99", f"{percentile(lat, 99) * 1000:.0f} ms"), ("latency max", f"{max(lat, default=0) * 1000:.0f} ms"),
            ("latency mean", f"{statistics.fmean(lat) * 1000:.0f} ms" if lat else "-")]
    width = max(len(k) for k, _ in rows)
    lines = [f"| {'soak':<{width}} | {'value':>22} |", f"|{'-' * (width + 2)}|{'-' * 24}|"]
    lines += [f"| {k:<{width}} | {v:>22} |" for k, v in rows]
    return "\n".join(lines)


def start_server(folder: Path, port: int, env: dict) -> subprocess.Popen:
    """``replyqa serve`` over the index, bound to 127.0.0.1, waiting until it answers."""
    cmd = [sys.executable, "-m", "replyqa.cli", "--index", str(folder), "serve", "--host", "127.0.0.1",
           "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited: {proc.stderr.read()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/gradio_api/info", timeout=5).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("the server did not start within 300 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--embed", default=None, help="embedding model (default: REPLYQA_EMBED_MODEL or the real one); "
                                                       "'hash' for the fake")
    parser.add_argument("--timeout", type=float, default=120.0, help="per request, seconds")
    parser.add_argument("--json", dest="json_out", default=None, help="also write the figures to this file")
    args = parser.parse_args()

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    env.pop("REPLYQA_ADMIN_PASSWORD", None)  # the soak needs no administration
    if args.embed:
        env["REPLYQA_EMBED_MODEL"] = args.embed
    real, hostile = question_mix()
    with tempfile.TemporaryDirectory(prefix="replyqa-soak-") as tmp:
        folder = Path(tmp) / "index"
        subprocess.run([sys.executable, "-m", "replyqa.cli", "--index", str(folder), "ingest",
                        str(ROOT / "samples" / "replies")], env=env, check=True, capture_output=True)
        port = free_port()
        server = start_server(folder, port, env)
        try:
            url = f"http://127.0.0.1:{port}"
            tally = Tally()
            deadline = time.monotonic() + args.seconds
            started = time.monotonic()
            threads = [threading.Thread(target=user, args=(k, url, deadline, tally, real, hostile, args.timeout))
                       for k in range(args.users)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.monotonic() - started
            alive = server.poll() is None
        finally:
            server.terminate()
            server.wait(30)
    print(summary(tally, args.users, args.seconds, wall))
    if not alive:
        print("the server died during the soak")
    for detail in sorted(set(tally.errors))[:10]:
        print("error:", detail)
    if args.json_out:
        lat = tally.latencies
        Path(args.json_out).write_text(json.dumps({
            "users": args.users, "seconds": args.seconds, "served": len(lat), "answered": tally.answered,
            "refused": tally.refused, "messages": tally.messages, "errors": len(tally.errors),
            "p50_ms": percentile(lat, 50) * 1000, "p95_ms": percentile(lat, 95) * 1000,
            "p99_ms": percentile(lat, 99) * 1000, "max_ms": max(lat, default=0) * 1000}, indent=2))
    return 1 if tally.errors or not alive else 0


if __name__ == "__main__":
    sys.exit(main())
