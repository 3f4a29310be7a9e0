"""The same index code against a real Chroma server started by the test (`chroma run`)."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from replyqa import vectors as vectors_module
from replyqa.embed import HashEmbedder
from replyqa.errors import StoreUnavailable
from replyqa.ingest import ingest
from replyqa.retrieve import HybridRetriever
from replyqa.settings import Settings
from replyqa.store import Index

from .test_vectors import _brute_force, _same_ranking

pytestmark = pytest.mark.server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        exe = Path(shutil.which("chroma") or "chroma")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([str(exe), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("chroma run exited at start-up")
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma server did not answer within 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_ingest_search_and_remove_through_a_chroma_server(chroma_server, tmp_path, samples, monkeypatch):
    settings = Settings(index=str(tmp_path / "idx"), embed_model="hash", chroma_url=chroma_server)
    index = Index(tmp_path / "idx", HashEmbedder(), settings)
    report = ingest(index, [samples], progress=False)
    assert len(report.added) == 16
    assert not (tmp_path / "idx" / "chroma").exists()  # vectors live on the server, not in the folder
    check = index.check()
    assert check["chroma"] == check["catalog"] and check["orphans"] == 0
    hits = HybridRetriever(index).search("交通信号灯", k=3, mode="dense")
    # exact search reads the server's vectors page by page, and the server evaluates the filter
    monkeypatch.setattr(vectors_module, "READ_BATCH", 7)
    index.vectors._changed()
    vec = index.embedder.embed_queries(["交通信号灯"])[0]
    some = sorted({m["reply_id"] for m in index.chroma.get(include=["metadatas"])["metadatas"]})[::4]
    _same_ranking(index.vectors.query(vec, 10, {"reply_id": {"$in": some}}),
                  _brute_force(index.chroma, vec, 10, lambda m: m["reply_id"] in some))
    _same_ranking(index.vectors.query(vec, 10), _brute_force(index.chroma, vec, 10))
    assert len(hits) == 3 and all(h.via == "dense" for h in hits)
    victim = hits[0].chunk.reply_id
    assert index.remove(victim)
    assert not index.chroma.get(where={"reply_id": victim})["ids"]


def _start_chroma(data: Path, port: int) -> subprocess.Popen:
    exe = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen([str(exe if exe.exists() else "chroma"), "run", "--path", str(data), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    pytest.fail("chroma server did not answer within 60 s")


def test_a_restarting_chroma_server_gets_a_try_again_message_then_everything_back(tmp_path, samples, monkeypatch):
    """While the server is down a write and a question that needs the server say "try again" at once;
    once it is back the same open index answers and writes again, with nothing lost."""
    from replyqa.web.chat_tab import Asker

    port, data = _free_port(), tmp_path / "chroma-data"
    server = _start_chroma(data, port)
    try:
        settings = Settings(index=str(tmp_path / "idx"), embed_model="hash", chroma_url=f"http://127.0.0.1:{port}")
        index = Index(tmp_path / "idx", HashEmbedder(), settings)
        files = sorted(samples.iterdir())
        ingest(index, files[:12], progress=False)
        asker = Asker(index)
        monkeypatch.setattr(vectors_module, "EXACT_MAX", 0)  # every dense query goes to the server (a large archive)
        timeless = lambda data: {k: v for k, v in data.items() if k != "timings"}  # noqa: E731
        before = timeless(asker.ask("交通信号灯"))
        assert "error" not in before
        server.terminate()
        server.wait(30)
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match="try again"):
            asker.ask("交通信号灯")
        with pytest.raises(StoreUnavailable, match="try again"):
            ingest(index, files[12:], progress=False)
        assert time.monotonic() - started < 10
        server = _start_chroma(data, port)
        assert timeless(asker.ask("交通信号灯")) == before
        report = ingest(index, files[12:], progress=False)  # the upload tried again
        assert len(report.added) == 4
        check = index.check()
        assert check["catalog"] == check["chroma"] == check["bm25"] and check["orphans"] == check["missing"] == 0
        assert len(index.catalog.reply_ids()) == 16
    finally:
        server.terminate()
        server.wait(30)

