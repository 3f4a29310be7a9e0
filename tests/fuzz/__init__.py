"""Seeded generators of hostile input for the fuzz tests and ``make soak``.

Every case is rebuilt from ``(seed, i)`` alone, so a failure report naming a
file (``0123_html_nested.html``) can be reproduced without the others.
``REPLYQA_FUZZ_FULL=1`` asks for the full run; the default is a fast slice.
"""
from __future__ import annotations

import os


def full_run() -> bool:
    """True when the full fuzz and crash suites were asked for (``make soak`` sets it)."""
    return os.environ.get("REPLYQA_FUZZ_FULL", "") not in ("", "0", "false", "no")


def count(fast: int, full: int) -> int:
    """How many cases to generate in this run."""
    return full if full_run() else fast
