"""Repair a text layer taken from a laid-out page (PDF) so it reads as the reply was written.

A PDF's text layer is the page as laid out, not the text as written. Four kinds of
damage come with it, and each is undone here:

- **Radicals for characters.** CJK fonts draw 十 and ⼗ (KANGXI RADICAL TEN), 民 and ⺠
  (CJK RADICAL CIVILIAN) with one glyph, and a PDF maps each glyph back to one code
  point, often the radical's. :func:`fold_ideographs` maps radicals and compatibility
  ideographs to their unified characters, one character for one, so offsets hold. One
  radical, ⼾, shares its glyph with 户 in Simplified fonts and with 戶 in Traditional ones,
  so it is read by the script of the whole reply.
- **Spaces the extractor adds** where a run of Chinese meets a run of digits or Latin
  letters set in another font ("第 45 号", "代表 :"), or a typographic space such as U+2002;
  Chinese sets no space there.
- **Glosses spaced out**: a pinyin gloss whose letters come from several fonts (a tone-marked
  vowel from a fallback font) is extracted as "養 (y ǎ ng)", with spaces, thin spaces or a line
  break anywhere in it; it is written back as "養(yǎng)" (the rule is in ``language.py``). Zero-width
  spaces, which no reader sees, go too.
- **Browser print chrome**: the date and time heading each page, the file's address
  and "1/3" at its foot.
- **Hard line wraps**: every line of a paragraph ends where the page was full. A line
  as wide as the page is joined to the next unless that one starts a part of its own:
  an indented paragraph, a heading (一、 (一) 1.), a table row, a salutation, a closing
  formula or a contact line. Short lines, titles and labels stay as they are.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .language import tighten_glosses
from .normalise import fold_width, is_traditional
from .template import CLOSING_RE, CONTACT_RE, INSTITUTION_RE, SALUTE_RE, TITLE_END

# CJK Radicals Supplement (U+2E80–U+2EFF) to the unified character each radical stands for.
# NFKC folds only two of them; these pairs are the ones Noto Sans/Serif CJK draw with the
# very glyph of a unified character (read from the fonts' cmaps), so a PDF made with them
# can name either code point. Radicals no font shares with a character are left alone.
RADICALS_SUPPLEMENT = ("⺂乛⺃乚⺅亻⺇𠘨⺉刂⺋㔾⺍𭕄⺎兀⺏尣⺐尢⺒巳⺓幺⺔彑⺕彐⺖忄⺘扌⺙攵⺛旡⺞歺⺟母⺠民⺡氵⺣灬⺤爫⺦丬⺨犭⺩𤣩⺫罒⺭礻⺮𥫗"
                       "⺯糹⺰纟⺱罓⺲罒⺳㓁⺹耂⺺肀⺽𦥑⺾艹⺿艹⻁虎⻂衤⻃覀⻄西⻅见⻆角⻇𧢲⻈讠⻉贝⻊𧾷⻋车⻌辶⻍辶⻎辶⻐钅⻑長⻒镸⻓长⻔门⻕𨸏"
                       "⻖阝⻘青⻙韦⻚页⻛风⻜飞⻝食⻞𩙿⻟飠⻠饣⻡𩠐⻢马⻣骨⻤鬼⻥鱼⻦鸟⻧卤⻨麦⻩黄⻪黾⻫斉⻬齐⻭歯⻮齿⻯竜⻰龙⻱龜⻲亀⻳龟")
# Kangxi radicals (U+2F00–U+2FDF) and compatibility ideographs (U+F900–U+FAFF,
# U+2F800–U+2FA1F) fold by NFKC, each to one unified character.
NFKC_RANGES = ((0x2F00, 0x2FE0), (0xF900, 0xFB00), (0x2F800, 0x2FA20))
# KANGXI RADICAL DOOR is the one radical a font may draw with the glyph of a character other than its
# NFKC form 戶: Noto Sans/Serif CJK SC draw it as 户 (and JP as 戸; TC, HK and KR as 戶; read from the
# fonts' cmaps). A reply written in Simplified is set in the SC font, so there it stands for 户.
DOOR_RADICAL, DOOR_SIMPLIFIED = "\u2f3e", "\u6237"

# Characters set in the CJK font. Curly quotes, dashes and the ellipsis come from the Latin font in
# mixed text, so an extractor spaces them off from the Chinese beside them too ("“ 减法 ”", "A 类 ——").
CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
# A single space the extractor put between a CJK character and a run set in another font.
# Spaces beside "|" stay: they are the flattening convention of table rows, not the extractor's.
# Typographic spaces (EN QUAD to HAIR SPACE, "23號\u2002A1類") are set in the Latin font too, so a space
# between Chinese and one is the extractor's; a space after one may be the writer's ("\u2002 同意公開").
TYPO_SPACE = "\u2000-\u200a"
ADDED_SPACE = re.compile(rf"(?<=[{CJK}]) (?=[^\s|{CJK}]|[{TYPO_SPACE}])|(?<=[^\s|{CJK}]) (?=[{CJK}])")
# Dashes a font draws as one glyph and the PDF names by the glyph's own code point ("——" as "⸺").
ZERO_WIDTH_SPACE = "\u200b"
DASH_LIGATURES = {"\u2e3a": "\u2014\u2014", "\u2e3b": "\u2014\u2014\u2014"}
# Chromium's print heading ("12/1/26, 5:23 PM" and the page title) and foot ("file:///… 1/3").
PRINT_HEADING = re.compile(r"^\s*\d{1,2}/\d{1,2}/\d{2,4},? \d{1,2}:\d{2}(?: ?[AP]M)?(?:\s|$)")
PRINT_FOOT = re.compile(r"(?:^|\s)(?:file|https?|\ufb01le):/{2,3}\S*?\s*\d{1,4}/\d{1,4}\s*$")
PRINT_EDGE_LINES = 2  # hand-set: the heading and the foot are one line each, at either edge of a page
# What never starts a line of its own (closing marks, the rest of a pinyin gloss "zhí)"): the line
# before it ran on, even when it seemed to end a sentence.
CONTINUATION = re.compile(r"^(?:[，,、。．.；;：:！!？?）)」』”’》〉]|[a-z\u00c0-\u024f]{1,7}[)）])")
# Items of an enumeration inside one paragraph ("…执行。二是…"): in the text as written they seldom
# start a paragraph of their own, so a full line before one ran on even when it is indented.
INLINE_ITEM = re.compile(r"^(?:[二三四五六七八九十]是|另一方面|其次|再次)")
# A heading that ends like a heading ("一、关于…的问题") is a line of its own even when it fills the line.
HEADING_WORD_END = re.compile(r"(?:问题|建议|提案|情况|工作|措施|成效|打算|计划|意见|举措|做法|方面)$")
# The end of the opening ("…现答复如下:", "…收悉。"), after which the body starts a line of its own.
OPENING_DONE = re.compile(r"(?:如下[^。:]{0,12}:|收悉[。.])$")
HEADING_START = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[、.．](?!\d)|"
                           r"第[一二三四五六七八九十]{1,3}[,，、]|[\u2460-\u2473])")
FULL_LINE = 0.85  # hand-set: a wrapped line fills the text column; Chinese lines set with Latin runs fall ~10% short
MIN_FULL_WIDTH = 30  # hand-set: columns narrower than this (in half-width cells) are tables or lists, never wrapped prose
MIN_WRAPPED_LINES = 2  # hand-set: with fewer full lines there is no column of wrapped prose to speak of


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    table = {ord(a): b for a, b in zip(RADICALS_SUPPLEMENT[::2], RADICALS_SUPPLEMENT[1::2])}
    for lo, hi in NFKC_RANGES:
        for cp in range(lo, hi):
            folded = unicodedata.normalize("NFKC", chr(cp))
            if len(folded) == 1 and folded != chr(cp):
                table[cp] = folded
    return table


def clean_text(text: str) -> str:
    """Unify line ends and drop control characters; everything else stays as found."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)


def fold_ideographs(text: str) -> str:
    """Radicals and compatibility ideographs as their unified characters; same length as ``text``."""
    return text.translate(_fold_table())


def door_radical_as(text: str) -> str:
    """The character KANGXI RADICAL DOOR stands for in ``text``: 户 in a Simplified reply, else 戶."""
    probe = fold_ideographs(text.replace(DOOR_RADICAL, ""))
    return fold_ideographs(DOOR_RADICAL) if is_traditional(probe) else DOOR_SIMPLIFIED


def drop_added_spaces(line: str) -> str:
    """``line`` without the single spaces an extractor adds between Chinese and a Latin or digit run."""
    return ADDED_SPACE.sub("", line)


def drop_print_chrome(lines: list[str]) -> list[str]:
    """A page's lines without the browser's print heading and foot (an extractor may put
    either at the page's start or its end)."""
    edge = set(range(min(len(lines), PRINT_EDGE_LINES))) | set(range(max(0, len(lines) - PRINT_EDGE_LINES), len(lines)))
    return [ln for i, ln in enumerate(lines) if i not in edge or not (PRINT_HEADING.match(ln) or PRINT_FOOT.search(ln))]


def width(line: str) -> int:
    """Display width in half-width cells: wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line.rstrip())


def _is_table_row(line: str) -> bool:
    return line.count("|") >= 2


def _complete(line: str) -> bool:
    """A line that is a whole part by itself: a title, a salutation alone, a label or a heading."""
    folded = fold_width(line.strip())
    salute = SALUTE_RE.match(folded)
    return bool(TITLE_END.search(folded) or salute and not salute.group("rest").strip() or INSTITUTION_RE.match(folded)
                or HEADING_START.match(folded) and HEADING_WORD_END.search(folded))


def _starts_part(line: str, indented: bool) -> bool:
    """A line that starts a part of its own: an indented paragraph, a heading, a table row,
    a salutation, a closing formula or a contact line."""
    folded = fold_width(line.strip())
    return bool(indented or HEADING_START.match(line.lstrip()) or _is_table_row(line) or SALUTE_RE.match(folded)
                or INSTITUTION_RE.match(folded) or CLOSING_RE.match(folded) or CONTACT_RE.match(folded))


def _indent(line: str) -> int:
    """The leading whitespace of ``line`` in half-width cells."""
    return width(line[: len(line) - len(line.lstrip())] + "x") - 1


def _is_prose(line: str, w: int, indent: int) -> bool:
    """A line of running text, not a table row and not a line pushed right by spaces (a date, a signature)."""
    return not _is_table_row(line) and indent * 4 < w


def run_on(lines: list[str], widths: list[float], indents: list[float]) -> list[bool]:
    """For each line, whether it continues the line before it (a wrap inside a paragraph): a full line that
    ends mid-sentence runs on. ``widths`` are where each line ends and ``indents`` where it starts, in
    half-width cells from the left edge of the text column (a text layer counts characters; OCR measures
    its boxes)."""
    full = max((w for ln, w, i in zip(lines, widths, indents) if _is_prose(ln, w, i)), default=0)
    flags = [False] * len(lines)
    if full < MIN_FULL_WIDTH or sum(w >= FULL_LINE * full for w in widths) < MIN_WRAPPED_LINES:
        return flags
    current = ""
    is_full = cell_open = False
    for k, (ln, w, indent) in enumerate(zip(lines, widths, indents)):
        # A full line runs on even after 。: a wrap lands after one as often as a paragraph ends
        # flush with the margin, and only a new part (or an indent) tells the two apart.
        body = ln.lstrip()
        runs_on = is_full and (CONTINUATION.match(body) or INLINE_ITEM.match(body) or not _starts_part(ln, indent >= 1))
        joined = k > 0 and bool(runs_on or cell_open and "|" in ln)
        flags[k] = joined
        current = current + ln.strip() if joined else ln
        # a line that starts a paragraph and is a whole part by itself does not run on, however wide
        is_full = (w >= FULL_LINE * full and not _is_table_row(current) and (joined or not _complete(ln))
                   and not OPENING_DONE.search(fold_width(current.rstrip())))
        cell_open = _is_table_row(current) and not current.rstrip().endswith("|")  # a cell wrapped inside its row
    return flags


def wrap_gap(before: str, after: str) -> str:
    """What a wrap between two lines stood for: a space between two Latin letters or digits (a page wraps
    such a run only where it had a space: "2024-05-29 | 15:17"), else nothing (Chinese wraps anywhere)."""
    return " " if before[-1:].isascii() and before[-1:].isalnum() and after[:1].isascii() and after[:1].isalnum() else ""


def rejoin(lines: list[str]) -> list[str]:
    """Lines with the wraps inside paragraphs joined (see :func:`run_on`)."""
    out: list[str] = []
    for ln, joined in zip(lines, run_on(lines, [width(ln) for ln in lines], [_indent(ln) for ln in lines])):
        if joined:
            out[-1] = out[-1].rstrip() + wrap_gap(out[-1].rstrip(), ln.strip()) + ln.strip()
        else:
            out.append(ln)
    return out


def repair_pages(pages: list[str]) -> str:
    """The text of a PDF's pages, repaired: ideographs folded (the door radical as the reply's script
    writes it), added spaces and print chrome dropped, and lines wrapped inside a paragraph (across
    a page break too) joined."""
    lines: list[str] = []
    door = door_radical_as("\n".join(pages)) if any(DOOR_RADICAL in page for page in pages) else DOOR_RADICAL
    for page in pages:
        page = page.replace(DOOR_RADICAL, door)
        page = re.sub("[\u2e3a\u2e3b]", lambda m: DASH_LIGATURES[m.group(0)], page)
        page = tighten_glosses(page.replace(ZERO_WIDTH_SPACE, ""))
        page_lines = [drop_added_spaces(fold_ideographs(ln)).rstrip() for ln in page.splitlines()]
        lines += drop_print_chrome([ln for ln in page_lines if ln.strip()])
    return "\n".join(rejoin(lines))
