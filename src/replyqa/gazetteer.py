"""The archive gazetteer: every name that identifies a reply, in Simplified, Traditional and toneless pinyin.

A reply is identified by its places (from its office, title, proposal title and addressees), its office, its
proposers, its proposal and document numbers, its years, its session and its body. At ingest
:func:`reply_names` lists them from the reply's metadata, and the catalog stores them beside the
reply's row (the ``names`` table), so they come and go with it. :class:`Gazetteer` holds them in
memory for a question: which replies carry a name, which known names a question mentions without
a marker ("宁陕" for 宁陕县), and which one an English spelling means ("Ningshan" → 宁陕县).
Pinyin comes from ``pypinyin``, so a county's name is spelt even where CC-CEDICT has no entry.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from .entities import PLACE_SUFFIXES, doc_number_value, extract, latin_key, number_value
from .normalise import to_simplified
from .records import ReplyMeta

# Bump when reply_names changes what it lists: stored names are then made again by the next write.
GAZETTEER_VERSION = 2  # 2: counties of one character before the suffix (威县) and after a function word (和龙市)
MAX_READINGS = 3  # hand-set: readings tried for a name's first character (单县 is Shan, 翟 is Zhai as a surname)
BARE_PERSON_CHARS = 3  # hand-set: a two-character name alone is too often a word ("平原"); with 代表/委员 it is found anyway
# Places at these levels are also known by their bare name ("宁陕" for 宁陕县); a village's or town's
# bare name is too often a common word ("雪山", "白塔") to be recognised alone in Chinese.
BARE_LEVELS = "省市州县区旗"
FIND_KINDS = ("place", "office", "person")  # the kinds a question may name without a marker
_ROLE = re.compile(r"^([\u4e00-\u9fff·]{2,4}?)(?:等.*)?(?:委员|代表|同志)们?$")
_PROPOSAL_YEAR = re.compile(r"[(\[〔（]\s*((?:19|20)\d{2})\s*[)\]〕）]")


@dataclass(frozen=True)
class Name:
    """One spelling of one identifying name of a reply."""

    kind: str  # an entities.EntityKind
    value: str  # as entities.Entity.value: what a question's entity is compared with
    form: str  # how it may be written: the value, its Traditional or bare form, or its pinyin key
    script: str  # "zh-Hans", "zh-Hant", "pinyin", or "" for numbers, years, sessions and bodies


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def pinyin_keys(simplified: str) -> list[str]:
    """Toneless pinyin keys of a Chinese name, with the other readings of its first character ("dan"/"shan")."""
    # imported here: loading its dictionaries takes about 0.2 s, and only a write to the index spells names
    from pypinyin import Style, lazy_pinyin, pinyin

    rest = "".join(lazy_pinyin(simplified[1:])).replace("v", "u")
    firsts = pinyin(simplified[:1], style=Style.NORMAL, heteronym=True)[0] if simplified else []
    keys = [latin_key(first.replace("v", "u")) + latin_key(rest) for first in firsts[:MAX_READINGS]]
    return list(dict.fromkeys(k for k in keys if k))


def _chinese(kind: str, value: str, bare: str = "") -> list[Name]:
    """A Chinese name's Simplified, Traditional and pinyin forms, and a bare name's where it has one."""
    out = [Name(kind, value, value, "zh-Hans"), Name(kind, value, _s2t().convert(value), "zh-Hant")]
    out += [Name(kind, value, key, "pinyin") for key in pinyin_keys(value)]
    if bare:
        if value[-1] in BARE_LEVELS:
            out += [Name(kind, value, bare, "zh-Hans"), Name(kind, value, _s2t().convert(bare), "zh-Hant")]
        out += [Name(kind, value, key, "pinyin") for key in pinyin_keys(bare)]
    return out


def _places(texts: Iterable[str]) -> list[str]:
    places = []
    for text in texts:
        simple = to_simplified(text)
        places += [e.value for e in extract(text, simple) if e.kind == "place"]
    return list(dict.fromkeys(places))


def _people(addressees: Iterable[str]) -> list[str]:
    people = []
    for who in addressees:
        m = _ROLE.match(to_simplified(who).strip())
        if m:
            people.append(m.group(1))
    return people


def reply_names(title: str, meta: ReplyMeta) -> list[Name]:
    """Every name that identifies a reply, from its title and metadata, each in all its forms."""
    names: list[Name] = []
    for place in _places([meta.office, title, meta.proposal_title, *meta.addressees]):
        bare = place[:-1] if place[-1] in PLACE_SUFFIXES and len(place) >= 3 else ""
        names += _chinese("place", place, bare)
    if meta.office:
        names += _chinese("office", to_simplified(meta.office))
    for person in _people(meta.addressees):
        names += _chinese("person", person)
    doc = doc_number_value(to_simplified(meta.doc_number)) if meta.doc_number else ""
    if doc:
        names += [Name("doc_number", doc, doc, "zh-Hans"), Name("doc_number", doc, _s2t().convert(doc), "zh-Hant")]
    plain = [("proposal_number", number_value(meta.proposal_number))]
    years = [d[:4] for d in (meta.signed, meta.published) if d]
    years += _PROPOSAL_YEAR.findall(meta.doc_number + meta.proposal_number)
    plain += [("year", y) for y in years]
    if len(meta.session) == 2:
        plain.append(("session", "-".join(map(str, meta.session))))
    plain.append(("body", meta.body))
    names += [Name(kind, value, value, "") for kind, value in plain if value]
    return list(dict.fromkeys(names))


class Gazetteer:
    """The names of an archive's replies, for looking up what a question names."""

    def __init__(self, rows: Iterable[tuple[str, str, str, str, str]]):
        """``rows``: (reply_id, kind, value, form, script), as the catalog stores them."""
        self._replies: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._kinds: dict[str, set[str]] = defaultdict(set)  # reply id -> the kinds of name it carries
        self._forms: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self._pinyin: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for reply_id, kind, value, form, script in rows:
            self._replies[(kind, value)].add(reply_id)
            self._kinds[reply_id].add(kind)
            if script == "pinyin":
                self._pinyin[form].add((kind, value))
            elif script == "zh-Hans" and kind in FIND_KINDS and (kind != "person" or len(form) >= BARE_PERSON_CHARS):
                self._forms[form].add((kind, value))
        self._longest = max(map(len, self._forms), default=0)

    def __len__(self) -> int:
        return len(self._replies)

    def replies(self, kind: str, value: str) -> frozenset[str]:
        """The replies that carry a name (kind and value as :class:`replyqa.entities.Entity` has them)."""
        return frozenset(self._replies.get((kind, value), ()))

    def states(self, reply_id: str, kind: str) -> bool:
        """True when a reply carries any name of this kind (a reply may state no place at all)."""
        return kind in self._kinds.get(reply_id, ())

    def knows(self, kind: str, value: str) -> bool:
        return (kind, value) in self._replies

    def find(self, simplified: str) -> list[tuple[int, int, str, str]]:
        """(start, end, kind, value) of the longest known name starting at each place in ``simplified``."""
        out = []
        for a in range(len(simplified)):
            for b in range(min(len(simplified), a + self._longest), a + 1, -1):
                hits = self._forms.get(simplified[a:b])
                if hits:
                    out += [(a, b, kind, value) for kind, value in sorted(hits)]
                    break
        return out

    def by_pinyin(self, key: str) -> list[tuple[str, str]]:
        """(kind, value) of the names spelt ``key`` in toneless pinyin ("ningshan" → place 宁陕县)."""
        return sorted(self._pinyin.get(key, ()))
