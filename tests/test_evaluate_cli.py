"""`replyqa eval` end to end on three replies with the fake embedder: files written and their shapes."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from replyqa.cli import main

ROOT = Path(__file__).resolve().parents[1]
FILES = ("000_yueyangxian-jiaoti-zx45-jiaoshi-jianfu-fanti.txt", "048_xinzhengshi-gongan-zxB2017-103-jiaotong-xinhaodeng.txt",
         "060_xiayixian-chengguan-zx113-chengqu-gongce.txt")
RESPONSE_KEYS = {"question", "answer", "refused", "citations", "related", "timings"}


@pytest.fixture
def tiny(tmp_path, samples):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in FILES:
        shutil.copy(samples / name, corpus / name)
    rows = [json.loads(line) for line in (ROOT / "eval" / "questions.jsonl").read_text().splitlines() if line]
    keep = [r for r in rows if r["doc"] in FILES or r.get("near_doc") in FILES]
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in keep))
    return corpus, questions, keep


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_eval_with_baselines_writes_every_output(tiny, tmp_path, monkeypatch):
    corpus, questions, rows = tiny
    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["eval", str(questions), "--corpus", str(corpus), "--out", str(out),
                                       "--baselines", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert json.loads(result.stdout) == report
    assert report["questions"] == len(rows) and report["manifest"]["model"] == "hash-64"
    assert report["settings"]["embed_model"] == "hash" and "llm_api_key" not in report["settings"]
    assert set(report["systems"]) >= {"hybrid", "dense", "bm25", "framework"}
    assert report["indexing"]["product"]["replies"] == 3 and report["indexing"]["product"]["chunks_per_s"] > 0
    assert report["indexing"]["framework"]["documents"] == 3
    assert report["git_revision"] is None or len(report["git_revision"]) >= 40
    for figures in report["systems"].values():
        assert {"overall", "by_language", "by_kind", "speed"} <= set(figures)
        assert set(figures["by_kind"]) == {r["kind"] for r in rows}
        assert 0.0 <= figures["overall"]["reply_hit@5"] <= 1.0
        assert figures["speed"]["search"]["n"] == len(rows) or figures["speed"]["ask"]["n"] == len(rows)

    results = read_jsonl(out / "results.jsonl")
    assert [r["id"] for r in results] == [r["id"] for r in rows]
    for r in results:
        assert RESPONSE_KEYS <= set(r["response"])
        assert all(set(x) == {"reply_id", "source"} for x in r["retrieved"])
        assert {Path(x["source"]).name for x in r["retrieved"]} <= set(FILES)
    for system in report["systems"]:
        if system != report["primary"]:
            assert len(read_jsonl(out / f"results-{system}.jsonl")) == len(rows)
    for f in read_jsonl(out / "failures.jsonl"):
        assert f["failed"] and {"question", "expected", "given", "retrieved"} <= set(f)
    for png in ("accuracy.png", "latency.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (out / "report.md").read_text()
    assert "| framework |" in md and "## Ratios" in md
    assert read_jsonl(out / "questions.jsonl")[0]["id"] == rows[0]["id"]


def test_eval_squad_sample(tmp_path, monkeypatch):
    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    data = {"data": [{"title": f"標題{i}", "paragraphs": [
        {"id": f"P{i}", "context": f"第{i}段：這裡有{i * 7}座橋樑，建於{1900 + i}年。",
         "qas": [{"id": f"q{i}", "question": f"第{i}段有幾座橋樑？", "answers": [{"text": f"{i * 7}座", "answer_start": 6}]}]}]}
        for i in range(1, 5)]}
    squad = tmp_path / "tiny_squad.json"
    squad.write_text(json.dumps(data, ensure_ascii=False))
    out, work = tmp_path / "out", tmp_path / "work"
    args = ["eval", "--squad", str(squad), "--sample", "3", "--seed", "1", "--out", str(out), "--work", str(work)]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    report = json.loads((out / "report.json").read_text())
    assert report["dataset"] == "tiny_squad" and report["questions"] == 3
    assert report["indexing"]["product"]["cached"] is False and report["indexing"]["product"]["replies"] == 4
    assert set(report["systems"][report["primary"]]["by_language"]) == {"zh-Hant"}
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert json.loads((out / "report.json").read_text())["indexing"]["product"]["cached"] is True


def test_eval_needs_exactly_one_question_source(tmp_path):
    result = CliRunner().invoke(main, ["eval"])
    assert result.exit_code == 2 and "either a QUESTIONS file or --squad" in result.output


def test_results_table_goes_into_the_readme_block(tiny, tmp_path, monkeypatch):
    from replyqa.evaluate.__main__ import main as combine_main

    corpus, questions, _ = tiny
    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["eval", str(questions), "--corpus", str(corpus), "--out", str(out)]).exit_code == 0
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\nbefore\n<!-- eval-results:start -->\nold table\n<!-- eval-results:end -->\nafter\n")
    combine_main([str(out / "report.json"), "--to", str(tmp_path / "RESULTS.md"), "--readme", str(readme)])
    text = readme.read_text()
    assert "old table" not in text and text.startswith("# x\n\nbefore\n") and text.endswith("after\n")
    assert "| product |" in text and "| product |" in (tmp_path / "RESULTS.md").read_text()
    readme.write_text("no markers")
    with pytest.raises(ValueError, match="eval-results"):
        combine_main([str(out / "report.json"), "--to", str(tmp_path / "R2.md"), "--readme", str(readme)])


def test_eval_entity_swap_asks_swapped_copies_beside_their_originals(tiny, tmp_path, monkeypatch):
    from replyqa.evaluate.report import combine

    corpus, questions, rows = tiny
    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["eval", str(questions), "--corpus", str(corpus), "--out", str(out),
                                       "--entity-swap", "--seed", "7", "--name", "entity-swap"])
    assert result.exit_code == 0, result.output
    assert "| swapped | refused | names entity |" in result.output
    report = json.loads((out / "report.json").read_text())
    asked = read_jsonl(out / "questions.jsonl")
    swapped = [q for q in asked if "swapped" in q]
    info, figures = report["entity_swap"], report["systems"]["product"]["entity_swap"]
    assert info["swapped"] == figures["swapped"] == len(swapped) == figures["originals"] > 0
    assert info["swapped"] + sum(info["skipped"].values()) == len(rows)
    assert report["questions"] == len(asked) == 2 * len(swapped)
    assert {q["id"] for q in swapped} == {f"{q['id']}-swap" for q in asked if "swapped" not in q}
    assert all(q["kind"] == "unanswerable" and q["swapped"]["to"] in q["question"] for q in swapped)
    assert report["systems"]["product"]["overall"]["unanswerable"] == len(swapped)
    refused = sum(r["response"]["refused"] for r in read_jsonl(out / "results.jsonl") if r["id"].endswith("-swap"))
    assert figures["refused"] == refused and report["request"]["entity_swap"] is True
    assert "## Entity swap" in (out / "report.md").read_text()
    table = combine([out / "report.json"], tmp_path / "RESULTS.md")
    assert f"| entity-swap (n={len(asked)}) | product |" in table and "names entity" in table


def test_eval_entity_swap_needs_an_archive_of_replies(tmp_path):
    squad = tmp_path / "s.json"
    squad.write_text('{"data": []}')
    result = CliRunner().invoke(main, ["eval", "--squad", str(squad), "--entity-swap"])
    assert result.exit_code == 2 and "--entity-swap needs" in result.output


def test_the_readers_misses_are_tabled_beside_the_products_when_it_was_scored():
    from replyqa.evaluate.report import reader_misses

    def system(misses):
        return {"misses": misses}

    rep = {"dataset": "samples", "answerable": 51,
           "systems": {"product": system({"kind: number": {"wrong_answer": 1}}),
                       "reader": system({"kind: number": {"refused": 4, "wrong_citation": 2},
                                         "language: en": {"refused": 1}})}}
    table = reader_misses([{**rep, "dataset": "near-misses"}, rep])
    assert "51 answerable" in table
    assert "| kind: number | 0 | 1 | 0 | 4 | 0 | 2 |" in table and "| language: en | 0 | 0 | 0 | 1 | 0 | 0 |" in table
    assert reader_misses([{**rep, "systems": {"product": system({})}}]) == ""
