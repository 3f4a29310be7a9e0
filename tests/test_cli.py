"""The command line: every command has help, and ingest/search work end to end."""
from __future__ import annotations

import json
import shutil

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
