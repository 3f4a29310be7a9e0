"""Filters a question names: its year, its body (人大/政协) and an office the archive knows narrow a search.

"2019年政协关于城区公厕的提案" asks about 2019 replies to 政协 proposals, so the precedent desk and
``replyqa search`` pre-fill those filters. Each pre-filled filter is a :class:`Chip`: it has a name
to show ("年份 2019", "政协", "縣民政局"), so a reader sees why the results were narrowed, and it
knows the :class:`~replyqa.filters.Filters` fields it sets, so it can be removed again.
:func:`question_chips` reads the chips from a question's entities (:mod:`replyqa.entities`);
:func:`apply_chips` adds them to the filters set by hand, which win over them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Sequence

from .entities import Entity
from .filters import Filters
from .normalise import to_simplified

# hand-set: the longest of the 118 questions in eval/ is 140 characters; a text longer than this is a
# pasted proposal, whose years and offices are its subject, not a restriction on its precedents
MAX_QUESTION_CHARS = 200
# Filters fields a chip of each kind would set, and the hand-set ones that make it step aside
# (a date range set by hand bounds the same dates as a year).
YIELDS_TO = {"year": ("year_from", "year_to", "date_from", "date_to"), "body": ("body",), "office": ("office",)}
# numbers that hold four digits without being a year ("第2019号" is a proposal number)
NOT_YEAR_KINDS = ("proposal_number", "doc_number", "session")
BODY_EN = {"政协": "CPPCC", "人大": "NPC"}


@dataclass(frozen=True)
class Chip:
    """One filter pre-filled from the question: what it is called and which Filters fields it sets."""

    kind: str  # "year", "body" or "office"
    value: str  # "2019" (or "2019-2021"), 政协 / 人大, the office as the replies store it
    asked: str  # the words of the question it was read from
    fields: tuple[tuple[str, object], ...]  # (Filters field, value) pairs

    @property
    def key(self) -> str:
        """A stable name for removing it: "year:2019", "body:政协", "office:縣民政局"."""
        return f"{self.kind}:{self.value}"

    def label(self, lang: str = "zh") -> str:
        """How it is shown: "年份 2019", "政协", "縣民政局" (English: "year 2019", "CPPCC (政协)", "office 縣民政局")."""
        shown = self.value.replace("-", "–")
        if lang == "en":
            return {"year": f"year {shown}", "body": f"{BODY_EN.get(self.value, self.value)} ({self.value})",
                    "office": f"office {self.value}"}[self.kind]
        return f"年份 {shown}" if self.kind == "year" else self.value

    def as_json(self) -> dict:
        return {"key": self.key, "kind": self.kind, "value": self.value, "asked": self.asked,
                "filters": dict(self.fields)}


def question_chips(entities: Sequence[Entity], knows: Callable[[str, str], bool],
                   stored_offices: Callable[[str], Iterable[str]]) -> tuple[Chip, ...]:
    """The filters a question's entities pre-fill: its years, its body, and an office the archive knows.

    ``knows(kind, value)`` is the gazetteer's; ``stored_offices(value)`` gives the office field of each
    reply whose office is ``value`` (Simplified), spelt as the reply stores it, since the office filter
    compares stored strings. A question naming both bodies, or two offices, is not narrowed by them.
    """
    numbers = [e for e in entities if e.kind in NOT_YEAR_KINDS]
    years = [e for e in entities if e.kind == "year" and not any(n.start <= e.start and e.end <= n.end
                                                                 for n in numbers)]
    chips = []
    if years:
        low, high = min(int(e.value) for e in years), max(int(e.value) for e in years)
        value = str(low) if low == high else f"{low}-{high}"
        chips.append(Chip("year", value, _asked(years), (("year_from", low), ("year_to", high))))
    bodies = [e for e in entities if e.kind == "body"]
    if len({e.value for e in bodies}) == 1:
        chips.append(Chip("body", bodies[0].value, _asked(bodies), (("body", bodies[0].value),)))
    offices = [e for e in entities if e.kind == "office" and knows("office", e.value)]
    if len({e.value for e in offices}) == 1:
        spelling = _most_common(stored_offices(offices[0].value))
        if spelling:
            chips.append(Chip("office", spelling, _asked(offices), (("office", spelling),)))
    return tuple(chips)


def index_chips(question, index) -> tuple[Chip, ...]:
    """:func:`question_chips` for an analysed question over an opened index; none for a pasted document."""
    if len(question.text) > MAX_QUESTION_CHARS:
        return ()
    gazetteer = index.gazetteer
    stored = {i.reply_id: i.meta.office for i in index.reply_infos()}

    def stored_offices(value: str) -> list[str]:
        return [office for rid in gazetteer.replies("office", value) if (office := stored.get(rid))
                and to_simplified(office) == value]

    return question_chips(question.entities, gazetteer.knows, stored_offices)


def apply_chips(filters: Filters | None, chips: Sequence[Chip],
                removed: Iterable[str] = ()) -> tuple[Filters | None, tuple[Chip, ...]]:
    """The hand-set ``filters`` with the chips added, and the chips that were added.

    A chip whose key is in ``removed`` is left out, and so is one whose fields (or a date range, for
    a year) were set by hand: what a person chose wins over what was read from the question.
    """
    base = filters or Filters()
    gone = set(removed)
    applied = tuple(c for c in chips if c.key not in gone
                    and all(getattr(base, f) is None for f in YIELDS_TO[c.kind]))
    merged = replace(base, **{f: v for c in applied for f, v in c.fields})
    return (None if merged.is_empty() else merged), applied


def describe(chips: Sequence[Chip], lang: str = "en") -> str:
    """The chips as one line: "year 2019, CPPCC (政协)"."""
    return ", ".join(c.label(lang) for c in chips)


def _asked(entities: Sequence[Entity]) -> str:
    return "、".join(dict.fromkeys(e.text for e in entities))


def _most_common(spellings: Iterable[str]) -> str:
    """The spelling most replies use (the first in sorted order on a tie); "" for none."""
    counts = Counter(spellings)
    return min(counts, key=lambda s: (-counts[s], s)) if counts else ""
