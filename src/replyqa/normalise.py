"""Normalise text for matching; the original text stays what is shown and quoted.

The matching form folds what differs between copies of the same reply:
Traditional vs Simplified script (OpenCC), the over-conversions of machine
converters (方麵, 製度, 答複, 聯係), full-width forms, whitespace, and the
pinyin glosses mirror sites insert after characters ("現(xiàn)", rule in ``language.py``). A
:class:`Normalised` text keeps, for every character, the offset of the original
character it came from, so any match in it can be shown in the original.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .language import gloss_spans, strip_glosses

# Same-length folds for over-converted words that survive OpenCC, applied to its output.
OVER_CONVERSIONS = {
    "方麵": "方面", "製度": "制度", "答複": "答复", "聯係": "联系", "体係": "体系", "機製": "机制",
    "控製": "控制", "全麵": "全面", "層麵": "层面", "麵向": "面向", "複函": "复函", "答覆": "答复",
    "祇": "只", "纔": "才", "甚麼": "什么",
}
_FOLD_RE = re.compile("|".join(sorted(map(re.escape, OVER_CONVERSIONS), key=len, reverse=True)))


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    """Simplified → Traditional (OpenCC, phrases read in context); same length as ``text``."""
    converted = _s2t().convert(text)
    if len(converted) != len(text):  # a phrase changed length: convert character by character
        converted = "".join(c if len(c) == 1 else o for o, c in zip(text, (_s2t().convert(o) for o in text)))
    return converted


def _fold(text: str) -> str:
    return _FOLD_RE.sub(lambda m: OVER_CONVERSIONS[m.group(0)], text)


def to_simplified(text: str) -> str:
    """Traditional → Simplified (OpenCC) plus the over-conversion folds; same length as ``text``."""
    converted = _t2s().convert(text)
    if len(converted) != len(text):  # a phrase changed length: convert character by character
        converted = "".join(c if len(c) == 1 else o for o, c in zip(text, (_t2s().convert(o) for o in text)))
    return _fold(converted)


# Share of a text's Han characters that OpenCC changes, at or above which the text is Traditional.
# Hand-set between the two groups of the 16 samples: their Traditional replies change 32-48% of the
# characters of their names and over 35% of their text, the Simplified ones 0%.
TRADITIONAL_SHARE = 0.1
_HAN = re.compile(r"[\u3400-\u9fff]")


def is_traditional(text: str) -> bool:
    """True when ``text`` is written in Traditional characters (False when it has no Han at all)."""
    han = len(_HAN.findall(text))
    return bool(han) and sum(a != b for a, b in zip(text, to_simplified(text))) >= TRADITIONAL_SHARE * han


def fold_width(text: str) -> str:
    """Simplified and half-width, character for character: same length as ``text``, spaces kept."""
    out = []
    for ch in to_simplified(text):
        folded = unicodedata.normalize("NFKC", ch)
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out)


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


@dataclass(frozen=True)
class Normalised:
    """A matching form of a text with, for each character, the original offset it came from."""

    text: str
    origin: tuple[int, ...]
    length: int  # length of the original text

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span covering normalised ``text[start:end]``."""
        if start >= end:
            pos = self.origin[start] if start < len(self.origin) else self.length
            return pos, pos
        return self.origin[start], self.origin[end - 1] + 1

    def find(self, needle: str, start: int = 0) -> tuple[int, int] | None:
        """Original span of the first occurrence of (already normalised) ``needle``, or None."""
        i = self.text.find(needle, start)
        return None if i < 0 or not needle else self.span(i, i + len(needle))


def _fold_space(chars: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Whitespace runs: a newline if they hold one, nothing between non-word characters, else one space."""
    out: list[tuple[str, int]] = []
    i, n = 0, len(chars)
    while i < n:
        ch, idx = chars[i]
        if not ch.isspace():
            out.append((ch, idx))
            i += 1
            continue
        j = i
        while j < n and chars[j][0].isspace():
            j += 1
        run = "".join(c for c, _ in chars[i:j])
        before = out[-1][0] if out else ""
        after = chars[j][0] if j < n else ""
        if "\n" in run or "\r" in run:
            if out and before != "\n":
                out.append(("\n", idx))
        elif before and after and before != "\n" and _is_word_char(before) and _is_word_char(after):
            out.append((" ", idx))
        i = j
    while out and out[-1][0] == "\n":
        out.pop()
    return out


def normalise(text: str) -> Normalised:
    """The matching form of ``text`` (glosses out, Simplified, half-width, whitespace folded)."""
    keep = [True] * len(text)
    for a, b in gloss_spans(text):
        keep[a:b] = [False] * (b - a)
    idx = [i for i, k in enumerate(keep) if k]
    simple = to_simplified("".join(text[i] for i in idx))
    chars: list[tuple[str, int]] = []
    for ch, i in zip(simple, idx):
        for c in unicodedata.normalize("NFKC", ch):
            chars.append((c, i))
    chars = _fold_space(chars)
    return Normalised("".join(c for c, _ in chars), tuple(i for _, i in chars), len(text))


@lru_cache(maxsize=8192)
def match_key(text: str) -> str:
    """A comparison key: Simplified, half-width, lower case, no glosses and no whitespace.

    The same characters as ``normalise(text).text`` without its offsets and white space, computed
    directly (the answerer keys every retrieved piece and chunk) and kept for texts seen again.
    """
    gone = gloss_spans(text)
    if gone:
        kept, at = [], 0
        for a, b in gone:
            kept.append(text[at:a])
            at = max(at, b)
        kept.append(text[at:])
        text = "".join(kept)
    simple = to_simplified(text)[:len(text)]
    if not simple.isascii():
        simple = "".join(map(_nfkc, simple))
    return "".join(simple.lower().split())


@lru_cache(maxsize=4096)
def _nfkc(ch: str) -> str:
    """One character's compatibility form (half-width); per character, as ``normalise`` does."""
    return unicodedata.normalize("NFKC", ch)


def tidy(text: str) -> str:
    """Original script for display, without glosses and with whitespace folded like :func:`normalise`."""
    text = strip_glosses(text)
    return "".join(c for c, _ in _fold_space([(c, 0) for c in text])).strip()
