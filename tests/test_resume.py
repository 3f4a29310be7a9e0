"""A real ingest process killed with SIGKILL leaves an index the next ingest completes."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from replyqa.embed import HashEmbedder
from replyqa.ingest import ingest
from replyqa.settings import Settings
from replyqa.store import Index

pytestmark = pytest.mark.processes


def make_corpus(samples: Path, folder: Path, copies: int) -> Path:
    """Variants of the sample replies whose content hashes all differ."""
    folder.mkdir()
    files = sorted(samples.glob("*.txt"))
    for i in range(copies):
        src = files[i % len(files)]
        text = src.read_text(encoding="utf-8")
        (folder / f"{i:04d}_{src.name}").write_text(text + f"\n\n附件{i}:第{i}号补充说明。", encoding="utf-8")
    return folder


def _env(home: Path) -> dict:
    return {**os.environ, "REPLYQA_EMBED_MODEL": "hash", "REPLYQA_HOME": str(home), "PYTHONPATH": str(Path(__file__).parents[1] / "src")}


def _replies_in(folder: Path) -> int:
    db = folder / "catalog.sqlite"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=1) as con:
            return con.execute("SELECT COUNT(*) FROM replies").fetchone()[0]
    except sqlite3.Error:
        return 0


def _state(folder: Path) -> tuple[set, set, dict]:
    index = Index(folder, HashEmbedder(), Settings(index=str(folder), embed_model="hash"))
    return index.catalog.reply_ids(), index.catalog.chunk_ids(), index.check()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from tests.conftest import SAMPLES

    return make_corpus(SAMPLES, tmp_path_factory.mktemp("c") / "replies", copies=160)


@pytest.fixture(scope="module")
def clean_build(corpus, tmp_path_factory):
    folder = tmp_path_factory.mktemp("clean") / "index"
    index = Index(folder, HashEmbedder(), Settings(index=str(folder), embed_model="hash"))
    ingest(index, [corpus], progress=False)
    return _state(folder)


@pytest.mark.parametrize("seed", [1, 2])
def test_kill_mid_ingest_then_resume_equals_a_clean_build(seed, corpus, clean_build, tmp_path):
    folder = tmp_path / "index"
    cmd = [sys.executable, "-m", "replyqa.cli", "--index", str(folder), "ingest", str(corpus), "--json"]
    stop_after = random.Random(seed).randint(20, 120)  # replies committed before the kill
    proc = subprocess.Popen(cmd, env=_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _replies_in(folder) < stop_after and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the ingest finished before it could be killed; use a larger corpus"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < _replies_in(folder) < 160
    assert_rerun_completes(cmd, folder, tmp_path, clean_build)


def assert_rerun_completes(cmd: list[str], folder: Path, home: Path, clean_build) -> None:
    """Rerun the ingest: the index must then equal the clean build, with the three stores agreeing."""
    rerun = subprocess.run(cmd, env=_env(home), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    replies, chunks, check = _state(folder)
    clean_replies, clean_chunks, _ = clean_build
    assert replies == clean_replies and chunks == clean_chunks
    assert check["orphans"] == 0 and check["missing"] == 0 and check["bm25_agrees"]
    assert check["chroma"] == check["catalog"] == len(clean_chunks)
