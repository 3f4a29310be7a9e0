"""What staff and operators do while the soak's users ask: uploads and removals through the admin API,
and a Chroma server stopped and started again (used by bench/soak.py).

The admin events are private (no API name), so they are called the way the page calls them: through
Gradio's queue, by their index among the app's events, found from the button each is bound to.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "soak-" + uuid.uuid4().hex  # the app under test gets it through REPLYQA_ADMIN_PASSWORD


# -- files to upload ----------------------------------------------------------------------------------------
def scans_unavailable() -> str:
    """Why scanned copies cannot be typeset here ("" when they can): they need a Noto CJK font."""
    from replyqa.evaluate.scans import find_font

    try:
        find_font()
    except RuntimeError as exc:
        return str(exc)
    return ""


def new_replies(samples: Path, out: Path, n: int, scans: bool) -> list[Path]:
    """``n`` replies the index lacks: sample texts with a numbered addendum (a distinct reply each),
    every third one (when ``scans``) as a scanned copy in turn PDF, JPG, PNG, read by OCR on upload."""
    from replyqa.evaluate.scans import scan_copy

    out.mkdir(parents=True, exist_ok=True)
    texts = sorted(samples.glob("*.txt"))
    styles = ("pdf", "jpg", "png")
    made = []
    for i in range(n):
        src = texts[i % len(texts)]
        text = src.read_text(encoding="utf-8-sig") + f"\n附件{i}：第{i}号补充说明，现场核查于本年度内完成。\n"
        stem = out / f"soak{i:03d}_{src.stem}"
        if scans and i % 3 == 2:
            made.append(scan_copy(text, stem, styles[(i // 3) % 3], seed=i))
        else:
            path = stem.with_suffix(".txt")
            path.write_text(text, encoding="utf-8")
            made.append(path)
    return made


# -- the admin API ----------------------------------------------------------------------------------------
class Admin:
    """Administration of the running app through Gradio's queue, in one session (as one staff member's page)."""

    def __init__(self, url: str, timeout: float = 600.0):
        self.url, self.timeout = url, timeout
        self.session = uuid.uuid4().hex
        config = httpx.get(f"{url}/config", timeout=30).json()
        ids = {c["props"].get("elem_id"): c["id"] for c in config["components"] if c.get("props")}
        self.fn = {}
        for i, dep in enumerate(config["dependencies"]):
            for target, event in dep.get("targets", []):
                for name, elem in (("ingest", "rq-admin-ingest"), ("remove", "rq-admin-remove")):
                    if target == ids.get(elem) and event == "click":
                        self.fn[name] = dep.get("id", i)

    def _call(self, name: str, data: list) -> str:
        """Run one admin event; its status line ("✓ ...", "⚠ ...", "✗ ...")."""
        joined = httpx.post(f"{self.url}/gradio_api/queue/join", timeout=self.timeout, json={
            "data": data, "fn_index": self.fn[name], "session_hash": self.session, "event_data": None,
            "trigger_id": None})
        if joined.status_code != 200:
            return f"✗ HTTP {joined.status_code}: {joined.text[:200]}"
        with httpx.stream("GET", f"{self.url}/gradio_api/queue/data", params={"session_hash": self.session},
                          timeout=self.timeout) as stream:
            for line in stream.iter_lines():
                if '"process_completed"' in line:
                    message = json.loads(line.removeprefix("data: "))
                    if not message.get("success"):
                        return f"✗ {message.get('output', {}).get('error')}"
                    return message["output"]["data"][0]
        return "✗ the stream ended without a result"

    def upload(self, path: Path) -> str:
        with path.open("rb") as fh:
            got = httpx.post(f"{self.url}/gradio_api/upload", files={"files": (path.name, fh)}, timeout=self.timeout)
        if got.status_code != 200:
            return f"✗ upload HTTP {got.status_code}"
        (remote,) = got.json()
        return self._call("ingest", [PASSWORD, [{"path": remote, "meta": {"_type": "gradio.FileData"}}], "en"])

    def remove(self, reply_id: str) -> str:
        return self._call("remove", [PASSWORD, reply_id, "en"])


# -- staff at work ----------------------------------------------------------------------------------------
@dataclass
class Upload:
    """One reply uploaded (and perhaps removed) during the soak, with the times that bound its life."""

    path: Path
    sent: float = 0.0  # the upload request left: it cannot be cited before
    done: float = 0.0  # the app said it is stored
    reply_id: str = ""
    status: str = ""
    tries: int = 0
    remove_sent: float = 0.0
    removed: float = 0.0  # the app said it is gone: no answer started after this may cite it


@dataclass
class Staff:
    """Uploads every file, one at a time, trying again after a "try again"; then removes every other one."""

    admin: Admin
    index: Path
    files: list[Path]
    retry_seconds: float = 2.0
    pace: float = 0.0  # seconds between uploads (0: one after another)
    uploads: list[Upload] = field(default_factory=list)
    messages: list[tuple[float, str]] = field(default_factory=list)  # (when, text) of each refusal seen
    errors: list[str] = field(default_factory=list)

    def run_then(self, deadline: float, remove: bool, done: threading.Event) -> None:
        """``run``, then ``done`` set whatever happened: a failed call is an error of the soak, not a hang of
        the users, who ask until the staff are done."""
        try:
            self.run(deadline, remove=remove)
        except Exception as exc:  # noqa: BLE001 - any failure of the staff's calls is reported, not raised
            self.errors.append(f"the staff stopped: {type(exc).__name__}: {exc}")
        finally:
            done.set()

    def run(self, deadline: float, remove: bool = True) -> None:
        for k, path in enumerate(self.files):
            if k and self.pace:
                time.sleep(self.pace)
            up = Upload(path)
            self.uploads.append(up)
            while not up.done and time.monotonic() < deadline + 600:
                up.tries += 1
                up.sent = up.sent or time.monotonic()
                up.status = self.admin.upload(path)
                if up.status.startswith("✓") and (rid := self._reply_id(path)):
                    up.done, up.reply_id = time.monotonic(), rid
                elif "try again" in up.status:
                    self.messages.append((time.monotonic(), up.status))
                    time.sleep(self.retry_seconds)
                else:
                    self.errors.append(f"{path.name}: {up.status}")
                    break
        if remove:
            for up in self.uploads[::2]:
                if up.reply_id:
                    self._remove(up)

    def _remove(self, up: Upload) -> None:
        up.remove_sent = time.monotonic()
        while True:
            status = self.admin.remove(up.reply_id)
            if status.startswith("✓"):
                up.removed = time.monotonic()
                return
            if "try again" not in status:
                self.errors.append(f"removing {up.path.name}: {status}")
                return
            self.messages.append((time.monotonic(), status))
            time.sleep(self.retry_seconds)

    def _reply_id(self, path: Path) -> str:
        """The stored reply of an uploaded file, read from the catalog (uploads keep their name under uploads/)."""
        with sqlite3.connect(f"file:{self.index / 'catalog.sqlite'}?mode=ro", uri=True, timeout=30) as db:
            row = db.execute("SELECT reply_id FROM replies WHERE source=?",
                             (str(self.index / "uploads" / path.name),)).fetchone()
        return row[0] if row else ""


def citation_violations(cites: list[tuple[float, float, frozenset[str]]], initial: set[str],
                        uploads: list[Upload]) -> list[str]:
    """Answers citing a reply outside its life: before its upload was sent, after its removal was
    confirmed, or a reply that was never stored."""
    life = {u.reply_id: u for u in uploads if u.reply_id}
    bad = []
    for start, end, rids in cites:
        for rid in rids - initial:
            up = life.get(rid)
            if up is None:
                bad.append(f"{rid}: not a reply of the archive")
            elif end < up.sent:
                bad.append(f"{rid}: cited {up.sent - end:.1f} s before its upload was sent")
            elif up.removed and start > up.removed:
                bad.append(f"{rid}: cited by a question asked {start - up.removed:.1f} s after its removal")
    return bad


def compare_with_fresh(folder: Path, files: list[Path], env: dict, fresh_env: dict, work: Path) -> list[str]:
    """Differences between the index after the soak and a fresh ingest of the files it should hold:
    reply ids, chunk ids, chunk offsets and the vector store's and BM25's ids."""
    fresh = work / "fresh"
    staged = work / "fresh-files"
    staged.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copy(f, staged / f.name)
    subprocess.run([sys.executable, "-m", "replyqa.cli", "--index", str(fresh), "ingest", str(staged)],
                   env=fresh_env, check=True, capture_output=True)
    a, b = _contents(folder, env), _contents(fresh, fresh_env)
    return [f"{key}: the soak's index has {len(a[key] - b[key])} the fresh one lacks, "
            f"and lacks {len(b[key] - a[key])} it has" for key in a if a[key] != b[key]]


def _contents(folder: Path, env: dict) -> dict[str, set]:
    code = ("import json,sys;from replyqa.settings import Settings;from replyqa.store import open_index;"
            "i=open_index(Settings.from_env(),folder=sys.argv[1]);"
            "print(json.dumps({'check':i.check(),'vectors':sorted(i.vectors.ids()),'bm25':sorted(i.bm25.ids),"
            "'chunks':sorted([c, r, s, e] for c,r,_,s,e in i.catalog.locations()),"
            "'replies':sorted(i.catalog.reply_ids())}))")
    out = subprocess.run([sys.executable, "-c", code, str(folder)], env=env, check=True, capture_output=True,
                         text=True).stdout
    data = json.loads(out.strip().splitlines()[-1])
    check = data.pop("check")
    agree = check["orphans"] == check["missing"] == 0 and check["bm25_agrees"]
    return {"replies": set(data["replies"]), "chunks": {tuple(c) for c in data["chunks"]},
            "vectors": set(data["vectors"]), "bm25": set(data["bm25"]), "stores agree": {agree}}


# -- the Chroma server ------------------------------------------------------------------------------------
class ChromaServer:
    """``chroma run`` on a local port, stopped and started again on the same folder."""

    def __init__(self, data: Path, port: int):
        self.data, self.port, self.proc = data, port, None
        exe = Path(sys.executable).parent / "chroma"
        self.exe = str(exe if exe.exists() else (shutil.which("chroma") or "chroma"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: float = 60.0) -> float:
        """Start and wait for its heartbeat; the time it answered."""
        self.proc = subprocess.Popen([self.exe, "run", "--path", str(self.data), "--host", "127.0.0.1",
                                      "--port", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return time.monotonic()
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit("chroma run exited at start-up")
            time.sleep(0.1)
        self.stop()
        raise SystemExit(f"the Chroma server did not answer within {wait:.0f} s")

    def stop(self) -> float:
        """Stop it (SIGTERM, as an operator's restart would); the time it was gone."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return time.monotonic()

    def restart_later(self, at: float, gap: float, times: dict) -> threading.Thread:
        """A thread that stops the server at ``at`` (monotonic) and starts it ``gap`` seconds later."""
        def run():
            time.sleep(max(0.0, at - time.monotonic()))
            times["down"] = self.stop()
            time.sleep(gap)
            times["back"] = self.start()
        thread = threading.Thread(target=run, name="chroma-restart", daemon=True)
        thread.start()
        return thread
