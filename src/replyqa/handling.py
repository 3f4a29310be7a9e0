"""The handling facts a reply states about itself: who signed it off, who handled it and how to
reach them, which unit led and which assisted, who proposed as a body, the delegation, the grade.

Replies state these in the site's metadata table, in a 承办表 or 办理情况 block, in the
contact block after the signature, and in the opening ("九三学社市委:您单位提出的…",
"由我部会同教育部和住房城乡建设部办理"). Rows come in every layout the genre uses:
"key:value" (full-width colons too), "| key | value |", a key on its own line with its
value on the next, and a row of keys over a row of values. Patterns run on the matching
form (:mod:`replyqa.normalise`), so Traditional copies read the same; values are cut
from the original text and tidied, and every value's span in the text is returned with it.
Result grades are a fixed vocabulary and take their Simplified form.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .normalise import tidy
from .parts import salutation_of
from .template import (BODY, CLASS_BARE, CLASS_KEYED, CLOSING, CO_UNITS_PROSE, CONTACT, FIELD_KEYS, GRADE_AT_START,
                       GRADE_BARE_WORD, GRADE_MEANING, HANDLER_KEY_ORDER, HANDLING_KEYS, HEADER, INSTITUTION_RE,
                       NAME_TITLE, NOT_NAME, OFFICE_SUFFIX, OPENING, PAGE_CHROME, PERSON_NAME, PHONE, PROPOSER_ORG,
                       PROPOSES_AFTER, SALUTATION, SIGNATURE, STOP_KEYS, UNIT_BEFORE_NAME)
from .text import trim
from .units import Unit

KEY_SCAN = re.compile("|".join(map(re.escape, sorted(set(HANDLING_KEYS) | set(STOP_KEYS) | set(FIELD_KEYS),
                                                         key=len, reverse=True))))
UNIT_NAME_MAX = 30  # hand-set: the longest unit names in replies ("…人民政府办公室") run to about 20 characters
KEY_AFTER_BREAK = " \t|;,，；。(（"  # an original character before a key that makes it a row's key
# Words a lazy prefix may swallow before a name ("由九三学社…"); matched where the name starts.
LEADING_FUNCTION_WORDS = re.compile(r"(?:感谢|关于|根据|您们?|你们?|[在由对向经据是为和与及从的将系请按被])+")
# Where a delegation's name cannot reach back past: punctuation, and words that end the clause before it.
DELEGATION_BOUNDARY = re.compile(r"[^\u4e00-\u9fff]|[在由的上是了和与及您你届次议中向对经随间期过加]")
DELEGATION_PREFIX_MAX = 8  # hand-set: delegation names ("北辛", "湖南", "解放军") are a place or body, a few characters
UNIT_END = re.compile(OFFICE_SUFFIX + "$")
PROPOSES = re.compile(f"(?:{PROPOSER_ORG.pattern})(?={PROPOSES_AFTER.pattern})")
GENERIC_KEY = re.compile(r"[\u4e00-\u9fff]{2,6}:")
UNIT_SPLIT = re.compile(r"[、,;/，；]+|(?<=[局厅委办部院署处所站馆社队会行室心司])(?:以及|和|及|与)")


@dataclass(frozen=True)
class Row:
    """A key/value row: the field its key fills, the key, and the value as ``unit.ntext[a:b]``."""

    field: str
    key: str
    unit: Unit
    a: int
    b: int

    @property
    def value(self) -> str:
        return self.unit.ntext[self.a:self.b]


@dataclass(frozen=True)
class Found:
    """A value cut from the original text, with its span there."""

    value: str
    start: int
    end: int


def _found(unit: Unit, a: int, b: int, value: str | None = None) -> Found:
    s, e = unit.span(a, b)
    return Found(tidy(unit.text[s:e]) if value is None else value, s, e)


def _is_key(unit: Unit, t: str, m: re.Match) -> bool:
    """A key starts the unit, is followed by ":" or "|", or follows a break in the original."""
    if m.start() == 0 or t[m.end():m.end() + 1] in (":", "|"):
        return True
    s, _ = unit.span(m.start(), m.start() + 1)
    return s > 0 and unit.text[s - 1] in KEY_AFTER_BREAK


def _apart(unit: Unit, a: int, b: int) -> bool:
    """``unit.ntext[a:b]`` stands apart in the original: no Han character touches it on either side."""
    s, e = unit.span(a, b)
    han = re.compile(r"[\u3400-\u9fff]")
    return not (s > 0 and han.match(unit.text[s - 1])) and not (e < len(unit.text) and han.match(unit.text[e]))


def _cells(t: str) -> list[tuple[int, int]]:
    """The cells of a flattened table row, trimmed, empty ones kept so columns stay aligned."""
    out, pos = [], 0
    for piece in t.split("|"):
        out.append(trim(t, pos, pos + len(piece), strip=" "))
        pos += len(piece) + 1
    return out


def _column_rows(keys: list[re.Match], t: str, nxt: Unit | None) -> list[Row]:
    """A row of keys only, with its values in the next row's cells."""
    cells = _cells(nxt.ntext) if nxt is not None and "|" in nxt.ntext else []
    if len(keys) < 2 or len(cells) != len(keys) or re.sub(KEY_SCAN, "", t).strip(" |:"):
        return []
    return [Row(HANDLING_KEYS[m.group(0)], m.group(0), nxt, a, b)
            for m, (a, b) in zip(keys, cells) if m.group(0) in HANDLING_KEYS and a < b]


def page_end(units: list[Unit], parts: list[str]) -> int:
    """Where the web page's own footer starts (a line of PAGE_CHROME after the reply's body), else the end."""
    body = next((k for k, p in enumerate(parts) if p in (BODY, OPENING)), len(units))
    return next((k for k in range(body + 1, len(units)) if PAGE_CHROME.search(units[k].ntext)), len(units))


def _value_end(unit: Unit, t: str, a: int, b: int) -> int:
    """Where a value ends before a key the table does not know ("李四 核稿人:王五"): a run of two to six Han
    characters before a colon that starts after a break in the original."""
    for i in range(a + 1, b):
        if GENERIC_KEY.match(t, i, b):
            s, _ = unit.span(i, i + 1)
            if s > 0 and unit.text[s - 1] in KEY_AFTER_BREAK:
                return i
    return b


def handling_rows(units: list[Unit], parts: list[str]) -> list[Row]:
    """Every handling row in the reply, in text order (none from the web page's footer after it)."""
    rows: list[Row] = []
    for k, unit in enumerate(units[:page_end(units, parts)]):
        t = unit.ntext
        nxt = units[k + 1] if k + 1 < len(units) else None
        if t.startswith("人:") and parts[k] in (CONTACT, SIGNATURE):  # "联系" lost at a line break: "人:項方明"
            rows.append(Row("handler", "联系人", unit, *trim(t, 2, len(t), strip=" :|")))
            continue
        keys = [m for m in KEY_SCAN.finditer(t) if _is_key(unit, t, m)]
        columns = _column_rows(keys, t, nxt)
        if columns:
            rows += columns
            continue
        for i, m in enumerate(keys):
            field = HANDLING_KEYS.get(m.group(0))
            end = keys[i + 1].start() if i + 1 < len(keys) else len(t)
            a, b = trim(t, m.end(), end, strip=" :|;,")
            if field is None:
                continue
            a, b = trim(t, a, _value_end(unit, t, a, b), strip=" :|;,")
            if a == b and len(keys) == 1 and t.strip(" :|") == m.group(0) and nxt is not None:
                if not KEY_SCAN.match(nxt.ntext):  # a key on its own line, its value on the next
                    rows.append(Row(field, m.group(0), nxt, 0, len(nxt.ntext)))
                continue
            if a < b:
                rows.append(Row(field, m.group(0), unit, a, b))
    return rows


# -- people -----------------------------------------------------------------------------------

def _person(row: Row) -> Found | None:
    """The first person's name in a row's value ("袁文炳 0730--…", "0730-… 李四", "吴建军局长"), after the
    unit it may be named with ("县交通局李四", "办公室主任 张三")."""
    for m in re.finditer(r"[\u4e00-\u9fff·]+", row.value):
        a, b = row.a + m.start(), row.a + m.end()
        found = _name_in(row, a, b)
        if found is None and b - a > 4:  # the unit before the name ends where a name can follow it
            found = next((f for i in range(b - 2, a, -1) if UNIT_BEFORE_NAME.fullmatch(row.unit.ntext, a, i)
                          for f in [_name_in(row, i, b)] if f), None)
        if found is not None:
            return found
        if len(m.group(0)) > 1:
            return None  # the value starts with words that are no name: an office, a sentence
    return None


def _name_in(row: Row, a: int, b: int) -> Found | None:
    """``row.unit.ntext[a:b]`` as a person's name once a title before or after it is dropped, else None."""
    lead = NAME_TITLE.match(row.unit.ntext[a:b])  # "副局长李强": the title before the name
    a += lead.end() if lead else 0
    run = NAME_TITLE.sub("", row.unit.ntext[a:b])
    if PERSON_NAME.fullmatch(run) and not NOT_NAME.search(run):
        return _found(row.unit, a, a + len(run))
    return None


def _phone(row: Row) -> Found | None:
    m = PHONE.search(row.value)
    if not m:
        return None
    a, b = row.a + m.start(), row.a + m.end()
    if row.unit.ntext[a] == "(" and ")" not in m.group(0):  # "张三(0730-1234567)": the bracket is the row's
        a += 1
    return _found(row.unit, a, b)


def find_signer(rows: list[Row]) -> Found | None:
    return next((p for r in rows if r.field == "signer" for p in [_person(r)] if p), None)


def find_handler(rows: list[Row]) -> tuple[Found | None, Row | None]:
    """The handler's name and the row that gives it: 承办人 before 经办人, 办理人 and 联系人; else a name
    in brackets after a phone ("联系电话:0730-1234567(张三)")."""
    handler_rows = [r for r in rows if r.field in ("handler", "handler+phone")]
    for prefix in HANDLER_KEY_ORDER:
        for r in handler_rows:
            if r.key.startswith(prefix):
                p = _person(r)
                if p:
                    return p, r
    for r in (r for r in rows if r.field == "phone"):
        m = re.search(r"\d\s*\(([\u4e00-\u9fff]{2,4})\)", r.value)
        if m and not NOT_NAME.search(m.group(1)):
            return _found(r.unit, r.a + m.start(1), r.a + m.end(1)), r
    return None, None


def find_phone(rows: list[Row], handler_row: Row | None) -> Found | None:
    """The handler's own number first, then a phone row, then any handler row with a number."""
    ordered = ([handler_row] if handler_row else []) + [r for r in rows if r.field == "phone"] + \
        [r for r in rows if r.field in ("handler", "handler+phone")]
    return next((p for r in ordered for p in [_phone(r)] if p), None)


# -- units ------------------------------------------------------------------------------------

def _unit_names(unit: Unit, a: int, b: int, office_like: bool) -> list[Found]:
    """The unit names in ``unit.ntext[a:b]``, split at 、 , ; and at 和/及 after a unit's suffix."""
    t, out, pos = unit.ntext, [], a
    for m in list(UNIT_SPLIT.finditer(t, a, b)) + [None]:
        end = m.start() if m else b
        s, e = trim(t, pos, end, strip=" |:")
        name = t[s:e]
        if s < e and len(name) <= UNIT_NAME_MAX and re.fullmatch(r"[\u4e00-\u9fff()]{2,}", name):
            if office_like and not UNIT_END.search(name):
                return []
            out.append(_found(unit, s, e))
        pos = m.end() if m else b
    return out


def find_lead_unit(rows: list[Row], units: list[Unit], parts: list[str], role: str) -> Found | None:
    """The 主办单位 row; for a 会办 or 协办 opinion, the institution it is addressed to (the lead)."""
    for r in rows:
        if r.field == "lead_unit":
            names = _unit_names(r.unit, r.a, r.b, office_like=False)
            if names:
                return names[0]
    if role in ("会办", "协办"):
        for u, p in zip(units, parts):
            m = INSTITUTION_RE.match(u.ntext) if p == SALUTATION else None
            if m and salutation_of(u):
                return _found(u, *m.span("who"))
    return None


def find_co_units(rows: list[Row], units: list[Unit], parts: list[str]) -> list[Found]:
    """协办, 会办 and 分办 rows, else the units the opening says the reply was handled with (会同…)."""
    for r in rows:
        if r.field == "co_units":
            names = _unit_names(r.unit, r.a, r.b, office_like=False)
            if names:
                return names
    for u, p in zip(units, parts):
        if p in (HEADER, SALUTATION, OPENING):
            m = CO_UNITS_PROSE.search(u.ntext)
            if m:
                names = _unit_names(u, *m.span(1), office_like=True)
                if names:
                    return names
    return []


# -- proposer body and delegation -------------------------------------------------------------

def _strip_lead(unit: Unit, a: int, b: int) -> tuple[int, int]:
    m = LEADING_FUNCTION_WORDS.match(unit.ntext, a, b)
    return (m.end() if m else a), b


def find_proposer_org(rows: list[Row], units: list[Unit], parts: list[str]) -> Found | None:
    """A party committee, association or sector that proposed: a proposer row, the addressee,
    or the opening ("九三学社市委提出的…", "九三学社市委:您单位提出的…")."""
    for r in rows:
        if r.field == "proposer":
            bodies = re.split(r"[、,;]", r.value)  # "民建县委、县工商联": several bodies proposed together
            m = all(PROPOSER_ORG.fullmatch(b) for b in bodies) or (
                r.key.endswith("单位") and re.fullmatch(r"[\u4e00-\u9fff()、]{2,60}", r.value))
            if m:
                return _found(r.unit, *_strip_lead(r.unit, r.a, r.b))
    for u, p in zip(units, parts):
        if p not in (HEADER, SALUTATION, OPENING):
            continue
        for m in (PROPOSER_ORG if p == SALUTATION else PROPOSES).finditer(u.ntext):
            a, b = _strip_lead(u, *m.span())
            if b - a >= 2:
                return _found(u, a, b)
    return None


def find_delegation(rows: list[Row], units: list[Unit], parts: list[str]) -> Found | None:
    """"北辛代表团": a delegation row, or one named in the header, salutation, opening or footer."""
    for r in rows:
        if r.field == "delegation":
            return _found(r.unit, r.a, r.b)
    for u, p in zip(units, parts):
        if p not in (HEADER, SALUTATION, OPENING, CONTACT, SIGNATURE):
            continue
        t = u.ntext
        for m in re.finditer("代表团", t):
            lo = max(0, m.start() - DELEGATION_PREFIX_MAX)
            cuts = [c.end() for c in DELEGATION_BOUNDARY.finditer(t, lo, m.start())]
            a = cuts[-1] if cuts else lo
            if m.start() - a >= 2:
                return _found(u, a, m.end())
    return None


# -- result grade -----------------------------------------------------------------------------

def _grades(rows: list[Row], units: list[Unit], parts: list[str]) -> list[tuple[str, Unit, int, int]]:
    """(grade, unit, start, end) for every grade stated: result rows, then bare classes."""
    out = []
    for r in rows:
        m = GRADE_AT_START.match(r.value) if r.field == "result" else None
        if m:
            out.append((m.group(1).upper(), r.unit, r.a + m.start(), r.a + m.end()))
    for u, p in zip(units, parts):
        if p == HEADER:
            out += [(m.group(1), u, *m.span()) for m in CLASS_BARE.finditer(u.ntext)]
        if p in (HEADER, CONTACT, SIGNATURE, CLOSING):
            out += [(m.group(1), u, *m.span()) for m in GRADE_BARE_WORD.finditer(u.ntext) if _apart(u, *m.span())]
            out += [(m.group(1), u, *m.span(1)) for m in CLASS_KEYED.finditer(u.ntext)]
    return out


def _meaning(grade: str, unit: Unit, end: int, units: list[Unit]) -> Found | None:
    """What the grade means: in brackets or after a dash right after it, else on a legend line."""
    m = GRADE_MEANING.match(unit.ntext, end)
    if m:
        g = 1 if m.group(1) else 2
        return _found(unit, *trim(unit.ntext, *m.span(g), strip=" ;。"))
    legend = re.compile(rf"(?:^|(?<=[\s|;:]))({re.escape(grade)})\s?类\s?(?:[—-]+|:)\s?([^;。|]{{2,60}})")
    for u in units:
        m = legend.search(u.ntext)
        if m:
            return _found(u, *trim(u.ntext, *m.span(2), strip=" ;。"))
    return None


def find_result_grade(rows: list[Row], units: list[Unit], parts: list[str],
                      reply_class: str) -> tuple[Found | None, Found | None]:
    """(grade, meaning): the first grade stated, or where the reply states ``reply_class`` when set."""
    grades = _grades(rows, units, parts)
    if reply_class:
        grades = [g for g in grades if g[0] == reply_class]
    if not grades:
        return None, None
    grade, unit, a, b = grades[0]
    if reply_class:
        grade = reply_class
    return _found(unit, a, b, value=grade), _meaning(grade, unit, b, units)


# -- all of them ------------------------------------------------------------------------------

def handling_fields(units: list[Unit], parts: list[str], role: str, reply_class: str) -> dict:
    """The handling fields of :class:`replyqa.records.ReplyMeta`, with ``spans`` for each value found."""
    rows = handling_rows(units, parts)
    handler, handler_row = find_handler(rows)
    grade, meaning = find_result_grade(rows, units, parts, reply_class)
    single = {"signer": find_signer(rows), "handler": handler, "phone": find_phone(rows, handler_row),
              "lead_unit": find_lead_unit(rows, units, parts, role),
              "proposer_org": find_proposer_org(rows, units, parts),
              "delegation": find_delegation(rows, units, parts), "result_grade": grade, "result_meaning": meaning}
    co_units = find_co_units(rows, units, parts)
    fields: dict = {k: (f.value if f else "") for k, f in single.items()}
    fields["co_units"] = tuple(f.value for f in co_units)
    found = [(k, f) for k, f in single.items() if f] + [("co_units", f) for f in co_units]
    fields["spans"] = tuple(sorted(((k, f.start, f.end) for k, f in found), key=lambda s: (s[1], s[0])))
    return fields
