"""Language rules every stage shares: which language a question is in, the English stemmer and
stopwords, and the pinyin glosses mirror sites insert after Chinese characters.

One decision per question: the retriever (whether to gloss English words into Chinese for
BM25) and the answerer (the frame, the refusal floors) read the same :func:`detect_language`.
One stemmer: the CC-CEDICT reverse index (``translate.py``) is keyed by :func:`stem`, and
question words are looked up by it, so a question's "credits" and a gloss's "credit" meet.
This module depends on nothing else in the package, so ``normalise.py`` can use its gloss rule.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Literal

Language = Literal["en", "zh-Hans", "zh-Hant"]
LANGUAGES: tuple[Language, ...] = ("en", "zh-Hans", "zh-Hant")

CJK = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


# -- which language ---------------------------------------------------------------------------------------
def is_english(text: str) -> bool:
    """True when Latin words outnumber half the Chinese characters.

    A Chinese word is about two characters, so this compares words with words. The retriever once
    counted letters instead (English at more than twice the Chinese characters); on 6,830 questions
    (the samples, the near misses, DRCD, CMRC 2018) the two rules disagreed on three, all Chinese
    questions holding a Latin name ("Antichrist Superstar是谁的个人专辑?").
    """
    return len(LATIN_WORD.findall(text)) > len(CJK.findall(text)) / 2


def detect_language(text: str, simplified: str) -> Language:
    """``en``, else ``zh-Hant`` when the Simplified copy (``normalise.to_simplified(text)``) differs."""
    if is_english(text):
        return "en"
    return "zh-Hant" if simplified != text else "zh-Hans"


# -- English words ----------------------------------------------------------------------------------------
def stem(word: str) -> str:
    """A light English stemmer: lower case, no possessive, plural -s/-es/-ies folded ("counties" → "county").

    Hand-written because it must key the dictionary and the question the same way, and a library
    stemmer (Snowball) cuts deeper ("training" → "train", the railway's 火车 too): on the sample
    and near-miss questions it changed the results of 27 of 118.
    """
    w = re.sub(r"'s$", "", word.lower()).strip("'-")
    if w in FUNCTION_WORDS:
        return w  # "does" and "this" are no plurals: cut, they escaped the stop lists as "doe" and "thi"
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("s", "")):
        if w.endswith(suffix) and len(w) > len(suffix) + 2 and not w.endswith("ss"):
            return w[: -len(suffix)] + repl
    return w


# Words that never stand for a dictionary entry alone: a phrase of only these is not looked up,
# and a gloss ending in one is not filed under it ("the state of" is not found under "of").
FUNCTION_WORDS = frozenset("""a an the of to in on at for by with from and or is are was were be been being do does
did how what which who whom whose when where why many much there this that these those it its i you he she we they
me my your our their his her them us can could should would will shall may might must have has had not no any some
per each about into than then so such as if please tell know""".split())

# Words that name no topic of a question: question words, function words and the genre's own words
# (a question about a reply always says "reply", "suggestion", "proposal"). A reply need not contain them.
NOT_TOPIC_WORDS = frozenset("""what which who whom when where why how is are was were be been do does did the a an of
to in on at for by with from and or as that this these those it its their there many much long per about any
according reply replies suggestion proposal no number was were has have had can could will would should into than
then so such after before during newly more most also out did say says said""".split())


# -- pinyin glosses ---------------------------------------------------------------------------------------
# A gloss is a pinyin syllable in brackets right after a Han character; broken mirrors
# also leave "?cè)" where a character and its opening bracket were lost. A PDF extractor may
# space a gloss out wherever its letters come from different fonts ("養 (y ǎ ng)", a tone-marked
# vowel drawn by a fallback font), or break the line before it, so any run of whitespace, thin
# or zero-width spaces included, may sit between the character, the brackets and the letters.
# A browser may wrap after the "?" of a broken gloss, so there a line break is the page's, not a gap.
_GAP = r"[\s\u200b]*"
_LINE_GAP = r"[^\S\n]*"
_LETTER = r"[a-zA-Z\u00c0-\u024f\u0300-\u036f]"
_GLOSS_RE = re.compile(rf"(?:(?<=[\u3400-\u9fff\uf900-\ufaff?？]){_GAP}[(（]{_GAP}|[?？]{_LINE_GAP})"
                       rf"({_LETTER}(?:{_GAP}{_LETTER}){{0,7}}){_GAP}[)）]")
_GAP_RE = re.compile(_GAP)
_SYLLABLE_RE = re.compile(r"^(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[aeiouv]{1,3}(?:ng|n|r)?$")
_TONE_MARKS = set("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ")


def is_pinyin(word: str) -> bool:
    """True for one pinyin syllable: tone-marked, or toneless with an initial ("de", "le")."""
    low = word.lower()
    plain = "".join(c for c in unicodedata.normalize("NFD", low) if not unicodedata.combining(c))
    if not _SYLLABLE_RE.match(plain.replace("ü", "v")):
        return False
    return bool(_TONE_MARKS & set(low)) or (len(plain) >= 2 and plain[0] not in "aeiouv")


def gloss_syllable(spaced: str) -> str:
    """A gloss's letters as one syllable: gaps out, combining tone marks composed ("y ǎ ng" → "yǎng")."""
    return unicodedata.normalize("NFC", _GAP_RE.sub("", spaced))


def gloss_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the pinyin glosses in ``text``, brackets and the gaps before and inside them included."""
    return [m.span() for m in _GLOSS_RE.finditer(text) if is_pinyin(gloss_syllable(m.group(1)))]


def tighten_glosses(text: str) -> str:
    """``text`` with every gloss written as a mirror writes it, whatever gaps an extractor put around or
    inside it: "養 (y ǎ ng)" → "養(yǎng)"."""
    out, pos = [], 0
    for a, b in gloss_spans(text):
        gloss = text[a:b]
        # A line break before the bracket may be where the page wrapped, which is for the layout repair to
        # judge, so it stays. One inside the brackets never is (a browser does not wrap inside a word): it
        # is an extractor's reading of a fallback font's other baseline, and goes.
        lead = _GAP_RE.match(gloss).group()
        out += [text[pos:a], "\n" if "\n" in lead else "", gloss_syllable(gloss)]
        pos = b
    out.append(text[pos:])
    return "".join(out)


def strip_glosses(text: str) -> str:
    """``text`` without its pinyin glosses: "現(xiàn)答復(fù)" → "現答復"."""
    out, pos = [], 0
    for a, b in gloss_spans(text):
        out.append(text[pos:a])
        pos = b
    out.append(text[pos:])
    return "".join(out)
