"""Parse a reply's text into its template parts, body sections and metadata.

A reply follows a template: header and metadata block, salutation, opening,
numbered body, closing, signature and date, contact block. The text is cut
into *units* (lines, and pieces of lines where a flattened table cell runs
several parts together); each unit gets its template part, body units get a
heading path, and consecutive units with the same path become one
:class:`Section`. Sections tile the text, so every character belongs to
exactly one. Template parts other than the body have the one-element path
``(part,)``, e.g. ``("header",)``; body sections have their heading path,
``()`` for body text before the first heading.

Patterns run on the matching form of each unit (Simplified, half-width, no
glosses); every value is cut from the original text.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property

from .normalise import Normalised, fold_width, match_key, normalise, tidy
from .records import Reply, Section

HEADER, SALUTATION, OPENING, BODY = "header", "salutation", "opening", "body"
CLOSING, SIGNATURE, CONTACT = "closing", "signature", "contact"
TEMPLATE_PARTS = (HEADER, SALUTATION, OPENING, CLOSING, SIGNATURE, CONTACT)

NUM = "一二三四五六七八九十"
LEAD_JUNK = re.compile(r"^[\s|•·●▪◆■□\-*#>]+")
OFFICE_SUFFIX = (r"(?:人民政府|政府办公室|办公室|委员会|管委会|中心|公司|集团|研究院|法院|检察院|"
                 r"[局厅委办部院署处所站馆社队会行])")
OFFICE_RE = re.compile(rf"^[(]?(?!关于|对|在|您|你)([\u4e00-\u9fff]{{2,30}}?{OFFICE_SUFFIX})[)]?$")
SALUTE_RE = re.compile(
    r"^(?:尊敬的)?(?P<who>[^:,。!?;\s|《》“”\"()]{1,80}?(?:委员们?|代表们?|同志们?|先生|女士|主席|主任|"
    r"局长|厅长|部长|市长|县长|区长|书记))\**[:](?P<rest>.*)$")
INSTITUTION_RE = re.compile(rf"^(?P<who>[\u4e00-\u9fff、]{{2,40}}?{OFFICE_SUFFIX})[:]$")
OPENING_HINT = re.compile(r"收悉|如下|您们?(?:提出|所提|在|领衔)|你们?(?:提出|所提|在|领衔)|提出的|已交|交由|转来|转交")
OPENING_END = re.compile(r"(?:如下[^。:]{0,12}[:]?|收悉[。.]?|办理(?:情况|结果)报告如下[:]?)$")

# Where a line holds several template parts, as a flattened table cell does. These run on the
# line's same-length folded form (see fold_width), where spaces still mark old line breaks.
_SALUTE_CUT = re.compile(r"(?:^|(?<=[|]))\s*(?:尊敬的)?[^:,。!?;\s|]{1,40}?(?:委员|代表)们?\**[:]")
_SPLIT_BEFORE = re.compile(
    r"(?<=[。!?;:])\s*(?=(?:再次|衷心|非常)?感谢|此致|以上答复|特此|[一二三四五六七八九十]{1,3}、|[(][一二三四五六七八九十]{1,3}[)])"
    r"|(?<=[。!?;\s|])\s*(?=[(]?(?:承办负责人|承办人|联\s*系\s*人|联系电话|经办人|签发人|签发领导|领导签发|邮政编码)[:])"
    r"|(?<=[|])\s*(?=(?:尊敬的)?[^:,。!?;\s|]{1,40}?(?:委员|代表)们?[:])"
    r"|(?<=[。!?])\s+(?=\S)")
_OPENING_CUT = re.compile(r"如下[^。:,]{0,10}?[:]")
_TRAILING_DATE = re.compile(r"(?<=[\s。!|])\s*(?=(?:(?:19|20)\d{2}年\d{1,2}月\d{1,2}日|[〇零○一二三四五六七八九0]{4}年[^\s]{1,3}月[^\s]{1,4}日)[\s|]*$)")


@dataclass(frozen=True)
class Unit:
    """A line or part of a line: its span in the original and its matching form."""

    start: int
    end: int
    norm: Normalised
    text: str = field(repr=False, compare=False)  # the whole reply, to cut values from

    @cached_property
    def lead(self) -> int:
        """Where the content starts in the matching form, after bullets and table bars."""
        m = LEAD_JUNK.match(self.norm.text)
        return m.end() if m else 0

    @cached_property
    def ntext(self) -> str:
        """The matching form without leading bullets and trailing bars."""
        return self.norm.text[self.lead:].rstrip(" |")

    def span(self, a: int, b: int) -> tuple[int, int]:
        """Original span of ``ntext[a:b]``."""
        s, e = self.norm.span(self.lead + a, self.lead + b)
        return self.start + s, self.start + e

    def original(self, a: int, b: int) -> str:
        """The original text behind ``ntext[a:b]``."""
        s, e = self.span(a, b)
        return self.text[s:e]


def reply_id_for(text: str) -> str:
    """A stable id: the hash of the normalised content, so a re-read gives the same id."""
    return hashlib.sha256(match_key(text).encode()).hexdigest()[:16]


# -- units ---------------------------------------------------------------------------------------

def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85")
        if body.strip():
            spans.append((pos, pos + len(body)))
        pos += len(line)
    return spans


def _cut_points(line: str) -> list[int]:
    """Positions in a line where a new unit starts."""
    folded = fold_width(line)
    cuts = {m.end() for rx in (_SALUTE_CUT, _OPENING_CUT) for m in rx.finditer(folded)}
    cuts |= {m.end() for rx in (_SPLIT_BEFORE, _TRAILING_DATE) for m in rx.finditer(folded)}
    return sorted(c for c in cuts if 0 < c < len(line))


def split_units(text: str) -> list[Unit]:
    """The text's non-blank lines, cut further where one line runs several parts together."""
    units = []
    for start, end in _line_spans(text):
        bounds = [start] + [start + c for c in _cut_points(text[start:end])] + [end]
        for a, b in zip(bounds, bounds[1:]):
            piece = text[a:b]
            if piece.strip() and any(ch.isalnum() for ch in piece):
                units.append(Unit(a, b, normalise(piece), text))
    return units


# -- template parts ------------------------------------------------------------------------------

def salutation_of(unit: Unit) -> str | None:
    """The addressee part of a salutation unit ("翟亞丹委員"), or None."""
    m = SALUTE_RE.match(unit.ntext)
    if m and (not m.group("rest").strip() or re.match(r"\s*(?:您|你|贵|近年|首先)", m.group("rest"))):
        return m.group("who")
    m = INSTITUTION_RE.match(unit.ntext)
    return m.group("who") if m else None


def _find_salutation(units: list[Unit]) -> int | None:
    for i, u in enumerate(units[:40]):
        if OPENING_HINT.search(u.ntext) and "收悉" in u.ntext:
            return None  # the opening came first: there is no salutation
        if salutation_of(u):
            return i
    return None


def _find_opening(units: list[Unit], start: int, anchored: bool) -> tuple[int, int] | None:
    """(first, last) unit of the opening, searched from ``start``."""
    window = range(start, min(len(units), start + (3 if anchored else 12)))
    first = next((i for i in window if OPENING_HINT.search(units[i].ntext) and not heading_at(units[i])
                  and (anchored or re.search(r"收悉|如下[^。]{0,12}:", units[i].ntext))), None)
    if first is None:
        return None
    for j in range(first, min(len(units), first + 3)):
        if OPENING_END.search(units[j].ntext):
            return first, j
    return first, first


def _looks_like_header(unit: Unit) -> bool:
    t = unit.ntext
    return len(t) < 40 and "。" not in t or bool(KV_KEY.match(t)) or bool(OFFICE_RE.match(t))


CLOSING_RE = re.compile(r"^(?:致|礼|致\s?礼|敬\s?礼)$|^(?:(?:再次|衷心|非常|最后|再一次)?感谢|此致|敬礼|致礼|致以|以上答复|特此|专此|如有(?:意见|疑问|不同意见)|"
                        r"对以上(?:答复|办理)|您对(?:以上|本)|欢迎|恳请|请予|希望您?(?:继续|以后|今后))")
CONTACT_RE = re.compile(r"^[(]?(?:承办|联系|经办|办理人|电话|手机|传真|邮政编码|邮编|地址|抄送|抄报|人:|注:|附件|"
                        r"[(]此件|此件|办复类别|答复类别|类别|[ABC]\d?类\s?[—-])")
SIGNER_RE = re.compile(r"^(?:签发人|签发领导|领导签发|领导签字|签字|签发|盖章)")


def tail_kind(unit: Unit) -> str | None:
    """The closing-block part a unit belongs to, or None if it is body text."""
    t = unit.ntext
    if SIGNER_RE.match(t):
        return SIGNATURE
    if CONTACT_RE.match(t):
        return CONTACT
    if OFFICE_RE.match(t) or _is_date_line(t):
        return SIGNATURE
    if CLOSING_RE.match(t) and len(t) <= 150:
        return CLOSING
    return None


def _is_date_line(t: str) -> bool:
    from .dates import find_dates

    found = find_dates(t)
    return bool(found) and len(re.sub(r"[\s|]", "", t[: found[0][0]] + t[found[-1][1]:])) <= 2


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


# -- body headings -------------------------------------------------------------------------------

HEADING_STYLES = (
    ("cn", re.compile(rf"^[{NUM}]{{1,3}}[、.]")),
    ("pcn", re.compile(rf"^[(][{NUM}]{{1,3}}[)]")),
    ("num", re.compile(r"^\d{1,2}[、.](?!\d)")),
    ("pnum", re.compile(r"^[(]\d{1,2}[)]")),
    ("circ", re.compile(r"^[\u2460-\u2473]")),
    ("di", re.compile(rf"^第[{NUM}]{{1,3}}[,、:]")),
    ("shi", re.compile(rf"^[{NUM}]是")),
    ("fm", re.compile(r"^(?:另)?一方面")),
)
NAMED_HEADING = re.compile(r"^(?:基本情况|办理情况|办理结果|有关情况|情况说明|存在(?:的)?问题|主要问题|原因分析|"
                           r"下一?步(?:工作)?(?:打算|计划|安排)?|工作措施|主要措施|主要做法|工作成效|取得(?:的)?成效|"
                           r"[\u4e00-\u9fff]{0,8}(?:情况|措施|打算|计划|做法|成效|举措))[:]?$")
_SHI_BLOCK = "统唯之第同万单划专逐其合不归择纯守如任"
INLINE_RES = (
    ("shi", re.compile(rf"(?<![{_SHI_BLOCK}{NUM}])([{NUM}])是")),
    ("fm", re.compile(r"(另)?一方面")),
    ("di", re.compile(rf"第([{NUM}])[,、]")),
)
HEADING_MAX, ITEM_MAX = 60, 40


def heading_at(unit: Unit) -> tuple[str, int] | None:
    """(style, end of its label) if the unit starts with a heading."""
    t = unit.ntext
    if NAMED_HEADING.match(t) and len(t) <= 16:
        return "named", len(t.rstrip(":"))
    for style, rx in HEADING_STYLES:
        if rx.match(t):
            if style == "shi" and not t.startswith("一是"):
                return (style, _label_end(t, 0, "。!?;:,")) if t[0] in NUM else None
            stop = "。!?;:," if style in ("shi", "fm") else "。!?;:"
            return style, _label_end(t, 0, stop)
    return None


def _label_end(t: str, start: int, stops: str) -> int:
    for i in range(start, len(t)):
        if t[i] in stops and not (t[i] == ":" and i == start):
            return i
    return len(t)


def _numeral(ch: str) -> int:
    return NUM.index(ch) + 1 if ch in NUM else 0


def inline_items(unit: Unit, after: int, lead: str | None = None) -> list[tuple[int, str]]:
    """(position, style) of the enumerations run inside a paragraph: 一是…二是…, 一方面…另一方面.

    A run needs two markers, unless the paragraph itself starts with the first (``lead``).
    """
    t = unit.ntext
    best: list[tuple[int, str]] = []
    for style, rx in INLINE_RES:
        continues = lead == style
        found = list(rx.finditer(t, after))
        if style == "fm":
            chain = [] if continues else [m.start() for m in found if not m.group(1)][:1]
            chain += [m.start() for m in found if m.group(1) and (continues or chain and m.start() > chain[0])][:1]
        else:
            chain, want = [], (_numeral(_lead_numeral(t, style)) + 1) if continues else 1
            for m in found:
                if _numeral(m.group(1)) == want:
                    chain.append(m.start())
                    want += 1
        if len(chain) >= (1 if continues else 2) and (not best or chain[0] < best[0][0]):
            best = [(p, style) for p in chain]
    return best


def _lead_numeral(t: str, style: str) -> str:
    return t[1] if style == "di" else t[0]


def _label(unit: Unit, a: int, b: int, cap: int) -> str:
    label = tidy(unit.original(a, b))
    return label if len(label) <= cap else label[:cap] + "…"


def _push(stack: list[tuple[str, str]], style: str, label: str) -> None:
    styles = [s for s, _ in stack]
    if style in styles:
        del stack[styles.index(style):]
    stack.append((style, label))


def body_boundaries(units: list[Unit]) -> list[tuple[int, tuple[str, ...]]]:
    """(original offset, heading path) wherever the body's heading path changes."""
    stack: list[tuple[str, str]] = []
    out: list[tuple[int, tuple[str, ...]]] = []
    for u in units:
        head = heading_at(u)
        if head and head[0] == "shi" and not u.ntext.startswith("一是") and "shi" not in {s for s, _ in stack}:
            head = None
        label_end = 0
        if head:
            _push(stack, head[0], _label(u, 0, head[1], HEADING_MAX))
            label_end = head[1]
        out.append((u.start, tuple(label for _, label in stack)))
        depth = len(stack)
        for pos, style in inline_items(u, max(label_end, 1), head[0] if head else None):
            end = _label_end(u.ntext, pos, "。!?;:,")
            _push(stack, style, _label(u, pos, end, ITEM_MAX))
            out.append((u.span(pos, pos + 1)[0], tuple(label for _, label in stack)))
        del stack[depth:]  # a paragraph's inline items end with it
    return out


# -- sections ------------------------------------------------------------------------------------

def section_boundaries(units: list[Unit], parts: list[str]) -> list[tuple[int, tuple[str, ...]]]:
    """(original offset, path) for each run of units, template parts and body headings together."""
    out: list[tuple[int, tuple[str, ...]]] = []
    i = 0
    while i < len(units):
        j = i
        while j < len(units) and parts[j] == parts[i]:
            j += 1
        if parts[i] == BODY:
            out += body_boundaries(units[i:j])
        else:
            out.append((units[i].start, (parts[i],)))
        i = j
    return out


def build_sections(text: str, reply_id: str, bounds: list[tuple[int, tuple[str, ...]]]) -> tuple[Section, ...]:
    """Sections tiling ``text``: each runs to the next boundary, trimmed of surrounding whitespace."""
    merged: list[tuple[int, tuple[str, ...]]] = []
    for pos, path in bounds:
        if merged and merged[-1][1] == path:
            continue
        if merged and merged[-1][0] == pos:
            merged[-1] = (pos, path)
        else:
            merged.append((pos, path))
    if merged:
        merged[0] = (0, merged[0][1])
    elif text.strip():  # only bars and bullets: still one section, so every character is in one
        merged = [(0, ())]
    sections = []
    for k, (start, path) in enumerate(merged):
        end = merged[k + 1][0] if k + 1 < len(merged) else len(text)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            sections.append(Section(reply_id, path, start, end))
    return tuple(sections)


# -- the reply -----------------------------------------------------------------------------------

def parse_reply(text: str, source: str) -> Reply:
    """Parse one reply: metadata (every field optional) and sections that tile the text."""
    from .metadata import extract_meta

    rid = reply_id_for(text)
    units = split_units(text)
    parts = template_parts(units)
    sections = build_sections(text, rid, section_boundaries(units, parts))
    meta = extract_meta(text, units, parts)
    return Reply(reply_id=rid, title=meta.title or meta.proposal_title, meta=meta, text=text, source=source,
                 sections=sections)


KV_KEY = re.compile(r"^(?:索引号|发布机构|发文机关|发布机关|来源|文号|发文字号|发布日期|发布时间|成文日期|生效日期|日期|公开方式|"
                    r"公开属性|公开形式|标题|信息名称|主办单位|协办单位|会办单位|承办单位|主题分类|信息分类|公开目录|所属主题|"
                    r"废止日期|是否有效|浏览量|访问次数|有效性|主题词|分类|类别|办复类别|签发人|提案人|领衔代表|提案号|建议号|"
                    r"编号|公开时限|体裁分类|组配分类|点击数|政府信息公开)")


def reply_json(reply: Reply, chunks) -> dict:
    """The stable JSON shape of ``replyqa parse``: metadata, sections and chunks."""
    meta = reply.meta
    return {"reply_id": reply.reply_id, "source": reply.source, "title": meta.title, "office": meta.office,
            "doc_number": meta.doc_number, "reply_class": meta.reply_class, "disclosure": meta.disclosure,
            "body": meta.body, "level": meta.level, "session": list(meta.session),
            "proposal_number": meta.proposal_number, "role": meta.role, "addressees": list(meta.addressees),
            "proposal_title": meta.proposal_title, "published": meta.published, "signed": meta.signed,
            "contact": meta.contact,
            "sections": [{"path": list(s.path), "start": s.start, "end": s.end} for s in reply.sections],
            "chunks": [{"chunk_id": c.chunk_id, "section": list(c.section), "start": c.start, "end": c.end,
                        "text": c.text} for c in chunks]}
