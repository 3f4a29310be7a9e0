"""The template part of every unit: header, salutation, opening, body, closing, signature, contact.

The salutation (or, without one, the opening) ends the header; the closing
block is read backwards from the end until a unit is body text.
"""
from __future__ import annotations

import re

from .dates import find_dates
from .sections import heading_at
from .template import (BODY, CLOSING, CLOSING_RE, CONTACT, CONTACT_RE, HEADER, HEADER_LINE_KEY, INSTITUTION_RE,
                       OFFICE_RE, OPENING, OPENING_END, OPENING_HINT, SALUTATION, SALUTE_RE, SIGNATURE, SIGNER_RE)
from .units import Unit

# All hand-set when the parser was written; none was fitted.
SALUTATION_WITHIN = 40  # units searched for the salutation: site header blocks run to a few dozen lines
OPENING_AFTER_SALUTATION = 3  # the opening follows the salutation within this many units
OPENING_WITHIN = 12  # without a salutation, the opening is looked for in this many units
OPENING_UNITS = 3  # an opening spans at most this many units (it ends at 如下: or 收悉)
HEADER_LINE_MAX = 40  # without salutation or opening, shorter lines with no 。 at the top are header
CLOSING_MAX = 150  # a closing sentence longer than this is body text that happens to start like one
DATE_LINE_EXTRA = 2  # a date line may hold this many characters besides its dates (a stray mark or two)


def salutation_of(unit: Unit) -> str | None:
    """The addressee part of a salutation unit ("翟亞丹委員"), or None."""
    m = SALUTE_RE.match(unit.ntext)
    if m and (not m.group("rest").strip() or re.match(r"\s*(?:您|你|贵|近年|首先)", m.group("rest"))):
        return m.group("who")
    m = INSTITUTION_RE.match(unit.ntext)
    return m.group("who") if m else None


def _find_salutation(units: list[Unit]) -> int | None:
    for i, u in enumerate(units[:SALUTATION_WITHIN]):
        if OPENING_HINT.search(u.ntext) and "收悉" in u.ntext:
            return None  # the opening came first: there is no salutation
        if salutation_of(u):
            return i
    return None


def _find_opening(units: list[Unit], start: int, anchored: bool) -> tuple[int, int] | None:
    """(first, last) unit of the opening, searched from ``start``."""
    window = range(start, min(len(units), start + (OPENING_AFTER_SALUTATION if anchored else OPENING_WITHIN)))
    first = next((i for i in window if OPENING_HINT.search(units[i].ntext) and not heading_at(units[i])
                  and (anchored or re.search(r"收悉|如下[^。]{0,12}:", units[i].ntext))), None)
    if first is None:
        return None
    for j in range(first, min(len(units), first + OPENING_UNITS)):
        if OPENING_END.search(units[j].ntext):
            return first, j
    return first, first


def _looks_like_header(unit: Unit) -> bool:
    t = unit.ntext
    return len(t) < HEADER_LINE_MAX and "。" not in t or bool(HEADER_LINE_KEY.match(t)) or bool(OFFICE_RE.match(t))


def tail_kind(unit: Unit) -> str | None:
    """The closing-block part a unit belongs to, or None if it is body text."""
    t = unit.ntext
    if SIGNER_RE.match(t):
        return SIGNATURE
    if CONTACT_RE.match(t):
        return CONTACT
    if OFFICE_RE.match(t) or _is_date_line(t):
        return SIGNATURE
    if CLOSING_RE.match(t) and len(t) <= CLOSING_MAX:
        return CLOSING
    return None


def _is_date_line(t: str) -> bool:
    found = find_dates(t)
    return bool(found) and len(re.sub(r"[\s|]", "", t[: found[0][0]] + t[found[-1][1]:])) <= DATE_LINE_EXTRA


def template_parts(units: list[Unit]) -> list[str]:
    """The template part of every unit."""
    n = len(units)
    parts = [BODY] * n
    sal = _find_salutation(units)
    opening = _find_opening(units, sal + 1 if sal is not None else 0, sal is not None)
    if sal is not None:
        parts[:sal] = [HEADER] * sal
        parts[sal] = SALUTATION
        body_start = sal + 1
    elif opening is not None:
        parts[: opening[0]] = [HEADER] * opening[0]
        body_start = opening[0]
    else:
        body_start = 0
        while body_start < n and _looks_like_header(units[body_start]):
            parts[body_start] = HEADER
            body_start += 1
    if opening is not None:
        parts[opening[0]: opening[1] + 1] = [OPENING] * (opening[1] + 1 - opening[0])
        body_start = opening[1] + 1
    for i in range(n - 1, body_start - 1, -1):
        kind = tail_kind(units[i])
        if kind is None:
            break
        parts[i] = kind
    return parts
