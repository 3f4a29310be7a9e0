"""Synthetic scanned copies of reply texts, so the evaluation can measure OCR.

A reply's plain text (one paragraph a line) is typeset as a printed A4 letter at 200 dpi
(Noto CJK, 16 pt, line spacing 1.5, 2.5 cm margins) and written in one of three styles:

* ``pdf``: an image-only PDF (no text layer), one grayscale page image per A4 page;
* ``jpg``: a phone photo: every page turned by 1-2 degrees, unevenly lit, tinted, blurred and
  noisy, with a red official seal over the signature block, pages stacked into one tall JPEG;
* ``png``: the clean render, pages stacked into one tall PNG.

Every random choice comes from the ``seed`` argument, so a copy is reproducible byte for byte.
``char_error_rate`` scores OCR output against the text.

The module runs past 400 lines on purpose: typesetting, the photo's degradations and the seal are
each a few functions, and they are one idea, the picture of a scanned letter.

    python -m replyqa.evaluate.scans SRC OUT --styles pdf,jpg,png --seed 7
"""
from __future__ import annotations

import argparse
import math
import re
import subprocess
import time
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

STYLES = ("pdf", "jpg", "png")
SUFFIX = {"pdf": ".pdf", "jpg": ".jpg", "png": ".png"}

DPI = 200
PAGE_W, PAGE_H = 1654, 2339  # A4 at 200 dpi
MARGIN = 200  # ~2.5 cm
FONT_PX = 44  # 16 pt at 200 dpi
LINE_H = 66  # line spacing 1.5
TEXT_W = PAGE_W - 2 * MARGIN
LINES_PER_PAGE = (PAGE_H - 2 * MARGIN) // LINE_H
INK = (20, 20, 20)
FONT_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")
SEAL_FAMILIES = ("Noto Sans CJK SC:bold", *FONT_FAMILIES)
FONT_PACKAGE = "fonts-noto-cjk"

# A run of ASCII letters and digits (with inner . , : / - _ % such as 2024-07-31 or 6.5%) is
# kept on one line; every other character may break.
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.,:/\-_%][A-Za-z0-9]+)*|\s+|.", re.DOTALL)
_NO_START = set("，。、；：？！）」』》〉】”’…,.;:?!)]}%")  # hangs in the margin rather than open a line
_NO_END = set("（「『《〈【“‘([{")  # moves to the next line rather than close one
_SENTENCE_END = tuple("。；！？.;!?")  # a line ending so is neither a title nor a signature
_OFFICE = re.compile(
    r"[\u4e00-\u9fff]{2,14}?(?:人民政府办公室|人民政府辦公室|人民政府|委员会|委員會|办公室|辦公室"
    r"|管理局|局|厅|廳|委|院|中心|办|辦)")
_OFFICE_BEFORE_TOPIC = re.compile(f"(?P<office>{_OFFICE.pattern})(?:关于|關于|關於)")
_OFFICE_AFTER_LABEL = re.compile(
    f"(?:来源|來源|发布机构|發布機構|主办单位|主辦單位|承办单位|承辦單位)\\s*[:：|]\\s*(?P<office>{_OFFICE.pattern})")
_GLOSS = re.compile(r"\s*\((?:[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\s*)+\)")  # 鎮(zhèn)
_FIXED_DATE = time.gmtime(1_704_067_200)  # 2024-01-01, so a PDF's bytes depend on its seed only


@dataclass(frozen=True)
class Line:
    """One typeset line: its text, page, left x and top y in pixels, and the paragraph kind."""

    text: str
    page: int
    x: int
    y: int
    width: int
    kind: str  # "title", "salutation", "body" or "signature"


# ---------------------------------------------------------------- fonts and layout


@lru_cache(maxsize=4)
def find_font(families: tuple[str, ...] = FONT_FAMILIES) -> tuple[str, int]:
    """The file and face index of the first Noto CJK font of ``families`` that ``fc-match`` finds."""
    for family in families:
        try:
            out = subprocess.run(["fc-match", "-f", "%{file}|%{index}|%{family}", family],
                                 capture_output=True, text=True, timeout=10, check=False).stdout
        except (OSError, subprocess.SubprocessError):
            break
        file, _, rest = out.partition("|")
        index, _, found = rest.partition("|")
        if "CJK" in found and Path(file).is_file():
            return file, int(index or 0)
    raise RuntimeError(f"No Noto CJK font found (fc-match {FONT_FAMILIES[0]!r}): "
                       f"install Debian's {FONT_PACKAGE} package, or pass font_path")


@lru_cache(maxsize=16)
def _load_font(path: str | None, size: int) -> ImageFont.FreeTypeFont:
    """The font at ``size`` px; in a .ttc collection the Simplified Chinese (SC) face."""
    if path is None:
        path, index = find_font()
        return ImageFont.truetype(path, size, index=index)
    if not path.lower().endswith(".ttc"):
        return ImageFont.truetype(path, size)
    for index in range(16):
        try:
            font = ImageFont.truetype(path, size, index=index)
        except OSError:
            break
        if font.getname()[0].endswith(" SC"):
            return font
    return ImageFont.truetype(path, size)


@lru_cache(maxsize=65536)
def _advance(font: ImageFont.FreeTypeFont, token: str) -> float:
    return font.getlength(token)


def _tokens(paragraph: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Breakable units: single characters, and ASCII runs unless a run is wider than a line."""
    out: list[str] = []
    for token in _TOKEN.findall(paragraph):
        if len(token) > 1 and not token.isspace() and _advance(font, token) > width:
            out.extend(token)
        else:
            out.append(token)
    return out


def wrap(paragraph: str, font: ImageFont.FreeTypeFont, width: float, indent: float = 0.0) -> list[str]:
    """Break a paragraph into lines no wider than ``width`` (the first ``indent`` narrower).

    Closing punctuation never opens a line (it hangs in the margin) and opening punctuation
    never closes one.
    """
    lines: list[str] = []
    line, used, limit = "", 0.0, width - indent
    for token in _tokens(paragraph, font, width):
        if not line and token.isspace():
            continue
        w = _advance(font, token)
        if line and used + w > limit and token not in _NO_START:
            carry = line[-1] if line[-1] in _NO_END and len(line) > 1 else ""
            lines.append(line[: len(line) - len(carry)].rstrip())
            line, used, limit = carry, _advance(font, carry) if carry else 0.0, width
            if token.isspace():
                continue
        line += token
        used += w
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _kinds(paragraphs: list[str], font: ImageFont.FreeTypeFont) -> list[str]:
    """Each paragraph's kind: title (leading short lines), salutation, signature or body."""
    kinds = ["body"] * len(paragraphs)
    for i, p in enumerate(paragraphs[:3]):
        if _is_salutation(p) or p.endswith(_SENTENCE_END) or len(p) > 40:
            break
        kinds[i] = "title"
    first_sig = max(len(paragraphs) - 3, 0)
    for i in range(first_sig, len(paragraphs)):
        fits = _advance(font, paragraphs[i]) <= TEXT_W
        if kinds[i] == "body" and fits and not paragraphs[i].endswith(_SENTENCE_END):
            kinds[i] = "signature"
    for i, p in enumerate(paragraphs):
        if kinds[i] == "body" and _is_salutation(p):
            kinds[i] = "salutation"
    return kinds


def _is_salutation(paragraph: str) -> bool:
    return paragraph.endswith(("：", ":")) and len(paragraph) <= 24


def layout(text: str, font: ImageFont.FreeTypeFont) -> list[Line]:
    """Typeset ``text`` into lines placed on A4 pages."""
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
    kinds = _kinds(paragraphs, font)
    indent = 2 * _advance(font, "中")
    placed: list[Line] = []
    row = 0
    for i, (paragraph, kind) in enumerate(zip(paragraphs, kinds)):
        if kind != "title" and i > 0 and kinds[i - 1] == "title":
            row += 1  # a blank line after the title block
        first_indent = indent if kind == "body" else 0.0
        for j, piece in enumerate(wrap(paragraph, font, TEXT_W, first_indent)):
            w = round(_advance(font, piece))
            x = {"title": MARGIN + (TEXT_W - w) // 2, "signature": MARGIN + TEXT_W - w}.get(
                kind, MARGIN + (round(first_indent) if j == 0 else 0))
            page, slot = divmod(row, LINES_PER_PAGE)
            placed.append(Line(piece, page, x, MARGIN + slot * LINE_H, w, kind))
            row += 1
    return placed


def _draw(lines: list[Line], font: ImageFont.FreeTypeFont) -> list[Image.Image]:
    pages = [Image.new("RGB", (PAGE_W, PAGE_H), "white")
             for _ in range(max((ln.page for ln in lines), default=0) + 1)]
    baseline = LINE_H // 2 + round(FONT_PX * 0.36)
    for ln in lines:
        ImageDraw.Draw(pages[ln.page]).text((ln.x, ln.y + baseline), ln.text, font=font,
                                            fill=INK, anchor="ls")
    return pages


def render_pages(text: str, font_path: str | None = None) -> list[Image.Image]:
    """The text as clean white A4 pages (RGB, 200 dpi); at least one page."""
    font = _load_font(font_path, FONT_PX)
    return _draw(layout(text, font), font)


# ---------------------------------------------------------------- the official seal


def office_name(text: str) -> str:
    """The issuing office, for the seal: a signature line naming only an office, else the office
    a title starts with (…局关于…), else one after a 来源/发布机构 label, else a letterhead line."""
    text = _GLOSS.sub("", text)
    lines = [re.sub(r"[\s•·|]+", "", p) for p in text.splitlines() if p.strip()]
    named = [line for line in lines if len(line) <= 20 and _OFFICE.fullmatch(line)]
    tail = [line for line in lines[-6:] if line in named]
    titles = [m.group("office") for line in lines[:8] if len(line) <= 60
              for m in [_OFFICE_BEFORE_TOPIC.match(line)] if m]
    label = _OFFICE_AFTER_LABEL.search(text)
    candidates = [*tail[-1:], *sorted(titles, key=len)[:1], *([label.group("office")] if label else []),
                  *named[:1]]
    return candidates[0] if candidates else "公文专用章"


def _star(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    points = []
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.382
        angle = math.pi * (k / 5 - 0.5)
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def seal_image(name: str, rng: np.random.Generator, font_path: str | None = None,
               diameter: int = 310) -> Image.Image:
    """A red seal as an "L" alpha mask: ring, five-pointed star, ``name`` along the top arc."""
    s = 2  # drawn at twice the size, then shrunk for smooth edges
    size, ring = diameter * s, 8 * s
    c = size / 2
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    draw.ellipse((ring / 2, ring / 2, size - ring / 2, size - ring / 2), outline=255, width=ring)
    draw.polygon(_star(c, c, size * 0.16), fill=255)
    n = max(len(name), 1)
    char_px = min(round(size * 0.14), round(size * 0.14 * 12 / n) + 8)
    font = _load_font(font_path or find_font(SEAL_FAMILIES)[0], char_px)
    radius = c - ring - 6 * s - char_px / 2
    span = min(max(n * math.degrees(char_px * 1.08 / radius), 170 if n >= 4 else 0), 250)
    step = span / n
    for k, ch in enumerate(name):
        theta = (k - (len(name) - 1) / 2) * step  # degrees clockwise from the top
        glyph = Image.new("L", (char_px * 2, char_px * 2), 0)
        ImageDraw.Draw(glyph).text((char_px, char_px), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-theta, resample=Image.BICUBIC)
        t = math.radians(theta)
        x, y = c + radius * math.sin(t), c - radius * math.cos(t)
        img.paste(255, (round(x - char_px), round(y - char_px)), glyph)
    img = img.resize((diameter, diameter), Image.LANCZOS)
    ink = rng.uniform(0.55, 1.0, (diameter // 8 + 1, diameter // 8 + 1))  # uneven inking
    ink_img = Image.fromarray((ink * 255).astype(np.uint8)).resize((diameter, diameter), Image.BICUBIC)
    alpha = np.asarray(img, np.float32) * np.asarray(ink_img, np.float32) / 255 * rng.uniform(0.7, 0.85)
    angle = float(rng.uniform(-20, 20))
    return Image.fromarray(alpha.astype(np.uint8)).rotate(angle, resample=Image.BICUBIC, expand=True)


def _stamp(page: np.ndarray, alpha: Image.Image, centre: tuple[int, int], rng: np.random.Generator) -> None:
    """Multiply a red seal into ``page`` (float RGB, in place) so dark text stays dark."""
    red = np.array([rng.uniform(195, 220), rng.uniform(25, 50), rng.uniform(35, 60)]) / 255
    a = np.asarray(alpha, np.float32)[..., None] / 255
    h, w = a.shape[:2]
    x0 = int(np.clip(centre[0] - w // 2, 0, PAGE_W - w))
    y0 = int(np.clip(centre[1] - h // 2, 0, PAGE_H - h))
    page[y0:y0 + h, x0:x0 + w] *= 1 - a * (1 - red)


def _seal_centre(lines: list[Line], rng: np.random.Generator) -> tuple[int, tuple[int, int]]:
    """The page and centre of the seal: over the signature block (else the last lines)."""
    block = [ln for ln in lines if ln.kind == "signature"] or lines[-2:]
    page = block[-1].page
    block = [ln for ln in block if ln.page == page]
    x = (min(ln.x for ln in block) + max(ln.x + ln.width for ln in block)) // 2
    y = (block[0].y + block[-1].y + LINE_H) // 2
    return page, (x + int(rng.integers(-40, 41)), y + int(rng.integers(-30, 31)))


# ---------------------------------------------------------------- degradation


def _photo(page: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """A phone photo of one page (float RGB 0-255): turned, tinted, shaded, blurred, noisy."""
    angle = float(rng.uniform(1, 2) * rng.choice([-1, 1]))
    img = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8))
    img = img.rotate(angle, resample=Image.BICUBIC, fillcolor=(255, 255, 255))
    arr = np.asarray(img, np.float32)
    tint = np.array([rng.uniform(0.96, 0.99), rng.uniform(0.94, 0.97), rng.uniform(0.88, 0.93)])
    arr *= tint * _shading(rng)[..., None]
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.6, 1.0))))
    arr = np.asarray(img, np.float32) + rng.normal(0, rng.uniform(3, 6), (PAGE_H, PAGE_W, 1))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _shading(rng: np.random.Generator) -> np.ndarray:
    """A smooth brightness field, 1 at one corner falling to 0.70-0.85 at the opposite one."""
    depth = rng.uniform(0.15, 0.30)
    ys = np.linspace(0, 1, PAGE_H, dtype=np.float32)[:, None]
    xs = np.linspace(0, 1, PAGE_W, dtype=np.float32)[None, :]
    if rng.random() < 0.5:
        xs = 1 - xs
    if rng.random() < 0.5:
        ys = 1 - ys
    d = (xs * 0.45 + ys * 0.55) ** 1.5  # 0 at the lit corner, 1 at the dark one
    return 1 - depth * d


def _stack(pages: list[Image.Image]) -> Image.Image:
    tall = Image.new(pages[0].mode, (PAGE_W, PAGE_H * len(pages)), "white")
    for i, page in enumerate(pages):
        tall.paste(page, (0, i * PAGE_H))
    return tall


def _scan_pages(pages: list[Image.Image], rng: np.random.Generator) -> list[Image.Image]:
    """A clean flatbed scan: grayscale, a slightly grey paper, a touch of blur."""
    out = []
    for page in pages:
        gray = np.asarray(page.convert("L"), np.float32) * rng.uniform(0.96, 0.985)
        out.append(Image.fromarray(gray.astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.4)))
    return out


def _photo_pages(text: str, pages: list[Image.Image], lines: list[Line],
                 rng: np.random.Generator) -> list[Image.Image]:
    seal_page, centre = _seal_centre(lines, rng) if lines else (0, (PAGE_W // 2, PAGE_H // 2))
    seal = seal_image(office_name(text), rng)
    out = []
    for i, page in enumerate(pages):
        arr = np.asarray(page, np.float32).copy()
        if i == seal_page:
            _stamp(arr, seal, centre, rng)
        out.append(_photo(arr, rng))
    return out


# ---------------------------------------------------------------- writing copies


def scan_copy(text: str, out_stem: Path, style: str, seed: int = 0) -> Path:
    """Write one scanned copy of ``text`` as ``out_stem`` + .pdf/.jpg/.png; return its path."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}: expected one of {STYLES}")
    font = _load_font(None, FONT_PX)
    lines = layout(text, font)
    pages = _draw(lines, font)
    rng = np.random.default_rng(seed)
    path = Path(out_stem).with_suffix(SUFFIX[style])
    path.parent.mkdir(parents=True, exist_ok=True)
    if style == "pdf":
        first, *rest = _scan_pages(pages, rng)
        first.save(path, "PDF", save_all=True, append_images=rest, resolution=DPI,
                   creationDate=_FIXED_DATE, modDate=_FIXED_DATE)
    elif style == "jpg":
        photo = _stack(_photo_pages(text, pages, lines, rng))
        photo.save(path, "JPEG", quality=int(rng.integers(55, 71)), dpi=(DPI, DPI))
    else:
        _stack(pages).save(path, "PNG", dpi=(DPI, DPI))
    return path


def _file_seed(seed: int, stem: str) -> int:
    """A per-file seed, stable across runs (unlike ``hash``)."""
    return (seed * 1_000_003 + zlib.crc32(stem.encode("utf-8"))) % 2**32


def scan_copies(src_folder: Path, out_folder: Path, styles: tuple[str, ...] | list[str] = STYLES,
                seed: int = 0, progress: bool = True) -> dict[str, list[Path]]:
    """Every ``*.txt`` in ``src_folder`` → ``out_folder/<style>/<stem>.<ext>``, per style."""
    from tqdm.auto import tqdm

    files = sorted(Path(src_folder).glob("*.txt"))
    written: dict[str, list[Path]] = {style: [] for style in styles}
    for src in tqdm(files, desc="scans", unit="file", disable=not progress):
        text = src.read_text(encoding="utf-8-sig")
        for style in styles:
            stem = Path(out_folder) / style / src.stem
            written[style].append(scan_copy(text, stem, style, _file_seed(seed, src.stem)))
    return written


# ---------------------------------------------------------------- scoring OCR


def _ocr_form(text: str) -> str:
    """NFKC, without whitespace, punctuation (P*) or symbols (S*)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text)
                   if not ch.isspace() and unicodedata.category(ch)[0] not in "PSZ")


def levenshtein(a: str, b: str) -> int:
    """Edit distance (bit-parallel dynamic programming, Hyyrö 2003)."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    m = len(b)
    peq: dict[str, int] = {}
    for i, ch in enumerate(b):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    mask, top = (1 << m) - 1, 1 << (m - 1)
    vp, vn, score = mask, 0, m
    for ch in a:
        eq = peq.get(ch, 0)
        xv = eq | vn
        xh = ((((eq & vp) + vp) & mask) ^ vp) | eq
        hp = (vn | ~(xh | vp)) & mask
        hn = vp & xh
        score += (1 if hp & top else -1 if hn & top else 0)
        hp = ((hp << 1) | 1) & mask
        hn = (hn << 1) & mask
        vp = (hn | ~(xv | hp)) & mask
        vn = hp & xv
    return score


def char_error_rate(reference: str, hypothesis: str) -> float:
    """Levenshtein distance / reference length, ignoring whitespace, punctuation, symbols, width."""
    ref, hyp = _ocr_form(reference), _ocr_form(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    try:
        from rapidfuzz.distance import Levenshtein
    except ImportError:
        return levenshtein(ref, hyp) / len(ref)
    return Levenshtein.distance(ref, hyp) / len(ref)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m replyqa.evaluate.scans",
                                     description="Write synthetic scanned copies of reply texts.")
    parser.add_argument("src", type=Path, help="folder of *.txt replies")
    parser.add_argument("out", type=Path, help="output folder (one subfolder per style)")
    parser.add_argument("--styles", default=",".join(STYLES), help="comma-separated: pdf,jpg,png")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    styles = [s.strip() for s in args.styles.split(",") if s.strip()]
    unknown = [s for s in styles if s not in STYLES]
    if unknown:
        parser.error(f"unknown styles {unknown}: choose from {','.join(STYLES)}")
    written = scan_copies(args.src, args.out, styles, seed=args.seed)
    for style, paths in written.items():
        print(f"{style}: {len(paths)} files in {args.out / style}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
