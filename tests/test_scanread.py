"""Scanned replies read as their text is: image-only PDFs, photos with a seal, clean images, mixed PDFs,
and bad scans refused with a clear reason while the rest of an ingest goes on."""
from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from replyqa.errors import ReadError
from replyqa.evaluate.scans import STYLES, char_error_rate, scan_copy
from replyqa.normalise import match_key
from replyqa.parse import parse_reply
from replyqa.read import read_document
from tests.test_ocr import FONT, needs_font

pytestmark = [pytest.mark.ocr, needs_font]

DATA = Path(__file__).parent / "data"
SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "replies"
# a short Simplified reply with a document number and a Traditional one with pinyin glosses
REPLIES = ("040_pingjiangxian-jiaotong-rd82-cunji-gonglu.txt", "016_xianjuxian-minzheng-rd005-baita-kangyang-fanti.txt")


def brackets_folded(number: str) -> str:
    return re.sub(r"[\[(（【]", "〔", re.sub(r"[\])）】]", "〕", number))


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", REPLIES)
def test_a_scanned_copy_parses_as_the_text_does(name, style, tmp_path):
    text = (SAMPLES / name).read_text(encoding="utf-8")
    doc = read_document(scan_copy(text, tmp_path / Path(name).stem, style, seed=7))
    assert char_error_rate(text, doc.text) <= 0.05  # one copy; the evaluation's target (0.02) is on the mean
    scanned, typed = parse_reply(doc.text, doc.source).meta, parse_reply(text, name).meta
    assert brackets_folded(scanned.doc_number) == brackets_folded(typed.doc_number)
    assert (scanned.signed, scanned.published) == (typed.signed, typed.published)
    # names as matching sees them: a blurred photo may leave a character in the other script
    assert [match_key(getattr(scanned, f)) for f in ("office", "proposal_title", "handler", "phone")] == \
        [match_key(getattr(typed, f)) for f in ("office", "proposal_title", "handler", "phone")]
    assert doc.scan is not None and 0.9 < doc.scan.confidence <= 1
    for ln in doc.scan.lines:  # every line is a slice of the text and lies on its page
        assert doc.text[ln.start:ln.end].strip() and 0 <= ln.page < len(doc.scan.pages)
        page = doc.scan.pages[ln.page]
        assert all(-5 <= x <= page.width + 5 for x in ln.box[::2]) and all(-5 <= y <= page.height + 5 for y in ln.box[1::2])


def test_a_pdf_with_a_scanned_page_after_a_text_page_reads_both_in_order(tmp_path):
    from pypdf import PdfReader, PdfWriter

    scan = io.BytesIO()
    page = Image.new("RGB", (1654, 2339), "white")
    ImageDraw.Draw(page).text((200, 300), "附件:停车场建设计划表", fill="black", font=ImageFont.truetype(FONT, 48))
    page.save(scan, "PDF", resolution=200)
    writer = PdfWriter()
    for part in (PdfReader(DATA / "reply.pdf"), PdfReader(io.BytesIO(scan.getvalue()))):
        for p in part.pages:
            writer.add_page(p)
    path = tmp_path / "mixed.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    doc = read_document(path)
    typed = read_document(DATA / "reply.pdf").text
    assert doc.text == typed + "\n附件:停车场建设计划表"
    assert [p.number for p in doc.scan.pages] == [2]
    (line,) = doc.scan.lines
    assert (line.page, doc.text[line.start:line.end]) == (0, "附件:停车场建设计划表")


def bad_scans(folder: Path) -> dict[str, str]:
    """Scans that hold no reply, each with the reason its reading must give."""
    Image.new("RGB", (1654, 2339), "white").save(folder / "blank.png")
    noise = np.random.default_rng(7).integers(0, 255, (1200, 1600, 3), dtype=np.uint8)
    Image.fromarray(noise).filter(__import__("PIL.ImageFilter").ImageFilter.GaussianBlur(3)).save(folder / "nothing.jpg")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n%%EOF")
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    return {"blank.png": "no text found on the scanned page", "nothing.jpg": "no text found on the scanned page",
            "broken.pdf": "not a readable .pdf|the PDF has no pages", "broken.png": "not a readable image"}


def test_bad_scans_are_refused_with_their_reason(tmp_path):
    for name, reason in bad_scans(tmp_path).items():
        with pytest.raises(ReadError, match=reason):
            read_document(tmp_path / name)


def test_a_fifty_megapixel_photo_is_read(tmp_path):
    photo = Image.new("RGB", (8660, 5774), (240, 238, 230))
    ImageDraw.Draw(photo).text((600, 1500), "岳县交字〔2025〕12号 关于停车场建设的答复", fill=(15, 15, 15),
                               font=ImageFont.truetype(FONT, 260))
    photo.save(tmp_path / "big.jpg", quality=85)
    assert "岳县交字〔2025〕12号" in read_document(tmp_path / "big.jpg").text


def test_an_ingest_keeps_the_good_files_and_lists_each_bad_scan(tmp_path, monkeypatch):
    from replyqa.ingest import ingest
    from replyqa.settings import Settings
    from replyqa.store import open_index

    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    folder = tmp_path / "in"
    folder.mkdir()
    reasons = bad_scans(folder)
    text = (SAMPLES / REPLIES[0]).read_text(encoding="utf-8")
    scan_copy(text, folder / "good", "png", seed=7)
    (folder / "typed.txt").write_text((SAMPLES / REPLIES[1]).read_text(encoding="utf-8"), encoding="utf-8")
    index = open_index(Settings(index=str(tmp_path / "index")))
    report = ingest(index, [folder], progress=False)
    assert sorted(Path(p).name for p in report.added) == ["good.png", "typed.txt"]
    assert sorted(Path(f).name for f, _ in report.failed) == sorted(reasons)
    for f, message in report.failed:
        assert re.search(reasons[Path(f).name], message) and "Traceback" not in message
    (good,) = [r for r in index.replies() if r.source.endswith("good.png")]
    scan = index.scan(good.reply_id)
    assert [s for s, _ in report.scanned] == [good.source] and scan.confidence == report.scanned[0][1]
    assert scan.pages and scan.pages[0].image[:2] == b"\xff\xd8"  # the page kept to show, as JPEG
    assert index.scan(next(r.reply_id for r in index.replies() if r.source.endswith(".txt"))) is None
