"""Metadata filters, applied inside both stores (Chroma ``where`` and a BM25 mask).

One definition serves both, so the dense and sparse sides never disagree
about which replies a filter admits.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from .records import ReplyMeta


def date_int(iso: str) -> int:
    """20250421 for "2025-04-21"; 0 when unknown. Chroma ranges need integers."""
    digits = iso.replace("-", "")
    return int(digits) if digits.isdigit() and len(digits) == 8 else 0


def reply_date(meta: ReplyMeta) -> int:
    """The date a reply is filed under: signed, else published."""
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
    reply_ids: tuple[str, ...] | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))

    def _date_bounds(self) -> tuple[int | None, int | None]:
        low = date_int(self.date_from) if self.date_from else (self.year_from * 10000 + 101 if self.year_from else None)
        high = date_int(self.date_to) if self.date_to else (self.year_to * 10000 + 1231 if self.year_to else None)
        return low, high

    def _equalities(self) -> dict[str, str]:
        keys = ("body", "level", "office", "session", "proposal_number", "reply_class")
        return {k: getattr(self, k) for k in keys if getattr(self, k) is not None}

    def matches(self, reply_id: str, meta: ReplyMeta) -> bool:
        """Whether a reply passes (the BM25 side)."""
        if self.reply_ids is not None and reply_id not in self.reply_ids:
            return False
        low, high = self._date_bounds()
        date = reply_date(meta)
        if (low is not None and date < low) or (high is not None and (date == 0 or date > high)):
            return False
        values = {"body": meta.body, "level": meta.level, "office": meta.office,
                  "session": "-".join(map(str, meta.session)), "proposal_number": meta.proposal_number,
                  "reply_class": meta.reply_class}
        return all(values[k] == v for k, v in self._equalities().items())

    def to_chroma(self) -> dict | None:
        """The same constraints as a Chroma ``where`` clause (None when nothing is set)."""
        parts: list[dict] = [{k: {"$eq": v}} for k, v in self._equalities().items()]
        low, high = self._date_bounds()
        if low is not None:
            parts.append({"date": {"$gte": low}})
        if high is not None:
            parts.append({"date": {"$lte": high}})
        if self.reply_ids is not None:
            parts.append({"reply_id": {"$in": list(self.reply_ids)}})
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"$and": parts}
