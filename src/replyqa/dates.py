"""Dates and Chinese numerals as replies write them, read into ISO form.

Replies write dates as "2025年4月21日", "2025-07-14", "二〇一七年七月五日",
"二0一七年…" (a Latin zero among Chinese digits), "20211026", or a month only.
All functions take the matching form of the text (see :mod:`replyqa.normalise`).
Spotting a time expression in a passage, fuzzy ones such as 年底 or 上半年
included, is another rule: :data:`replyqa.template.DATE`.
"""
from __future__ import annotations

import re
from datetime import date

DIGITS = {"〇": 0, "零": 0, "○": 0, "o": 0, "O": 0, "0": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
          "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
for _d in "123456789":
    DIGITS[_d] = int(_d)

_CN = "〇零○oO0一二三四五六七八九十两"
DATE_RE = re.compile(
    r"(?<![\d/])(?P<y>(?:19|20)\d{2})\s?(?:[-/.]|年)\s?(?P<m>\d{1,2})\s?(?:[-/.]|月)\s?(?P<d>\d{1,2})(?!\d)日?"
    rf"|(?P<cy>[{_CN}]{{4}})年(?P<cm>[{_CN}]{{1,3}})月(?P<cd>[{_CN}]{{1,4}})日"
    r"|(?<![\d/-])(?P<ky>(?:19|20)\d{2})(?P<km>[01]\d)(?P<kd>[0-3]\d)(?![\d-])"
    r"|(?<![\d/])(?P<my>(?:19|20)\d{2})年(?P<mm>\d{1,2})月(?![\d日])"
    rf"|(?P<ny>[{_CN}]{{4}})年(?P<nm>[{_CN}]{{1,3}})月(?![{_CN}\d]{{0,4}}日)")


def cn_number(text: str) -> int | None:
    """Value of a Chinese or Arabic numeral up to 999: "十四" → 14, "二十六" → 26, "0二十六" → 26."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    text = text.lstrip("0〇零○")  # a stray leading zero is a typo seen in signatures ("0二十六日")
    if not text:
        return None
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch in DIGITS:
            current = current * 10 + DIGITS[ch] if current else DIGITS[ch]
        else:
            return None
    return total + current


def _iso(y: int, m: int, d: int | None) -> str:
    try:
        if d is None:
            date(y, m, 1)
            return f"{y:04d}-{m:02d}"
        return date(y, m, d).isoformat()
    except ValueError:
        return ""


def iso_of(match: re.Match) -> str:
    """The ISO date for one :data:`DATE_RE` match, or "" if it is not a real date."""
    g = match.groupdict()
    if g["y"]:
        return _iso(int(g["y"]), int(g["m"]), int(g["d"]))
    if g["cy"]:
        year = "".join(str(DIGITS.get(c, "")) for c in g["cy"])
        m, d = cn_number(g["cm"]), cn_number(g["cd"])
        return _iso(int(year), m, d) if len(year) == 4 and m and d else ""
    if g["ky"]:
        return _iso(int(g["ky"]), int(g["km"]), int(g["kd"]))
    if g["my"]:
        return _iso(int(g["my"]), int(g["mm"]), None)
    year = "".join(str(DIGITS.get(c, "")) for c in g["ny"])
    month = cn_number(g["nm"])
    return _iso(int(year), month, None) if len(year) == 4 and month else ""


def find_dates(text: str, compact: bool = True) -> list[tuple[int, int, str]]:
    """Every real date in ``text`` as (start, end, iso); ``compact`` admits "20211026"."""
    found = []
    for m in DATE_RE.finditer(text):
        if m.group("ky") and not compact:
            continue
        iso = iso_of(m)
        if iso:
            found.append((m.start(), m.end(), iso))
    return found


def parse_date(text: str) -> str:
    """The first date in ``text`` as ISO, or ""."""
    found = find_dates(text)
    return found[0][2] if found else ""
