"""Dates and Chinese numerals as replies write them, read into ISO form.

Replies write dates as "2025年4月21日", "2025-07-14", "二〇一七年七月五日",
"二0一七年…" (a Latin zero among Chinese digits), "20211026", or a month only.
All functions take the matching form of the text (see :mod:`replyqa.normalise`).
Spotting a time expression in a passage, fuzzy ones such as 年底 or 上半年
included, is another rule: :data:`replyqa.template.DATE`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

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


# -- periods: the time a promise is due, resolved against the reply's own date ------------------------------
# A promise states a period ("2024年年底", "明年上半年", "十四五期间", "6月10日前"); it is due on the period's last
# day. Relative words (今年, 明年, 年内, a bare 下半年 or 6月底) need the date the reply was written: without one
# they stay unresolved. Patterns run on the matching form (Simplified, half-width), like everything here.

_N = r"[\d一二三四五六七八九十两]{1,3}"
_Y = r"(?:19|20)\d{2}"
# the part of a year a phrase names (after a year, a relative word, or alone), and a deadline's 前
PART_RE = re.compile(r"(?:(?P<part>年底|年末|年内|底|末|内|上半年|下半年|第?[一二三四1-4]季度|年初|初|[春夏秋冬]季)"
                     r"|(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})月(?:份)?(?:(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})[日号]"
                     r"|(?P<mpart>底|末|份|上旬|中旬|下旬))?)?(?P<before>前|之前|以前)?")
_BARE_PART = (r"上半年|下半年|第?[一二三四1-4]季度|年底|年末|年内|[春夏秋冬]季"
              r"|(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:份?(?:\d{1,2}|[一二三四五六七八九十]{1,3})[日号]|底|末|份|上旬|中旬|下旬|(?=前))")
PERIOD_RE = re.compile(
    # a plan's name: a range of years before a plan word, or in brackets ("(2018-2035年)"): not a time
    rf"(?P<plan>[(（]\s*{_Y}\s*年?\s*[-—–~至到]\s*{_Y}\s*年?\s*[)）]"
    rf"|{_Y}\s*年?\s*[-—–~至到]\s*{_Y}\s*年?(?:度)?(?=[\u4e00-\u9fff]{{0,6}}?(?:规划|计划|纲要|方案|行动)))"
    # a start and a length: "从2024年开始,…利用三年时间" (the first year counts as one)
    rf"|(?:从|自)(?P<from>{_Y})\s*年(?:开始|起)[^。;]{{0,24}}?(?P<span>{_N})年(?:时间|内)?"
    # a range of years: due at the end of the last
    rf"|(?P<r1>{_Y})\s*年?\s*[-—–~至到]\s*(?P<r2>{_Y})\s*年(?:底|末)?"
    # a five-year plan period: 十四五 is 2021-2025
    rf"|[“\"]?(?P<fyp>十[一二三四五六七八九]|十五)五[”\"]?(?:期间|时期|末|规划|计划|内|中)?"
    rf"|(?P<y>{_Y})\s*年"
    rf"|(?P<rel>今年|本年度?|当年|明年|下一?年度?|次年|后年)"
    rf"|(?<![年\d一二三四五六七八九十])(?P<bare>{_BARE_PART})"
    rf"|(?:用|利用|花|经过)?(?P<len>{_N})年(?:时间|内)")
# where a relative word lands, in years after the reply's
_REL_YEARS = {"今年": 0, "本年": 0, "本年度": 0, "当年": 0, "明年": 1, "下年": 1, "下一年": 1, "下年度": 1,
              "下一年度": 1, "次年": 1, "后年": 2}
# the month a part of a year ends in; 年初 is read as its first quarter, and a season as the meteorological
# one (spring March-May, summer June-August, autumn September-November); winter ends in the next February
_PART_MONTH = {"上半年": 6, "下半年": 12, "年初": 3, "初": 3, "春季": 5, "夏季": 8, "秋季": 11}
_QUARTER = re.compile(r"第?([一二三四1-4])季度")
# hand-set: a five-year plan's period ends five years after 1955 + 5×(its number - 1) (十四五: 2021-2025)
FIRST_PLAN_END = 1955
_SINCE = re.compile(r"\s*(?:以来|至今)")


@dataclass(frozen=True)
class Period:
    """A time phrase in a text: where it stands, and the last day of the period it names.

    ``kind`` is "time" for a stated period, "plan" for the name of a plan that holds years
    ("(2018-2035年)", "2026-2028年任务计划"), "since" for a starting point of past work ("今年以来").
    ``due`` is ISO or None: None for plans and starting points, and for a relative phrase when the
    reply states no date to resolve it against (``relative`` then says why).
    """

    start: int
    end: int
    kind: str
    due: str | None
    relative: bool = False  # resolved against the reply's date (今年, 明年, a bare 6月底 …)
    explicit_year: bool = False  # the phrase writes its year


def _last_day(year: int, month: int) -> date:
    return date(year + 1, 1, 1) - timedelta(days=1) if month == 12 else date(year, month + 1, 1) - timedelta(days=1)


def _month_end(year: int, g: dict) -> date | None:
    """The last day of the part of ``year`` the match names (the whole year when it names none)."""
    part, month = g.get("part"), g.get("m")
    if month:
        m = cn_number(month)
        if not m or not 1 <= m <= 12:
            return None
        if g.get("d"):
            day = cn_number(g["d"])
            try:
                return date(year, m, day or 0)
            except ValueError:
                return None
        # hand-set: 上旬 and 中旬 end on the 10th and 20th, as the calendar divides a month
        return date(year, m, {"上旬": 10, "中旬": 20}.get(g.get("mpart") or "", _last_day(year, m).day))
    if part:
        quarter = _QUARTER.fullmatch(part)
        if quarter:
            return _last_day(year, 3 * int(DIGITS[quarter.group(1)]))
        if part == "冬季":
            return _last_day(year + 1, 2)
        return _last_day(year, _PART_MONTH.get(part, 12))
    return date(year, 12, 31)


def _before(end: date | None, g: dict) -> date | None:
    """"6月前" is before June begins; "6月底前", "6月10日前" and "年底前" end where they say."""
    if end is None or not g.get("before") or not g.get("m") or g.get("d") or g.get("mpart"):
        return end
    return date(end.year, end.month, 1) - timedelta(days=1)


def _resolve(m: re.Match, text: str, anchor: date | None) -> Period:
    g = m.groupdict()
    span = m.span()
    if g["y"] or g["rel"] or g["bare"]:
        tail = PART_RE.match(text, m.start("bare") if g["bare"] else m.end())
        g.update(tail.groupdict())
        span = (m.start(), max(m.end(), tail.end()))
    if g["plan"]:
        return Period(*span, "plan", None)
    if g["from"]:
        length = cn_number(g["span"]) or 1
        return Period(*span, "time", date(int(g["from"]) + length - 1, 12, 31).isoformat(), explicit_year=True)
    if g["r1"]:
        return Period(*span, "time", date(int(g["r2"]), 12, 31).isoformat(), explicit_year=True)
    if g["fyp"]:
        number = cn_number(g["fyp"]) or 0
        return Period(*span, "time", date(FIRST_PLAN_END + 5 * number, 12, 31).isoformat(), explicit_year=True)
    if g["y"]:
        end = _before(_month_end(int(g["y"]), g), g)
        return Period(*span, "time", end.isoformat() if end else None, explicit_year=True)
    if anchor is None:
        return Period(*span, "time", None, relative=True)
    if g["len"]:
        length = cn_number(g["len"]) or 1
        return Period(*span, "time", date(anchor.year + length - 1, 12, 31).isoformat(), relative=True)
    year = anchor.year + _REL_YEARS.get(g["rel"] or "", 0)
    end = _before(_month_end(year, g), g)
    return Period(*span, "time", end.isoformat() if end else None, relative=True)


def periods(text: str, anchor: date | None) -> list[Period]:
    """Every time phrase in ``text`` (matching form) with its due day resolved against ``anchor``.

    A phrase followed by 以来 is a starting point of past work ("今年以来", "2022年以来").
    """
    out = []
    for m in PERIOD_RE.finditer(text):
        if not m.group(0).strip():
            continue
        period = _resolve(m, text, anchor)
        if period.kind == "time" and _SINCE.match(text, period.end):
            period = Period(period.start, period.end, "since", None)
        out.append(period)
    return out


def anchor_date(iso: str) -> date | None:
    """The day a reply was written, from its ISO date ("2025-04-21"; a month alone counts as its first day)."""
    m = re.match(r"^(\d{4})-(\d{2})(?:-(\d{2}))?", iso or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    except ValueError:
        return None
