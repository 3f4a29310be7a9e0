"""One ingest and one question with outbound sockets blocked: nothing may try the network."""
from __future__ import annotations

import shutil

import pytest


@pytest.mark.model
def test_ingest_and_search_make_no_network_connection(no_network, tmp_path, samples, real_embedder):
    from replyqa.ingest import ingest
    from replyqa.retrieve import HybridRetriever
    from replyqa.settings import Settings
    from replyqa.store import Index

    folder = tmp_path / "in"
    folder.mkdir()
    for f in sorted(samples.glob("*.txt"))[:2]:
        shutil.copy(f, folder)
    index = Index(tmp_path / "idx", real_embedder, Settings(index=str(tmp_path / "idx")))
    report = ingest(index, [folder], progress=False)
    assert len(report.added) == 2
    hits = HybridRetriever(index).search("教师减负有哪些措施", k=3)
    assert hits[0].chunk.text in index.reply(hits[0].chunk.reply_id).text
    assert no_network == []


def test_the_guard_really_blocks(no_network):
    import socket

    with pytest.raises(AssertionError):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)
    assert no_network
