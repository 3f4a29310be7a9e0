"""Administration: the password gate, safe uploads and zips, ingest, remove and rebuild."""
from __future__ import annotations

import zipfile

import pytest

from replyqa.web import admin
from replyqa.web.admin import AdminError, PasswordGate, UploadLimits, guarded, safe_member_path, stage_uploads


def test_no_password_means_disabled_not_open():
    gate = PasswordGate("")
    assert not gate.enabled
    assert gate.check("") is False and gate.check(None) is False


def test_password_compared_in_constant_time(monkeypatch):
    calls = []
    real = admin.hmac.compare_digest
    monkeypatch.setattr(admin.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    gate = PasswordGate("s3cret", sleep=lambda s: None)
    assert gate.check("s3cret") is True
    assert gate.check("s3cre") is False
    assert len(calls) == 2 and all(len(a) == len(b) == 32 for a, b in calls)  # digests, so lengths never leak


def test_repeated_failures_are_slowed_down():
    slept, now = [], [0.0]
    gate = PasswordGate("s3cret", sleep=slept.append, clock=lambda: now[0])
    for _ in range(6):
        assert gate.check("guess") is False
    assert slept == [0.0, 0.0, 0.5, 1.0, 2.0, 4.0]
    assert gate.check("s3cret") is True  # the right password is never delayed
    now[0] += PasswordGate.WINDOW + 1
    assert gate.delay() == 0.0  # old failures are forgotten


def test_guarded_runs_the_action_only_with_the_password():
    gate = PasswordGate("s3cret", sleep=lambda s: None)
    ran = []
    assert guarded(gate, "wrong", "en", lambda: ran.append(1) or "done") == "✗ Wrong password."
    assert ran == []
    assert guarded(gate, "s3cret", "en", lambda: ran.append(1) or "done") == "✓ done"

    def fails():
        raise AdminError("bad zip")

    assert guarded(gate, "s3cret", "en", fails) == "⚠ Something went wrong: bad zip"


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/passwd.txt", "a/../../evil.txt", "C:/x.txt", ".hidden/x.txt",
                                  "a/.git/x.txt", ""])
def test_zip_members_that_escape_are_refused(name):
    assert safe_member_path(name) is None


def test_zip_members_stay_inside_the_upload_folder(tmp_path):
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("good/reply.txt", "答复")
        zf.writestr("../../escape.txt", "x")
        zf.writestr("/abs.txt", "x")
        zf.writestr("notes.exe", "x")
    staged = stage_uploads([str(archive)], tmp_path / "uploads")
    assert [p.name for p in staged] == ["reply.txt"]
    assert all((tmp_path / "uploads") in p.parents for p in staged)
    assert not (tmp_path / "escape.txt").exists() and not list(tmp_path.rglob("abs.txt"))


def test_upload_limits(tmp_path):
    small = UploadLimits(max_files=2, max_file_bytes=10, max_total_bytes=15)
    files = []
    for i in range(3):
        f = tmp_path / f"r{i}.txt"
        f.write_text("答复", encoding="utf-8")
        files.append(str(f))
    with pytest.raises(AdminError, match="too many files"):
        stage_uploads(files, tmp_path / "up", small)
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 11)
    with pytest.raises(AdminError, match="larger than"):
        stage_uploads([str(big)], tmp_path / "up", small)
    exe = tmp_path / "run.sh"
    exe.write_text("echo")
    with pytest.raises(AdminError, match="not a reply file"):
        stage_uploads([str(exe)], tmp_path / "up", small)
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.txt", "x" * 900)
        zf.writestr("b.txt", "x" * 900)
    assert bomb.stat().st_size < 1000  # small on the wire, too big unpacked
    with pytest.raises(AdminError, match="too much data"):
        stage_uploads([str(bomb)], tmp_path / "up", UploadLimits(max_file_bytes=1000, max_total_bytes=1500))


def test_ingest_remove_and_rebuild(fake_index, samples, tmp_path):
    archive = tmp_path / "replies.zip"
    names = sorted(samples.glob("*.txt"))[:3]
    with zipfile.ZipFile(archive, "w") as zf:
        for f in names:
            zf.write(f, f"replies/{f.name}")
    message = admin.ingest_uploads(fake_index, [archive], "en")
    assert message == "3 added, 0 updated, 0 unchanged, 0 failed."
    assert all("uploads" in r.source for r in fake_index.replies())
    changed = tmp_path / "again.zip"
    with zipfile.ZipFile(changed, "w") as zf:
        for i, f in enumerate(names):
            zf.writestr(f"replies/{f.name}", f.read_text(encoding="utf-8") + ("\n此致敬礼" if i == 0 else ""))
    assert admin.ingest_uploads(fake_index, [tmp_path / "replies.zip"], "en").startswith("0 added, 0 updated, 3 unchanged")
    (tmp_path / "replies.zip").unlink()
    changed.rename(tmp_path / "replies.zip")  # the same upload name, one reply edited
    assert admin.ingest_uploads(fake_index, [tmp_path / "replies.zip"], "en") == "0 added, 1 updated, 2 unchanged, 0 failed."
    assert len(fake_index.replies()) == 3
    assert not list((fake_index.folder / "uploads").glob(".incoming-*"))
    before = sorted(r.reply_id for r in fake_index.replies())
    assert admin.rebuild(fake_index) == 3
    assert sorted(r.reply_id for r in fake_index.replies()) == before
    assert fake_index.check()["bm25_agrees"] and fake_index.check()["missing"] == 0
    assert admin.remove_reply(fake_index, before[0], "en") == f"Removed {before[0]}."
    assert len(fake_index.replies()) == 2
    with pytest.raises(AdminError):
        admin.remove_reply(fake_index, before[0], "en")
