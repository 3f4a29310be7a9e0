"""Where a question's time goes: each stage times itself into the recording of the question in hand.

``Answerer.ask`` (and the bench's bare searches) open a :func:`recording`; the code of each stage
wraps its work in :func:`stage`. Outside a recording a stage costs one context-variable lookup, so
the CLI, the web app and the tests pay nothing for it. A stage entered twice in one recording (the
boosted search runs dense and BM25 twice) adds up; stages do not nest in the stage names used here,
so their sum is the time accounted for.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from collections.abc import Iterator

# Stage names, in pipeline order (the bench's table and plot follow it).
STAGES = ("analyse", "ground", "embed", "dense", "bm25", "fuse", "read", "score", "compose")

# The stages before reading and scoring: their sum is the ``retrieve`` time the JSON has always carried.
RETRIEVE_STAGES = STAGES[:6]

_recording: ContextVar[dict[str, float] | None] = ContextVar("replyqa_timings", default=None)


@contextmanager
def recording() -> Iterator[dict[str, float]]:
    """Record the stages run inside this block: the dict maps stage name to milliseconds."""
    times: dict[str, float] = {}
    token = _recording.set(times)
    try:
        yield times
    finally:
        _recording.reset(token)


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Time this block as ``name`` in the current recording, if there is one."""
    times = _recording.get()
    if times is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        times[name] = times.get(name, 0.0) + (time.perf_counter() - started) * 1000


def rounded(times: dict[str, float]) -> tuple[tuple[str, float], ...]:
    """The recording as ``Answer.timings``: (stage, ms) pairs in pipeline order, then any others."""
    order = {name: i for i, name in enumerate(STAGES)}
    return tuple((k, round(v, 2)) for k, v in sorted(times.items(), key=lambda kv: order.get(kv[0], len(order))))


def as_json(timings: tuple[tuple[str, float], ...]) -> dict[str, float]:
    """``Answer.timings`` for the JSON: every stage, and ``retrieve``, the sum of the retrieval stages."""
    out = dict(timings)
    if any(k in out for k in RETRIEVE_STAGES):
        out["retrieve"] = round(sum(out.get(k, 0.0) for k in RETRIEVE_STAGES), 2)
    return out
