"""The running app's named API, through gradio_client: ``ask`` returns the ``replyqa ask --json`` object."""
from __future__ import annotations

import hashlib
import socket

import pytest

from replyqa.answer import Answerer, answer_json
from replyqa.ingest import ingest
from replyqa.web import build_app, serve

pytestmark = pytest.mark.server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fingerprint(folder) -> dict[str, str]:
    """Hashes of every file of the archive itself (catalog, vectors, BM25, manifest)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.endswith(("-wal", "-shm", ".lock"))
            and p.name != "feedback.jsonl"}


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    from replyqa.embed import HashEmbedder
    from replyqa.settings import Settings
    from replyqa.store import Index
    from tests.conftest import SAMPLES

    folder = tmp_path_factory.mktemp("api-index")
    index = Index(folder, HashEmbedder(dim=64), Settings(index=str(folder), embed_model="hash"))
    ingest(index, sorted(SAMPLES.glob("*.txt"))[:4], progress=False)
    settings = Settings(index=str(folder), embed_model="hash", port=free_port())
    app = build_app(index, settings)
    serve(app, settings, prevent_thread_lock=True, quiet=True)
    port = settings.port
    from gradio_client import Client

    yield index, Client(f"http://127.0.0.1:{port}/", verbose=False)
    app.close()


def without_timings(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "timings"}


@pytest.mark.parametrize("question", ["教师每年需要多少培训学分？", "how many training credits are required per year"])
def test_ask_endpoint_returns_the_ask_json(running, question):
    index, client = running
    got = client.predict(question, api_name="/ask")
    want = answer_json(index, Answerer(index).ask(question))
    assert without_timings(got) == without_timings(want)
    assert set(got["timings"]) == set(want["timings"])
    for c in got["citations"]:
        assert index.reply(c["reply_id"]).text[c["start"]:c["end"]] == c["quote"]


def test_ask_endpoint_refuses_an_overlong_question_with_a_message(running):
    _, client = running
    got = client.predict("长" * 2500, api_name="/ask")
    assert "2000" in got["error"] and "citations" not in got


def test_public_endpoints_never_write_to_the_archive(running):
    index, client = running
    before = fingerprint(index.folder)
    client.predict("停车难", api_name="/ask")
    client.predict("老旧小区停车难", None, None, "", "", "", "", "", "", api_name="/precedents")
    client.predict("", None, None, "", "", "", "", "", "", api_name="/archive")
    client.predict("道路硬化什么时候完工？", api_name="/chat")
    client.predict("", "overdue", "", "", "", "due", "2021-01-01", api_name="/commitments")
    client.predict("县交通局有哪些承诺逾期了？", api_name="/ask")
    client.predict("关于教师减负的建议\n建议精简会议和检查。", api_name="/precedent")
    assert fingerprint(index.folder) == before


def test_precedents_pre_fills_the_question_s_filters_and_an_old_call_still_works(running):
    _, client = running
    form = (None, None, "", "", "", "", "", "")
    # an existing caller's nine inputs: the filters the text names are applied, and their chips returned third
    table, note, chips = client.predict("2021年人大关于村道硬化的建议", *form, api_name="/precedents")
    offices = {row[4] for row in table["data"]}
    assert offices == {"宁陕县交通运输局"} and not note
    assert 'data-chip="year:2021"' in chips and 'data-chip="body:人大"' in chips
    table, _, chips = client.predict("2021年人大关于村道硬化的建议", *form, False, api_name="/precedents")
    assert {row[4] for row in table["data"]} > offices and chips == ""


def test_precedent_endpoint_returns_the_precedent_json_and_a_message_for_bad_text(running):
    from datetime import date

    from replyqa.precedent import PrecedentChecker
    from replyqa.precedent_json import result_json

    index, client = running
    text = "关于切实减轻岳阳县中小学教师负担的提案\n建议县教体局压缩会议频次，合并同类检查，控制下发文件数量。"
    got = client.predict(text, api_name="/precedent")
    assert got == result_json(index, PrecedentChecker(index).check(text), date.today().isoformat())
    assert client.predict("", api_name="/precedent") == {"error": "the proposal is empty: paste or give its text "
                                                                  "(title, situation and asks)"}
