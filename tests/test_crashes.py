"""Crashes and concurrency: kill-and-resume at ten seeded points, and questions asked while an ingest runs.

The two default kill points live in ``tests/test_resume.py``; the ten here run with
``REPLYQA_FUZZ_FULL=1`` (``make soak``) and reuse its helpers. The concurrent-reader
tests run by default: readers in threads share the writer's Index (as the web app's
answerers share it with the administration tab), and a reader in this process
watches a separate ingest process (as ``replyqa ask`` beside ``replyqa ingest``).
"""
from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

import pytest

from replyqa.answer import Answerer, answer_json
from replyqa.embed import HashEmbedder
from replyqa.errors import ReplyQAError
from replyqa.ingest import ingest
from replyqa.retrieve import HybridRetriever
from replyqa.settings import Settings
from replyqa.store import Index
from tests.fuzz import full_run
from tests.test_resume import (_env, _replies_in, assert_rerun_completes, clean_build, corpus,  # noqa: F401
                               make_corpus)

pytestmark = pytest.mark.processes

KILL_SEEDS = list(range(101, 111))
QUESTIONS = ["教师每年需要多少培训学分？", "高平市神农卫生院项目进展如何？", "道路硬化什么时候完工？", "停车难怎么解决",
             "How many training credits are required per year?"]


def open_index(folder: Path) -> Index:
    return Index(folder, HashEmbedder(), Settings(index=str(folder), embed_model="hash"))


# -- kill and resume --------------------------------------------------------------------------------------
@pytest.mark.skipif(not full_run(), reason="ten kill points run with REPLYQA_FUZZ_FULL=1 (make soak)")
@pytest.mark.parametrize("seed", KILL_SEEDS)
def test_kill_at_a_random_point_then_rerun_equals_a_clean_build(seed, corpus, clean_build, tmp_path):
    folder = tmp_path / "index"
    cmd = [sys.executable, "-m", "replyqa.cli", "--index", str(folder), "ingest", str(corpus), "--json"]
    rng = random.Random(seed)
    stop_after, extra = rng.randint(0, 150), rng.uniform(0, 0.05)  # replies committed, then a little more
    proc = subprocess.Popen(cmd, env=_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _replies_in(folder) < stop_after and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(extra)
    assert proc.poll() is None, "the ingest finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    assert_rerun_completes(cmd, folder, tmp_path, clean_build)


# -- queries during an ingest -----------------------------------------------------------------------------
def valid(index: Index, data: dict) -> bool:
    """Every quote is an exact slice of a reply the catalog holds."""
    for c in data["citations"]:
        reply = index.catalog.reply(c["reply_id"])
        if reply is None or reply.text[c["start"]:c["end"]] != c["quote"]:
            return False
    return bool(data["answer"])


def comparable(data: dict) -> tuple:
    return data["answer"], tuple((c["reply_id"], c["start"], c["end"]) for c in data["citations"])


@pytest.fixture
def base_and_batch(tmp_path):
    """An index of the sample replies, and a folder of 60 new replies to ingest beside it."""
    from tests.conftest import SAMPLES

    folder = tmp_path / "index"
    index = open_index(folder)
    ingest(index, [SAMPLES], progress=False)
    batch = make_corpus(SAMPLES, tmp_path / "batch", copies=60)
    return index, batch


def answers(index: Index) -> dict[str, tuple]:
    answerer = Answerer(index)
    return {q: comparable(answer_json(index, answerer.ask(q))) for q in QUESTIONS}


def test_threads_asking_while_the_same_index_ingests_get_consistent_answers(base_and_batch, tmp_path):
    index, batch = base_and_batch
    before = answers(index)
    errors, seen, done = [], [], threading.Event()

    def reader(k: int) -> None:
        answerer, retriever = Answerer(index), HybridRetriever(index)
        i = k
        while not done.is_set() or i < k + len(QUESTIONS):
            q = QUESTIONS[i % len(QUESTIONS)]
            i += 1
            try:
                data = answer_json(index, answerer.ask(q))
                hits = retriever.search(q, k=5)
                seen.append((q, comparable(data), valid(index, data),
                             all(index.catalog.reply(h.chunk.reply_id) is not None for h in hits)))
            except Exception:
                errors.append(traceback.format_exc(limit=6))

    readers = [threading.Thread(target=reader, args=(k,)) for k in range(3)]
    for t in readers:
        t.start()
    try:
        report = ingest(index, [batch], progress=False)
    finally:
        done.set()
        for t in readers:
            t.join(60)
    assert not errors, errors[0]
    assert len(report.added) == 60
    after = answers(index)
    assert len(seen) >= 3 * len(QUESTIONS)
    assert all(ok_answer and ok_hits for _, _, ok_answer, ok_hits in seen), [s for s in seen if not all(s[2:])][:3]
    for q, got, _, _ in seen:
        assert got in (before[q], after[q]) or before[q] != after[q], (q, got)
    check = index.check()
    assert check["orphans"] == 0 and check["missing"] == 0 and check["bm25_agrees"]


def test_a_reader_beside_an_ingest_process_gets_consistent_answers(base_and_batch, tmp_path):
    index, batch = base_and_batch
    folder = index.folder
    before = answers(index)
    cmd = [sys.executable, "-m", "replyqa.cli", "--index", str(folder), "ingest", str(batch), "--json"]
    proc = subprocess.Popen(cmd, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    errors, seen = [], []
    while proc.poll() is None or len(seen) < 2 * len(QUESTIONS):
        q = QUESTIONS[len(seen) % len(QUESTIONS)]
        running = proc.poll() is None
        try:
            reader = open_index(folder)  # a fresh reader, as a new `replyqa ask` would open it
            data = answer_json(reader, Answerer(reader).ask(q))
            seen.append((q, comparable(data), valid(reader, data), running))
        except ReplyQAError as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        except Exception:
            errors.append(traceback.format_exc(limit=6))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert not errors, errors[0]
    after = answers(open_index(folder))
    assert all(ok for _, _, ok, _ in seen)
    # the reader really overlapped the ingest: at least one fresh reader opened while it ran (how many
    # depends on how busy the machine is, so the count is not asserted)
    assert any(running for *_, running in seen)
    for q, got, _, _ in seen:
        assert got in (before[q], after[q]) or before[q] != after[q], (q, got)
