"""Fuzzing the ingest: hundreds of seeded bad files, each a named ReadError or a clean parse, and no good reply lost.

The default run fuzzes a fast slice (300 files plus a 50 MB one); ``REPLYQA_FUZZ_FULL=1``
(``make soak``) fuzzes 1,200 plus the 50 MB file. Any failure names the file, whose
bytes ``tests.fuzz.files.make_case(SEED, i)`` rebuilds alone.
"""
from __future__ import annotations

import traceback
from collections import Counter
from pathlib import Path

import pytest

from replyqa.chunk import chunk_reply
from replyqa.embed import HashEmbedder
from replyqa.errors import ReadError
from replyqa.ingest import ingest
from replyqa.parse import parse_reply
from replyqa.read import MAX_FILE_BYTES, MAX_HTML_DEPTH, read_document
from replyqa.settings import Settings
from replyqa.store import Index
from tests.fuzz import count
from tests.fuzz.files import KINDS, SAMPLES, write_corpus

pytestmark = pytest.mark.fuzz

SEED = 9
N_FILES = count(fast=300, full=1200)


def outcome(path: Path) -> tuple[str, str]:
    """("ok", "") for a clean parse whose chunks slice the text exactly, ("error", message) for a ReadError,
    ("crash", traceback) for anything else."""
    try:
        doc = read_document(path)
        reply = parse_reply(doc.text, doc.source)
        chunks = list(chunk_reply(reply, 300))
    except ReadError as exc:
        return "error", str(exc)
    except Exception:  # the point of the test: anything else is a crash to report
        return "crash", traceback.format_exc(limit=4)
    bad = [c.chunk_id for c in chunks if reply.text[c.start:c.end] != c.text]
    if bad or not chunks:
        return "crash", f"chunks do not slice the text: {bad or 'no chunks'}"
    return "ok", ""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("fuzz") / "bad files", N_FILES, SEED)


@pytest.fixture(scope="module")
def outcomes(corpus) -> dict[str, tuple[str, str, str]]:
    """file path → (kind, outcome, message)."""
    return {str(c.path): (c.kind, *outcome(c.path)) for c in corpus}


def test_every_bad_file_is_a_named_read_error_or_a_clean_parse(outcomes):
    crashes = {p: msg for p, (_, how, msg) in outcomes.items() if how == "crash"}
    assert not crashes, "\n\n".join(f"{p}:\n{m}" for p, m in crashes.items())
    unnamed = {p: msg for p, (_, how, msg) in outcomes.items() if how == "error" and Path(p).name not in msg}
    assert not unnamed, unnamed
    assert len(outcomes) == N_FILES + 1
    by_kind = Counter(kind for kind, _, _ in outcomes.values())
    assert set(by_kind) == {*KINDS, "big"}


def test_the_hostile_shapes_get_the_reason_they_deserve(outcomes):
    for path, (kind, how, msg) in outcomes.items():
        if kind == "big":
            assert how == "error" and f"the limit is {MAX_FILE_BYTES // 2**20} MB" in msg, msg
        if kind == "html_nested" and how == "error" and "levels deep" in msg:
            depth = int(msg.split("HTML nested ")[1].split()[0])
            assert depth > MAX_HTML_DEPTH
    deep = [p for p, (kind, how, msg) in outcomes.items() if kind == "html_nested" and "levels deep" in msg]
    assert len(deep) >= N_FILES // len(KINDS) // 3  # most nested pages are far past the limit


def snapshot(index: Index) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """reply id → (text, source, chunk ids): what must survive byte for byte."""
    return {r.reply_id: (r.text, r.source, tuple(c.chunk_id for c in index.chunks_of(r.reply_id)))
            for r in index.replies()}


def test_ingesting_the_fuzz_corpus_keeps_every_good_reply_byte_for_byte(corpus, outcomes, tmp_path):
    folder = tmp_path / "index"
    index = Index(folder, HashEmbedder(dim=64), Settings(index=str(folder), embed_model="hash"))
    ingest(index, [SAMPLES], progress=False)
    before = snapshot(index)
    assert len(before) == len(list(SAMPLES.glob("*.txt")))
    for rid, (text, source, _) in before.items():
        assert text == read_document(source).text

    report = ingest(index, [corpus[0].path.parent], progress=False)

    errors = {p: msg for p, (_, how, msg) in outcomes.items() if how == "error"}
    assert dict(report.failed) == errors
    clean = {p for p, (_, how, _) in outcomes.items() if how == "ok"}
    assert set(report.added) | set(report.unchanged) == clean
    after = snapshot(Index(folder, HashEmbedder(dim=64), Settings(index=str(folder), embed_model="hash")))
    assert {rid: after[rid] for rid in before} == before
    assert {source for _, source, _ in after.values()} >= set(report.added)
    check = index.check()
    assert check["orphans"] == 0 and check["missing"] == 0 and check["bm25_agrees"]
    assert check["catalog"] == sum(len(ids) for _, _, ids in after.values())


def test_identical_files_in_one_run_become_one_reply(fake_index, tmp_path):
    text = sorted(SAMPLES.glob("*.txt"))[0].read_text(encoding="utf-8")
    for folder in ("a", "b", "c"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "copy.txt").write_text(text, encoding="utf-8")
    report = ingest(fake_index, [tmp_path / "a", tmp_path / "b", tmp_path / "c"], progress=False)
    assert len(report.added) == 1 and len(report.unchanged) == 2
    assert len(fake_index.replies()) == 1 and fake_index.check()["chroma"] == len(fake_index)
