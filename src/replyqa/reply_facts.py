"""The facts a reply states about itself, and the conditions a question puts on them.

"2024年县教育局答复了几件建议？" and "县交通局有哪些承诺逾期了？" are answered from what each reply says of
itself, not from a passage: its office as named, the year of its date (signed, else published), 人大 or
政协 (from what it answers and whom it addresses: 代表 means 人大, 委员 means 政协), its level, its place
and its result grade. :func:`facts_of` reads them from a reply's parsed metadata; :func:`criteria_of`
reads what a question asks of them; :func:`judge` says whether a reply meets them, fails them, or
cannot be judged because it does not state its year or office (it is then left out, and the answer
says so).

Offices are matched by kind, so "交通局", "县交通运输局" and "the transport bureau" all mean a transport
office; :data:`OFFICE_KINDS` lists the kinds and how the genre names them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from .entities import PLACE_SUFFIXES, extract
from .filters import reply_date
from .normalise import to_simplified
from .question import Question

# Kinds of office: how Chinese names and English questions name them. Hand-set from the bureaus of
# China's county, city, provincial and national governments (GENRE.md: county to national offices).
OFFICE_KINDS: dict[str, tuple[str, str]] = {
    "education": ("教育体育局|教育和体育局|教体局|教育局|教育厅|教育部|教育委员会|教委|教育", r"education|school"),
    "transport": ("交通运输局|交通运输厅|交通运输部|交通运输委员会|交通局|交通委|交通", r"transport|traffic|road"),
    "civil affairs": ("(?<!人)民政", r"civil affairs"),  # not the 民政 of 人民政府
    "health": ("卫生健康|卫健|卫生", r"health"),
    "housing": ("住房和城乡建设|住房城乡建设|住建", r"housing|construction"),
    "police": ("公安|交警", r"police|public security|traffic police"),
    "agriculture": ("农业农村|农业", r"agricultur|farming"),
    "culture and tourism": ("文化和旅游|文化旅游|文旅|文化广电|旅游", r"culture|tourism"),
    "urban management": ("城市管理|城管", r"urban management|city management"),
    "sports": ("体育", r"sport"),
    "environment": ("生态环境|环境保护|环保", r"environment|ecolog"),
    "natural resources": ("自然资源|国土", r"natural resources|land"),
    "water": ("水利|水务", r"water"),
    "finance": ("财政", r"finance|fiscal"),
    "development and reform": ("发展和改革|发展改革|发改", r"development and reform"),
    "human resources": ("人力资源|人社", r"human resources|social security"),
    "market regulation": ("市场监督|市场监管", r"market regulation"),
    "emergency": ("应急管理", r"emergency"),
    "forestry": ("林业|林草", r"forest"),
    "justice": ("司法", r"justice"),
    "commerce": ("商务", r"commerce"),
    "statistics": ("统计", r"statistic"),
    "medical insurance": ("医疗保障|医保", r"medical (?:insurance|security)"),
    "veterans": ("退役军人", r"veteran"),
    "science and technology": ("科学技术|科技", r"science|technology"),
    "industry": ("工业和信息化|工信|经济和信息化|经信", r"industry|information technology"),
    "ethnic and religious affairs": ("民族宗教|民宗", r"ethnic|religio"),
    "audit": ("审计", r"audit"),
    "petitions": ("信访", r"petition"),
    "taxation": ("税务", r"tax"),
    "rural revitalization": ("乡村振兴|扶贫", r"rural revitali|poverty"),
    "meteorology": ("气象", r"meteorolog|weather"),
    "housing fund": ("住房公积金", r"provident fund"),
    "government": ("人民政府|政府办", r"government"),
}
_KIND_RE = {k: re.compile(zh) for k, (zh, _) in OFFICE_KINDS.items()}
_KIND_EN = {k: re.compile(rf"\b(?:{en})", re.I) for k, (_, en) in OFFICE_KINDS.items()}
_OFFICE_WORD_EN = re.compile(r"\b(?:bureau|department|office|commission|ministry|government|centre|center)\b", re.I)
LEVELS = ("全国", "省", "市", "州", "县", "区")
_LEVEL_ZH = re.compile(r"(全国|省|市|州|县|区)(?:级|人大|政协)")
_LEVEL_EN = (("全国", r"\bnational\b"), ("省", r"\bprovincial\b|\bprovince\b"), ("县", r"\bcounty\b(?! of)"),
             ("区", r"\bdistrict\b"))
_GRADE_ZH = re.compile(r"(?<![A-Za-z])([A-Da-d])\s*[1-3]?\s*[类類级]")
_GRADE_EN = re.compile(r"\b(?:graded?|class|grade|category)\s+([A-D])\b|\b([A-D])[- ](?:class|grade)\b")
_GRADE_WORDS = ("解决采纳", "列入计划", "留作参考", "已解决", "正在解决")
_FROM = re.compile(r"^\s*年?\s*(?:以来|以后|之后|后|起|至今)")
_TO = re.compile(r"^\s*年?\s*(?:以前|之前|前)")
_EN_FROM = re.compile(r"\b(?:since|after|from)\s+$", re.I)
_EN_TO = re.compile(r"\b(?:before|until|up to)\s+$", re.I)


@dataclass(frozen=True)
class ReplyFacts:
    """What one reply states about itself; "" or None where it states nothing."""

    reply_id: str
    office: str  # as written
    kinds: tuple[str, ...]  # kinds of its office (OFFICE_KINDS keys)
    year: int | None
    body: str  # 政协 / 人大
    level: str
    places: tuple[str, ...]  # Simplified, from its office and title
    grade: str  # Simplified: A1, B, 解决采纳 …


@dataclass(frozen=True)
class Criteria:
    """What a question asks of a reply's own facts; unset fields ask nothing."""

    year_from: int | None = None
    year_to: int | None = None
    body: str | None = None
    level: str | None = None
    kinds: tuple[str, ...] = ()  # the office must be of one of these kinds
    office_places: tuple[str, ...] = ()  # the place an office is named with ("平江县交通运输局"): unknown without an office
    office: str | None = None  # an office named in full that the kinds cannot tell (compared as Simplified)
    places: tuple[str, ...] = ()  # Simplified, or a pinyin key the archive did not know
    grade: str | None = None  # a letter (A, B, C, D) or a word grade

    def is_empty(self) -> bool:
        return self == Criteria()

    @property
    def asks_office(self) -> bool:
        return bool(self.kinds or self.office or self.office_places)

    @property
    def asks_year(self) -> bool:
        return self.year_from is not None or self.year_to is not None


def office_kinds(name: str) -> tuple[str, ...]:
    """The kinds of an office from its name, any script ("嶽陽縣教育體育局" → education, sports)."""
    simple = to_simplified(name)
    return tuple(k for k, rx in _KIND_RE.items() if rx.search(simple))


def _places(*texts: str) -> tuple[str, ...]:
    found = []
    for text in texts:
        if text:
            found += [e.value for e in extract(text, to_simplified(text)) if e.kind == "place"]
    return tuple(dict.fromkeys(found))


def _level(meta, places: tuple[str, ...]) -> str:
    """The reply's level as parsed, else the level its office's place names (新郑市公安局 → 市)."""
    if meta.level:
        return meta.level
    suffixes = [p[-1] for p in _places(meta.office) if p[-1] in "省市州县区"]
    return suffixes[-1] if suffixes else ""


def facts_of(reply_id: str, meta) -> ReplyFacts:
    """The facts a reply states about itself, from its parsed metadata (a Reply's or a ReplyInfo's)."""
    date = reply_date(meta)
    places = _places(meta.office, meta.title)
    grade = to_simplified(meta.result_grade or meta.reply_class)
    return ReplyFacts(reply_id, meta.office, office_kinds(meta.office), date // 10000 if date else None,
                      meta.body, _level(meta, places), places, grade)


def criteria_of(q: Question) -> Criteria:
    """What a question asks of the replies' own facts: years, body, level, office, place, grade."""
    english = q.language == "en"
    year_from, year_to = _years(q)
    kinds, office, office_places, office_level = _office(q)
    offices = [e for e in q.entities if e.kind == "office"]
    places = tuple(dict.fromkeys(e.value for e in q.entities if e.kind == "place"
                                 and not any(o.start <= e.start and e.end <= o.end for o in offices)))
    return Criteria(year_from, year_to, _body(q), office_level or _level_asked(q, english), kinds, office_places,
                    office, places, _grade(q))


def _years(q: Question) -> tuple[int | None, int | None]:
    years = [e for e in q.entities if e.kind == "year"]
    if not years:
        return None, None
    values = sorted(int(e.value) for e in years)
    if len(values) > 1:
        return values[0], values[-1]
    e, text = years[0], q.simplified
    if _FROM.match(text[e.end:]) or _EN_FROM.search(q.text[:e.start]):
        return values[0], None
    if _TO.match(text[e.end:]) or _EN_TO.search(q.text[:e.start]):
        return None, values[0]
    return values[0], values[0]


def _body(q: Question) -> str | None:
    """人大 or 政协 as named (政协, CPPCC, 代表, 委员), else by what is counted: 建议 are 人大's, 提案 政协's."""
    named = {e.value for e in q.entities if e.kind == "body"}
    text = q.simplified if q.language != "en" else q.lowered
    if len(named) == 1:
        return named.pop()
    if named:
        return None
    rules = ((r"代表", "人大"), (r"委员", "政协"), (r"建议", "人大"), (r"提案", "政协")) if q.language != "en" else \
        ((r"\bdeput", "人大"), (r"\bcommittee member", "政协"), (r"\bsuggestion", "人大"), (r"\bproposal", "政协"))
    found = {body for pattern, body in rules if re.search(pattern, text)}
    return found.pop() if len(found) == 1 else None


def _level_asked(q: Question, english: bool) -> str | None:
    if english:
        return next((level for level, rx in _LEVEL_EN if re.search(rx, q.lowered)
                     and not any(e.kind == "place" for e in q.entities)), None)
    m = _LEVEL_ZH.search(q.simplified)
    return m.group(1) if m else None


def _office(q: Question) -> tuple[tuple[str, ...], str | None, tuple[str, ...], str | None]:
    """(kinds, unrecognised office name, places and level its prefix names) of the office a question names."""
    if q.language == "en":
        if not _OFFICE_WORD_EN.search(q.text):
            return (), None, (), None
        kinds = tuple(k for k, rx in _KIND_EN.items() if rx.search(q.text))
        # an office of a kind not listed is named as asked: it matches no reply rather than every reply
        named = next((re.sub(r"^.*\bthe\s+", "", e.value) for e in q.entities if e.kind == "office"), None) \
            if not kinds else None
        return kinds, named, (), None
    offices = [e for e in q.entities if e.kind == "office"]
    if not offices:  # "教育部门", "交通系统": a kind of office without an office's name
        words = "|".join(zh for zh, _ in OFFICE_KINDS.values())
        m = re.search(rf"(?:{words})(?:局|厅|部门|委员会|委|系统|单位|大队|支队|中心|站|所|院)", q.simplified)
        return (office_kinds(m.group(0)), None, (), None) if m else ((), None, (), None)
    kinds: list[str] = []
    places: list[str] = []
    level = None
    for e in offices:
        found = office_kinds(e.value)
        kinds += found
        first = min((m.start() for k in found for m in [_KIND_RE[k].search(e.value)] if m), default=len(e.value))
        prefix = e.value[:first]
        if prefix in LEVELS:
            level = prefix
        elif len(prefix) >= 2 and prefix[-1] in PLACE_SUFFIXES:
            places.append(prefix)
    unknown = next((e.value for e in offices if not office_kinds(e.value)), None)
    return tuple(dict.fromkeys(kinds)), unknown, tuple(places), level


def _grade(q: Question) -> str | None:
    text = q.simplified if q.language != "en" else q.text
    m = (_GRADE_EN if q.language == "en" else _GRADE_ZH).search(text)
    if m:
        return next(g for g in m.groups() if g).upper()
    return next((w for w in _GRADE_WORDS if w in q.simplified), None)


def judge(c: Criteria, f: ReplyFacts) -> tuple[bool | None, tuple[str, ...]]:
    """Whether a reply meets the criteria: True, False, or None when no stated fact rules it out but it
    does not state the year or office asked about (the second value names those: "year", "office")."""
    if c.body and f.body != c.body:
        return False, ()
    if c.level and f.level != c.level:
        return False, ()
    if c.places and not any(_place_match(p, f.places) for p in c.places):
        return False, ()
    if c.grade and not _grade_match(c.grade, f.grade):
        return False, ()
    missing = []
    if c.asks_year:
        if f.year is None:
            missing.append("year")
        elif (c.year_from is not None and f.year < c.year_from) or (c.year_to is not None and f.year > c.year_to):
            return False, ()
    if c.asks_office:
        if not f.office:
            missing.append("office")
        elif not _office_match(c, f):
            return False, ()
    return (None, tuple(missing)) if missing else (True, ())


def _office_match(c: Criteria, f: ReplyFacts) -> bool:
    """A stated office of the kind asked, named with the place asked (if any)."""
    if c.office_places and not any(_place_match(p, f.places) for p in c.office_places):
        return False
    if c.kinds:
        return bool(set(c.kinds) & set(f.kinds))
    return not c.office or c.office in to_simplified(f.office)


def _place_match(asked: str, places: Iterable[str]) -> bool:
    """A place asked for is one of a reply's, written in full or bare ("岳阳" for 岳阳县)."""
    return any(asked == p or asked == p[:-1] for p in places)


def _grade_match(asked: str, grade: str) -> bool:
    """A letter grade matches its sub-grades (A covers A1); a word grade matches itself."""
    if len(asked) == 1:
        return grade[:1].upper() == asked
    return grade == asked
