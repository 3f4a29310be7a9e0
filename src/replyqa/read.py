"""Read reply files from disk into text (first version: UTF-8 text files)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .errors import ReadError

SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class RawDocument:
    """The text of one file and where it came from."""

    text: str
    source: str


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Every readable-looking file under the given files and folders, sorted."""
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
        else:
            yield p


def read_document(path: str | Path) -> RawDocument:
    """Read one file; raise ReadError naming the file and the reason."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{path}: cannot read ({exc.strerror})") from exc
    if not data.strip():
        raise ReadError(f"{path}: empty file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(f"{path}: not UTF-8 text") from exc
    return RawDocument(text=text, source=str(path))
