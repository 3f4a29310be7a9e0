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
