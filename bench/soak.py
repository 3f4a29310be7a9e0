"""Soak test: simulated users asking through the running web app's ``ask`` API, on 127.0.0.1 only.

    python bench/soak.py                      # 50 users for 60 s, real model, the bundled samples
    python bench/soak.py --users 200 --seconds 60
    python bench/soak.py --users 200 --seconds 60 --ingest-during 30   # staff upload 30 replies, remove 15
    python bench/soak.py --users 20 --seconds 60 --restart-store       # a Chroma server restarted mid-run
    python bench/soak.py --users 10 --seconds 10 --embed hash

It builds an index of the sample replies in a temporary folder, starts
``replyqa serve`` on a free local port (the app's own queue settings), and runs
``--users`` threads that each ask, wait for the answer and ask again, for
``--seconds``. One request in five is hostile (empty, 100k characters, markup,
SQL, injections...): those must come back as a message, not an error. It
prints a summary table and exits 1 if any request failed.

``--ingest-during N`` gives the app an administrator password and, while the
users ask, uploads N new replies one at a time through the admin API (every
third a scanned copy read by OCR, unless ``--no-scans``), then removes every
other one. It checks that no answer cited a reply outside its life (before its
upload was sent, or asked after its removal was confirmed) and that the index
then equals a fresh ingest of the files it should hold. The users keep asking
until the staff are done.

``--restart-store`` starts ``chroma run`` itself, serves the index from it, and
stops it a third of the way in for ``--gap`` seconds while staff upload a reply
every few seconds (retrying after "try again"). Requests during the gap must be
answered or get a "try again" message, none may take over ``--hang`` seconds,
every request from ``--hang`` seconds after the server is back must succeed, and
the index must end equal to a fresh ingest: nothing lost.
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

from bench.soak_ops import PASSWORD, Admin, ChromaServer, Staff, citation_violations, compare_with_fresh, \
    new_replies, scans_unavailable  # noqa: E402
from tests.fuzz.questions import FIXED  # noqa: E402


@dataclass
class Tally:
    """What the users saw; appended to from every user thread."""

    latencies: list[float] = field(default_factory=list)
    answered: int = 0
    refused: int = 0
    messages: int = 0  # a clear message instead of an answer (empty, too long ...)
    retry: int = 0  # "try again": the vector store did not answer
    errors: list[str] = field(default_factory=list)
    # (started, ended, outcome, reply ids cited) of every request, on the monotonic clock
    records: list[tuple[float, float, str, frozenset[str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, started: float, ended: float, outcome: str, detail: str = "", cited: frozenset[str] = frozenset()) -> None:
        with self.lock:
            self.latencies.append(ended - started)
            self.records.append((started, ended, outcome, cited))
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


def ask(client: httpx.Client, url: str, question: str, timeout: float) -> tuple[str, str, frozenset[str]]:
    """One question through Gradio's call API: (outcome, detail, reply ids cited)."""
    started = client.post(f"{url}/gradio_api/call/ask", json={"data": [question]}, timeout=timeout)
    if started.status_code != 200:
        return "error", f"HTTP {started.status_code}: {started.text[:200]}", frozenset()
    event_id = started.json()["event_id"]
    event = ""
    with client.stream("GET", f"{url}/gradio_api/call/ask/{event_id}", timeout=timeout) as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                if event == "error":
                    return "error", f"event error: {line[5:].strip()[:200]}", frozenset()
                (data,) = json.loads(line[5:])
                if data.get("error"):
                    return ("retry" if data.get("retry") else "messages"), data["error"], frozenset()
                cited = frozenset(c["reply_id"] for c in data.get("citations", []))
                return ("refused" if data.get("refused") else "answered"), "", cited
    return "error", f"stream ended without a result (last event {event!r})", frozenset()


def user(k: int, url: str, until, tally: Tally, real: list[str], hostile: list[str], timeout: float) -> None:
    """One simulated visitor: ask, read the answer, ask again, while ``until()`` holds."""
    rng = random.Random(k)
    with httpx.Client() as client:
        while until():
            q = rng.choice(hostile if rng.random() < 0.2 else real)
            started = time.monotonic()
            cited: frozenset[str] = frozenset()
            try:
                outcome, detail, cited = ask(client, url, q, timeout)
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                outcome, detail = "error", f"{type(exc).__name__}: {exc}"
            tally.add(started, time.monotonic(), outcome, detail, cited)


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
            ("  message (try again)", f"{tally.retry}"),
            ("errors", f"{len(tally.errors)}"), ("throughput", f"{len(lat) / wall:.1f} req/s"),
            ("latency p50", f"{percentile(lat, 50) * 1000:.0f} ms"), ("latency p95", f"{percentile(lat, 95) * 1000:.0f} ms"),
            ("latency p99", f"{percentile(lat, 99) * 1000:.0f} ms"), ("latency max", f"{max(lat, default=0) * 1000:.0f} ms"),
            ("latency mean", f"{statistics.fmean(lat) * 1000:.0f} ms" if lat else "-")]
    width = max(len(k) for k, _ in rows)
    lines = [f"| {'soak':<{width}} | {'value':>22} |", f"|{'-' * (width + 2)}|{'-' * 24}|"]
    lines += [f"| {k:<{width}} | {v:>22} |" for k, v in rows]
    return "\n".join(lines)


def start_server(folder: Path, port: int, env: dict, log: Path) -> subprocess.Popen:
    """``replyqa serve`` over the index, bound to 127.0.0.1, waiting until it answers.

    Its log goes to a file: a pipe nobody reads would fill up and stop the server mid-run."""
    cmd = [sys.executable, "-m", "replyqa.cli", "--index", str(folder), "serve", "--host", "127.0.0.1",
           "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"), text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/gradio_api/info", timeout=5).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("the server did not start within 300 s")


def restart_checks(tally: Tally, times: dict, hang: float) -> tuple[list[str], list[tuple[str, str]]]:
    """Failures, and summary rows, for the requests around the store's restart."""
    down, back = times.get("down"), times.get("back")
    if down is None or back is None:
        return ["the Chroma server was not restarted within the run"], []
    during = [r for r in tally.records if r[0] < back and r[1] > down]
    after = [r for r in tally.records if r[0] >= back + hang]
    slowest = max((e - s for s, e, *_ in during), default=0.0)
    failures = []
    if slowest > hang:
        failures.append(f"a request overlapping the gap took {slowest:.1f} s (limit {hang:.0f} s)")
    late = [r for r in after if r[2] in ("retry", "error")]
    if late:
        failures.append(f"{len(late)} requests started {hang:.0f} s or more after the server was back still failed")
    outcomes = {o: sum(1 for r in during if r[2] == o) for o in ("answered", "refused", "messages", "retry", "error")}
    rows = [("store down for", f"{back - down:.1f} s"), ("requests overlapping the gap", f"{len(during)}"),
            ("  of which answered/refused", f"{outcomes['answered'] + outcomes['refused']}"),
            ("  of which 'try again'", f"{outcomes['retry']}"), ("  of which errors", f"{outcomes['error']}"),
            ("slowest overlapping the gap", f"{slowest * 1000:.0f} ms"),
            (f"requests from back+{hang:.0f} s", f"{len(after)}, {len(late)} failed")]
    return failures, rows


def table(title: str, rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    lines = [f"| {title:<{width}} | {'value':>22} |", f"|{'-' * (width + 2)}|{'-' * 24}|"]
    return "\n".join(lines + [f"| {k:<{width}} | {v:>22} |" for k, v in rows])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--embed", default=None, help="embedding model (default: REPLYQA_EMBED_MODEL or the real one); "
                                                       "'hash' for the fake")
    parser.add_argument("--timeout", type=float, default=120.0, help="per request, seconds")
    parser.add_argument("--ingest-during", type=int, default=0, metavar="N",
                        help="upload N replies through the admin API while the users ask, then remove half")
    parser.add_argument("--no-scans", action="store_true", help="upload only text replies (no OCR)")
    parser.add_argument("--restart-store", action="store_true",
                        help="serve from a Chroma server started here, and restart it mid-run")
    parser.add_argument("--gap", type=float, default=8.0, help="seconds the Chroma server stays down")
    parser.add_argument("--hang", type=float, default=10.0,
                        help="longest request allowed across the gap, and how soon after it all must succeed")
    parser.add_argument("--json", dest="json_out", default=None, help="also write the figures to this file")
    args = parser.parse_args()

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
           "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "ANONYMIZED_TELEMETRY": "False"}
    env.pop("REPLYQA_ADMIN_PASSWORD", None)
    env.pop("REPLYQA_CHROMA_URL", None)
    if args.embed:
        env["REPLYQA_EMBED_MODEL"] = args.embed
    staffed = bool(args.ingest_during or args.restart_store)
    if staffed:
        env["REPLYQA_ADMIN_PASSWORD"] = PASSWORD
    plain_env = dict(env)  # a fresh ingest to compare with uses embedded Chroma
    real, hostile = question_mix()
    failures: list[str] = []
    extra_rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="replyqa-soak-") as tmp:
        work = Path(tmp)
        folder = work / "index"
        chroma = None
        if args.restart_store:
            chroma = ChromaServer(work / "chroma", free_port())
            chroma.start()
            env["REPLYQA_CHROMA_URL"] = chroma.url
        samples = sorted((ROOT / "samples" / "replies").iterdir())
        subprocess.run([sys.executable, "-m", "replyqa.cli", "--index", str(folder), "ingest",
                        str(ROOT / "samples" / "replies")], env=env, check=True, capture_output=True)
        initial = set(subprocess.run([sys.executable, "-c", "import sqlite3,sys;print(' '.join(r for (r,) in "
                                      "sqlite3.connect(sys.argv[1]).execute('SELECT reply_id FROM replies')))",
                                      str(folder / "catalog.sqlite")], capture_output=True, text=True).stdout.split())
        n_files = args.ingest_during or (6 if args.restart_store else 0)
        scans = bool(args.ingest_during) and not args.no_scans
        if scans and (why := scans_unavailable()):
            print(f"uploading text replies only, no scans: {why}", file=sys.stderr)
            extra_rows.append(("scans", "none (no CJK font)"))
            scans = False
        files = new_replies(ROOT / "samples" / "replies", work / "new", n_files, scans) if n_files else []
        port = free_port()
        try:
            server = start_server(folder, port, env, work / "server.log")
        except BaseException:
            if chroma is not None:
                chroma.stop()
            raise
        staff, times, staff_done = None, {}, threading.Event()
        try:
            url = f"http://127.0.0.1:{port}"
            tally = Tally()
            started = time.monotonic()
            deadline = started + args.seconds
            threads = []
            if staffed:
                staff = Staff(Admin(url), folder, files, pace=(args.seconds / (len(files) + 1)) if args.restart_store else 0)
                threads.append(threading.Thread(target=staff.run_then, args=(deadline, bool(args.ingest_during),
                                                                             staff_done), name="staff"))
            else:
                staff_done.set()
            if chroma is not None:
                restarter = chroma.restart_later(started + args.seconds / 3, args.gap, times)

            def until() -> bool:
                return time.monotonic() < deadline or not staff_done.is_set()

            threads += [threading.Thread(target=user, args=(k, url, until, tally, real, hostile, args.timeout))
                        for k in range(args.users)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.monotonic() - started
            alive = server.poll() is None
            if chroma is not None:
                restarter.join(120)
        finally:
            server.terminate()
            server.wait(30)
        try:
            if staff is not None:
                failures += [f"staff: {e}" for e in staff.errors]
                kept = [u.path for u in staff.uploads if u.reply_id and not u.removed]
                stored_as = {u.path: folder / "uploads" / u.path.name for u in staff.uploads}
                removed = sum(1 for u in staff.uploads if u.removed)
                extra_rows += [("uploads stored", f"{sum(1 for u in staff.uploads if u.reply_id)} of {len(files)}"),
                               ("  scans among them", f"{sum(1 for f in files if f.suffix != '.txt')}"),
                               ("  upload seconds (max)", f"{max((u.done - u.sent for u in staff.uploads if u.done), default=0):.1f}"),
                               ("  'try again' to staff", f"{len(staff.messages)}"),
                               ("removed", f"{removed}")]
                cites = [(s, e, c) for s, e, o, c in tally.records if c]
                bad = citation_violations(cites, initial, staff.uploads)
                uploaded_cited = sum(1 for *_, c in cites if c - initial)
                extra_rows += [("answers citing an upload", f"{uploaded_cited}"), ("citations outside a life", f"{len(bad)}")]
                failures += bad[:10]
                diff_env = env if chroma is not None else plain_env
                differences = compare_with_fresh(folder, samples + [stored_as[p] for p in kept], diff_env, plain_env, work)
                extra_rows.append(("index = fresh ingest", "yes" if not differences else "NO"))
                failures += differences
            if chroma is not None:
                gap_failures, rows = restart_checks(tally, times, args.hang)
                failures += gap_failures
                extra_rows += rows
        finally:
            if chroma is not None:
                chroma.stop()
    print(summary(tally, args.users, args.seconds, wall))
    if extra_rows:
        print()
        print(table("operations", extra_rows))
    if not alive:
        print("the server died during the soak")
    for detail in sorted(set(tally.errors))[:10]:
        print("error:", detail)
    for failure in failures:
        print("FAILED:", failure)
    lat = tally.latencies
    slowest = max(tally.records, key=lambda r: r[1] - r[0], default=None)
    if slowest is not None:
        print(f"slowest request: {(slowest[1] - slowest[0]) * 1000:.0f} ms, started {slowest[0] - started:.1f} s "
              f"into the run, outcome {slowest[2]}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({
            "users": args.users, "seconds": args.seconds, "wall": wall, "served": len(lat), "answered": tally.answered,
            "refused": tally.refused, "messages": tally.messages, "retry": tally.retry, "errors": len(tally.errors),
            "throughput": len(lat) / wall, "p50_ms": percentile(lat, 50) * 1000, "p95_ms": percentile(lat, 95) * 1000,
            "p99_ms": percentile(lat, 99) * 1000, "max_ms": max(lat, default=0) * 1000,
            "slowest_started_s": slowest[0] - started if slowest else None,
            "operations": dict(extra_rows), "failures": failures}, indent=2, ensure_ascii=False))
    return 1 if tally.errors or not alive or failures else 0


if __name__ == "__main__":
    sys.exit(main())
