"""Read scanned replies by OCR: the pages of an image-only PDF, and photos or scans saved as images.

The recogniser is RapidOCR (Apache-2.0) with the PP-OCRv6 small detection and recognition models its
wheel ships (Apache-2.0), run in onnxruntime: nothing is downloaded at run time. PP-OCRv6 reads
Simplified and Traditional Chinese, Latin letters with tone marks and digits with one model; the
PP-OCRv4 model of the older ``rapidocr-onnxruntime`` wheel lacks Traditional characters such as 縣 議 鎮.
The angle classifier is off: it turned whole lines upside down ("(xiàn)“老有所養(yǎng)”" read as "°))()"),
and replies are scanned upright (a page held a degree or two askew is read by the detector's own
rotated boxes).

Before recognition a page is prepared (:func:`prepare`): turned as its EXIF says, brought down to the
size the models read, and a red seal stamped over the signature (ring, star and text) is faded, so the
black text under it is read; red text elsewhere (the red header of an official letter) stays.

Recognition runs in worker processes (:class:`OcrPool`, ``python -m replyqa.ocr``), so a long scan
never holds the interpreter that answers questions, at a lower scheduling priority than it.
"""
from __future__ import annotations

import atexit
import io
import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import numpy as np

from .errors import ReadError

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp")
# The long side a page is read at: RapidOCR brings larger images down to 2000 px anyway, and an A4
# page at 2000 px has 10.5 pt characters about 25 px tall, well inside what PP-OCR recognises.
READ_SIDE = 2000
# A page image kept for the source card: wide enough to read a boxed line, about 100 KB as JPEG.
SHOWN_WIDTH = 1000
SHOWN_QUALITY = 70
# A PDF page is rendered at this resolution before it is read: 200 dpi puts an A4 page at 1654 × 2339 px.
RENDER_DPI = 200
# Pixels above this are refused rather than decoded (a 12,000 × 12,000 image is a 430 MB array);
# a 50-megapixel phone photo is read. Pillow's own bomb check is at 179 megapixels.
MAX_PIXELS = 120_000_000
# A band of a tall image ("long image" of several pages) is cut at this height ÷ width: an A4 page is 1.41.
MAX_BAND_RATIO = 1.6
SEAL_MIN_SIDE = 5.0  # a seal's ring is 4 cm across; in text lines, at least five characters tall
SEAL_RED = 60  # red minus the larger of green and blue: the solid ink a seal is found by
SEAL_LIGHT = 0.7  # in a seal's red channel, lighter than this share of the paper is ink or paper, not text
# A scan whose characters were read at a lower mean confidence is flagged for a person to check (ingest
# output, archive tab). Fitted by `make fit` (eval/fit_ocr_flag.py, eval/ocr_flag.json): the Youden point
# of 240 readings of degraded copies of the samples, "bad" being a character error rate above 0.05; out of
# fold it flags 87% of the bad readings and 13% of the good ones.
LOW_OCR_CONFIDENCE = 0.968
NICE = 5  # how much lower the OCR workers run than the process that asks (os.nice)


def low_confidence(scanned: Iterable[tuple[str, float]]) -> list[tuple[str, float]]:
    """The (source, confidence) scans read at a mean confidence under LOW_OCR_CONFIDENCE: worth a person's look."""
    return [(source, c) for source, c in scanned if c < LOW_OCR_CONFIDENCE]


@dataclass(frozen=True)
class OcrLine:
    """A line as the recogniser read it: text, quadrilateral on the prepared page, confidence."""

    text: str
    box: tuple[float, ...]  # x0, y0, x1, y1, x2, y2, x3, y3 clockwise from the top left
    score: float


@dataclass(frozen=True)
class OcrPage:
    """One page read: its lines, in the pixels of the page image kept for display."""

    number: int
    width: int
    height: int
    lines: tuple[OcrLine, ...]
    image: bytes  # JPEG, SHOWN_WIDTH wide


# -- preparing a page -----------------------------------------------------------------------------------------

def open_images(data: bytes) -> Iterator["object"]:
    """The pages of an image file (frames of a multi-page TIFF, bands of a tall image) as RGB images
    no larger than the models read; ReadError for what Pillow cannot read or an image too large."""
    from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise ReadError(f"image too large ({image.width} × {image.height} px, "
                            f"{image.width * image.height / 1e6:.0f} megapixels; the limit is {MAX_PIXELS / 1e6:.0f})")
        frames = []
        for frame in ImageSequence.Iterator(image):
            frame.draft("RGB", (READ_SIDE * 2, READ_SIDE * 2))  # JPEG: decode at a fraction of the size
            frames.append(ImageOps.exif_transpose(frame).convert("RGB"))
    except ReadError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise ReadError(f"not a readable image ({type(exc).__name__})") from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # truncated or damaged files
        raise ReadError(f"not a readable image (truncated or corrupt: {exc})") from exc
    for frame in frames:
        yield from bands(frame)


def bands(image) -> list:
    """A tall image (several pages stacked, a "long image") cut into page-high bands at blank rows."""
    w, h = image.size
    if h <= MAX_BAND_RATIO * w:
        return [image]
    gray = np.asarray(image.convert("L").resize((max(1, w // 4), max(1, h // 4))), dtype=np.float32)
    ink = (gray < 160).sum(axis=1)  # dark pixels per (quarter-scale) row
    out, top = [], 0
    while h - top > MAX_BAND_RATIO * w:
        ideal = top + int(1.41 * w)
        lo, hi = (top + int(1.1 * w)) // 4, min(h, top + int(MAX_BAND_RATIO * w)) // 4
        if hi > lo:  # the emptiest row of the window; of equally empty ones, the nearest to an A4 page's height
            blank = np.flatnonzero(ink[lo:hi] == ink[lo:hi].min()) + lo
            cut = int(blank[np.argmin(np.abs(blank * 4 - ideal))]) * 4
        else:
            cut = ideal
        out.append(image.crop((0, top, w, cut)))
        top = cut
    out.append(image.crop((0, top, w, h)))
    return out


def prepare(image) -> np.ndarray:
    """A page as the models should read it: at most READ_SIDE px on its long side, seal faded; RGB uint8."""
    from PIL import Image

    scale = READ_SIDE / max(image.size)
    if scale < 1:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
    return fade_seals(np.asarray(image.convert("RGB")))


def fade_seals(rgb: np.ndarray) -> np.ndarray:
    """The page with every red seal wiped: inside the box of a large, roughly square red shape (a ring,
    not a line of red header text), what the red channel shows as light as the paper takes the colour of
    the paper around it, and the rest, the black text under the seal, stays. A seal merely made paler
    was still seen by the detector, which then lost the date line beneath it."""
    import cv2

    r, g, b = (rgb[..., i].astype(np.int16) for i in range(3))
    red = ((r - np.maximum(g, b)) > SEAL_RED) & (r > 120)
    if red.sum() < 200:
        return rgb
    em = max(12, rgb.shape[1] // 60)  # a body character at A4 is about a sixtieth of the page width
    # the arcs of a ring broken by the text over it are one shape again once grown by a stroke or two
    mask = cv2.dilate(red.astype(np.uint8), np.ones((em // 2, em // 2), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    seals = [(x, y, w, h) for x, y, w, h, _ in stats[1:n] if min(w, h) >= SEAL_MIN_SIDE * em and 0.6 <= w / h <= 1.6]
    if not seals:
        return rgb
    out, paper = rgb.copy(), _paper(rgb)
    for x, y, w, h in seals:
        box = (slice(y, y + h), slice(x, x + w))
        light = rgb[box][..., 0].astype(np.float32) > SEAL_LIGHT * paper[box][..., 0]
        out[box][light] = paper[box][light]
    return out


def _paper(rgb: np.ndarray) -> np.ndarray:
    """The colour of the paper under each pixel, shading included: the page with its strokes blurred away."""
    import cv2

    h, w = rgb.shape[:2]
    small = cv2.resize(rgb, (max(1, w // 8), max(1, h // 8)), interpolation=cv2.INTER_AREA)
    small = cv2.dilate(small, np.ones((5, 5), np.uint8))  # the lightest nearby: paper, not ink
    return cv2.resize(cv2.medianBlur(small, 9), (w, h), interpolation=cv2.INTER_LINEAR)


# -- recognising ----------------------------------------------------------------------------------------------

_engine = None
_engine_lock = threading.Lock()


def engine():
    """The recogniser, built once per process."""
    global _engine
    with _engine_lock:
        if _engine is None:
            from rapidocr import RapidOCR

            _engine = RapidOCR(params={"Global.log_level": "error", "Global.use_cls": False})
        return _engine


def recognise(page: np.ndarray) -> list[OcrLine]:
    """The lines the recogniser finds on a prepared page, in its pixels."""
    result = engine()(page)
    if result.boxes is None or result.txts is None:
        return []
    return [OcrLine(text=str(t), box=tuple(float(v) for point in box for v in point), score=float(s))
            for box, t, s in zip(result.boxes, result.txts, result.scores) if str(t).strip()]


def read_page(number: int, image) -> OcrPage:
    """Prepare, recognise and keep a display copy of one page (what a worker process runs)."""
    from PIL import Image

    page = prepare(image)
    lines = recognise(page)
    h, w = page.shape[:2]
    scale = min(1.0, SHOWN_WIDTH / w)
    shown = Image.fromarray(page).resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.LANCZOS)
    buf = io.BytesIO()
    shown.save(buf, "JPEG", quality=SHOWN_QUALITY, optimize=True)
    scaled = tuple(OcrLine(ln.text, tuple(v * scale for v in ln.box), ln.score) for ln in lines)
    return OcrPage(number=number, width=shown.width, height=shown.height, lines=scaled, image=buf.getvalue())


class Worker:
    """One OCR worker: ``python -m replyqa.ocr`` reading pages sent over its stdin, one at a time.

    A plain subprocess rather than multiprocessing: a spawned child re-runs the asking program's main
    script, which breaks any caller without a ``__main__`` guard, and a forked one inherits a server's
    threads and open stores. A worker that dies (killed, out of memory) is replaced on the next page.
    """

    def __init__(self):
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def _process(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen([sys.executable, "-m", "replyqa.ocr"], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE)
        return self._proc

    def read(self, number: int, image) -> OcrPage:
        with self._lock:
            try:
                proc = self._process()
                _send(proc.stdin, (number, image))
            except OSError:  # the worker had died since its last page: a new one takes this page
                self.close()
                proc = self._process()
                _send(proc.stdin, (number, image))
            try:
                kind, value = _receive(proc.stdout)
            except (OSError, EOFError, pickle.UnpicklingError) as exc:
                self.close()
                raise ReadError(f"the OCR worker stopped on page {number} (out of memory or killed); "
                                "the file was not read") from exc
        if kind == "error":
            raise ReadError(f"OCR failed on page {number}: {value}")
        return value

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()


def _send(stream, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("<Q", len(data)) + data)
    stream.flush()


def _receive(stream):
    head = stream.read(8)
    if len(head) < 8:
        raise EOFError("the worker closed its output")
    (size,) = struct.unpack("<Q", head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the worker stopped mid-answer")
    return pickle.loads(data)


def serve(stdin=None, stdout=None) -> None:
    """The worker's loop: (number, image) in, ("page", OcrPage) or ("error", message) out, until stdin ends."""
    stdin, stdout = stdin or sys.stdin.buffer, stdout or sys.stdout.buffer
    try:
        os.nice(NICE)
    except (AttributeError, OSError):  # not on this platform, or not allowed: the work is the same
        pass
    while True:
        try:
            number, image = _receive(stdin)
        except EOFError:
            return
        try:
            answer = ("page", read_page(number, image))
        except Exception as exc:  # one bad page must not end the worker
            log.exception("OCR failed on page %s", number)
            answer = ("error", f"{type(exc).__name__}: {exc}")
        _send(stdout, answer)


class OcrPool:
    """The OCR workers of this process, started on first use; pages go to them in turn."""

    def __init__(self, workers: int = 1):
        self._workers = [Worker() for _ in range(max(1, workers))]

    def read(self, pages: Iterable[tuple[int, object]], progress: Callable[[int], None] | None = None) -> list[OcrPage]:
        """Read (page number, image) pages in order; ``progress(1)`` after each page."""
        from concurrent.futures import ThreadPoolExecutor

        pages = list(pages)
        with ThreadPoolExecutor(len(self._workers)) as threads:
            futures = [threads.submit(self._workers[i % len(self._workers)].read, n, image)
                       for i, (n, image) in enumerate(pages)]
            out = []
            for future in futures:
                out.append(future.result())
                if progress:
                    progress(1)
        return out

    def close(self) -> None:
        for worker in self._workers:
            worker.close()


_pool: OcrPool | None = None
_pool_lock = threading.Lock()


def pool() -> OcrPool:
    """The process's OCR workers (REPLYQA_OCR_WORKERS of them, default 1)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = OcrPool(int(os.environ.get("REPLYQA_OCR_WORKERS", "1") or 1))
            atexit.register(_pool.close)
        return _pool


if __name__ == "__main__":
    # run the imported module's loop, so the pages it sends back pickle as replyqa.ocr's records
    from replyqa import ocr

    ocr.serve()
