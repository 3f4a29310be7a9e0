"""Entity-swapped questions: answerable questions made to name a place, proposal number or year the archive lacks.

People name the reply they mean ("高平市第71号建议", "Ningshan County's reply", "2025年"). When that
reply does not exist, the right response is a refusal, not a quote from the nearest one. This
module makes such questions from answerable ones: for each question naming a place, a proposal
or suggestion number or a year, one copy whose entity is replaced, in place, by a value the
archive lacks (:func:`swap_questions`). The unswapped originals stay in the set as the control,
so a system that refuses everything scores no better than one that refuses nothing.

- A place is replaced by a real county, city, district or prefecture of the same level from the
  fixed lists below, written in the question's script (Simplified, Traditional, or pinyin with
  the level word in English). It must be unknown to the gazetteer, in every form, and no reply's
  text may mention it or its bare name.
- A number gets another with as many digits that no reply carries and no reply's text writes as
  a number ("第N号", "N号", "No. N").
- A year gets another within ``YEAR_SPAN`` that the gazetteer lacks and the asked reply's text
  never mentions.

Everything is drawn from a ``random.Random`` seeded by the seed and the question's id, so a set
is the same on every run, and adding a question leaves the others' swaps unchanged.
:func:`swap_figures` scores a run of the set from its records alone.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from ..entities import EN_PLACE_WORDS, Entity, latin_key
from ..gazetteer import Gazetteer, pinyin_keys
from ..grounding import IDENTIFYING
from ..language import strip_glosses
from ..normalise import to_simplified
from ..question import analyse
from .metrics import normalise
from .questions import Question, Swap

SWAP_KINDS = ("place", "proposal_number", "year")
# Real places, Simplified with their pinyin, by level: county-level and prefecture-level divisions of
# several provinces, some beside the sample archive's own (华容县 and 汨罗市 neighbour 岳阳县), so a swap
# can be as close as a real mistake. Each is checked against the archive before use (place_absent), and
# the question analysis finds each as a place (a test checks), so the set measures refusal, not extraction.
PLACE_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "县": (("华容县", "Huarong"), ("凤庆县", "Fengqing"), ("永寿县", "Yongshou"), ("临朐县", "Linqu"),
          ("宁陵县", "Ningling"), ("黎平县", "Liping"), ("祁东县", "Qidong"), ("南漳县", "Nanzhang"),
          ("宜良县", "Yiliang"), ("繁峙县", "Fanshi")),
    "市": (("耒阳市", "Leiyang"), ("禹州市", "Yuzhou"), ("沁阳市", "Qinyang"), ("介休市", "Jiexiu"),
          ("瑞丽市", "Ruili"), ("汨罗市", "Miluo"), ("邓州市", "Dengzhou"), ("巩义市", "Gongyi"),
          ("醴陵市", "Liling"), ("兴义市", "Xingyi")),
    "区": (("雁塔区", "Yanta"), ("天心区", "Tianxin"), ("历下区", "Lixia"), ("江汉区", "Jianghan"),
          ("武侯区", "Wuhou"), ("金水区", "Jinshui"), ("莲湖区", "Lianhu"), ("秀英区", "Xiuying"),
          ("南明区", "Nanming"), ("五华区", "Wuhua")),
    "州": (("黔南州", "Qiannan"), ("湘西州", "Xiangxi"), ("恩施州", "Enshi"), ("大理州", "Dali"),
          ("红河州", "Honghe"), ("楚雄州", "Chuxiong"), ("凉山州", "Liangshan"), ("延边州", "Yanbian"),
          ("甘孜州", "Ganzi"), ("黔西南州", "Qianxinan")),
}
# The English level word written after a pinyin name, for a bare English name ("Gaoping's reply").
EN_LEVELS = {"县": "County", "市": "City", "区": "District", "州": "Prefecture"}
YEAR_SPAN = 10  # hand-set: a replacement year within ten of the asked one keeps the question plausible
MAX_DRAWS = 200  # hand-set: random numbers tried before giving up; a free one is found in a few draws
_LEVEL_WORD = re.compile(r"\s+(" + "|".join(EN_PLACE_WORDS) + r")$", re.I)
_NUMERALS = "〇一二三四五六七八九"


@dataclass(frozen=True)
class Archive:
    """What a swap is checked against: the archive's gazetteer and its replies' texts by file name."""

    names: Gazetteer
    texts: Mapping[str, str]  # file name → the reply's text, Simplified, without pinyin glosses

    @classmethod
    def of(cls, names: Gazetteer, texts: Mapping[str, str]) -> Archive:
        return cls(names, {k: to_simplified(strip_glosses(v)) for k, v in texts.items()})

    @classmethod
    def from_index(cls, index) -> Archive:
        return cls.of(index.gazetteer, {Path(r.source).name: r.text for r in index.replies()})

    @cached_property
    def all_text(self) -> str:
        """Every reply's text, for asking whether any mentions a name."""
        return "\n".join(self.texts.values())

    @cached_property
    def all_text_lower(self) -> str:
        return self.all_text.lower()


@dataclass(frozen=True)
class SwapSet:
    """Swapped questions with the originals they came from; ``skipped`` holds ids of the rest by reason."""

    originals: tuple[Question, ...]
    swapped: tuple[Question, ...]
    skipped: dict[str, tuple[str, ...]] = field(default_factory=dict)
    seed: int = 0

    @property
    def questions(self) -> list[Question]:
        """The set as asked: the originals (the control), then their swapped copies."""
        return [*self.originals, *self.swapped]

    def summary(self) -> dict:
        by_kind: dict[str, int] = {}
        for q in self.swapped:
            by_kind[q.swapped.kind] = by_kind.get(q.swapped.kind, 0) + 1
        return {"seed": self.seed, "swapped": len(self.swapped), "originals": len(self.originals),
                "by_kind": by_kind, "skipped": {k: len(v) for k, v in self.skipped.items()},
                "skipped_ids": {k: list(v) for k, v in self.skipped.items()}}


# -- absence checks -------------------------------------------------------------------------------------------
def place_absent(archive: Archive, simplified: str, pinyin: str) -> bool:
    """No reply carries the place, in any of its forms, and no reply's text mentions it or its bare name."""
    names = archive.names
    bare = simplified[:-1] if len(simplified) >= 3 else ""
    if names.knows("place", simplified) or any(kind == "place" for _, _, kind, _ in names.find(simplified)):
        return False
    keys = {latin_key(pinyin), *pinyin_keys(simplified)}
    if any(kind == "place" for key in keys for kind, _ in names.by_pinyin(key)):
        return False
    text = archive.all_text
    return not any(form and form in text for form in (simplified, bare)) and pinyin.lower() not in archive.all_text_lower


def number_absent(archive: Archive, number: int) -> bool:
    """No reply carries the proposal number, and no reply's text writes it as one."""
    if archive.names.knows("proposal_number", str(number)):
        return False
    written = re.compile(rf"(?<!\d)0*{number}\s*号|\bNo\.?\s*0*{number}(?!\d)", re.I)
    return not written.search(archive.all_text)


def year_absent(archive: Archive, year: int, doc: str) -> bool:
    """The gazetteer has no reply of that year, and the asked reply's text never mentions it."""
    if archive.names.knows("year", str(year)):
        return False
    return not re.search(rf"(?<!\d){year}(?!\d)", normalise(archive.texts.get(doc, "")))


# -- replacements --------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def place_level(entity: Entity) -> tuple[str, str]:
    """The level (县, 市, 区, 州; "" when none of them) of a place and the English level word as asked ("")."""
    m = _LEVEL_WORD.search(entity.text)
    if m:
        level = EN_PLACE_WORDS[m.group(1).lower()]
        return (level if level in PLACE_NAMES else ""), m.group(1)
    last = entity.value[-1:]
    return (last if last in PLACE_NAMES else ""), ""


def _place(q: Question, e: Entity, archive: Archive, rng: random.Random) -> tuple[str, str] | None:
    """(span as asked, its replacement) for a place, or None when no free name of its level is left."""
    level, word = place_level(e)
    choices = [c for c in PLACE_NAMES.get(level, ()) if place_absent(archive, *c)]
    if not choices:
        return None
    simplified, pinyin = rng.choice(choices)
    if re.search(r"[\u4e00-\u9fff]", e.text):
        return e.text, _s2t().convert(simplified) if q.language == "zh-Hant" else simplified
    return e.text, f"{pinyin} {word or EN_LEVELS[level]}"


def _number(e: Entity, archive: Archive, rng: random.Random) -> tuple[str, str] | None:
    """(digits as asked, other digits of the same width) for a proposal number."""
    digits = re.findall(r"\d+", e.text)[-1]
    width = len(str(int(digits)))
    low, high = (10 ** (width - 1) if width > 1 else 1), 10 ** width - 1
    for _ in range(MAX_DRAWS):
        n = rng.randint(low, high)
        if n != int(digits) and number_absent(archive, n):
            return digits, str(n).zfill(len(digits))
    return None


def _year(q: Question, e: Entity, archive: Archive, rng: random.Random) -> tuple[str, str] | None:
    """(year as asked, a year the archive lacks, written the same way: digits or numerals)."""
    year = int(e.value)
    free = [y for y in range(year - YEAR_SPAN, year + YEAR_SPAN + 1)
            if y != year and year_absent(archive, y, q.docs[0])]
    if not free:
        return None
    new = rng.choice(free)
    asked = re.search(r"\d{4}|[〇零○一二三四五六七八九]{4}", e.text).group(0)
    if asked.isdigit():
        return asked, str(new)
    zero = next((c for c in asked if c in "零○"), "〇")
    return asked, "".join(_NUMERALS[int(d)] for d in str(new)).replace("〇", zero)


def _replacement(q: Question, e: Entity, archive: Archive, rng: random.Random) -> tuple[str, str] | None:
    if e.kind == "place":
        return _place(q, e, archive, rng)
    if e.kind == "proposal_number":
        return _number(e, archive, rng)
    return _year(q, e, archive, rng)


def swappable(entities: Iterable[Entity]) -> list[Entity]:
    """The entities a swap may replace: places of a level the lists hold, proposal numbers and years."""
    return [e for e in entities if e.kind in SWAP_KINDS and (e.kind != "place" or place_level(e)[0])]


def swap_one(q: Question, entities: Sequence[Entity], archive: Archive, seed: int) -> Question | None:
    """The question with one of its swappable entities replaced, or None when none can be.

    The kind is drawn first (so a question naming two places and a year is not twice as likely
    to lose a place), then the entity; when no free value is left for it, the next one is tried.
    """
    rng = random.Random(f"{seed}:{q.id}")
    by_kind: dict[str, list[Entity]] = {}
    for e in swappable(entities):
        by_kind.setdefault(e.kind, []).append(e)
    kinds = sorted(by_kind)
    rng.shuffle(kinds)
    for kind in kinds:
        group = by_kind[kind]
        rng.shuffle(group)
        for e in group:
            found = _replacement(q, e, archive, rng)
            if found is None:
                continue
            old, new = found
            at = e.start + e.text.rindex(old)  # a number is its last run of digits
            text = q.question[:at] + new + q.question[at + len(old):]
            return replace(q, id=f"{q.id}-swap", question=text, kind="unanswerable", docs=(), answers=(),
                           evidence=(), near_doc=q.docs[0], answer_en="", swapped=Swap(kind, old, new))
    return None


def swap_questions(questions: Sequence[Question], archive: Archive, seed: int = 0) -> SwapSet:
    """One swapped copy of each answerable question that names a place, number or year the lists can replace.

    Skipped, by reason: ``unanswerable`` (nothing to swap), ``reply_not_in_archive`` (its own reply
    is missing, so the original is no control), ``no_entity`` (names none of the three),
    ``no_free_value`` (every candidate is in the archive).
    """
    originals, swapped, skipped = [], [], {}
    for q in questions:
        reason = ""
        if q.unanswerable or not q.docs:
            reason = "unanswerable"
        elif q.docs[0] not in archive.texts:
            reason = "reply_not_in_archive"
        else:
            entities = analyse(q.question, names=archive.names).entities
            made = swap_one(q, entities, archive, seed) if swappable(entities) else None
            reason = "" if made else ("no_free_value" if swappable(entities) else "no_entity")
        if reason:
            skipped.setdefault(reason, []).append(q.id)
            continue
        originals.append(q)
        swapped.append(made)
    return SwapSet(tuple(originals), tuple(swapped), {k: tuple(v) for k, v in skipped.items()}, seed)


# -- scoring -------------------------------------------------------------------------------------------------
def names_entity(text: str, to: str) -> bool:
    """The text names the swapped-in entity as the question wrote it; a number or year matches by value
    ("第0052号" names "52"; "二〇一六" names "2016") and only as a whole number."""
    key = normalise(to)
    if key.isdigit():
        return int(key) in {int(d) for d in re.findall(r"\d+", normalise(text))}
    return to.lower() in text.lower()


REFUSAL_RELATED = re.compile(r"相关答复[:：]|相關答覆[:：]|Related replies:")


def entity_near_miss_figures(questions: Sequence[Question], records: Sequence[dict]) -> dict | None:
    """Of the near misses that name an entity the archive lacks (``near_kind: entity``): how many were refused,
    and how many refusals name one of the question's identifying entities before the related replies (whose
    labels may hold the question's other entities); None when the set has none."""
    asked = [q for q in questions if q.unanswerable and q.near_kind == "entity"]
    if not asked:
        return None
    by_id = {r["id"]: r for r in records}
    refused = named = 0
    for q in asked:
        response = (by_id.get(q.id) or {}).get("response") or {}
        if not response.get("refused"):
            continue
        refused += 1
        head = REFUSAL_RELATED.split(response.get("answer", ""))[0]
        named += any(e.kind in IDENTIFYING and names_entity(head, e.text) for e in analyse(q.question).entities)
    return {"questions": len(asked), "refused": refused, "named": named,
            "refused_rate": _rate(refused, len(asked)), "named_rate": _rate(named, refused)}


def near_miss_kinds(questions: Sequence[Question], records: Sequence[dict]) -> dict | None:
    """Near misses refused, by how they miss (``near_kind``: attribute, entity, premise); None when the set
    has none. A set's refusal recall can hide a kind the answerer never refuses."""
    by_id = {r["id"]: r for r in records}
    out: dict[str, dict] = {}
    for q in questions:
        if q.unanswerable and q.near_kind:
            row = out.setdefault(q.near_kind, {"questions": 0, "refused": 0})
            row["questions"] += 1
            row["refused"] += bool(((by_id.get(q.id) or {}).get("response") or {}).get("refused"))
    return dict(sorted(out.items())) or None


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def swap_figures(questions: Sequence[Question], records: Sequence[dict]) -> dict:
    """Refusals of the swapped questions, how many of them name the swapped-in entity, and false refusals of the
    originals, overall and by the kind swapped; read from ``results.jsonl`` records alone."""
    by_id = {r["id"]: r for r in records}
    counts: dict[str, dict[str, int]] = {}
    originals = false_refusals = 0
    for q in questions:
        response = (by_id.get(q.id) or {}).get("response") or {}
        refused = bool(response.get("refused"))
        if q.swapped is None:
            originals += 1
            false_refusals += refused
            continue
        c = counts.setdefault(q.swapped.kind, {"swapped": 0, "refused": 0, "named": 0})
        c["swapped"] += 1
        c["refused"] += refused
        c["named"] += refused and names_entity(response.get("answer", ""), q.swapped.to)
    total = {k: sum(c[k] for c in counts.values()) for k in ("swapped", "refused", "named")}

    def figures(c: dict) -> dict:
        return {**c, "refused_rate": _rate(c["refused"], c["swapped"]), "named_rate": _rate(c["named"], c["refused"])}

    return {**figures(total), "originals": originals, "false_refusals": false_refusals,
            "false_refusal_rate": _rate(false_refusals, originals),
            "by_kind": {k: figures(c) for k, c in sorted(counts.items())}}
