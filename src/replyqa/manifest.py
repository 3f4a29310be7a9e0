"""The index manifest: what an index was built with, checked on every open.

``manifest.json`` records the settings that shape the index (model, chunker and
embedded-text versions, chunk size) beside counts and the time of the last write.
Opening an index with settings that disagree raises a clear error rather than
mixing vectors of two models or chunks of two chunkers.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from .errors import IndexMismatchError

FORMAT_VERSION = 1


class Manifest:
    """``manifest.json`` in one index folder."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / "manifest.json"

    def read(self) -> dict:
        """The recorded manifest; empty for an index never written."""
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def check(self, expected: dict) -> None:
        """Raise IndexMismatchError when a written manifest disagrees with ``expected`` on any key."""
        found = self.read()
        for key, want in expected.items():
            if found and found.get(key) != want:
                raise IndexMismatchError(
                    f"the index in {self.folder} was built with {key}={found.get(key)!r}, but the settings give "
                    f"{want!r}. Rebuild it (`replyqa ingest --rebuild PATH...`) or point REPLYQA_INDEX elsewhere.")

    def write(self, data: dict) -> None:
        """Replace the manifest atomically with ``data`` plus the time of writing."""
        payload = {**data, "updated": time.strftime("%Y-%m-%dT%H:%M:%S")}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
        tmp.replace(self.path)
