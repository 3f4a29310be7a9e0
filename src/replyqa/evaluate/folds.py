"""Which benchmark articles the reader is fitted on, calibrated on, and reported on.

DRCD and CMRC 2018 come without training splits, so their articles are split into five folds by a
hash of the file's name and the article's title (stable across runs and machines, and every
paragraph of an article in one fold): fold 0 is the report fold, never fitted on nor calibrated on,
and the one ``make eval`` asks its benchmark questions from; fold 1 calibrates the reader's
no-answer score; folds 2-4 fit the reader.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

FOLDS = 5
REPORT, CALIBRATE = 0, 1
ROLES = {REPORT: "report", CALIBRATE: "calibrate"}


def fold_of(source: str | Path, title: str) -> int:
    """The fold of an article of a benchmark file (its name, not its path, counts)."""
    key = f"{Path(source).name}\0{title}".encode()
    return int(hashlib.sha256(key).hexdigest(), 16) % FOLDS


def role_of(fold: int) -> str:
    """What a fold is for: "report", "calibrate" or "fit"."""
    return ROLES.get(fold, "fit")
