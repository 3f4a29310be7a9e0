"""Pure metric functions: normalisation, answer and evidence matching, ranking and refusal scores.

Everything here is a pure function of strings and lists, so the same figures can be
recomputed from ``results.jsonl`` by any other tool.

Matching form (``normalise``): Traditional→Simplified, full-width→half-width, lower case,
no whitespace, Chinese numerals → Arabic digits, thousands separators dropped, and
punctuation dropped (a punctuation mark between two digits becomes ``|`` so that
"5、6" never reads as "56"). Numbers are compared as numbers: "60" is found in
"60学分" and in "六十学分", never inside "600" or "1.60".
"""
from __future__ import annotations

import re
import statistics
import unicodedata
from functools import lru_cache
from typing import Iterable, Sequence

from ..normalise import match_key

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
_NUMERAL_RUN = re.compile("[" + "".join(_DIGITS) + "".join(_UNITS) + "".join(_BIG) + "]+")
_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])")
_PART_SPLIT = re.compile(r"[；;，,、（）()：:/。]+")


def parse_chinese_number(run: str) -> int | None:
    """The value of a run of Chinese numerals, or None when it is not one number.

    "六十" → 60, "二十三" → 23, "一百零五" → 105, "二〇二五" → 2025, "两千" → 2000;
    "十四五" (a plan's name, not a number) → None.
    """
    if not any(ch in _UNITS or ch in _BIG for ch in run):
        if "两" in run and len(run) == 1:
            return None  # 两 alone is "two of", rarely written as 2 in the source
        return int("".join(str(_DIGITS[ch]) for ch in run))
    total = section = 0
    digit: int | None = None
    for ch in run:
        if ch in _DIGITS:
            if digit not in (None, 0):
                return None
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            section += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            big = _BIG[ch]
            part = section + (digit or 0)
            if big == 100_000_000:
                total = (total + part) * big
            else:
                total += part * big
            section, digit = 0, None
    return total + section + (digit or 0)


def _numerals_to_arabic(text: str) -> str:
    """Replace every run of Chinese numerals that reads as one number by its digits."""

    def convert(m: re.Match) -> str:
        run = m.group()
        if not any(ch in _DIGITS for ch in run) and not run.startswith("十"):
            return run  # 万 after Arabic digits ("184万"), 千万 as a word
        value = parse_chinese_number(run)
        return run if value is None else str(value)

    return _NUMERAL_RUN.sub(convert, text)


def _is_punctuation(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS" and ch != "%"


def _drop_punctuation(text: str) -> str:
    """Drop punctuation; a run of it between two digits ("5、6", "29。“2023") becomes one ``|``, a lone "." stays."""
    out = []
    i = 0
    while i < len(text):
        if not _is_punctuation(text[i]):
            out.append(text[i])
            i += 1
            continue
        j = i
        while j < len(text) and _is_punctuation(text[j]):
            j += 1
        if 0 < i and j < len(text) and text[i - 1].isdigit() and text[j].isdigit():
            out.append("." if text[i:j] == "." else "|")
        i = j
    return "".join(out)


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """The matching form of a text (see the module docstring)."""
    text = _THOUSANDS.sub(lambda m: m.group().replace(",", ""), text or "")
    return _drop_punctuation(_numerals_to_arabic(match_key(text)))


def _pattern(needle: str) -> re.Pattern:
    """A search pattern for a normalised needle whose edge digits must be whole numbers."""
    head = r"(?<![\d.])" if needle[0].isdigit() else ""
    tail = r"(?![\d]|\.\d)" if needle[-1].isdigit() else ""
    return re.compile(head + re.escape(needle) + tail)


def contains(haystack: str, needle: str) -> bool:
    """True when ``needle`` occurs in ``haystack`` after normalisation, numbers compared as numbers."""
    n = normalise(needle)
    if not n:
        return False
    return _pattern(n).search(normalise(haystack)) is not None


# "[1]" after a quote; not the year in a document number ("平交复函[2017]19号"), which splitting there would cut.
CITATION_MARK = re.compile(r"\[\d{1,2}\]")


def answer_correct(answer: str, gold: Sequence[str]) -> bool:
    """The answer contains one of the gold answers (normalised; numbers as numbers).

    Each stretch between citation marks is matched on its own: normalising drops the quote marks and
    the space, so "…3221671”[1]" would read as the number 32216711.
    """
    parts = [p for p in CITATION_MARK.split(answer or "") if p.strip()]
    return any(contains(part, g) for g in gold if g for part in parts)


def extractable(gold: Sequence[str], evidence: Sequence[str]) -> bool:
    """A gold answer occurs (normalised) in its evidence sentence, so a quote can contain it.

    Gold answers that paraphrase ("10座（含3座…），已建成投用7座") or gloss in English
    cannot be matched by any verbatim quote; this separates them out.
    """
    return any(contains(e, g) for g in gold if g for e in evidence if e)


def answer_parts(gold: str) -> list[str]:
    """The parts of a multi-part gold answer ("85个（增补38个…），惠及26208户" → 3+ parts)."""
    raw = _THOUSANDS.sub(lambda m: m.group().replace(",", ""), gold)
    return [p for p in _PART_SPLIT.split(raw) if normalise(p)]


def answer_recall(answer: str, gold: Sequence[str]) -> float:
    """The best share of a gold answer's parts found in the answer: partial credit, reported apart."""
    best = 0.0
    for g in gold:
        parts = answer_parts(g)
        if parts:
            best = max(best, sum(contains(answer, p) for p in parts) / len(parts))
    return best


def merged_spans(chunks: Iterable[dict], max_gap: int = 4) -> list[str]:
    """Texts of chunks from one reply joined where they touch, so evidence cut by a chunk edge still counts.

    Each chunk is a dict with ``reply_id``, ``text``, ``start`` and ``end`` (offsets in its reply).
    Chunk edges only ever drop whitespace, so a gap of a few characters is a join.
    """
    by_reply: dict[str, list[dict]] = {}
    for c in chunks:
        if c.get("text"):
            by_reply.setdefault(c.get("reply_id", ""), []).append(c)
    texts = []
    for items in by_reply.values():
        items = sorted(items, key=lambda c: (c.get("start", 0), c.get("end", 0)))
        cur_text, cur_end = items[0]["text"], items[0].get("end", 0)
        for c in items[1:]:
            start = c.get("start", 0)
            if 0 <= start - cur_end <= max_gap:
                cur_text += c["text"]
            elif start < cur_end:  # overlapping spans: append only the new tail
                cur_text += c["text"][cur_end - start:]
            else:
                texts.append(cur_text)
                cur_text = c["text"]
            cur_end = max(cur_end, c.get("end", 0))
        texts.append(cur_text)
    return texts


def evidence_found(chunks: Sequence[dict], evidence: Sequence[str]) -> bool:
    """Some evidence sentence lies inside one chunk, or inside touching chunks of one reply."""
    evidence = [e for e in evidence if normalise(e)]
    if not evidence or not chunks:
        return False
    texts = [c.get("text", "") for c in chunks] + merged_spans(chunks)
    return any(contains(t, e) for e in evidence for t in texts)


def reply_rank(ranked: Sequence[str], gold: set[str]) -> int | None:
    """1-based rank of the first gold item in a ranked list, or None."""
    for i, item in enumerate(ranked, 1):
        if item in gold:
            return i
    return None


def hit_at(rank: int | None, k: int) -> float:
    """1.0 when the first gold item is within the top k."""
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None) -> float:
    """1/rank, or 0 when nothing gold was retrieved."""
    return 1.0 / rank if rank else 0.0


def refusal_scores(refused: Sequence[bool], unanswerable: Sequence[bool]) -> dict:
    """Refusal precision and recall on unanswerable questions, and the false-refusal rate on answerable ones.

    A figure whose denominator is empty is None (not 0 and not 1): there was nothing to measure.
    """
    pairs = list(zip(refused, unanswerable))
    tp = sum(r and u for r, u in pairs)
    n_refused = sum(r for r, _ in pairs)
    n_unans = sum(u for _, u in pairs)
    n_ans = len(pairs) - n_unans
    false_ref = sum(r and not u for r, u in pairs)
    return {
        "refusal_precision": tp / n_refused if n_refused else None,
        "refusal_recall": tp / n_unans if n_unans else None,
        "false_refusal_rate": false_ref / n_ans if n_ans else None,
        "refused": n_refused, "unanswerable": n_unans, "answerable": n_ans,
    }


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the values that are not None; None when there are none."""
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) by linear interpolation; None for no values."""
    vals = sorted(values)
    if not vals:
        return None
    pos = (len(vals) - 1) * q / 100
    lo, hi = int(pos), min(int(pos) + 1, len(vals) - 1)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)


def latency_summary(seconds: Sequence[float]) -> dict:
    """Median and p95 in milliseconds, and the count."""
    ms = [s * 1000 for s in seconds]
    return {"median_ms": statistics.median(ms) if ms else None, "p95_ms": percentile(ms, 95), "n": len(ms)}
