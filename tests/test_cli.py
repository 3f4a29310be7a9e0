"""The command line: every command has help, and ingest/search work end to end."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from replyqa.cli import main


def test_every_command_has_help():
    runner = CliRunner()
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for name, command in main.commands.items():
        assert command.help, f"{name} has no docstring"
        sub = runner.invoke(main, [name, "--help"])
        assert sub.exit_code == 0 and "Example" in sub.output, name


def test_ingest_search_remove_with_fake_model(tmp_path, samples, monkeypatch):
    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    folder = tmp_path / "in"
    folder.mkdir()
    for f in sorted(samples.glob("*.txt"))[:3]:
        shutil.copy(f, folder)
    runner = CliRunner()
    idx = str(tmp_path / "idx")
    out = runner.invoke(main, ["--index", idx, "ingest", str(folder), "--json"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.output)
    assert summary["added"] == 3 and summary["failed"] == []
    out = runner.invoke(main, ["--index", idx, "search", "教师减负", "--json", "--k", "2"])
    results = json.loads(out.output)
    assert len(results) == 2
    assert {"reply_id", "title", "section", "text", "start", "end", "score", "via", "source"} <= set(results[0])
    out = runner.invoke(main, ["--index", idx, "remove", results[0]["reply_id"]])
    assert out.exit_code == 0 and "removed" in out.output


@pytest.mark.ocr
def test_ingest_and_parse_of_a_scan_say_it_was_read_by_ocr_and_how_well(tmp_path, samples, monkeypatch):
    from replyqa.evaluate.scans import scan_copy
    from replyqa.ocr import LOW_OCR_CONFIDENCE

    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    folder = tmp_path / "in"
    folder.mkdir()
    text = (samples / "040_pingjiangxian-jiaotong-rd82-cunji-gonglu.txt").read_text(encoding="utf-8")
    scan = scan_copy(text, folder / "040", "jpg", seed=7)
    runner = CliRunner()
    out = runner.invoke(main, ["--index", str(tmp_path / "idx"), "ingest", str(folder), "--json"])
    summary = json.loads(out.output)
    (scanned,) = summary["scanned"]
    assert scanned["file"] == str(scan) and LOW_OCR_CONFIDENCE <= scanned["ocr_confidence"] <= 1
    assert summary["added"] == 1 and summary["low_confidence"] == []
    parsed = json.loads(runner.invoke(main, ["parse", str(scan), "--json"]).output)
    assert parsed["doc_number"] == "平交复函〔2017〕19号" and parsed["scan"]["confidence"] == scanned["ocr_confidence"]
    for line in parsed["scan"]["lines"]:
        assert len(line["box"]) == 8 and 0 <= line["start"] < line["end"]


def test_ingest_prints_no_debug_lines_of_the_libraries_it_uses(tmp_path, samples, monkeypatch):
    import subprocess
    import sys

    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    out = subprocess.run([sys.executable, "-m", "replyqa.cli", "--index", str(tmp_path / "idx"), "ingest",
                          str(sorted(samples.glob("*.txt"))[0])], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "1 added" in out.stdout
    assert "DEBUG" not in out.stderr  # no library of the ingest prints its debug lines


def test_ingest_exits_nonzero_only_when_every_file_failed(tmp_path, monkeypatch, samples):
    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    runner = CliRunner()
    out = runner.invoke(main, ["--index", str(tmp_path / "idx"), "ingest", str(bad)])
    assert out.exit_code == 1 and "empty.txt" in out.output
    shutil.copy(sorted(samples.glob("*.txt"))[0], bad)
    out = runner.invoke(main, ["--index", str(tmp_path / "idx"), "ingest", str(bad)])
    assert out.exit_code == 0 and "empty.txt" in out.output


def test_search_on_an_empty_question_is_a_clean_error(tmp_path, monkeypatch):
    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    out = CliRunner().invoke(main, ["--index", str(tmp_path / "idx"), "search", "   "])
    assert out.exit_code == 1 and "empty" in out.output and "Traceback" not in out.output


def test_search_has_lead_unit_and_result_grade_filters(tmp_path, samples, monkeypatch):
    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    runner = CliRunner()
    help_text = runner.invoke(main, ["search", "--help"]).output
    assert "--lead-unit" in help_text and "--result-grade" in help_text and "主办单位" in help_text
    idx = str(tmp_path / "idx")
    assert runner.invoke(main, ["--index", idx, "ingest", str(samples)]).exit_code == 0

    def sources(*options):
        out = runner.invoke(main, ["--index", idx, "search", "答复办理", "--json", "--k", "40", *options])
        assert out.exit_code == 0, out.output
        hits = json.loads(out.output)
        # the new keys are there on every hit, next to the old ones
        assert all({"lead_unit", "co_units", "result_grade", "reply_class", "office"} <= set(h) for h in hits)
        return hits

    everything = sources()
    assert len({h["reply_id"] for h in everything}) > 5
    graded = sources("--result-grade", "B")
    assert graded and {h["result_grade"] for h in graded} == {"B"}
    assert {h["source"].split("/")[-1][:3] for h in graded} == {"028", "040"}  # the two B replies of the samples
    led = sources("--lead-unit", "省教育厅", "--mode", "dense")
    assert led and {h["source"].split("/")[-1][:3] for h in led} == {"020"}
    assert sources("--lead-unit", "省教育厅", "--result-grade", "B") == []
    assert {h["reply_id"] for h in sources("--lead-unit", "省教育厅", "--mode", "bm25")} <= {h["reply_id"] for h in led}


def test_search_narrows_to_the_year_body_and_office_the_query_names_and_says_so(tmp_path, samples, monkeypatch):
    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    runner = CliRunner()
    idx = str(tmp_path / "idx")
    assert runner.invoke(main, ["--index", idx, "ingest", str(samples)]).exit_code == 0

    def search(query, *options):
        out = runner.invoke(main, ["--index", idx, "search", query, "--json", "--by-reply", "--k", "20", *options])
        assert out.exit_code == 0, out.output
        hits = json.loads(out.stdout)  # stdout stays a list of hits; the filters are stated on stderr
        return {(h["date"][:4], h["body"], h["office"]) for h in hits}, out.stderr

    found, said = search("2019年政协关于城区公厕的提案")
    assert found == {("2019", "政协", "夏邑县城市管理局")}
    assert "filters from the question: year 2019, CPPCC (政协)" in said and "--no-question-filters" in said
    wide, said = search("2019年政协关于城区公厕的提案", "--no-question-filters")
    assert said == "" and len(wide) > 5 and found < wide
    # a filter given as an option wins over the one read from the query
    found, said = search("2019年政协关于城区公厕的提案", "--year-from", "2021")
    assert found and {year for year, _, _ in found} >= {"2021", "2025"} and {b for _, b, _ in found} == {"政协"}
    assert "year 2019" not in said and "CPPCC" in said
    # an office stored in Traditional, asked in Simplified
    found, said = search("仙居县民政局关于白塔康养的答复")
    assert {office for _, _, office in found} == {"仙居縣民政局"} and "office 仙居縣民政局" in said
    out = runner.invoke(main, ["--index", idx, "search", "2019年政协关于城区公厕的提案", "--k", "3"])
    assert out.exit_code == 0 and "year 2019" in out.stderr and "[1] 夏邑县城市管理局" in out.stdout


def _ingested(tmp_path, samples, monkeypatch) -> str:
    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    idx = str(tmp_path / "idx")
    out = CliRunner().invoke(main, ["--index", idx, "ingest", str(samples), "--json"])
    assert out.exit_code == 0, out.output
    return idx


def test_commitments_lists_the_ledger_as_json_filtered_by_status_and_office(tmp_path, samples, monkeypatch):
    idx = _ingested(tmp_path, samples, monkeypatch)
    runner = CliRunner()
    out = runner.invoke(main, ["commitments", "--json", "--index", idx, "--today", "2020-01-01"])
    assert out.exit_code == 0, out.output
    items = json.loads(out.output)
    assert {"reply_id", "source", "quote", "start", "end", "due", "due_text", "condition", "status"} <= set(items[0])
    texts = {i["source"]: (samples / i["source"].rsplit("/", 1)[-1]).read_text(encoding="utf-8") for i in items}
    assert all(texts[i["source"]][i["start"]:i["end"]] == i["quote"] for i in items)
    out = runner.invoke(main, ["--index", idx, "commitments", "--json", "--today", "2020-01-01", "--status", "overdue",
                               "--office", "交通运输局"])
    overdue = json.loads(out.output)
    assert [(i["due"], i["status"]) for i in overdue] == [("2019-12-31", "overdue"), ("2017-12-31", "overdue")]
    out = runner.invoke(main, ["--index", idx, "commitments", "--today", "2020-01-01", "--status", "undated",
                               "--has-condition"])
    assert out.exit_code == 0 and out.output.count("undated") == 3 and "[条件: 待项目资金下达之后]" in out.output


def test_commitments_rejects_a_bad_day_and_a_missing_index(tmp_path, samples, monkeypatch):
    idx = _ingested(tmp_path, samples, monkeypatch)
    out = CliRunner().invoke(main, ["--index", idx, "commitments", "--today", "30/06/2025"])
    assert out.exit_code == 1 and "YYYY-MM-DD" in out.output
    out = CliRunner().invoke(main, ["--index", str(tmp_path / "none"), "commitments"])
    assert out.exit_code == 1 and "no index" in out.output and not (tmp_path / "none").exists()


def test_ask_answers_a_count_with_the_count_first(tmp_path, samples, monkeypatch):
    idx = _ingested(tmp_path, samples, monkeypatch)
    out = CliRunner().invoke(main, ["--index", idx, "ask", "2017年有几件答复？", "--json"])
    data = json.loads(out.output)
    assert data["answer"].startswith("共2件") and len(data["citations"]) == 2 and not data["refused"]


def test_eval_commitments_reports_the_figures(tmp_path, samples):
    from pathlib import Path

    gold = Path(__file__).resolve().parents[1] / "eval" / "commitments.jsonl"
    out = CliRunner().invoke(main, ["eval-commitments", str(gold), "--corpus", str(samples), "--out",
                                    str(tmp_path / "ec"), "--json"])
    assert out.exit_code == 0, out.output
    figures = json.loads(out.output)["figures"]
    assert figures["gold"] == 29 and figures["exact_slices"] == 1.0
    assert (tmp_path / "ec" / "report.md").exists()
