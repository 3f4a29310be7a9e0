"""``replyqa precedent``: the JSON others rely on, stdin, the table, and clear errors for bad input."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from replyqa.cli import main
from replyqa.precedent_json import SIMILAR_FIELDS

PROPOSAL = ("关于加快镇康县中厂村通往军南线公路硬化的建议\n镇康县中厂村到军南线的连接道路仍是土路。\n"
            "建议县交通运输局将中厂村至军南线连接线列入硬化计划，争取上级资金尽快开工。")


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    from replyqa.embed import HashEmbedder
    from replyqa.ingest import ingest
    from replyqa.settings import Settings
    from replyqa.store import Index
    from tests.conftest import SAMPLES

    folder = tmp_path_factory.mktemp("cli-precedent")
    index = Index(folder, HashEmbedder(dim=64), Settings(index=str(folder), embed_model="hash"))
    ingest(index, [SAMPLES], progress=False)
    return str(folder)


@pytest.fixture
def run(index_dir, monkeypatch):
    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")

    def invoke(*args, stdin=None):
        return CliRunner().invoke(main, ["precedent", *args, "--index", index_dir], input=stdin)
    return invoke


def test_json_has_the_stable_fields_best_first(run, tmp_path):
    f = tmp_path / "p.txt"
    f.write_text(PROPOSAL, encoding="utf-8")
    out = run(str(f), "--json", "--today", "2025-06-30")
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert {"similar", "repeat_of"} <= set(data)
    assert data["similar"] and all(tuple(r)[:len(SIMILAR_FIELDS)] == SIMILAR_FIELDS for r in data["similar"])
    sims = [r["similarity"] for r in data["similar"]]
    assert sims == sorted(sims, reverse=True) and all(0 <= s <= 100 for s in sims)
    assert data["repeat_of"] is None or data["repeat_of"] in {r["reply_id"] for r in data["similar"]}


def test_stdin_gives_the_same_json_and_the_table_names_each_reply(run, tmp_path):
    f = tmp_path / "p.txt"
    f.write_text(PROPOSAL, encoding="utf-8")
    from_file = json.loads(run(str(f), "--json", "--today", "2025-06-30").output)
    from_stdin = json.loads(run("-", "--json", "--today", "2025-06-30", stdin=PROPOSAL.encode("utf-8")).output)
    assert from_stdin == from_file
    table = run(str(f), "--today", "2025-06-30").output
    assert "proposal: 关于加快镇康县中厂村通往军南线公路硬化的建议" in table and "places: 镇康县、中厂村" in table
    assert all(r["label"] in table for r in from_file["similar"])


@pytest.mark.parametrize("name, content, message", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", "  \n ".encode(), "empty"),
    ("big.txt", ("长" * 70_000).encode("utf-8"), "70,000 characters long"),  # about 200 KB
    ("a.zip", b"PK\x03\x04" + bytes(100), "unsupported file type '.zip'"),
    ("b.txt", b"\x00\x01\x02\x03binary", "binary file"),
])
def test_bad_input_is_a_clear_message_without_a_traceback(run, tmp_path, name, content, message):
    f = tmp_path / name
    f.write_bytes(content)
    out = run(str(f), "--json")
    assert out.exit_code == 1 and message in out.output
    assert "Traceback" not in out.output and not isinstance(out.exception, (ValueError, TypeError, KeyError))


def test_an_empty_index_says_to_ingest_first(tmp_path, monkeypatch):
    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    f = tmp_path / "p.txt"
    f.write_text(PROPOSAL, encoding="utf-8")
    out = CliRunner().invoke(main, ["precedent", str(f), "--index", str(tmp_path / "none")])
    assert out.exit_code == 1 and "ingest" in out.output
