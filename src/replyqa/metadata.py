"""Metadata of a reply, read from its template parts (see :mod:`replyqa.parts`).

Each finder looks where the genre puts its field: the header block, the
salutation, the opening, the closing block. Patterns (:mod:`replyqa.template`)
run on the matching form; values are cut from the original text and tidied
(glosses out, whitespace folded), except for fields with a fixed vocabulary
(class, disclosure, body, level, role), which take their Simplified form.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from .dates import cn_number, find_dates
from .handling import handling_fields
from .normalise import match_key, tidy, to_simplified
from .parts import salutation_of
from .records import ReplyMeta
from .template import (BODY_WORDS, CLASS_BARE, CLASS_KEYED, CLOSING, CONTACT, DISCLOSURE, HEADER, HEADER_DOC_NUMBER,
                       KEY_RE, NUMBER_DI, NUMBER_KEYED, NUMBER_LETTER, OFFICE_RE, OFFICE_TITLE, OPENING, PERSON, PHONE,
                       PHONE_KEY, PROPOSAL_BARE, PROPOSAL_QUOTED, REGION_LEVEL, ROLE_PATTERNS, ROLE_UNIT, SALUTATION,
                       SESSION, SIGNATURE, SPLIT_TITLE, TITLE_END, TITLE_TAIL)
from .text import trim
from .units import Unit

@dataclass
class Doc:
    """A reply's units with their template parts, and helpers to reach them."""

    text: str
    units: list[Unit]
    parts: list[str]

    def where(self, *kinds: str) -> list[Unit]:
        return [u for u, p in zip(self.units, self.parts) if p in kinds]

    @cached_property
    def header(self) -> list[Unit]:
        return self.where(HEADER)

    @cached_property
    def opening(self) -> list[Unit]:
        return self.where(OPENING) or self.where(SALUTATION) or self.units[:1]

    @cached_property
    def tail(self) -> list[Unit]:
        return [u for u, p in zip(self.units, self.parts) if p in (SIGNATURE, CONTACT, CLOSING)]

    @cached_property
    def fields(self) -> dict[str, tuple[Unit, int, int]]:
        return header_fields(self.header)

    def field(self, *keys: str) -> str:
        """The tidied original value of the first non-empty header field among ``keys``."""
        for key in keys:
            if key in self.fields:
                unit, a, b = self.fields[key]
                value = tidy(unit.original(a, b)).strip(" |:：")
                if value:
                    return value
        return ""


def header_fields(units: list[Unit]) -> dict[str, tuple[Unit, int, int]]:
    """``key → (unit, start, end)`` for the key/value pairs of a header block, in all its forms."""
    found: dict[str, tuple[Unit, int, int]] = {}
    for k, unit in enumerate(units):
        t = unit.ntext
        keys = list(KEY_RE.finditer(t))
        for i, m in enumerate(keys):
            end = keys[i + 1].start() if i + 1 < len(keys) else len(t)
            a, b = trim(t, m.end(), end, strip=" :|")
            if a == b and len(keys) == 1 and t.strip(" :|") == m.group(0) and k + 1 < len(units):
                nxt = units[k + 1]
                if not KEY_RE.match(nxt.ntext):  # a key on its own line, its value on the next
                    found.setdefault(m.group(0), (nxt, 0, len(nxt.ntext)))
                    continue
            if a < b:
                found.setdefault(m.group(0), (unit, a, b))
    return found


def _is_plain(unit: Unit) -> bool:
    """A unit that is neither a key/value line, an office line, a date nor a document number."""
    t = unit.ntext
    return not (KEY_RE.match(t) or OFFICE_RE.match(t) or HEADER_DOC_NUMBER.search(t) or find_dates(t)
                or len(t) > 60 or re.search(r"[。!?]", t))


def find_title(doc: Doc) -> str:
    """The reply's title: a 标题 field, a title line, or one split over 2–3 lines ("…的" + "答 复")."""
    keyed = doc.field("标题", "信息名称")
    if keyed:
        return keyed
    units = doc.header
    for i, u in enumerate(units):
        t = TITLE_TAIL.sub("", u.ntext)
        if SPLIT_TITLE.match(t) and i > 0 and _is_plain(units[i - 1]):
            parts = [units[i - 1]]
            if (i > 1 and not re.match(r"关于|对", parts[0].ntext) and _is_plain(units[i - 2])
                    and len(units[i - 2].ntext) < 40):
                parts.insert(0, units[i - 2])
            return "".join(tidy(p.original(0, len(p.ntext))) for p in parts) + tidy(u.original(0, len(u.ntext)))
        if TITLE_END.search(t) and len(t) <= 120 and not KEY_RE.match(t) and not SPLIT_TITLE.match(t) \
                and re.search(r"关于|对|建议|提案|议案|会议", t):
            return tidy(u.original(0, len(t)))
    return ""


def find_office(doc: Doc, title: str) -> str:
    """The issuing office: the signature, the letterhead, the title's prefix, then the site fields."""
    for u in reversed(doc.where(SIGNATURE)):
        if OFFICE_RE.match(u.ntext):
            return tidy(u.original(0, len(u.ntext))).strip("()（）")
    values = {id(unit) for unit, _, _ in doc.fields.values()}
    for u in doc.header:
        if OFFICE_RE.match(u.ntext) and not KEY_RE.match(u.ntext) and id(u) not in values \
                and not u.ntext.startswith("("):
            return tidy(u.original(0, len(u.ntext)))
    m = OFFICE_TITLE.match(to_simplified(title))
    if m:
        return title[: m.end(1)]
    source = re.sub(r"\s*\d{4}-\d{1,2}-\d{1,2}.*$", "", doc.field("来源"))
    return doc.field("发布机构", "发文机关", "发布机关", "承办单位") or source


def find_doc_number(doc: Doc) -> str:
    """The document number (文号) from the header block, never one the body cites."""
    keyed = doc.field("文号", "发文字号")
    if keyed and HEADER_DOC_NUMBER.search(match_key(keyed)):
        return keyed
    for u in doc.header:
        m = HEADER_DOC_NUMBER.search(u.ntext)
        if m:
            return tidy(u.original(m.start(), m.end()))
    return ""


def find_reply_class(doc: Doc) -> str:
    """A/B/C (or A1, B2 …) from "办复类别:B类", "类别:C" or a bare "A1类" in the header."""
    for u in doc.header + doc.tail:
        m = CLASS_KEYED.search(u.ntext)
        if m:
            return m.group(1)
    for u in doc.header:
        m = CLASS_BARE.search(u.ntext)
        if m:
            return m.group(1)
    return ""


def find_disclosure(doc: Doc) -> str:
    for u in doc.header + doc.tail:
        m = DISCLOSURE.search(u.ntext)
        if m:
            return m.group(0)
    return ""


def _level_before(before: str) -> str:
    for word, _ in BODY_WORDS:
        if before.endswith(word):
            before = before[: -len(word)]
    for suffix, level in REGION_LEVEL:
        if before.endswith(suffix):
            return level
    return ""


def find_session(texts: list[str]) -> tuple[str, str, tuple[int, ...]]:
    """(body, level, (届, 次)) from "县政协十四届四次会议", "十二届全国人大五次会议" and the like."""
    for t in texts:
        for m in SESSION.finditer(t):
            term, sitting = cn_number(m.group(1)), cn_number(m.group(3))
            if not term or not sitting:
                continue
            before, middle = t[max(0, m.start() - 12): m.start()], m.group(2)
            body = next((b for w, b in BODY_WORDS if w in middle or before.endswith(w)), "")
            level = "全国" if "全国" in middle or before.endswith("全国") else _level_before(before)
            if not level:
                level = _level_before(middle.split("人大")[0].split("政协")[0]) if middle else ""
            return body, level, (term, sitting)
    return "", "", ()


def find_body(texts: list[str], addressees: tuple[str, ...]) -> tuple[str, str]:
    """(body, level) when no session phrase names them."""
    for t in texts:
        m = re.search(r"(全国|[省市州县区旗])?(政协|政治协商|人大|人民代表大会)", t)
        if m:
            body = dict(BODY_WORDS)[m.group(2)]
            return body, _level_before(m.group(1) or "")
    who = match_key("".join(addressees))
    if who.endswith("委员") or "委员" in who:
        return "政协", ""
    if "代表" in who:
        return "人大", ""
    joined = "".join(texts)
    if "提案" in joined:
        return "政协", ""
    if "建议" in joined or "议案" in joined:
        return "人大", ""
    return "", ""


def find_proposal_number(texts: list[tuple[Unit, str]]) -> str:
    """第45號, 第0038号, B(2017)103号, 第20250118040077号, "(第457号)" …"""
    for unit, t in texts:
        for rx in (NUMBER_KEYED, NUMBER_LETTER):
            m = rx.search(t)
            if m:
                a, b = m.span(1) if rx is NUMBER_KEYED else m.span()
                return tidy(unit.original(a, b))
        for m in NUMBER_DI.finditer(t):
            after, before = t[m.end(): m.end() + 3], t[max(0, m.start() - 2): m.start()]
            if re.match(r"的?(?:建议|提案|议案|意见|重点|代表|委员|[)])", after) or re.search(r"会议|代表|委员|[(]$", before):
                return tidy(unit.original(m.start(), m.end()))
    return ""


def find_role(doc: Doc, office: str) -> str:
    """主办, 会办 or 协办, from the title, header, opening or closing block."""
    units = doc.header + doc.opening + doc.tail
    for u in units:
        for rx, fixed in ROLE_PATTERNS:
            m = rx.search(u.ntext)
            if m:
                return fixed or m.group(1)
    key = match_key(office)
    for u in doc.header:
        for m in ROLE_UNIT.finditer(u.ntext):
            if key and (match_key(m.group(2)) in key or key in match_key(m.group(2))):
                return m.group(1)
    return ""


def find_addressees(doc: Doc) -> tuple[str, ...]:
    """Addressees from the salutation: one, "X等12位代表", a list of names, or an institution."""
    units = doc.where(SALUTATION)
    if not units:
        return ()
    u = units[0]
    who = salutation_of(u) or ""
    start = u.ntext.find(who)
    original = tidy(u.original(start, start + len(who)))
    original = re.sub(r"^尊敬的", "", original)
    names = [n for n in re.split(r"[、,，;；\s]+", original) if n]
    if len(names) <= 1 or "等" in original:
        return (original,)
    m = re.search(r"(委員|委员|代表|同志)(們|们)?$", names[-1])
    suffix = m.group(1) if m else ""
    return tuple(n if not suffix or n.endswith(suffix) else n + suffix for n in names)


def find_proposal_title(doc: Doc) -> str:
    """The 《…》 or “…” after 您提出的 / 您所提的 in the opening."""
    units = doc.opening + doc.where(SALUTATION)
    for rx in (PROPOSAL_QUOTED, PROPOSAL_BARE):
        for u in units:
            m = rx.search(u.ntext)
            if m:
                return tidy(u.original(*m.span(1)))
    return ""


def find_published(doc: Doc) -> str:
    """The publishing date from the site's header fields, or the first date in the header."""
    for key in ("发布日期", "发布时间", "日期", "生效日期", "来源"):
        if key in doc.fields:
            unit, a, b = doc.fields[key]
            found = find_dates(unit.ntext[a:b], compact=False)
            if found:
                return found[0][2]
    for u in doc.header:
        found = find_dates(u.ntext, compact=False)
        if found and not re.search(r"成文日期|废止日期|签发", u.ntext):
            return found[0][2]
    return ""


def find_signed(doc: Doc) -> str:
    """The signature date: the last date in the signature block, or in the closing block."""
    for units in (doc.where(SIGNATURE), doc.tail):
        for u in reversed(units):
            found = find_dates(u.ntext)
            if found:
                return found[-1][2]
    dated = doc.field("成文日期")
    return find_dates(match_key(dated))[0][2] if dated and find_dates(match_key(dated)) else ""


def find_contact(doc: Doc) -> str:
    """Contact person and phone from 承办人及联系电话 / 联系人 / 联系电话 lines: "袁文炳 0730--7628035"."""
    person = phone = ""
    for u in doc.where(CONTACT, SIGNATURE):
        t = u.ntext
        m = PERSON.search(t)
        if m and not person and not re.match(r"联系|电话", m.group(1)):
            person = tidy(u.original(*m.span(1)))
        if PHONE_KEY.search(t) and not phone:
            p = PHONE.search(t, PHONE_KEY.search(t).end())
            if p:
                phone = tidy(u.original(*p.span()))
    return " ".join(x for x in (person, phone) if x)


def extract_meta(text: str, units: list[Unit], parts: list[str]) -> ReplyMeta:
    """Every metadata field the reply states; missing ones stay empty."""
    doc = Doc(text, units, parts)
    title = find_title(doc)
    office = find_office(doc, title)
    addressees = find_addressees(doc)
    lead = [match_key(title)] + [u.ntext for u in doc.header + doc.where(SALUTATION) + doc.opening]
    body, level, session = find_session(lead + [match_key(text)])
    if not body:
        body, level2 = find_body(lead, addressees)
        level = level or level2
    numbered = [(u, u.ntext) for u in doc.header + doc.opening]
    reply_class, role = find_reply_class(doc), find_role(doc, office)
    return ReplyMeta(
        title=title, office=office, doc_number=find_doc_number(doc), reply_class=reply_class,
        disclosure=find_disclosure(doc), body=body, level=level, session=session,
        proposal_number=find_proposal_number(numbered), role=role, addressees=addressees,
        proposal_title=find_proposal_title(doc), published=find_published(doc), signed=find_signed(doc),
        contact=find_contact(doc), **handling_fields(units, parts, role, reply_class))
