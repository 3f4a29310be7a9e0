"""China's administrative divisions by name: provinces, prefectures and counties, from a list.

A reply names its county in its office and its text, and a question names the county it asks about. Most names
are read by the general pattern for places (``entities.py``: a name before 县/市/区…), which must not read words
as names. A county whose name is one character before its suffix (威县, 莒县, 歙县: about a hundred) or starts
with a function word (和龙市) is not read that way: this module finds them in the list of divisions that the
``cpca`` package ships (MIT; ``data/divisions/``, with its source and licence).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

DIVISIONS = Path(__file__).resolve().parent / "data" / "divisions" / "names.txt"
# Division names that are also common words for a kind of area ("城区", "郊区", "市辖区"): never read as a name.
GENERIC_DIVISIONS = frozenset("市辖区 城区 郊区 矿区 东区 西区 南区 北区 新区 市中区".split())
SUFFIXES = "省市州县区旗盟"  # how a division's name ends (a few islands and areas end otherwise: not read)
# The suffixes of a province or city that a county written with one character before its suffix ("威县") may follow.
_SHORT_DIVISION_AFTER = set("省市州盟")


@lru_cache(maxsize=1)
def division_names() -> tuple[frozenset[str], int]:
    """China's province, prefecture and county names (data/divisions: cpca's list, MIT) and the longest's length."""
    names = frozenset(n for n in DIVISIONS.read_text(encoding="utf-8").split() if len(n) >= 2) - GENERIC_DIVISIONS
    return names, max(map(len, names))


def divisions(simplified: str) -> list[tuple[int, int, str, str]]:
    """The provinces, prefectures and counties a Simplified text names by their full names, the longest at each end.

    The general pattern for place names (``entities._places``) cannot tell a name of one character before its
    suffix from a word ("威县" from "该县", "高县" in "提高县级"), nor a name starting with a function word ("和龙市");
    the list can. A two-character name counts only where nothing else can be read (:func:`_short_name_starts`).
    """
    names, longest = division_names()
    ends: dict[int, str] = {}  # where a name found ends, and the name
    out = []
    for b in range(2, len(simplified) + 1):
        if simplified[b - 1] not in SUFFIXES:
            continue
        for n in range(min(longest, b), 1, -1):
            name = simplified[b - n:b]
            if name not in names:
                continue
            a = b - n
            if n > 2 or _short_name_starts(simplified, a, b, ends):
                out.append((a, b, "place", name))
                ends[b] = name
            break
    return out


def _short_name_starts(simplified: str, a: int, b: int, ends: dict[int, str]) -> bool:
    """A two-character name at ``simplified[a:b]`` is one: it starts the text, follows a character that is no Han
    one or a province or city named in full ("河北省威县", not "全市和县"), and is no level or town ("县级", "县城")."""
    if simplified[b:b + 1] in ("级", "城"):
        return False
    return a == 0 or not _is_han(simplified[a - 1]) or (simplified[a - 1] in _SHORT_DIVISION_AFTER and a in ends)


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"
