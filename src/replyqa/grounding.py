"""Grounding a question's entities in the archive: which replies carry what the question names, and
whether a reply contradicts it.

A question that names its reply ("翟亚丹委员的第45号提案", "Ningshan County's reply", "2019年…")
is about the replies that carry those names. :func:`ground` looks each identifying entity up in
the archive's gazetteer (:mod:`replyqa.gazetteer`): retrieval restricts itself to the replies that
carry them all, and the answerer quotes only a reply that agrees with every one of them. A reply
agrees with an entity when its metadata carries it (the gazetteer) or its text mentions it: a
village named in the body, a year the reply reports on. When no candidate reply agrees, the
archive holds no reply to that question, and the refusal names the entity (``compose.py``).

Offices and the body (人大/政协) narrow a search (the desk pre-fills them as filters) but do not
identify a reply: an office is asked about in many words ("教育部门", "the education bureau"),
and both bodies answer the same topics.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from .dates import cn_number
from .divisions import divisions
from .entities import EN_PLACE_WORDS, Entity
from .normalise import match_key, to_simplified
from .records import Reply

# The kinds that identify a reply: a reply that neither carries nor mentions one is not the reply asked about.
IDENTIFYING = ("place", "person", "proposal_number", "doc_number", "session", "year")
BARE_PLACE_SUFFIXES = "省市州县区旗镇乡村"  # "新北" in a text names 新北市; a name is two characters at least
_HAN = re.compile(r"[\u3400-\u9fff]")
# Places below a county (a town, a village, an area of a town): a reply about one names it in its text,
# so even a reply that states no place of its own must mention it.
LOCAL_PLACE = re.compile(r"(?:镇|乡|村|片区|社区|街区|小区|景区|园区|校区|城区)$")
_DIGITS_CN = "〇一二三四五六七八九"


class NameIndex(Protocol):
    """What grounding needs of a gazetteer (:class:`replyqa.gazetteer.Gazetteer`)."""

    def replies(self, kind: str, value: str) -> frozenset[str]:
        """The replies whose metadata carry the name (kind and value as an Entity has them)."""

    def states(self, reply_id: str, kind: str) -> bool:
        """True when a reply carries any name of this kind."""


# Years do not narrow retrieval: a year in a question is mostly the year of what it asks about
# ("2023年出台了什么文件"), which a reply signed later reports on.
NARROWING = ("place", "person", "proposal_number", "doc_number", "session")


@dataclass(frozen=True)
class Grounding:
    """A question's identifying entities and, for each, the replies that carry it in their metadata."""

    entities: tuple[Entity, ...]
    carriers: tuple[frozenset[str], ...]  # aligned with ``entities``
    names: NameIndex | None = None

    def __bool__(self) -> bool:
        return bool(self.entities)

    @property
    def replies(self) -> frozenset[str]:
        """The replies carrying every narrowing entity the archive knows; empty when they share no reply."""
        known = [c for e, c in zip(self.entities, self.carriers) if c and e.kind in NARROWING]
        if not known:
            return frozenset()
        out = set(known[0])
        for c in known[1:]:
            out &= c
        return frozenset(out)

    def carried(self, reply_id: str) -> tuple[Entity, ...]:
        """The entities a reply carries in its metadata."""
        return tuple(e for e, c in zip(self.entities, self.carriers) if reply_id in c)

    def identifies_by_header(self, reply_id: str) -> bool:
        """True when a reply carries a person, a number or a session the question names: facts its header holds."""
        return any(e.kind in ("person", "proposal_number", "doc_number", "session") for e in self.carried(reply_id))

    def conflicts(self, reply: Reply, nearest: bool = False) -> tuple[Entity, ...]:
        """The entities a reply neither carries nor mentions: each says it is not the reply asked about.

        The ``nearest`` reply (the one retrieval ranks first) is not contradicted by a kind of entity it
        states none of: a reply that names no place cannot be told apart from another place's reply.
        """
        matched = set(self.matched(reply))
        return tuple(e for e in self.entities if e not in matched and not (nearest and self._unstated(reply, e)))

    def _unstated(self, reply: Reply, entity: Entity) -> bool:
        """True when a reply states nothing to compare the entity with: no name of its kind (for a town or a
        village, which a reply about it would name in its text, that is never so). A reply kept without its
        heading or signature (no place in its metadata) that names a county in its text has a place to compare."""
        if self.names is None or entity.kind == "place" and LOCAL_PLACE.search(entity.value):
            return False
        if self.names.states(reply.reply_id, entity.kind):
            return False
        return not (entity.kind == "place" and _names_a_division(reply.title, reply.text))

    def matched(self, reply: Reply) -> tuple[Entity, ...]:
        """The entities a reply carries in its metadata or mentions in its text."""
        out = []
        key = None
        for e, c in zip(self.entities, self.carriers):
            if reply.reply_id not in c:
                key = _reply_key(reply) if key is None else key
                if not mentions(key, e):
                    continue
            out.append(e)
        return tuple(out)

    def agrees(self, reply: Reply, nearest: bool = False) -> bool:
        return not self.conflicts(reply, nearest)


def ground(entities: tuple[Entity, ...], names: NameIndex | None) -> Grounding:
    """The identifying entities among ``entities`` (one per kind and value) with the replies carrying each."""
    kept: dict[tuple[str, str], Entity] = {}
    for e in entities:
        if e.kind in IDENTIFYING:
            kept.setdefault((e.kind, e.value), e)
    ents = tuple(kept.values())
    carriers = tuple(names.replies(e.kind, e.value) if names is not None else frozenset() for e in ents)
    return Grounding(ents, carriers, names)


@lru_cache(maxsize=256)  # hand-set: as ``_key``, a few questions' candidate replies
def _names_a_division(title: str, text: str) -> bool:
    """True when a reply's title or text names a province, prefecture or county in full (divisions.divisions)."""
    return bool(divisions(to_simplified(title + "\n" + text)))


def _reply_key(reply: Reply) -> str:
    return _key(reply.title, reply.text)


@lru_cache(maxsize=256)  # hand-set: a few questions' candidate replies; a key costs ~1 ms for a long reply
def _key(title: str, text: str) -> str:
    return match_key(title + "\n" + text)


def mentions(key: str, entity: Entity) -> bool:
    """True when a reply's matching key (``normalise.match_key``) mentions the entity in some written form."""
    kind, value = entity.kind, entity.value
    if kind == "year":
        cn = "".join(_DIGITS_CN[int(d)] for d in value)
        return bool(re.search(rf"(?<!\d){value}(?!\d)", key)) or cn in key
    if kind == "proposal_number":
        return bool(re.search(rf"(?<![\d.]){'0*' + value}\s*号", key))
    if kind == "session":
        return _session_mentioned(key, value)
    if kind == "doc_number":
        digits = re.findall(r"\d+", value)
        return bool(digits) and bool(re.search(rf"{digits[0]}\D{{0,3}}0*{digits[-1]}\s*号", key))
    if not _HAN.search(value):  # an English name the archive does not know: its pinyin in the text
        return _latin_form(entity) in _pinyin_runs(key)
    forms = {match_key(to_simplified(value))}
    if kind == "place" and value[-1] in BARE_PLACE_SUFFIXES and len(value) >= 3:
        forms.add(match_key(value[:-1]))
    return any(f and f in key for f in forms)


def _session_mentioned(key: str, value: str) -> bool:
    term, sitting = value.split("-")
    for m in re.finditer(r"([一二三四五六七八九十\d]{1,4})届([^,，。;；]{0,10}?)([一二三四五六七八九十\d]{1,3})次", key):
        if str(cn_number(m.group(1))) == term and str(cn_number(m.group(3))) == sitting:
            return True
    return False


def _latin_form(entity: Entity) -> str:
    """An English place's pinyin key with its level ("Huarong County" → "huarongxian"): two syllables
    alone match too many words of a long reply."""
    from pypinyin import lazy_pinyin

    level = EN_PLACE_WORDS.get(entity.text.rsplit(" ", 1)[-1].lower(), "") if entity.kind == "place" else ""
    return entity.value + "".join(lazy_pinyin(level))


@lru_cache(maxsize=64)
def _pinyin_runs(key: str) -> frozenset[str]:
    """Toneless pinyin of every run of one to five Han characters of ``key`` (for English names it may mention)."""
    from pypinyin import lazy_pinyin  # loading its dictionaries takes about 0.2 s; only English names need it

    out: set[str] = set()
    for run in re.findall(r"[\u3400-\u9fff]+", key):
        syllables = [s.replace("v", "u") for s in lazy_pinyin(run)]
        for i in range(len(syllables)):
            for n in range(1, 6):
                if i + n <= len(syllables):
                    out.add("".join(syllables[i:i + n]))
    return frozenset(out)
