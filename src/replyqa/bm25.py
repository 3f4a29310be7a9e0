"""Sparse retrieval: BM25 over jieba tokens of the normalised text, updated in place by each write.

The scoring is Lucene's BM25 (k1 = 1.5, b = 0.75, idf = ln(1 + (N − df + 0.5) / (df + 0.5))), the
variant bm25s uses by default; a test holds the scores to bm25s's on the same tokens. bm25s itself
served until its whole-archive rebuild on every write became the slowest part of adding or removing
one reply (0.6 s at 10k chunks, growing with the archive). Here the term counts are kept as a sparse
matrix (scipy), so a write deletes and appends rows and recomputes the per-posting scores in a few
vectorised passes: no chunk is re-tokenised or re-counted.

The index is saved as a folder of plain files (``postings.npz``, ``vocab.json``, ``ids.json``), written
to a temporary folder and renamed into place, so a reader never sees half an index. Tokenising (jieba)
is the slow part of a build, so each chunk's tokens are kept by the catalog too.
"""
from __future__ import annotations

import json
import logging
import re
import shutil
import unicodedata
from collections import Counter
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from .normalise import to_simplified

log = logging.getLogger(__name__)

_WORD = re.compile(r"[\w\u3400-\u9fff]")
# Bump when tokenize() changes what it returns: tokens stored by another version are made again.
TOKENIZER_VERSION = 1
STOPWORDS = frozenset("的 了 和 与 及 是 在 对 为 等 也 并 将 把 被 于 其 之 个 这 那 有 就 都 而 或 中 上 下 the a an of to in and or is are was were be for on at by with what how which who when where why does do did".split())
K1, B = 1.5, 0.75  # Lucene's and bm25s's defaults (Kamphuis et al., ECIR 2020, "Which BM25 do you mean?")
POSTINGS = "postings.npz"


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


class OldFormat(ValueError):
    """The folder holds an index in a format this version does not read (it is rebuilt from stored tokens)."""


def _counts(tokens: Sequence[list[str]], vocab: dict[str, int]):
    """Rows of term counts (a CSR matrix, one row per token list); new terms are added to ``vocab``."""
    from scipy import sparse

    indptr, cols, counts = [0], [], []
    for toks in tokens:
        for term, n in Counter(toks).items():
            cols.append(vocab.setdefault(term, len(vocab)))
            counts.append(n)
        indptr.append(len(cols))
    return sparse.csr_matrix((np.asarray(counts, np.float32), np.asarray(cols, np.int32), np.asarray(indptr, np.int64)),
                             shape=(len(tokens), len(vocab)))


class BM25Index:
    """BM25 over chunk token lists, addressed by chunk id. Immutable: an update returns a new index."""

    def __init__(self, counts, vocab: dict[str, int], ids: list[str]):
        """``counts``: a CSR matrix of term counts, a row per id and a column per ``vocab`` entry."""
        self.counts, self._vocab, self.ids = counts, vocab, ids
        self.position = {cid: i for i, cid in enumerate(ids)}

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str]) -> "BM25Index":
        """An index of chunk texts, tokenising every one."""
        return cls.from_tokens(ids, [tokenize(t) for t in texts])

    @classmethod
    def from_tokens(cls, ids: Sequence[str], tokens: Sequence[list[str]]) -> "BM25Index":
        """An index of already tokenised chunks (``tokenize`` output, one list per id, in order)."""
        if len(ids) != len(tokens):
            raise ValueError(f"{len(ids)} ids for {len(tokens)} token lists")
        vocab: dict[str, int] = {}
        return cls(_counts(tokens, vocab), vocab, list(ids))

    def updated(self, order: Sequence[str], added: dict[str, list[str]]) -> "BM25Index":
        """This index with the rows of ``order``, in that order: kept rows as they are, the ids of ``added``
        counted from their tokens. Rows not in ``order`` are dropped, and so are terms left in no row."""
        from scipy import sparse

        vocab = dict(self._vocab)
        new_ids = [cid for cid in order if cid in added]
        fresh = _counts([added[cid] for cid in new_ids], vocab)
        old = self.counts
        old = sparse.csr_matrix((old.data, old.indices, old.indptr), shape=(old.shape[0], len(vocab)))
        both = sparse.vstack([old, fresh], format="csr")
        row = {**self.position, **{cid: len(self.ids) + i for i, cid in enumerate(new_ids)}}
        missing = [cid for cid in order if cid not in row]
        if missing:
            raise KeyError(f"{len(missing)} chunk ids neither indexed nor given tokens, e.g. {missing[0]}")
        counts = both[np.asarray([row[cid] for cid in order], np.int64)]
        used = np.bincount(counts.indices, minlength=len(vocab)) > 0
        if not used.all():  # terms of removed rows only: renumber the rest
            remap = np.cumsum(used) - 1
            counts = sparse.csr_matrix((counts.data, remap[counts.indices].astype(np.int32), counts.indptr),
                                       shape=(counts.shape[0], int(used.sum())))
            vocab = {t: int(remap[i]) for t, i in vocab.items() if used[i]}
        return BM25Index(counts, vocab, list(order))

    @cached_property
    def _postings(self):
        """Term-major postings with each one's BM25 score precomputed: (indptr, rows, scores)."""
        n = len(self.ids)
        csc = self.counts.tocsc()
        if not n or not csc.nnz:
            return np.zeros(len(self._vocab) + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32)
        lengths = np.asarray(self.counts.sum(axis=1), np.float64).ravel()
        avg = lengths.mean()
        df = np.diff(csc.indptr).astype(np.float64)
        idf = np.log1p((n - df + 0.5) / (df + 0.5))
        term = np.repeat(np.arange(len(df)), np.diff(csc.indptr))
        tf = csc.data.astype(np.float64)
        scores = idf[term] * tf / (tf + K1 * ((1 - B) + B * lengths[csc.indices] / avg))
        return csc.indptr, csc.indices.astype(np.int32), scores.astype(np.float32)

    def save(self, folder: Path) -> None:
        folder = Path(folder)
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        c = self.counts
        np.savez(tmp / POSTINGS, indptr=c.indptr, indices=c.indices, data=c.data, shape=np.asarray(c.shape))
        (tmp / "vocab.json").write_text(json.dumps(sorted(self._vocab, key=self._vocab.get), ensure_ascii=False),
                                        encoding="utf-8")
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

        The files are separate reads; a write swaps the whole folder (``save``), so the folder is the
        same one before and after the reads exactly when they all came from one index. A folder
        written by bm25s (before this format) raises OldFormat.
        """
        from scipy import sparse

        folder = Path(folder)
        for _ in range(LOAD_ATTEMPTS):
            try:
                before = folder.stat().st_ino
                if not (folder / POSTINGS).is_file() and (folder / "ids.json").is_file():
                    raise OldFormat(f"{folder} holds a BM25 index of an earlier format")
                ids = json.loads((folder / "ids.json").read_text())
                terms = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
                with np.load(folder / POSTINGS) as z:
                    counts = sparse.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
                if folder.stat().st_ino == before:
                    return cls(counts, {t: i for i, t in enumerate(terms)}, ids)
            except OldFormat:
                raise
            except (OSError, ValueError, KeyError):  # the folder was renamed away or removed while it was read
                continue
        raise RuntimeError(f"{folder} kept changing while it was read ({LOAD_ATTEMPTS} attempts)")

    @property
    def vocabulary(self) -> dict[str, int]:
        """Token → id for every token in the index."""
        return self._vocab

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """The BM25 score of every row for these query tokens (a repeated token counts again)."""
        indptr, rows, scores = self._postings
        ids = [self._vocab[t] for t in tokens if t in self._vocab]
        if not ids:
            return np.zeros(len(self.ids), np.float32)
        picked = np.concatenate([np.arange(indptr[i], indptr[i + 1]) for i in ids])
        return np.bincount(rows[picked], weights=scores[picked], minlength=len(self.ids)).astype(np.float32)

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk_id, score) with a positive score: unmatched chunks never vote."""
        tokens = [t for t in tokenize(query) if t in self._vocab] if self.ids else []
        if not tokens:
            return []
        scores = self.scores(tokens)
        if mask is not None:
            scores = scores * mask
        k = min(k, len(self.ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
