"""What the public can and cannot touch: administration, file serving, uploads and zips, and the logs.

Most tests talk to a running app over HTTP on 127.0.0.1, the way a visitor (or an
attacker) would: administration events are called straight through Gradio's queue,
bypassing the page, so the password check is proved on the server side.
"""
from __future__ import annotations

import http.client
import logging
import time
import uuid
from types import SimpleNamespace

import httpx
import pytest

from replyqa.embed import HashEmbedder
from replyqa.ingest import ingest
from replyqa.settings import Settings
from replyqa.store import Index
from replyqa.web import build_app, serve
from replyqa.web.admin import AdminError, PasswordGate, UploadLimits, stage_uploads
from replyqa.web.app import parse_open
from tests.fuzz import zips
from tests.test_web_api import free_port

PASSWORD = "correct horse battery staple"
SECRET = "TOP-SECRET-" + uuid.uuid4().hex
ADMIN_FNS = {"do_ingest", "do_remove", "do_rebuild"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A running app with administration on, over four sample replies, plus a secret file beside its index."""
    from tests.conftest import SAMPLES

    root = tmp_path_factory.mktemp("site")
    folder = root / "index"
    settings = Settings(index=str(folder), embed_model="hash", admin_password=PASSWORD, port=free_port())
    index = Index(folder, HashEmbedder(dim=64), settings)
    ingest(index, sorted(SAMPLES.glob("*.txt"))[:4], progress=False)
    (folder / "secret.txt").write_text(SECRET)
    (root / "secret.txt").write_text(SECRET)
    waits: list[float] = []  # what the app's password gate asked to sleep, in order

    class RecordingGate(PasswordGate):
        def __init__(self, password: str):
            super().__init__(password, sleep=lambda s: waits.append(s) or time.sleep(s))

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("replyqa.web.app.PasswordGate", RecordingGate)
        app = build_app(index, settings)
    serve(app, settings, prevent_thread_lock=True, quiet=True)
    yield SimpleNamespace(app=app, index=index, root=root, url=f"http://127.0.0.1:{settings.port}", port=settings.port,
                          waits=waits)
    app.close()


def fn_index(app, name: str) -> int:
    return next(i for i, fn in app.fns.items() if fn.name == name)


def call(site, name: str, data: list, timeout: float = 60, refused: bool = False) -> list | str:
    """Run one event through Gradio's queue, the way the page does, and return its output data
    (or, when ``refused``, the error Gradio answered with instead)."""
    session = uuid.uuid4().hex
    joined = httpx.post(f"{site.url}/gradio_api/queue/join", timeout=timeout, json={
        "data": data, "fn_index": fn_index(site.app, name), "session_hash": session, "event_data": None,
        "trigger_id": None})
    assert joined.status_code == 200, joined.text
    with httpx.stream("GET", f"{site.url}/gradio_api/queue/data", params={"session_hash": session},
                      timeout=timeout) as stream:
        for line in stream.iter_lines():
            if '"process_completed"' in line:
                import json

                message = json.loads(line.removeprefix("data: "))
                assert message["success"] != refused, message
                return message["output"]["error"] if refused else message["output"]["data"]
    raise AssertionError("no result")


def raw_get(port: int, path: str) -> tuple[int, bytes]:
    """GET a path exactly as written: no client-side normalising of ``..`` or %-escapes."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


# -- administration ---------------------------------------------------------------------------------------
@pytest.mark.server
def test_administration_needs_the_password_even_when_called_around_the_page(site):
    rid = sorted(r.reply_id for r in site.index.replies())[0]
    for wrong in ("", PASSWORD[:-1]):  # the language is session state, so messages come in Chinese here
        status, _ = call(site, "do_remove", [wrong, rid, "en"])
        assert status == "✗ 密码错误。"
        assert site.index.reply(rid) is not None
    status, _ = call(site, "do_remove", [PASSWORD, rid, "en"])
    assert status.startswith("✓") and rid in status
    assert site.index.reply(rid) is None
    from tests.conftest import SAMPLES

    ingest(site.index, sorted(SAMPLES.glob("*.txt"))[:4], progress=False)  # put it back for the other tests
    assert site.index.reply(rid) is not None


@pytest.mark.server
def test_repeated_failures_are_slowed_down_but_the_password_is_not(site):
    # What the gate asks to wait is compared, not how long calls take: on a busy machine a rebuild
    # with the right password can take longer than a one-second penalty without being delayed.
    first, took = len(site.waits), []
    for guess in ("wrong", PASSWORD + " ", PASSWORD.upper(), "guess", "s3cret", "admin"):
        started = time.monotonic()
        assert call(site, "do_rebuild", [guess, "en"])[0] == "✗ 密码错误。"
        took.append(time.monotonic() - started)
        if site.waits[-1] >= 1.0:
            break
    waits = site.waits[first:]
    assert len(waits) == len(took) and waits[-1] >= 1.0, waits  # the delay doubles with each recent failure
    assert waits[0] < waits[-1] and waits == sorted(waits)
    assert took[-1] >= waits[-1]  # and the server really waits (a lower bound, however busy the machine)
    assert call(site, "do_rebuild", [PASSWORD, "en"])[0].startswith("✓")
    assert len(site.waits) == first + len(waits)  # the right password waits for nothing


def test_without_a_password_administration_is_off(tmp_path, monkeypatch):
    monkeypatch.delenv("REPLYQA_ADMIN_PASSWORD", raising=False)
    settings = Settings.from_env(index=str(tmp_path / "index"), embed_model="hash")
    assert settings.admin_password == ""
    app = build_app(Index(tmp_path / "index", HashEmbedder(dim=64), settings), settings)
    assert ADMIN_FNS.isdisjoint(fn.name for fn in app.fns.values())
    with_password = build_app(Index(tmp_path / "index", HashEmbedder(dim=64), settings),
                              Settings(index=str(tmp_path / "index"), embed_model="hash", admin_password="x"))
    assert ADMIN_FNS <= {fn.name for fn in with_password.fns.values()}


# -- file serving and the reply viewer --------------------------------------------------------------------
def traversal_paths(site) -> list[str]:
    index_secret = f"{site.index.folder}/secret.txt"
    catalog = f"{site.index.folder}/catalog.sqlite"
    targets = ["/etc/passwd", "../../../../../../etc/passwd", "..%2f..%2f..%2f..%2fetc%2fpasswd",
               "%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%252e%252e%252fetc%252fpasswd", "....//....//etc/passwd",
               "..\\..\\..\\etc\\passwd", "/proc/self/environ", index_secret, catalog, str(site.root / "secret.txt"),
               index_secret.replace("/", "%2f"), f"{site.index.folder}/../secret.txt", "pyproject.toml",
               "src/replyqa/settings.py", "file:///etc/passwd", "C:\\Windows\\win.ini", "/etc/passwd%00.txt"]
    paths = []
    for target in targets:
        paths += [f"/gradio_api/file={target}", f"/file={target}", f"/gradio_api/file/{target}"]
    paths += ["/static/../../../../etc/passwd", "/assets/..%2f..%2f..%2f..%2fetc%2fpasswd",
              "/gradio_api/static/..%2f..%2f..%2fetc/passwd", "/favicon.ico/../../../etc/passwd",
              "/gradio_api/../../etc/passwd", f"/?reply=..%2f..%2fetc%2fpasswd", "/?reply=/etc/passwd"]
    return paths


@pytest.mark.server
def test_path_traversal_is_refused_by_every_file_route(site):
    leaked = []
    for path in traversal_paths(site):
        status, body = raw_get(site.port, path)
        if b"root:x:0:0" in body or SECRET.encode() in body or b"SQLite format 3" in body \
                or PASSWORD.encode() in body or b"[project]" in body:
            leaked.append((path, status))
        elif not path.startswith("/?"):
            assert status in (400, 403, 404, 405), (path, status, body[:200])
    assert not leaked


@pytest.mark.parametrize("reply", ["../../etc/passwd", "/etc/passwd", "..%2f..%2fetc%2fpasswd", "catalog.sqlite",
                                   "C:\\boot.ini", "0" * 7, "g" * 16, "a" * 65, "' OR 1=1 --", "<script>", ""])
@pytest.mark.server
def test_the_reply_viewer_takes_only_reply_ids(site, reply):
    assert parse_open({"reply": reply, "start": "0", "end": "9"})[0] == ""
    on_load = site.app.fns[fn_index(site.app, "on_load")].fn
    shown = on_load(SimpleNamespace(query_params={"reply": reply}))[0]
    open_reply = site.app.fns[fn_index(site.app, "open_reply")].fn
    opened = open_reply(SimpleNamespace(_data={"reply": reply, "start": 0, "end": 5}), "en")
    for html in (shown, opened):
        assert "rq-reply" not in html and "root:x" not in html and SECRET not in html


@pytest.mark.server
def test_the_reply_viewer_opens_a_real_id(site):
    reply = site.index.replies()[0]
    on_load = site.app.fns[fn_index(site.app, "on_load")].fn
    assert reply.title and reply.title[:6] in on_load(SimpleNamespace(query_params={"reply": reply.reply_id}))[0]


# -- uploads ----------------------------------------------------------------------------------------------
def upload(site, name: str, data: bytes) -> httpx.Response:
    return httpx.post(f"{site.url}/gradio_api/upload", files={"files": (name, data)}, timeout=60)


@pytest.mark.server
def test_uploads_over_the_size_limit_are_refused_by_the_server(site):
    from replyqa.web.app import MAX_UPLOAD

    limit = int(MAX_UPLOAD.removesuffix("mb")) * 2**20
    assert upload(site, "big.jpg", b"x" * (limit + 2**20)).status_code == 413
    assert upload(site, "small.txt", "答复".encode()).status_code == 200


@pytest.mark.server
def test_upload_of_a_foreign_file_type_is_refused_and_nothing_changes(site):
    (path,) = upload(site, "run.sh", b"#!/bin/sh\nrm -rf /\n").json()
    before = sorted(r.reply_id for r in site.index.replies())
    error = call(site, "do_ingest", [PASSWORD, [{"path": path, "meta": {"_type": "gradio.FileData"}}], "en"],
                 refused=True)
    assert error.startswith("Invalid file type")  # Gradio checks the File component's types on the server
    assert sorted(r.reply_id for r in site.index.replies()) == before


LIMITS = UploadLimits(max_files=50, max_file_bytes=2**20, max_total_bytes=4 * 2**20)
BOMBS = {
    "deflate_bomb": lambda: zips.deflate_bomb(64 * 2**20),
    "overlap_bomb": lambda: zips.overlap_bomb(200, 2**19),
    "many_members": lambda: zips.many_members(3000),
    "nested_bomb": lambda: zips.nested_bomb(16 * 2**20),
    "symlink": zips.symlink,
    "lying_bomb": lambda: zips.lying_bomb(16 * 2**20),
    "corrupt_stream": zips.corrupt_stream,
    "encrypted": zips.encrypted,
    "unknown_method": zips.unknown_method,
}


@pytest.mark.parametrize("kind", list(BOMBS))
def test_hostile_zips_are_refused_or_unpacked_within_bounds(kind, tmp_path):
    archive = tmp_path / f"{kind}.zip"
    archive.write_bytes(BOMBS[kind]())
    assert archive.stat().st_size < LIMITS.max_total_bytes  # small on the wire
    dest = tmp_path / "uploads"
    try:
        staged = stage_uploads([str(archive)], dest, LIMITS)
    except AdminError as exc:
        assert str(exc)  # a message to show, not a traceback
        staged = []
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p != archive]
    assert all(dest in p.parents for p in files)
    assert sum(p.stat().st_size for p in files) <= LIMITS.max_total_bytes
    assert all(not p.is_symlink() for p in staged)


def test_many_picked_files_are_refused(tmp_path):
    files = []
    for i in range(LIMITS.max_files + 1):
        files.append(tmp_path / f"{i}.txt")
        files[-1].write_text("答复", encoding="utf-8")
    with pytest.raises(AdminError, match="too many files"):
        stage_uploads([str(f) for f in files], tmp_path / "uploads", LIMITS)
    assert not list((tmp_path / "uploads").rglob("*.txt"))


# -- privacy ----------------------------------------------------------------------------------------------
PRIVATE = ("王小明", "13912345678", "停车位被占")


def test_questions_never_reach_the_logs(fake_index, samples, caplog):
    from replyqa.answer import Answerer
    from replyqa.chat import Conversation
    from replyqa.retrieve import HybridRetriever
    from replyqa.web.chat_tab import Asker

    ingest(fake_index, [samples], progress=False)
    questions = [f"我是{PRIVATE[0]},电话{PRIVATE[1]},小区{PRIVATE[2]}怎么办?", f"{PRIVATE[0]}问:教师每年需要多少培训学分？",
                 f"那五年一共需要多少?{PRIVATE[1]}", f"xyzzy {PRIVATE[1]} qwerty"]
    caplog.set_level(logging.DEBUG)
    answerer, retriever = Answerer(fake_index), HybridRetriever(fake_index)
    conversation = Conversation(answerer)
    for q in questions:
        answerer.ask(q)
        conversation.ask(q)
        retriever.search(q)
        retriever.by_reply(q)
        Asker(fake_index).ask(q)
    logged = [(r.name, r.getMessage()) for r in caplog.records]
    leaks = [(name, msg) for name, msg in logged if any(p in msg for p in PRIVATE)]
    assert not leaks, leaks


def test_a_refusal_reason_reaches_the_log_without_the_questions_words():
    from replyqa.answer import loggable
    from replyqa.question import analyse

    q = analyse("王小明家门口的停车位被占,电话13912345678,怎么办?")
    masked = loggable("the archive never mentions 王小明/13912345678; the best passage states no count near 停车位", q)
    assert "王小明" not in masked and "13912345678" not in masked and "停车位" not in masked
    assert masked.startswith("the archive never mentions")
