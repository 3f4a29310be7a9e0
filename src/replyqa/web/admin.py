"""The Administration tab: ingest uploads, remove a reply, rebuild the index — behind a password.

Without ``REPLYQA_ADMIN_PASSWORD`` the tab is disabled, not open. The password
is compared in constant time, and each recent failure makes the next answer
slower. Uploads are limited in count, size and type; a zip is unpacked member
by member into the index's ``uploads/`` folder, never outside it.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import shutil
import threading
import time
import unicodedata
import uuid
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import gradio as gr

from ..errors import ReplyQAError
from ..ingest import ingest
from ..label import reply_label
from ..parse import parse_reply
from ..read import MAX_SCAN_BYTES, SUFFIXES
from .labels import t

log = logging.getLogger(__name__)


class AdminError(ReplyQAError):
    """An administration request was refused (wrong password, bad upload, ...)."""


@dataclass(frozen=True)
class UploadLimits:
    """Bounds on what one upload may bring in."""
    max_files: int = 200  # files picked, and members of all zips together
    max_file_bytes: int = MAX_SCAN_BYTES  # a scan (photo, image-only PDF) is the largest kind of reply file
    max_total_bytes: int = 200 * 1024 * 1024  # unpacked
    suffixes: tuple[str, ...] = SUFFIXES


LIMITS = UploadLimits()


# -- password --------------------------------------------------------------------------------------------
class PasswordGate:
    """Checks the administrator password; repeated failures are slowed down."""
    WINDOW = 600.0  # seconds over which failures count
    MAX_DELAY = 8.0

    def __init__(self, password: str, sleep=time.sleep, clock=time.monotonic):
        self._digest = hashlib.sha256(password.encode()).digest() if password else None
        self._failures: list[float] = []
        self._lock = threading.Lock()
        self._sleep, self._clock = sleep, clock

    @property
    def enabled(self) -> bool:
        return self._digest is not None

    def delay(self) -> float:
        """Seconds the next failure waits: 0 for the first two, then doubling up to MAX_DELAY."""
        now = self._clock()
        with self._lock:
            self._failures = [f for f in self._failures if now - f < self.WINDOW]
            n = len(self._failures)
        return 0.0 if n < 2 else min(self.MAX_DELAY, 0.5 * 2 ** (n - 2))

    def check(self, given: str | None) -> bool:
        """True for the right password; a wrong one is recorded and answered slowly."""
        if self._digest is None:
            return False
        candidate = hashlib.sha256((given or "").encode()).digest()
        if hmac.compare_digest(candidate, self._digest):
            return True
        wait = self.delay()
        with self._lock:
            self._failures.append(self._clock())
        log.warning("administration: wrong password (%d recent failures)", len(self._failures))
        self._sleep(wait)
        return False


# -- uploads ---------------------------------------------------------------------------------------------
def safe_name(name: str) -> str:
    """A file name with no folders, no control characters and nothing that climbs out of a folder."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip().lstrip(".")
    return base[:150] or "upload"


def safe_member_path(name: str) -> Path | None:
    """A zip member's relative path, or None when it is absolute, climbs out, or is hidden."""
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return None
    if any(p == ".." or p.startswith(".") or re.search(r"[\x00-\x1f]", p) for p in parts):
        return None
    return Path(*[safe_name(p) for p in parts])


def unpack_zip(archive: Path, dest: Path, limits: UploadLimits, budget: list[int]) -> list[Path]:
    """Unpack reply files from a zip into ``dest``, within the count and size budget [files, bytes]."""
    out = []
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as exc:
        raise AdminError(f"{safe_name(archive.name)}: not a valid zip file") from exc
    with zf:
        for info in zf.infolist():
            if info.is_dir() or (info.external_attr >> 16) & 0o170000 == 0o120000:
                continue  # folders and symbolic links
            rel = safe_member_path(info.filename)
            if rel is None or rel.suffix.lower() not in limits.suffixes:
                log.warning("upload: skipped zip member %r", info.filename)
                continue
            if info.file_size > limits.max_file_bytes:
                raise AdminError(f"{rel}: larger than {limits.max_file_bytes / 2**20:g} MB")
            budget[0] -= 1
            budget[1] -= info.file_size
            if budget[0] < 0 or budget[1] < 0:
                raise AdminError(f"too many files or too much data (limits: {limits.max_files} files, "
                                 f"{limits.max_total_bytes / 2**20:g} MB unpacked)")
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, target.open("wb") as dst:
                    _copy_limited(src, dst, min(info.file_size, limits.max_file_bytes))
            except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
                target.unlink(missing_ok=True)  # damaged, encrypted or of an unknown method
                raise AdminError(f"{rel}: cannot be unpacked ({exc.__class__.__name__})") from exc
            except AdminError:
                target.unlink(missing_ok=True)
                raise
            out.append(target)
    return out


def _copy_limited(src, dst, limit: int) -> int:
    """Copy at most ``limit`` bytes; a member that lies about its size is refused."""
    total = 0
    while chunk := src.read(1 << 16):
        total += len(chunk)
        if total > limit:
            raise AdminError("a zip member is larger than it claims")
        dst.write(chunk)
    return total


def stage_uploads(paths: list[str], uploads: Path, limits: UploadLimits = LIMITS) -> list[Path]:
    """Check uploaded files and move them (zips unpacked) under ``uploads``; returns the staged files.

    A file keeps a stable place (``uploads/NAME``, a zip's members under ``uploads/ZIPNAME/``), so
    uploading a changed file again replaces its old reply, as ``replyqa ingest`` does. Nothing is
    placed unless the whole upload passes its checks.
    """
    if not paths:
        return []
    if len(paths) > limits.max_files:
        raise AdminError(f"too many files ({len(paths)}; the limit is {limits.max_files})")
    incoming = uploads / f".incoming-{uuid.uuid4().hex}"
    incoming.mkdir(parents=True)
    try:
        staged = _stage(paths, incoming, limits)
        placed = []
        for path in staged:
            target = uploads / path.relative_to(incoming)
            target.parent.mkdir(parents=True, exist_ok=True)
            path.replace(target)
            placed.append(target)
        return placed
    finally:
        shutil.rmtree(incoming, ignore_errors=True)


def _stage(paths: list[str], incoming: Path, limits: UploadLimits) -> list[Path]:
    budget = [limits.max_files, limits.max_total_bytes]
    staged: list[Path] = []
    for raw in paths:
        path = Path(raw)
        name = safe_name(path.name)
        size = path.stat().st_size
        if name.lower().endswith(".zip"):
            if size > limits.max_total_bytes:
                raise AdminError(f"{name}: larger than {limits.max_total_bytes / 2**20:g} MB")
            staged += unpack_zip(path, incoming / Path(name).stem, limits, budget)
            continue
        if Path(name).suffix.lower() not in limits.suffixes:
            raise AdminError(f"{name}: not a reply file (allowed: {', '.join(limits.suffixes)}, .zip)")
        if size > limits.max_file_bytes:
            raise AdminError(f"{name}: larger than {limits.max_file_bytes / 2**20:g} MB")
        budget[0] -= 1
        budget[1] -= size
        if budget[0] < 0 or budget[1] < 0:
            raise AdminError("too many files or too much data in one upload")
        shutil.copyfile(path, incoming / name)
        staged.append(incoming / name)
    return staged


# -- actions ---------------------------------------------------------------------------------------------
def rebuild(index, progress=None) -> int:
    """Parse every stored reply again from its original text and index it afresh (chunks, vectors, BM25)."""
    old = index.replies()
    fresh = []
    for i, reply in enumerate(old):
        if progress:
            progress((i, 2 * len(old)), desc="parse")
        # a scanned reply keeps what OCR read: its text is the same, so are its lines' offsets
        fresh.append(replace(parse_reply(reply.text, reply.source), scan=index.scan(reply.reply_id)))
    if progress:
        progress((len(old), 2 * len(old)), desc="remove")
    index.remove_many(r.reply_id for r in old)  # one BM25 rebuild, not one per reply
    index.add(fresh)
    return len(fresh)


def reply_choices(index) -> list[tuple[str, str]]:
    """Dropdown choices naming each reply by label, number and id (the id tells apart replies
    that share a title; the administrator removes by id)."""
    rows = sorted(index.reply_infos(), key=lambda r: r.title)
    return [(" · ".join(p for p in dict.fromkeys((reply_label(r), r.meta.doc_number, r.reply_id[:8])) if p),
             r.reply_id) for r in rows]


def guarded(gate: PasswordGate, password: str | None, lang: str, action) -> str:
    """Run an administration action if the password is right; the status line to show either way."""
    if not gate.check(password):
        return "✗ " + t("bad_password", lang)
    try:
        return "✓ " + action()
    except ReplyQAError as exc:
        return "⚠ " + t("error", lang, msg=str(exc))


def ingest_uploads(index, paths, lang: str) -> str:
    """Stage the uploaded files under the index's uploads/ folder and ingest them."""
    staged = stage_uploads([str(p) for p in paths or []], Path(index.folder) / "uploads")
    if not staged:
        raise AdminError(t("no_files", lang))
    report = ingest(index, staged, progress=True)
    return t("ingested", lang, added=len(report.added), updated=len(report.updated),
             unchanged=len(report.unchanged), failed=len(report.failed))


def remove_reply(index, reply_id: str | None, lang: str) -> str:
    if reply_id and index.remove(reply_id):
        return t("removed", lang, rid=reply_id)
    raise AdminError(t("not_removed", lang))


# -- the tab ---------------------------------------------------------------------------------------------
def build_admin_tab(index, ui, lang_state, gate: PasswordGate):
    """Lay out administration; every action checks the password first."""
    if not gate.enabled:
        disabled = gr.Markdown(t("admin_disabled", "zh"), elem_id="rq-admin-disabled")
        ui.reg(disabled, "admin_disabled", "value")
        return
    intro = gr.Markdown(t("admin_intro", "zh"))
    password = gr.Textbox(label=t("password", "zh"), type="password", elem_id="rq-admin-password", max_length=512)
    with gr.Row(equal_height=False):
        with gr.Column():
            files = gr.File(label=t("upload", "zh"), file_count="multiple", elem_id="rq-admin-files",
                            file_types=[*LIMITS.suffixes, ".zip"])
            ingest_btn = gr.Button(t("ingest", "zh"), variant="primary", elem_id="rq-admin-ingest")
        with gr.Column():
            pick = gr.Dropdown(reply_choices(index), value=None, label=t("remove_pick", "zh"), elem_id="rq-admin-pick")
            remove_btn = gr.Button(t("remove", "zh"), variant="stop", elem_id="rq-admin-remove")
            rebuild_btn = gr.Button(t("rebuild", "zh"), elem_id="rq-admin-rebuild")
    status = gr.Markdown("", elem_id="rq-admin-status")
    for comp, key, attr in ((intro, "admin_intro", "value"), (password, "password", "label"), (files, "upload", "label"),
                            (ingest_btn, "ingest", "value"), (pick, "remove_pick", "label"),
                            (remove_btn, "remove", "value"), (rebuild_btn, "rebuild", "value")):
        ui.reg(comp, key, attr)

    def respond(message: str):
        ok = message.startswith("✓")
        return message, (gr.update(choices=reply_choices(index), value=None) if ok else gr.skip())

    def do_ingest(pw, paths, lang, progress=gr.Progress(track_tqdm=True)):
        return respond(guarded(gate, pw, lang, lambda: ingest_uploads(index, paths, lang)))

    def do_remove(pw, rid, lang):
        return respond(guarded(gate, pw, lang, lambda: remove_reply(index, rid, lang)))

    def do_rebuild(pw, lang, progress=gr.Progress()):
        return respond(guarded(gate, pw, lang, lambda: t("rebuilt", lang, n=rebuild(index, progress))))

    admin = {"concurrency_limit": 1, "concurrency_id": "admin", "api_visibility": "private"}
    ingest_btn.click(do_ingest, [password, files, lang_state], [status, pick], **admin)
    remove_btn.click(do_remove, [password, pick, lang_state], [status, pick], **admin)
    rebuild_btn.click(do_rebuild, [password, lang_state], [status, pick], **admin)
