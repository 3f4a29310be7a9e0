"""Turn the lines OCR read on scanned pages into a reply's text, keeping where each line lies.

OCR gives boxes, not text: lines in no particular order, a line cut in two where a gap or a seal
broke it, no line breaks between paragraphs and no spaces where the page had them. This module puts
them back in reading order and writes the text as a text layer would be repaired
(:mod:`replyqa.textlayer`): the same rule joins the lines wrapped inside a paragraph, with widths and
indents measured on the page instead of counted in characters. Each line's offsets in the text are
kept, so a quote can be boxed on its page.

What OCR does to the genre's metadata is undone here, line by line, before the text is assembled:
the year brackets of a document number read as [] or () become 〔〕 (GB/T 9704 sets 发文字号 with
〔〕), and a date glued to its time ("2018-09-1110:09") or to the phone number before it
("32216712021年7月15日") gets its space back. In a Traditional reply, a character a blurred photo
let the recogniser read in its Simplified form (项 for 項) is written in Traditional script.
"""
from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass

from .normalise import is_traditional, to_traditional
from .translate import traditional_characters
from .ocr import OcrLine, OcrPage
from .records import Scan, ScanLine, ScanPage
from .textlayer import run_on, wrap_gap

# A box belongs to a row when its centre is within this share of the smaller height from the row's centre.
SAME_ROW = 0.5
# Boxes of one row further apart than this many character heights had a space (or more) between them.
SPACE_GAP = 0.8
# Only boxes this much wider than tall tell the page's skew (a short box's angle is noise).
SKEW_MIN_RATIO = 3.0
DOC_YEAR = re.compile(r"(?<=[\u4e00-\u9fff])\s?[\[(（【〔﹝]\s?((?:19|20)\d{2})\s?[\])）】〕﹞]\s?(?=第?\d{1,5}\s?[号號])")
DATE_TIME = re.compile(r"(?<!\d)((?:19|20)\d{2}-\d{1,2}-\d{2})(\d{1,2}:\d{2})(?!\d)")
# A phone number and the date after it on one line ("联系电话:3221671 2021年7月15日") read as one number.
NUMBER_DATE = re.compile(r"(?<=\d{5})((?:19|20)\d{2}年\d{1,2}月)")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A table rule read as "|" loses the spaces the text convention of a flattened row puts around it.
BAR = re.compile(r"\s*\|\s*")


@dataclass(frozen=True)
class Row:
    """Boxes read as one line of the page, left to right, in the page's deskewed frame."""

    page: int
    boxes: tuple[OcrLine, ...]
    texts: tuple[str, ...]  # each box's corrected text
    gaps: tuple[str, ...]  # what goes before each box ("" or " ")
    left: float
    right: float
    height: float


def correct(text: str) -> str:
    """One box's text with OCR's known misreadings of the genre undone."""
    text = CONTROL.sub("", text).strip()
    if "|" in text:
        text = BAR.sub(" | ", text).strip()
    text = DOC_YEAR.sub(lambda m: f"〔{m.group(1)}〕", text)
    return NUMBER_DATE.sub(r" \1", DATE_TIME.sub(r"\1 \2", text))


def restore_script(text: str) -> str:
    """A Traditional reply with the characters OCR read in their Simplified form (縣 as 县 on a blurred photo)
    written in Traditional script: a character no Traditional text writes (CC-CEDICT's Traditional headwords
    lack it) becomes its OpenCC form, read in its line's context. One character for one, so offsets hold;
    characters both scripts write (于, 后, 台) stay as read."""
    if not is_traditional(text):
        return text
    known = traditional_characters()
    if not known:
        return text
    out = list(text)
    for start, line in _lines(text):
        if not any("\u4e00" <= ch <= "\u9fff" and ch not in known for ch in line):
            continue
        converted = to_traditional(line)
        for i, ch in enumerate(line):
            if "\u4e00" <= ch <= "\u9fff" and ch not in known and converted[i] in known:
                out[start + i] = converted[i]
    return "".join(out)


def _lines(text: str):
    start = 0
    for line in text.split("\n"):
        yield start, line
        start += len(line) + 1


def skew(lines: list[OcrLine]) -> float:
    """The page's skew in radians: the median angle of the top edges of its long boxes."""
    angles = []
    for ln in lines:
        x0, y0, x1, y1, _, _, x3, y3 = ln.box
        length, height = math.hypot(x1 - x0, y1 - y0), math.hypot(x3 - x0, y3 - y0)
        if height and length >= SKEW_MIN_RATIO * height:
            angles.append(math.atan2(y1 - y0, x1 - x0))
    return statistics.median(angles) if angles else 0.0


def _frame(ln: OcrLine, angle: float) -> tuple[float, float, float, float]:
    """(left, right, top, bottom) of a box turned back by the page's skew."""
    cos, sin = math.cos(angle), math.sin(angle)
    xs = [cos * x + sin * y for x, y in zip(ln.box[::2], ln.box[1::2])]
    ys = [-sin * x + cos * y for x, y in zip(ln.box[::2], ln.box[1::2])]
    return min(xs), max(xs), min(ys), max(ys)


def rows_of(page: OcrPage, index: int) -> list[Row]:
    """The page's boxes grouped into rows, top to bottom, each row's boxes left to right."""
    angle = skew(list(page.lines))
    placed = sorted(((_frame(ln, angle), ln) for ln in page.lines), key=lambda p: (p[0][2] + p[0][3]) / 2)
    groups: list[list[tuple[tuple[float, float, float, float], OcrLine]]] = []
    for frame, ln in placed:
        centre, height = (frame[2] + frame[3]) / 2, frame[3] - frame[2]
        if groups:
            last = groups[-1]
            top, bottom = min(f[2] for f, _ in last), max(f[3] for f, _ in last)
            if abs(centre - (top + bottom) / 2) < SAME_ROW * min(height, bottom - top):
                last.append((frame, ln))
                continue
        groups.append([(frame, ln)])
    rows = []
    for group in groups:
        group.sort(key=lambda p: p[0][0])
        height = statistics.median(f[3] - f[2] for f, _ in group)
        gaps = [""] + [" " if f[0] - prev[1] > SPACE_GAP * height else ""
                       for (prev, _), (f, _) in zip(group, group[1:])]
        texts = [correct(ln.text) for _, ln in group]
        keep = [i for i, t in enumerate(texts) if t]
        if not keep:
            continue
        for a, b in zip(keep, keep[1:]):  # a date and its time in two boxes closer than a space's width
            if not gaps[b] and correct(texts[a] + texts[b]) == texts[a] + " " + texts[b]:
                gaps[b] = " "
        rows.append(Row(page=index, boxes=tuple(group[i][1] for i in keep), texts=tuple(texts[i] for i in keep),
                        gaps=("",) + tuple(gaps[i] for i in keep[1:]), left=group[keep[0]][0][0],
                        right=group[keep[-1]][0][1], height=height))
    return rows


def _measures(rows: list[Row]) -> tuple[list[float], list[float]]:
    """Each row's width and indent in half-width cells from its page's text column (the left edge most
    rows start at), a character being as wide as the page's median row is tall."""
    widths, indents = [], []
    by_page: dict[int, list[Row]] = {}
    for row in rows:
        by_page.setdefault(row.page, []).append(row)
    column = {p: statistics.quantiles([r.left for r in rs], n=10)[0] if len(rs) > 1 else rs[0].left
              for p, rs in by_page.items()}
    em = {p: statistics.median(r.height for r in rs) for p, rs in by_page.items()}
    for row in rows:
        cell = em[row.page] / 2
        widths.append(max(0.0, row.right - column[row.page]) / cell)
        # a full character's indent or more; less is the jitter of box edges
        indents.append(2 * math.floor(max(0.0, row.left - column[row.page]) / em[row.page] + 0.25))
    return widths, indents


def assemble(pages: list[OcrPage]) -> tuple[str, Scan]:
    """The text of scanned pages, paragraphs joined as a text layer's are, and the scan record whose
    lines give each box's offsets in that text."""
    rows = [row for i, page in enumerate(pages) for row in rows_of(page, i)]
    if not rows:
        return "", Scan(confidence=0.0, pages=_shown(pages))
    line_texts = ["".join(g + t for g, t in zip(row.gaps, row.texts)) for row in rows]
    widths, indents = _measures(rows)
    joined = run_on(line_texts, widths, indents)
    parts: list[str] = []
    lines: list[ScanLine] = []
    pos = 0
    for row, glued in zip(rows, joined):
        if parts and not glued:
            parts.append("\n")
            pos += 1
        elif parts:
            gap = wrap_gap(parts[-1], row.texts[0])
            parts.append(gap)
            pos += len(gap)
        for gap, text, box in zip(row.gaps, row.texts, row.boxes):
            pos += len(gap)
            parts += [gap, text]
            lines.append(ScanLine(page=row.page, start=pos, end=pos + len(text),
                                  box=tuple(round(v) for v in box.box), score=round(box.score, 4)))
            pos += len(text)
    text = restore_script("".join(parts))
    chars = sum(ln.end - ln.start for ln in lines)
    confidence = sum(ln.score * (ln.end - ln.start) for ln in lines) / chars if chars else 0.0
    return text, Scan(confidence=round(confidence, 4), pages=_shown(pages), lines=tuple(lines))


def _shown(pages: list[OcrPage]) -> tuple[ScanPage, ...]:
    return tuple(ScanPage(number=p.number, width=p.width, height=p.height, image=p.image) for p in pages)
