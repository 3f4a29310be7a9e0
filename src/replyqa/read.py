"""Read reply files from disk into text: .txt/.md, .html/.htm, .docx, .pdf and scans.

Text files may be UTF-8 (with or without BOM), GB18030/GBK or Big5. HTML pages
lose their chrome (navigation, breadcrumbs, share bars, 浏览量, footers) and
keep the content container plus the open-government metadata table. A PDF's
text layer is repaired as :mod:`replyqa.textlayer` describes, and every format
has radicals folded to the characters they stand for. Scans are read by OCR
(:mod:`replyqa.ocr`, :mod:`replyqa.scanlayout`): the pages of a PDF that have no
text layer, and images (.jpg, .png, .tif with its pages, .bmp, .webp); their text
comes with a :class:`~replyqa.records.Scan` saying where each line lies on its
page. Every failure is a :class:`ReadError` naming the file and the reason.
"""
from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from charset_normalizer import from_bytes

from .errors import ReadError
from .ocr import IMAGE_SUFFIXES
from .records import Scan
from .scanread import MAX_SCAN_BYTES, MAX_SCAN_PAGES, image_text, joined_runs, ocr_pages, render_pdf_pages
from .textlayer import clean_text, fold_ideographs, repair_pages

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
SUFFIXES = TEXT_SUFFIXES + IMAGE_SUFFIXES
TEXT_ENCODINGS = ("gb18030", "cp950", "big5hkscs")
MAX_FILE_BYTES = 20 * 2**20  # a reply is a few hundred KB; bigger files are dumps that would stall the ingest
MAX_HTML_DEPTH = 256  # real pages nest a few dozen levels; deeper ones make the chrome stripping quadratic


@dataclass(frozen=True)
class RawDocument:
    """The text of one file and where it came from; ``scan`` when OCR read it (a quote's lines on its page)."""

    text: str
    source: str
    scan: Scan | None = None


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Reply files under the given files and folders: folders recursively, sorted, hidden ones skipped."""
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if f.is_file() and f.suffix.lower() in SUFFIXES and not any(x.startswith(".") for x in rel):
                    yield f
        else:
            yield p


def read_document(path: str | Path, progress: bool = False) -> RawDocument:
    """Read one file; raise ReadError naming the file and the reason. ``progress`` shows a bar per
    page read by OCR."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ReadError(f"{path}: unsupported file type {suffix or '(none)'!r} (expected {', '.join(SUFFIXES)})")
    limit = MAX_SCAN_BYTES if suffix in IMAGE_SUFFIXES or suffix == ".pdf" else MAX_FILE_BYTES
    try:
        size = path.stat().st_size
        if size > limit:
            raise ReadError(f"{path}: file too large ({size / 2**20:.1f} MB; the limit is {limit / 2**20:g} MB)")
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if not data.strip():
        raise ReadError(f"{path}: empty file")
    try:
        if suffix in IMAGE_SUFFIXES or suffix == ".pdf":
            text, scan = (image_text if suffix in IMAGE_SUFFIXES else pdf_text)(data, _page_bar(path, progress))
        else:
            reader = {".docx": docx_text, ".html": html_text, ".htm": html_text}.get(suffix, decode_text)
            text, scan = clean_text(reader(data)), None
    except ReadError as exc:
        raise ReadError(f"{path}: {exc}") from exc
    # any text layer may carry radicals for characters (a .txt pasted from a PDF too); the fold
    # keeps every character's offset, so the stored text is the folded one and quotes slice it
    text = fold_ideographs(text)
    if not any(ch.isalnum() for ch in text):
        raise ReadError(f"{path}: no text found")
    return RawDocument(text=text, source=str(path), scan=scan)


def _page_bar(path: Path, progress: bool):
    """A factory for the per-page OCR progress bar of one file (nothing shown unless ``progress``)."""
    def bar(total: int):
        from tqdm.auto import tqdm

        return tqdm(total=total, unit="page", desc=f"OCR {path.name}"[:40], leave=False, disable=not progress)
    return bar




# -- plain text ----------------------------------------------------------------------------------

def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes: not a text file (UTF-16 is checked before this)."""
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > len(sample) * 0.05


def decode_text(data: bytes, hint: str | None = None) -> str:
    """Decode a text file: BOMs, UTF-8, the page's declared charset, then GB18030 or Big5,
    whichever charset-normalizer finds reads as cleaner text."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16")
    if looks_binary(data):
        raise ReadError("binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if hint:
        try:
            return data.decode(hint)
        except (UnicodeDecodeError, LookupError):
            pass  # a page that lies about its charset, or names one that does not exist
    best = from_bytes(data, cp_isolation=list(TEXT_ENCODINGS)).best()
    if best is None:
        raise ReadError("undecodable text (not UTF-8, GB18030/GBK or Big5)")
    return str(best)


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(f"undecodable text (broken {encoding})") from exc


CHROME_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "button",
               "select", "input", "svg", "canvas", "object", "embed")
CHROME_ATTR = re.compile(r"nav|menu|breadcrumb|crumb|share|footer|foot|header|head_|top_?bar|sidebar|side_|toolbar|"
                         r"position|location|bdshare|jiathis|print|close|copyright|banner|search|login|related|"
                         r"pager|page-?turn|prev|next|qrcode|ewm|fontsize|font-size|zihao|comment|recommend", re.I)
CONTENT_ATTR = re.compile(r"(?:^|[\s_-])(?:content|article|zoom|trs_editor|custom_unionstyle|main-?text|detail|zw|wzcon|"
                          r"pages_content|ccontent|article-body|info_?con|con_?text|bt_content)(?:$|[\s_-])", re.I)
CHROME_LINE = re.compile(r"^\s*(?:浏览量|浏览次数|访问量|访问次数|阅读量|阅读次数|点击数|点击量|当前位置|您现在的位置|您的位置|"
                         r"分享到|扫一扫|字号|字体[:：]|【\s*(?:打印|关闭|收藏)|打印本页|关闭窗口|上一篇|下一篇|"
                         r"版权所有|.*ICP备|网站标识码|.*公网安备)")
CHROME_INLINE = re.compile(r"\s*(?:浏览量|浏览次数|访问量|访问次数|阅读量|阅读次数|点击数|点击量)\s*[:：]?\s*\d*\s*(?:次)?")
BLOCK_TAGS = ("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article",
              "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "hr")
META_MARKERS = ("索引号", "发布机构", "文号", "索引號", "發布機構")


def html_text(data: bytes) -> str:
    """The reply in an HTML page: the metadata table and the content container, chrome dropped."""
    from bs4 import BeautifulSoup

    text = decode_text(data, hint=_html_charset(data))
    soup = BeautifulSoup(text, "lxml")
    depth = _nesting_depth(soup)
    if depth > MAX_HTML_DEPTH:
        raise ReadError(f"HTML nested {depth} levels deep (the limit is {MAX_HTML_DEPTH})")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(CHROME_TAGS):
        tag.decompose()
    for tag in list(soup.find_all(True)):
        if getattr(tag, "decomposed", False) or tag.attrs is None:
            continue
        attrs = " ".join([*(tag.get("class") or []), tag.get("id") or ""])
        if attrs and CHROME_ATTR.search(attrs) and not CONTENT_ATTR.search(attrs) and tag.name not in ("body", "html"):
            tag.decompose()
    body = soup.body or soup
    container = _content_container(body)
    parts = []
    meta = _metadata_block(body, container)
    if meta is not None:
        parts.append(_block_text(meta))
    content = _block_text(container)
    heading = _page_heading(body, container) or re.split(r"\s*[_|｜]\s*|\s+-\s+", title)[0]
    if len(heading) >= 6 and heading not in content:
        parts.append(heading)
    parts.append(content)
    lines = [CHROME_INLINE.sub("", ln).rstrip() for ln in "\n".join(parts).splitlines() if not CHROME_LINE.match(ln)]
    return "\n".join(ln for ln in lines if ln.strip()).strip()


def _nesting_depth(soup) -> int:
    """How deep elements nest, counted without recursion (a hostile page may nest thousands deep)."""
    deepest, stack = 0, [(soup, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.children if getattr(child, "name", None))
    return deepest


def _html_charset(data: bytes) -> str | None:
    m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", data[:4096], re.I)
    if not m:
        return None
    name = m.group(1).decode("ascii").lower()
    return {"gb2312": "gb18030", "gbk": "gb18030", "big5": "cp950", "utf8": "utf-8"}.get(name, name)


def _text_len(tag) -> int:
    return len(re.sub(r"\s+", "", tag.get_text()))


def _link_len(tag) -> int:
    return sum(_text_len(a) for a in tag.find_all("a"))


def _content_container(body):
    """The element holding the reply: a known content class, else the densest text block."""
    best, best_score = body, 0.0
    for tag in body.find_all(["div", "td", "article", "section", "main"]):
        n = _text_len(tag)
        if n < 30:
            continue
        attrs = " ".join([*(tag.get("class") or []), tag.get("id") or ""])
        paragraphs = len(tag.find_all(["p", "br"], recursive=True))
        score = (n - 2 * _link_len(tag)) * (1.5 if CONTENT_ATTR.search(attrs) else 1.0)
        score *= 1 + min(paragraphs, 20) / 20
        # prefer the innermost element that still holds most of the text
        score -= 0.3 * sum(_text_len(c) for c in tag.find_all(["div", "td"], recursive=False) if _text_len(c) < n * 0.1)
        if score > best_score:
            best, best_score = tag, score
    return best


def _metadata_block(body, container):
    """The open-government metadata table (索引号 / 发布机构 / 文号) outside the container, if any."""
    if any(m in container.get_text() for m in META_MARKERS[:3]):
        return None
    for tag in body.find_all(["table", "div", "ul", "dl"]):
        text = tag.get_text()
        if sum(m in text for m in META_MARKERS) >= 2 and _text_len(tag) < 600 and container not in tag.parents \
                and tag is not container and tag not in container.parents:
            inner = [t for t in tag.find_all(["table", "div", "ul", "dl"])
                     if sum(m in t.get_text() for m in META_MARKERS) >= 2]
            return inner[-1] if inner else tag
    return None


def _page_heading(body, container) -> str:
    for tag in body.find_all(["h1", "h2", "h3"]):
        text = tag.get_text(" ", strip=True)
        if len(text) >= 6 and tag not in container.descendants:
            return text
    return ""


def _block_text(tag) -> str:
    """Text with block elements on their own lines and table rows flattened with " | "."""
    from bs4 import NavigableString

    out: list[str] = []

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child).__name__ in ("Comment", "Doctype", "Declaration", "ProcessingInstruction"):
                    continue
                out.append(re.sub(r"[ \t\r\n]+", " ", str(child)))
            elif child.name == "tr":
                cells = [re.sub(r"\s+", " ", c.get_text(" ", strip=True)) for c in child.find_all(["td", "th"])]
                out.append("\n" + " | ".join(cells) + " |\n" if any(cells) else "\n")
            elif child.name == "br":
                out.append("\n")
            elif child.name in BLOCK_TAGS:
                out.append("\n")
                walk(child)
                out.append("\n")
            else:
                walk(child)

    walk(tag)
    lines = [ln.strip(" ") for ln in "".join(out).split("\n")]
    return "\n".join(ln for ln in lines if ln.strip())


# -- docx and pdf --------------------------------------------------------------------------------

def docx_text(data: bytes) -> str:
    """Paragraphs and tables in document order; tables flattened with " | "."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
        lines = []
        for block in document.element.body.iterchildren():
            tag = block.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(Paragraph(block, document).text)
            elif tag == "tbl":
                lines += _table_lines(Table(block, document))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise ReadError(f"not a readable .docx (truncated or corrupt: {type(exc).__name__})") from exc
    except Exception as exc:  # lxml and python-docx raise many kinds on damaged parts
        raise ReadError(f"not a readable .docx ({type(exc).__name__}: {exc})") from exc
    return "\n".join(lines)


def _table_lines(table) -> list[str]:
    lines = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = cell.text.strip()
            if not cells or text != cells[-1]:  # merged cells repeat their text
                cells.append(text)
        if any(cells):
            lines.append(" | ".join(cells) + " |")
    return lines


def pdf_text(data: bytes, page_bar=None) -> tuple[str, Scan | None]:
    """The text layer of every page, repaired (see :mod:`replyqa.textlayer`): radicals folded,
    lines wrapped by the layout joined back. Pages without a text layer are read by OCR; the
    scan record covers those pages only."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises many kinds on truncated or damaged files
        raise ReadError(f"not a readable .pdf (truncated or corrupt: {type(exc).__name__})") from exc
    if not pages:
        raise ReadError("the PDF has no pages")
    scanned = [i for i, p in enumerate(pages) if not p.strip()]
    if not scanned:
        return clean_text(repair_pages(pages)), None
    if len(scanned) > MAX_SCAN_PAGES:
        raise ReadError(f"{len(scanned)} scanned pages (the limit for one reply is {MAX_SCAN_PAGES})")
    read = ocr_pages(list(render_pdf_pages(data, scanned)), page_bar)
    # the text of each run of text-layer pages and of each scanned page, in page order
    runs: list[tuple[str, list]] = []
    for i, page in enumerate(pages):
        if i in scanned:
            runs.append(("scan", [read[scanned.index(i)]]))
        elif runs and runs[-1][0] == "text":
            runs[-1][1].append(page)
        else:
            runs.append(("text", [page]))
    return joined_runs(runs)
