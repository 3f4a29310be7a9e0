"""Metadata filters, applied inside both stores (Chroma ``where`` and a BM25 mask).

One definition serves both, so the dense and sparse sides never disagree
about which replies a filter admits. The BM25 mask is computed over
``FilterColumns``: the filterable fields of every reply as arrays, so a filtered
query compares arrays rather than checking each reply in Python.

The handling fields (``CATALOG_KEYS``: lead unit, result grade) are not in the chunk
metadata of indexes built before they were parsed, so Chroma cannot be asked about
them directly: the replies they admit are found in the catalog's metadata (the same
``FilterColumns``) and Chroma is constrained to those reply ids.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property
from typing import Sequence

import numpy as np

from .records import ReplyMeta

EQUALITY_KEYS = ("body", "level", "office", "session", "proposal_number", "reply_class")
# equality filters answered from the catalog only: older indexes lack them in Chroma's metadata
CATALOG_KEYS = ("lead_unit", "result_grade")


def date_int(iso: str) -> int:
    """20250421 for "2025-04-21"; 0 when unknown. Chroma ranges need integers."""
    digits = iso.replace("-", "")
    return int(digits) if digits.isdigit() and len(digits) == 8 else 0


def reply_date(meta: ReplyMeta) -> int:
    """The day a reply is filed under, as an integer: signed, else published.

    Not ``date_int(meta.date)``: a signature dated by month only ("2025-04") has no day, and a
    date range needs one, so the published day is used instead.
    """
    return date_int(meta.signed) or date_int(meta.published)


@dataclass(frozen=True)
class Filters:
    """Optional constraints on replies; unset fields admit everything."""

    year_from: int | None = None
    year_to: int | None = None
    date_from: str | None = None  # ISO date
    date_to: str | None = None
    body: str | None = None  # 政协 / 人大
    level: str | None = None
    office: str | None = None
    session: str | None = None  # "14-4"
    proposal_number: str | None = None
    reply_class: str | None = None
    lead_unit: str | None = None  # 主办单位, exact
    result_grade: str | None = None  # A / B1 / 解决采纳 …, exact (Simplified, as parsed)
    reply_ids: tuple[str, ...] | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))

    def _date_bounds(self) -> tuple[int | None, int | None]:
        low = date_int(self.date_from) if self.date_from else (self.year_from * 10000 + 101 if self.year_from else None)
        high = date_int(self.date_to) if self.date_to else (self.year_to * 10000 + 1231 if self.year_to else None)
        return low, high

    def _equalities(self, keys: Sequence[str] = EQUALITY_KEYS + CATALOG_KEYS) -> dict[str, str]:
        return {k: getattr(self, k) for k in keys if getattr(self, k) is not None}

    @property
    def needs_catalog(self) -> bool:
        """Whether ``to_chroma`` needs the catalog's columns (a handling field is set)."""
        return bool(self._equalities(CATALOG_KEYS))

    def catalog_ids(self, columns: "FilterColumns") -> tuple[str, ...] | None:
        """The stored replies the catalog-only constraints (and ``reply_ids``) admit; None when neither is set."""
        if not self.needs_catalog:
            return self.reply_ids
        ok = columns.present.copy()
        if self.reply_ids is not None:
            ok &= columns.is_one_of(self.reply_ids)
        for key, value in self._equalities(CATALOG_KEYS).items():
            ok &= columns.equals(key, value)
        return tuple(rid for rid, keep in zip(columns.reply_ids, ok) if keep)

    def matches(self, reply_id: str, meta: ReplyMeta) -> bool:
        """Whether a reply passes (the BM25 side)."""
        if self.reply_ids is not None and reply_id not in self.reply_ids:
            return False
        low, high = self._date_bounds()
        date = reply_date(meta)
        if (low is not None and date < low) or (high is not None and (date == 0 or date > high)):
            return False
        return all(field_value(meta, k) == v for k, v in self._equalities().items())

    def mask(self, columns: "FilterColumns") -> np.ndarray:
        """1.0 for each row of ``columns`` whose reply passes, else 0.0: the same verdicts as ``matches``."""
        ok = columns.present.copy()
        if self.reply_ids is not None:
            ok &= columns.is_one_of(self.reply_ids)
        low, high = self._date_bounds()
        if low is not None:
            ok &= columns.date >= low
        if high is not None:
            ok &= (columns.date != 0) & (columns.date <= high)
        for key, value in self._equalities().items():
            ok &= columns.equals(key, value)
        # the last slot stands for rows whose reply is unknown: such a row never passes
        return np.append(ok, False)[columns.rows].astype(np.float32)

    def admits_none(self, columns: "FilterColumns | None" = None) -> bool:
        """Whether the reply-id constraint is empty, so Chroma (which rejects an empty ``$in``) need not be asked."""
        ids = self.catalog_ids(columns) if columns is not None else self.reply_ids
        return ids is not None and not ids

    def to_chroma(self, columns: "FilterColumns | None" = None) -> dict | None:
        """The same constraints as a Chroma ``where`` clause (None when nothing is set).

        ``columns`` (the catalog's metadata) is needed when ``needs_catalog``: those
        constraints become a ``reply_id`` ``$in`` list, possibly empty.
        """
        if self.needs_catalog and columns is None:
            raise ValueError("lead_unit and result_grade filters need the catalog's FilterColumns")
        reply_ids = self.catalog_ids(columns) if columns is not None else self.reply_ids
        parts: list[dict] = [{k: {"$eq": v}} for k, v in self._equalities(EQUALITY_KEYS).items()]
        low, high = self._date_bounds()
        if low is not None:
            parts.append({"date": {"$gte": low}})
        if high is not None:
            parts.append({"date": {"$lte": high}})
        if reply_ids is not None:
            parts.append({"reply_id": {"$in": list(reply_ids)}})
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"$and": parts}


def field_value(meta: ReplyMeta, key: str) -> str:
    """A reply's value for one of the EQUALITY_KEYS or CATALOG_KEYS, as a filter names it ("14-4" for a session)."""
    return "-".join(map(str, meta.session)) if key == "session" else getattr(meta, key)


class FilterColumns:
    """The filterable fields of some replies as arrays, and the reply each scored row belongs to.

    ``replies`` gives (reply_id, meta) per reply, meta None for a reply no longer stored;
    ``rows`` gives each row's position in ``replies``, -1 when the row's reply is unknown.
    Text fields are held as codes into their distinct values: one dictionary lookup per
    filter, then one array comparison.
    """

    def __init__(self, replies: Sequence[tuple[str, ReplyMeta | None]], rows: np.ndarray):
        self.reply_ids = [rid for rid, _ in replies]
        self.rows = np.where(rows < 0, len(replies), rows)
        self.present = np.array([meta is not None for _, meta in replies], dtype=bool)
        metas = [meta or ReplyMeta() for _, meta in replies]
        self.date = np.array([reply_date(m) for m in metas], dtype=np.int64)
        self._codes: dict[str, dict[str, int]] = {}
        self._columns: dict[str, np.ndarray] = {}
        for key in EQUALITY_KEYS + CATALOG_KEYS:
            codes: dict[str, int] = {}
            self._columns[key] = np.array([codes.setdefault(field_value(m, key), len(codes)) for m in metas],
                                          dtype=np.int64)
            self._codes[key] = codes

    def equals(self, key: str, value) -> np.ndarray:
        """Per reply: whether its ``key`` field equals ``value``."""
        code = self._codes[key].get(value)
        return self._columns[key] == code if code is not None else np.zeros(len(self.reply_ids), dtype=bool)

    @cached_property
    def _position(self) -> dict[str, int]:
        return {rid: i for i, rid in enumerate(self.reply_ids)}

    def is_one_of(self, reply_ids: Sequence[str]) -> np.ndarray:
        """Per reply: whether it is one of ``reply_ids``."""
        out = np.zeros(len(self.reply_ids), dtype=bool)
        out[[self._position[r] for r in reply_ids if r in self._position]] = True
        return out
