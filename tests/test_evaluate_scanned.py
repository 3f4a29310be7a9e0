"""The archive asked again as scans: gold files renamed, OCR's figures, the scans table."""
from __future__ import annotations

import shutil

import pytest

from replyqa.evaluate.questions import Question
from replyqa.evaluate.scanned import renamed, scan_figures, scan_table, scanned_corpus
from tests.test_ocr import needs_font


def test_gold_replies_are_named_as_their_scanned_copies():
    q = Question("S1", "几个?", "zh-Hans", "number", docs=("000_a.txt",), near_doc="004_b.txt")
    (copy,) = renamed([q], "jpg")
    assert (copy.docs, copy.near_doc, copy.question) == (("000_a.jpg",), "004_b.jpg", "几个?")


def _report(dataset: str, acc: float, scan: dict | None = None) -> dict:
    return {"dataset": dataset, "systems": {"product": {"overall": {"answer_accuracy": acc}}},
            **({"scan": scan} if scan else {})}


def test_the_scans_table_puts_each_style_beside_the_text_copies():
    scan = {"style": "jpg", "replies": 16, "pages": 24, "cer_mean": 0.0025, "cer_max": 0.0119,
            "doc_number_same": 1.0, "dates_same": 0.9375, "confidence_mean": 0.99, "seconds_per_page": 2.4}
    table = scan_table([_report("samples", 0.647), _report("samples-scan-jpg", 0.627, scan)])
    assert "| jpg | 16 | 24 | 0.0025 | 0.0119 | 100.0 | 93.8 | 0.99 | 2.4 | 62.7 | 64.7 | -2.0 |" in table
    assert scan_table([_report("samples", 0.647)]) == ""


@pytest.mark.ocr
@needs_font
def test_ocr_figures_of_scanned_copies(tmp_path, samples, monkeypatch):
    from replyqa.ingest import ingest
    from replyqa.settings import Settings
    from replyqa.store import open_index

    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("004_gaopingshi-weiti-rd71-shennong-weishengyuan.txt", "040_pingjiangxian-jiaotong-rd82-cunji-gonglu.txt"):
        shutil.copy(samples / name, corpus)
    files = scanned_corpus(corpus, tmp_path / "scans", "png", seed=7, progress=False)
    assert [f.suffix for f in files] == [".png", ".png"]
    index = open_index(Settings(index=str(tmp_path / "index")))
    report = ingest(index, files, progress=False)
    figures = scan_figures(index, corpus, "png", report.parse_seconds)
    assert figures["replies"] == 2 and figures["pages"] == 2 and figures["doc_number_same"] == 1.0
    assert figures["dates_same"] == 1.0 and figures["cer_mean"] < 0.01 and 0 < figures["seconds_per_page"] < 60
    assert {r["file"] for r in figures["per_reply"]} == {f.name for f in files}
