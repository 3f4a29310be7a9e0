"""Generative mode against a fake OpenAI-compatible server on 127.0.0.1: checks, fallbacks, streaming."""
from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from replyqa.llm import GenerativeAnswerer, check_answer, supported
from replyqa.records import Chunk, Hit
from replyqa.settings import Settings

QUESTION = "中小学教师五年一周期内至少要获得多少培训学分？"


class FakeOpenAI(ThreadingHTTPServer):
    """Answers /v1/chat/completions with ``script(prompt)``; can fail or stall on demand."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = lambda prompt: ""
        self.status = 200
        self.delay = 0.0
        self.prompts: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = body["messages"][-1]["content"]
        self.server.prompts.append(prompt)
        time.sleep(self.server.delay)
        if self.server.status != 200:
            self.send_response(self.server.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error": {"message": "boom"}}')
            return
        text = self.server.script(prompt)
        if body.get("stream"):
            self._stream(text)
        else:
            self._send({"id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                     "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

    def _send(self, data):
        raw = json.dumps(data, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _stream(self, text):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for i in range(0, len(text), 7):
            chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m",
                     "choices": [{"index": 0, "delta": {"content": text[i:i + 7]}, "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture
def server():
    srv = FakeOpenAI()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def generative(fake_index, samples, server):
    from replyqa.answer import Answerer
    from replyqa.ingest import ingest

    ingest(fake_index, [next(samples.glob("000_*.txt"))], progress=False)
    settings = Settings(llm_base_url=server.url, llm_model="fake-model", embed_model="hash")
    return GenerativeAnswerer(Answerer(fake_index), settings)  # the default timeout: a busy machine is no failure


def passage_with(prompt: str, needle: str) -> int:
    """The number of the prompt passage holding ``needle``."""
    for m in re.finditer(r"^\[(\d+)\] (.*)$", prompt, re.M):
        if needle in m.group(2):
            return int(m.group(1))
    raise AssertionError(f"{needle} not in any passage")


def test_supported_answer_keeps_its_citations(generative, server):
    server.script = lambda p: f"中小學教師在五年一周期內累計獲得的培訓學分不得少於360學分[{passage_with(p, '360學分')}]。"
    answer = generative.ask(QUESTION)
    assert not answer.refused and answer.note == ""
    assert "360學分" in answer.text and answer.citations
    n = answer.citations[0].n
    assert f"[{n}]" in answer.text
    c = answer.citations[0]
    assert generative.extractive.index.reply(c.chunk.reply_id).text[c.start:c.end] == c.quote
    assert "Passages:" in server.prompts[0] and QUESTION in server.prompts[0]


def test_unsupported_and_uncited_sentences_are_dropped(generative, server):
    def script(p):
        n = passage_with(p, "360學分")
        return (f"教師五年內培訓學分不得少於360學分[{n}]。教師每年可以領取5000元培訓補貼[{n}]。"
                "這是沒有引用的一句話。另一句引用了不存在的段落[42]。")
    server.script = script
    answer = generative.ask(QUESTION)
    assert "360學分" in answer.text
    assert "5000元" not in answer.text and "沒有引用" not in answer.text and "[42]" not in answer.text
    assert answer.note == "3 unsupported sentence(s) dropped"


def test_server_error_falls_back_to_the_extractive_answer(generative, server):
    server.status = 500
    answer = generative.ask(QUESTION)
    assert "extractive answer shown" in answer.note and "360學分" in answer.text
    assert answer.citations and not answer.refused


def test_timeout_falls_back(generative, server):
    impatient = GenerativeAnswerer(generative.extractive, generative.settings, timeout=0.5)
    server.delay = 5.0  # ten times the timeout
    server.script = lambda p: "太晚了[1]。"
    answer = impatient.ask(QUESTION)
    assert "failed" in answer.note and "360學分" in answer.text


def test_nothing_supported_falls_back(generative, server):
    server.script = lambda p: "月亮是奶酪做的[1]。"
    answer = generative.ask(QUESTION)
    assert "cited no supporting passage" in answer.note and "360學分" in answer.text


def test_streaming_delivers_tokens_then_the_checked_answer(generative, server):
    server.script = lambda p: f"中小學教師五年內的培訓學分不得少於360學分[{passage_with(p, '360學分')}]。"
    tokens: list[str] = []
    answer = generative.ask(QUESTION, on_token=tokens.append)
    assert len(tokens) > 1 and "".join(tokens) == server.script(server.prompts[0])
    assert "360學分" in answer.text and answer.citations


def test_check_answer_unit():
    chunk = Chunk("c1", "r1", (), "县里添置400台电信云电脑。", 0, 14)
    text, citations, dropped = check_answer("县里添置了400台云电脑[1]。县里添置了500台云电脑[1]。", [Hit(chunk, 1.0, "both")])
    assert "400台" in text and "500台" not in text and dropped == 1 and citations[0].n == 1
    assert supported("添置400台电信云电脑[1]", ["县里添置400台电信云电脑。"])
    assert not supported("添置500台电信云电脑[1]", ["县里添置400台电信云电脑。"])


def test_a_conversation_lets_the_llm_answer_new_topics_and_quotes_for_follow_ups(generative, server):
    from replyqa.chat import Conversation

    server.script = lambda p: f"中小學教師五年內的培訓學分不得少於360學分[{passage_with(p, '360學分')}]。"
    conversation = Conversation(generative.extractive, writer=generative)
    first = conversation.ask(QUESTION)
    assert len(server.prompts) == 1 and first.text == server.script(server.prompts[0])
    second = conversation.ask("那每年呢？")
    assert len(server.prompts) == 1  # the follow-up is answered from the cited passages, not the model
    assert second.text.startswith("据答复") and "每年不少於60學分" in second.text and second.citations


def test_chat_command_with_llm_uses_the_server(tmp_path, samples, server, monkeypatch):
    from click.testing import CliRunner

    from replyqa.cli import main

    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    monkeypatch.setenv("REPLYQA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REPLYQA_LLM_BASE_URL", server.url)
    monkeypatch.setenv("REPLYQA_LLM_MODEL", "fake-model")
    server.script = lambda p: f"教師五年內培訓學分不得少於360學分[{passage_with(p, '360學分')}]。"
    runner, idx = CliRunner(), str(tmp_path / "idx")
    assert runner.invoke(main, ["--index", idx, "ingest", str(next(samples.glob("000_*.txt")))]).exit_code == 0
    out = runner.invoke(main, ["--index", idx, "chat", "--llm"], input=QUESTION + "\n/quit\n")
    assert out.exit_code == 0, out.output
    assert server.prompts and "教師五年內培訓學分不得少於360學分[" in out.output


def test_chat_command_says_when_no_llm_is_configured(tmp_path, samples, monkeypatch):
    from click.testing import CliRunner

    from replyqa.cli import main

    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    monkeypatch.setenv("REPLYQA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("REPLYQA_LLM_BASE_URL", raising=False)
    runner, idx = CliRunner(), str(tmp_path / "idx")
    assert runner.invoke(main, ["--index", idx, "ingest", str(next(samples.glob("000_*.txt")))]).exit_code == 0
    out = runner.invoke(main, ["--index", idx, "chat", "--llm"], input=QUESTION + "\n/quit\n")
    assert out.exit_code == 0 and "no LLM server is configured" in out.output and "360學分" in out.output
