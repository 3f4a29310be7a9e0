"""Preparing and reading scanned pages: seals, tall images, bad images, the worker, no network."""
from __future__ import annotations

import io
import shutil

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from replyqa import ocr
from replyqa.errors import ReadError
from replyqa.ocr import bands, fade_seals, open_images

PAPER = (236, 232, 224)
FONT = shutil.which("fc-match") and __import__("subprocess").run(
    ["fc-match", "-f", "%{file}", "Noto Sans CJK SC"], capture_output=True, text=True).stdout
needs_font = pytest.mark.skipif(not FONT or "CJK" not in FONT, reason="needs fonts-noto-cjk")


def letter(lines: list[str], size=(1654, 1200), seal_at: tuple[int, int] | None = None) -> Image.Image:
    """A page with ``lines`` of black text, and a red seal (ring, star) centred at ``seal_at``."""
    image = Image.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 44)
    for i, text in enumerate(lines):
        draw.text((200, 150 + 80 * i), text, fill=(20, 20, 20), font=font)
    if seal_at:
        x, y = seal_at
        layer = Image.new("RGB", size, (255, 255, 255))
        ring = ImageDraw.Draw(layer)
        ring.ellipse((x - 150, y - 150, x + 150, y + 150), outline=(215, 30, 35), width=9)
        ring.regular_polygon((x, y, 50), 5, fill=(215, 30, 35))
        image = Image.fromarray((np.asarray(image, np.float32) * np.asarray(layer, np.float32) / 255).astype(np.uint8))
    return image


def png_bytes(image: Image.Image, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt)
    return buf.getvalue()


def test_a_seal_is_wiped_and_the_black_text_under_it_stays():
    image = Image.new("RGB", (1654, 1200), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((600, 580, 1100, 620), fill=(20, 20, 20))  # a line of black text under the seal
    draw.ellipse((700, 450, 1000, 750), outline=(215, 30, 35), width=9)
    draw.rectangle((200, 100, 700, 160), fill=(210, 25, 30))  # a red header line: long, not square
    out = fade_seals(np.asarray(image))
    assert out[600, 650].max() < 80  # the text is still dark
    assert out[455, 850].min() > 200  # the ring (top of the circle) is gone
    assert tuple(out[130, 400]) == (210, 25, 30)  # the header stays red


def test_a_page_without_red_is_left_as_it_is():
    page = np.asarray(Image.new("RGB", (400, 500), PAPER))
    assert fade_seals(page) is page


def test_a_tall_image_is_cut_into_pages_at_blank_rows():
    image = Image.new("RGB", (1000, 4000), "white")
    draw = ImageDraw.Draw(image)
    for y in range(100, 3900, 60):  # text lines 30 px high, 30 px apart
        draw.rectangle((100, y, 900, y + 30), fill="black")
    parts = bands(image)
    assert len(parts) == 3 and sum(p.height for p in parts) == 4000
    top = 0
    for part in parts[:-1]:
        top += part.height
        assert (top - 100) % 60 >= 30  # each cut falls between two lines, never through one
    assert bands(Image.new("RGB", (1000, 1414))) != [] and len(bands(Image.new("RGB", (1000, 1414)))) == 1


def test_unreadable_and_oversized_images_are_read_errors(monkeypatch):
    with pytest.raises(ReadError, match="not a readable image"):
        list(open_images(b"\x89PNG\r\n\x1a\n broken"))
    with pytest.raises(ReadError, match="not a readable image"):
        list(open_images(png_bytes(Image.new("RGB", (300, 300)), "JPEG")[:200]))
    monkeypatch.setattr(ocr, "MAX_PIXELS", 1_000_000)
    with pytest.raises(ReadError, match=r"image too large \(2000 × 1000 px, 2 megapixels; the limit is 1\)"):
        list(open_images(png_bytes(Image.new("RGB", (2000, 1000)))))


def test_every_frame_of_a_tiff_is_a_page():
    frames = [Image.new("RGB", (800, 1100), c) for c in ("white", "gray", "black")]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    assert [p.getpixel((5, 5)) for p in open_images(buf.getvalue())] == [(255, 255, 255), (128, 128, 128), (0, 0, 0)]


def test_a_photo_turned_by_its_exif_orientation_is_read_upright():
    image = Image.new("RGB", (1200, 800), "white")  # stored on its side
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    (page,) = open_images(buf.getvalue())
    assert page.size == (800, 1200)


@pytest.mark.ocr
@needs_font
def test_a_page_is_read_in_process_with_no_network(no_network):
    """The recogniser's models come with its wheel: reading a page opens no connection."""
    page = ocr.read_page(1, letter(["岳县交字〔2025〕12号", "全县现有停车泊位8491个。"]))
    assert [ln.text for ln in page.lines] == ["岳县交字〔2025〕12号", "全县现有停车泊位8491个。"]
    assert all(ln.score > 0.9 for ln in page.lines)
    assert page.width == ocr.SHOWN_WIDTH and Image.open(io.BytesIO(page.image)).size == (page.width, page.height)
    assert no_network == []


@pytest.mark.ocr
@needs_font
def test_the_date_under_a_seal_is_read():
    image = letter(["岳阳县交通运输局", "2025年4月21日", "承办人:张三"], seal_at=(480, 260))
    assert "2025年4月21日" in [ln.text for ln in ocr.read_page(1, image).lines]


@pytest.mark.ocr
@needs_font
def test_the_worker_process_reads_pages_and_survives_a_bad_one():
    pool = ocr.OcrPool(1)
    try:
        good = letter(["对县政协十四届四次会议第45号提案的答复"])
        pages = pool.read([(1, good), (2, Image.new("RGB", (600, 800), "white"))])
        assert [ln.text for ln in pages[0].lines] == ["对县政协十四届四次会议第45号提案的答复"]
        assert pages[1].lines == () and pages[1].number == 2
        with pytest.raises(ReadError, match="OCR failed on page 3"):
            pool.read([(3, "not an image")])
        assert pool.read([(4, good)])[0].lines  # the same worker goes on
        pool._workers[0]._proc.kill()
        assert pool.read([(5, good)])[0].lines  # a killed worker is replaced
    finally:
        pool.close()
