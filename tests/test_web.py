"""The web page renders retrieved passages as inert text."""
from __future__ import annotations

import shutil

from replyqa.ingest import ingest
from replyqa.web import build_app, render_hits


def test_document_html_is_escaped(fake_index, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "evil.txt").write_text("关于<script>alert('x')</script>的答复\n张三委员:\n您提出的建议收悉。一、已办理。", encoding="utf-8")
    ingest(fake_index, [folder], progress=False)
    from replyqa.retrieve import HybridRetriever

    html = render_hits(fake_index, HybridRetriever(fake_index).search("alert 答复", k=3))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_app_builds_with_a_named_search_endpoint(fake_index, samples, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(sorted(samples.glob("*.txt"))[0], folder)
    ingest(fake_index, [folder], progress=False)
    app = build_app(fake_index)
    names = {fn.api_name for fn in app.fns.values()}
    assert "search" in names
