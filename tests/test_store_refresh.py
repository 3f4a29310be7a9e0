"""An open index (as the web app holds it) picks up writes made by another process: ``Index.refresh``.

The writer here is a real ``replyqa ingest`` / ``replyqa remove`` process on the same folder, with
embedded Chroma, which keeps its own view of the folder in memory until it is reopened.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from replyqa.embed import HashEmbedder
from replyqa.ingest import ingest
from replyqa.retrieve import HybridRetriever
from replyqa.settings import Settings
from replyqa.store import Index
from replyqa.web.app import watch
from replyqa.web.chat_tab import Asker
from tests.test_resume import _env

pytestmark = pytest.mark.processes

# 高平市神农卫生院: the only sample reply about the Shennong health centre
LATE = "高平市神农卫生院项目进展如何？"


def open_index(folder: Path) -> Index:
    return Index(folder, HashEmbedder(), Settings(index=str(folder), embed_model="hash"))


def cli(folder: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "replyqa.cli", "--index", str(folder), *args]
    done = subprocess.run(cmd, env=_env(home), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.fixture
def split(tmp_path, samples):
    """An index of all samples but the Shennong reply, opened here; that reply waits in its own folder."""
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir()
    later.mkdir()
    for f in sorted(samples.iterdir()):
        shutil.copy(f, later if "神农" in f.read_text(encoding="utf-8", errors="ignore") else first)
    assert len(list(later.iterdir())) == 1
    index = open_index(tmp_path / "index")
    ingest(index, [first], progress=False)
    return index, later


def reply_ids_found(index: Index, question: str) -> set[str]:
    return {h.chunk.reply_id for h in HybridRetriever(index).search(question, k=10)}


def test_another_process_ingest_and_remove_are_seen_after_refresh(split, tmp_path):
    index, later = split
    before = len(index)
    assert reply_ids_found(index, LATE)  # read now: BM25, the exact matrix and Chroma's view are all in memory
    assert not index.refresh()  # nothing written since: one stat, nothing dropped
    known = {r.reply_id for r in index.reply_infos()}

    cli(index.folder, tmp_path, "ingest", str(later))
    (new,) = index.catalog.reply_ids() - known
    assert {r.reply_id for r in index.reply_infos()} == known
    assert new not in reply_ids_found(index, LATE)  # still the state this process last read
    assert index.refresh()
    assert len(index) > before
    assert new in reply_ids_found(index, LATE)
    dense = HybridRetriever(index).search(LATE, k=10, mode="dense")
    assert new in {h.chunk.reply_id for h in dense}  # Chroma reopened: the other process's vectors are read
    check = index.check()
    assert check["chroma"] == check["catalog"] == check["bm25"] and check["bm25_agrees"]

    cli(index.folder, tmp_path, "remove", new)
    assert index.refresh()
    assert new not in reply_ids_found(index, LATE)
    assert index.reply(new) is None and len(index) == before


def test_a_write_cut_short_before_its_manifest_is_not_picked_up(split, tmp_path, monkeypatch):
    """The manifest is replaced last: until then readers keep the last whole state, not a part of a write."""
    index, later = split
    writer = open_index(index.folder)
    monkeypatch.setattr(writer, "_finish", lambda: (_ for _ in ()).throw(RuntimeError("killed before BM25")))
    with pytest.raises(RuntimeError):
        ingest(writer, [later], progress=False)
    assert not index.refresh()
    hits = HybridRetriever(index).search(LATE, k=10)
    for h in hits:  # whatever is shown comes whole from a catalog row
        reply = index.catalog.reply(h.chunk.reply_id)
        assert reply is not None and reply.text[h.chunk.start:h.chunk.end] == h.chunk.text


def test_the_web_answerer_sees_a_cli_ingest_without_a_restart(split, tmp_path):
    index, later = split
    asker = Asker(index)
    cited = lambda data: {c["reply_id"] for c in data["citations"]}  # noqa: E731
    old = cited(asker.ask(LATE))
    known = index.catalog.reply_ids()
    cli(index.folder, tmp_path, "ingest", str(later))
    (new,) = index.catalog.reply_ids() - known
    assert new not in old
    assert new in cited(asker.ask(LATE))  # no refresh called: each question looks first


def test_the_watch_thread_refreshes_while_nobody_asks(split, tmp_path):
    index, later = split
    asker = Asker(index)
    index.reply_infos()  # held in memory from now on
    watch(asker, every=0.1)
    cli(index.folder, tmp_path, "ingest", str(later))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(index.reply_infos()) < len(index.catalog.reply_ids()):
        time.sleep(0.1)
    assert {r.reply_id for r in index.reply_infos()} == index.catalog.reply_ids()
