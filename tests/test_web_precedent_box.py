"""The desk's "Check a new proposal" box: its endpoint returns the CLI's JSON, errors are messages, the page is escaped."""
from __future__ import annotations

from datetime import date

import pytest

from replyqa.ingest import ingest
from replyqa.precedent import PrecedentChecker
from replyqa.precedent_json import result_json
from replyqa.web import build_app
from replyqa.web.precedent_box import details_html, read_upload, rows, summary_md

PROPOSAL = ("关于拓宽改造宁陕县麻庄村通村公路的建议\n宁陕县麻庄村通往外界的道路路面狭窄，会车困难。\n"
            "建议县交通部门对麻庄村道路进行拓宽改造，积极向上争取项目资金。")


@pytest.fixture(scope="module")
def app_index(tmp_path_factory):
    from replyqa.embed import HashEmbedder
    from replyqa.settings import Settings
    from replyqa.store import Index
    from tests.conftest import SAMPLES

    folder = tmp_path_factory.mktemp("box-index")
    index = Index(folder, HashEmbedder(dim=64), Settings(index=str(folder), embed_model="hash"))
    ingest(index, [SAMPLES], progress=False)
    fns = {fn.api_name: fn.fn for fn in build_app(index).fns.values() if fn.api_name}
    return index, fns


def test_the_endpoint_returns_the_same_json_as_the_command(app_index):
    index, fns = app_index
    got = fns["precedent"](PROPOSAL)
    want = result_json(index, PrecedentChecker(index).check(PROPOSAL), date.today().isoformat())
    assert got == want and got["similar"]


@pytest.mark.parametrize("text, message", [("", "empty"), ("长" * 70_000, "70,000 characters long")])
def test_bad_text_is_an_error_message(app_index, text, message):
    _, fns = app_index
    got = fns["precedent"](text)
    assert set(got) == {"error"} and message in got["error"]
    assert summary_md(got, "zh").startswith("⚠") and rows(got, "zh") == []


def test_an_uploaded_file_fills_the_box_and_another_kind_says_why(tmp_path):
    good = tmp_path / "p.txt"
    good.write_text(PROPOSAL, encoding="utf-8")
    assert read_upload(str(good)) == (PROPOSAL, "")
    bad = tmp_path / "p.zip"
    bad.write_bytes(b"PK\x03\x04")
    text, notice = read_upload(str(bad))
    assert text == "" and "unsupported file type" in notice


def test_the_page_shows_the_flag_the_rows_and_escapes_what_it_quotes(app_index):
    index, fns = app_index
    data = fns["precedent"](PROPOSAL)
    table = rows(data, "en")
    assert [r[0] for r in table] == [s["similarity"] for s in data["similar"]]
    assert [r[1] for r in table] == [s["label"] for s in data["similar"]]
    assert "宁陕县、麻庄村" in summary_md(data, "zh")
    evil = {**data, "similar": [{**data["similar"][0], "label": "<script>x</script>"}]}
    assert "<script>" not in details_html(evil, "zh") and "&lt;script&gt;" in details_html(evil, "zh")
    assert "<mark class='rq-mark'>" in details_html(data, "zh")
