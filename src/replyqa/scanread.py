"""Read scans into text: the pages of a PDF that have no text layer, and image files, by OCR.

The pages go to the OCR workers (:mod:`replyqa.ocr`) with a progress bar per page, their lines are put
in order and joined into the reply's text (:mod:`replyqa.scanlayout`), and the text comes back with the
:class:`~replyqa.records.Scan` that says where each line lies on its page. A PDF mixing text-layer and
scanned pages keeps the order of its pages. A scan that yields almost no text is refused.
"""
from __future__ import annotations

from dataclasses import replace

from .errors import ReadError
from .records import Scan
from .textlayer import clean_text, repair_pages

# A scan is pictures: a 50-megapixel phone photo is 10-25 MB as JPEG, a ten-page scanned PDF as much.
MAX_SCAN_BYTES = 60 * 2**20
MAX_SCAN_PAGES = 50  # a reply is a few pages; a longer scan is a bound volume, not one reply
MIN_SCAN_CHARS = 20  # fewer letters and digits than a date line and a name: a blank page or a photo of nothing


def joined_runs(runs: list[tuple[str, list]]) -> tuple[str, Scan | None]:
    """One text from runs of text-layer pages and scanned pages, the scan's offsets moved to match."""
    from .scanlayout import assemble

    texts, shown, lines, weights = [], [], [], []
    pos = 0
    for kind, items in runs:
        if kind == "text":
            text = clean_text(repair_pages(items))
        else:
            text, scan = assemble(items)
            lines += [replace(ln, page=ln.page + len(shown), start=ln.start + pos, end=ln.end + pos) for ln in scan.lines]
            shown += scan.pages
            weights.append((scan.confidence, sum(ln.end - ln.start for ln in scan.lines)))
        if not text.strip():
            continue
        texts.append(text)
        pos += len(text) + 1
    chars = sum(n for _, n in weights)
    confidence = sum(c * n for c, n in weights) / chars if chars else 0.0
    text = "\n".join(texts)
    _check_scanned(text, lines)
    return text, Scan(confidence=round(confidence, 4), pages=tuple(shown), lines=tuple(lines))


def render_pdf_pages(data: bytes, numbers: list[int]):
    """The given pages of a PDF rendered as images (PIL), at the resolution OCR reads."""
    import pypdfium2 as pdfium

    from .ocr import RENDER_DPI

    try:
        pdf = pdfium.PdfDocument(data)
        for i in numbers:
            yield i + 1, pdf[i].render(scale=RENDER_DPI / 72).to_pil().convert("RGB")
    except pdfium.PdfiumError as exc:
        raise ReadError(f"a scanned page cannot be rendered ({exc})") from exc


def image_text(data: bytes, page_bar=None) -> tuple[str, Scan]:
    """The text OCR reads on an image file (every frame of a TIFF, every band of a tall image)."""
    from .ocr import open_images
    from .scanlayout import assemble

    images = list(enumerate(open_images(data), 1))
    if len(images) > MAX_SCAN_PAGES:
        raise ReadError(f"{len(images)} pages (the limit for one reply is {MAX_SCAN_PAGES})")
    text, scan = assemble(ocr_pages(images, page_bar))
    _check_scanned(text, scan.lines)
    return text, scan


def ocr_pages(images: list, page_bar=None) -> list:
    """Read (number, image) pages by OCR in the worker processes, with a progress bar per page."""
    from .ocr import pool

    with (page_bar or (lambda n: _NoBar()))(len(images)) as bar:
        return pool().read(images, progress=bar.update)


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def update(self, n: int = 1) -> None:
        pass


def _check_scanned(text: str, lines) -> None:
    """A scan that yields too little text is no reply: a blank page, or a photo of something else."""
    letters = sum(ch.isalnum() for ch in text)
    if letters < MIN_SCAN_CHARS:
        confidence = sum(ln.score for ln in lines) / len(lines) if lines else 0.0
        raise ReadError(f"no text found on the scanned page(s): OCR read {letters} letters or digits"
                        + (f" at a mean confidence of {confidence:.2f}" if lines else ""))
