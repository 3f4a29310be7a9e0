"""The manifest: written atomically, and any disagreement with the settings is a clear error."""
from __future__ import annotations

import pytest

from replyqa.errors import IndexMismatchError
from replyqa.manifest import Manifest

EXPECTED = {"format": 1, "model": "hash", "chunk_chars": 300}


def test_a_folder_without_a_manifest_reads_empty_and_accepts_any_settings(tmp_path):
    manifest = Manifest(tmp_path)
    assert manifest.read() == {}
    manifest.check(EXPECTED)


def test_write_then_read_adds_the_time_and_leaves_no_temporary_file(tmp_path):
    manifest = Manifest(tmp_path)
    manifest.write({**EXPECTED, "counts": {"replies": 2}})
    data = manifest.read()
    assert {k: data[k] for k in (*EXPECTED, "counts")} == {**EXPECTED, "counts": {"replies": 2}}
    assert data["updated"][:2] == "20"
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]
    manifest.check(EXPECTED)


def test_a_mismatch_names_the_setting_and_how_to_rebuild(tmp_path):
    manifest = Manifest(tmp_path)
    manifest.write(EXPECTED)
    with pytest.raises(IndexMismatchError, match=r"chunk_chars=300.*settings give 200.*--rebuild"):
        manifest.check({**EXPECTED, "chunk_chars": 200})
    with pytest.raises(IndexMismatchError, match="embed_text_version=None"):
        manifest.check({**EXPECTED, "embed_text_version": 2})  # a key the index never recorded
