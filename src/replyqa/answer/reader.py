"""The fitted reader: which span of a passage answers a question, and whether any does.

A reading model on the multilingual-e5-small encoder (the embedder's own weights): the question and
a passage go in as one pair (``<s> question </s></s> passage </s>``), and a head gives each token a
start and an end logit. The best span is the start and end that score highest together; the null
answer is the first token's start and end (SQuAD 2.0's convention), and how far the best span scores
above it says whether the passage answers at all. That margin is mapped to a probability by a
logistic (Platt) fit on the calibration fold (``readerfit.py``).

Only the top layers and the head were fitted; their weights ship with the package as a small delta
(``data/reader/``), and the model is assembled from the rebuilt embedder and that delta on first
use, exported to ONNX under ``REPLYQA_HOME``, like the embedder. Passages and questions are read in
Simplified script (OpenCC, one character for one, so offsets hold).
"""
from __future__ import annotations

import json
import logging
import math
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..normalise import to_simplified

log = logging.getLogger(__name__)

DELTA = Path(__file__).resolve().parents[1] / "data" / "reader"
MAX_TOKENS = 256  # question and passage together: a chunk of 300 characters is about 200 tokens
MAX_QUESTION_TOKENS = 48  # a longer question is cut: its end is seldom what picks the span
MAX_ANSWER_TOKENS = 30  # a span longer than this is a sentence, which the quote gives anyway
STRIDE = 96  # tokens two windows of one long passage share
CLS, SEP, PAD = 0, 2, 1


@dataclass(frozen=True)
class Window:
    """One encoded (question, passage window) pair, and where its passage tokens lie in the passage."""

    ids: tuple[int, ...]
    first: int  # index of the first passage token in ``ids``
    offsets: tuple[tuple[int, int], ...]  # character span in the passage of each passage token


@dataclass(frozen=True)
class Reading:
    """The best span of one passage: character offsets in it, its score and the null answer's."""

    passage: int
    start: int
    end: int
    score: float
    null: float

    @property
    def margin(self) -> float:
        """How far the span scores above the null answer: the evidence that the passage answers."""
        return self.score - self.null


def windows(tokenizer, question: str, passage: str, max_tokens: int = MAX_TOKENS) -> list[Window]:
    """The pair encodings of a question and a passage: one window, or overlapping ones for a long passage."""
    q = tokenizer.encode(to_simplified(question), add_special_tokens=False).ids[:MAX_QUESTION_TOKENS]
    enc = tokenizer.encode(to_simplified(passage), add_special_tokens=False)
    budget = max_tokens - len(q) - 4
    ids, offsets = enc.ids, enc.offsets
    out, start = [], 0
    while True:
        part = slice(start, start + budget)
        out.append(Window(ids=(CLS, *q, SEP, SEP, *ids[part], SEP), first=len(q) + 3,
                          offsets=tuple(tuple(o) for o in offsets[part])))
        if start + budget >= len(ids):
            return out
        start += budget - STRIDE


def best_span(start_logits: np.ndarray, end_logits: np.ndarray, window: Window) -> tuple[int, int, float]:
    """The passage tokens (first, last) whose start and end logits sum highest, and that sum."""
    lo, hi = window.first, window.first + len(window.offsets)
    s, e = start_logits[lo:hi], end_logits[lo:hi]
    scores = s[:, None] + e[None, :]
    n = len(s)
    allowed = np.triu(np.ones((n, n), dtype=bool)) & ~np.triu(np.ones((n, n), dtype=bool), MAX_ANSWER_TOKENS)
    scores = np.where(allowed, scores, -np.inf)
    i, j = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return int(i), int(j), float(scores[i, j])


@dataclass(frozen=True)
class Calibration:
    """P(answerable) = sigmoid(a · margin + b), and the probability below which an answer is refused."""

    a: float
    b: float
    refuse_below: float

    def probability(self, margin: float) -> float:
        return 1.0 / (1.0 + math.exp(-(self.a * margin + self.b)))


class Reader:
    """The fitted reader in onnxruntime; built once per process, thread-safe."""

    def __init__(self, home: Path, delta: Path = DELTA):
        self.home, self.delta = Path(home), Path(delta)
        self._lock = threading.Lock()

    @cached_property
    def meta(self) -> dict:
        path = self.delta / "reader.json"
        if not path.is_file():
            raise ModelError(f"the reader's fitted weights are missing ({path}); run `make fit`")
        return json.loads(path.read_text(encoding="utf-8"))

    @cached_property
    def calibration(self) -> Calibration:
        c = self.meta["calibration"]
        return Calibration(c["a"], c["b"], c["refuse_below"])

    @cached_property
    def _parts(self):
        from tokenizers import Tokenizer

        from .readermodel import build_reader

        folder = build_reader(self.home, self.delta)
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(str(folder / "reader.onnx"), options, providers=["CPUExecutionProvider"])
        return Tokenizer.from_file(str(folder / "tokenizer.json")), session

    @property
    def tokenizer(self):
        return self._parts[0]

    def read(self, question: str, passages: list[str]) -> list[Reading]:
        """The best span of each passage (its best window's), in passage order, read in one batch."""
        tokenizer, session = self._parts
        encoded = [(n, w) for n, p in enumerate(passages) for w in windows(tokenizer, question, p)]
        if not encoded:
            return []
        width = max(len(w.ids) for _, w in encoded)
        ids = np.full((len(encoded), width), PAD, dtype=np.int64)
        for row, (_, w) in enumerate(encoded):
            ids[row, :len(w.ids)] = w.ids
        start, end = session.run(None, {"input_ids": ids, "attention_mask": (ids != PAD).astype(np.int64)})
        best: dict[int, Reading] = {}
        for row, (n, w) in enumerate(encoded):
            i, j, score = best_span(start[row], end[row], w)
            reading = Reading(n, w.offsets[i][0], w.offsets[j][1], score, float(start[row, 0] + end[row, 0]))
            if n not in best or reading.margin > best[n].margin:
                best[n] = reading
        return [best[n] for n in sorted(best)]


_readers: dict[Path, Reader] = {}
_readers_lock = threading.Lock()


def reader_for(home: str | Path) -> Reader:
    """The process's reader for a model cache folder."""
    with _readers_lock:
        key = Path(home)
        if key not in _readers:
            _readers[key] = Reader(key)
        return _readers[key]
