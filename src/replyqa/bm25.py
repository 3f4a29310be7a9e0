"""Sparse retrieval: jieba tokens of the normalised text, scored by bm25s.

The index is saved as a folder of plain files (bm25s's ``.npy``/``.json``
plus ``ids.json``), written to a temporary folder and renamed into place, so a
reader never sees half an index.

Tokenising (jieba) is the slow part of a build; indexing tokens is fast. So each
chunk's tokens are kept (the catalog stores them) and a write re-indexes the
stored tokens of the whole archive, tokenising only the chunks it added.
"""
from __future__ import annotations

import json
import logging
import re
import shutil
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from .normalise import to_simplified

log = logging.getLogger(__name__)

_WORD = re.compile(r"[\w\u3400-\u9fff]")
# Bump when tokenize() changes what it returns: tokens stored by another version are made again.
TOKENIZER_VERSION = 1
EMPTY = "<empty>"  # stands in for a chunk with no tokens: bm25s would drop the document and shift every row
STOPWORDS = frozenset("的 了 和 与 及 是 在 对 为 等 也 并 将 把 被 于 其 之 个 这 那 有 就 都 而 或 中 上 下 the a an of to in and or is are was were be for on at by with what how which who when where why does do did".split())


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens of Simplified, half-width, lower-cased text."""
    norm = unicodedata.normalize("NFKC", to_simplified(text)).lower()
    return [t for t in _jieba().cut_for_search(norm) if _WORD.search(t) and t not in STOPWORDS]


LOAD_ATTEMPTS = 5  # hand-set: a write renames a folder in milliseconds; five torn reads in a row mean something else


class BM25Index:
    """A bm25s index over chunk texts, addressed by chunk id."""

    def __init__(self, model, ids: list[str]):
        self.model, self.ids = model, ids
        self.position = {cid: i for i, cid in enumerate(ids)}

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str]) -> "BM25Index":
        """An index of chunk texts, tokenising every one."""
        return cls.from_tokens(ids, [tokenize(t) for t in texts])

    @classmethod
    def from_tokens(cls, ids: Sequence[str], tokens: Sequence[list[str]]) -> "BM25Index":
        """An index of already tokenised chunks (``tokenize`` output, one list per id, in order)."""
        import bm25s

        model = bm25s.BM25()
        if ids:
            model.index([t or [EMPTY] for t in tokens], show_progress=False)
        return cls(model, list(ids))

    def save(self, folder: Path) -> None:
        folder = Path(folder)
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.ids:
            self.model.save(str(tmp), show_progress=False)
        (tmp / "ids.json").write_text(json.dumps(self.ids))
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> "BM25Index":
        """The index in ``folder``, read again when a writer renamed a new folder into place meanwhile.

        ``ids.json`` and the model's files are separate reads; a write swaps the whole folder
        (``save``), so the folder is the same one before and after the reads exactly when they all
        came from one index.
        """
        import bm25s

        folder = Path(folder)
        for _ in range(LOAD_ATTEMPTS):
            try:
                before = folder.stat().st_ino
                ids = json.loads((folder / "ids.json").read_text())
                model = bm25s.BM25.load(str(folder), mmap=False, show_progress=False) if ids else bm25s.BM25()
                if folder.stat().st_ino == before:
                    return cls(model, ids)
            except (OSError, ValueError):  # the folder was renamed away or removed while it was read
                continue
        raise RuntimeError(f"{folder} kept changing while it was read ({LOAD_ATTEMPTS} attempts)")

    @property
    def vocabulary(self) -> dict[str, int]:
        """Token → id for every token in the index."""
        return self.model.vocab_dict if self.ids else {}

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk_id, score) with a positive score: unmatched chunks never vote."""
        tokens = [t for t in tokenize(query) if t in self.model.vocab_dict] if self.ids else []
        if not tokens:
            return []
        scores = self.model.get_scores(tokens)
        if mask is not None:
            scores = scores * mask
        k = min(k, len(self.ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
