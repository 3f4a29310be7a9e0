"""Synthetic scanned copies (replyqa.evaluate.scans): layout, the three styles, and the OCR score."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from replyqa.evaluate import scans
from replyqa.evaluate.scans import char_error_rate, levenshtein


def _has_cjk_font() -> bool:
    try:
        scans.find_font()
    except RuntimeError:
        return False
    return True


needs_font = pytest.mark.skipif(not _has_cjk_font(), reason="fc-match finds no Noto CJK font (fonts-noto-cjk)")

SENTENCE = "为满足白塔区域养老需求，我局谋划包装了乡镇养老服务中心新建项目（二期），占地面积约6840平方米。"
LETTER = "\n".join([
    "仙居县民政局关于县十七届人大三次会议第005号建议答复的函",
    "",
    "王智慧代表：",
    *[SENTENCE * 6] * 10,
    "感谢你对仙居县民政局工作的关心和支持！",
    "仙居县民政局",
    "2024年7月31日",
])
SHORT = "关于建议的答复\n王代表：\n" + SENTENCE * 3 + "\n仙居县民政局\n2024年7月31日"


@pytest.fixture(scope="module")
def font():
    return scans._load_font(None, scans.FONT_PX)


@needs_font
def test_a_long_letter_wraps_onto_several_lines_and_pages(font):
    assert 2800 <= len(LETTER) <= 3300
    lines = scans.layout(LETTER, font)
    pages = scans.render_pages(LETTER)
    assert len(pages) >= 3
    assert all(p.size == (scans.PAGE_W, scans.PAGE_H) and p.mode == "RGB" for p in pages)
    assert len(pages) == max(ln.page for ln in lines) + 1
    body = [ln for ln in lines if ln.kind == "body"]
    assert len(body) > 10 * 6  # every paragraph of six sentences takes several lines
    # Lines fill the text width (punctuation may hang one character into the margin) and no text is lost.
    assert all(ln.x + ln.width <= scans.PAGE_W - scans.MARGIN + scans.FONT_PX for ln in lines)
    assert "".join(ln.text for ln in lines) == "".join(LETTER.split())
    assert all(scans.MARGIN <= ln.y <= scans.PAGE_H - scans.MARGIN - scans.LINE_H for ln in lines)


@needs_font
def test_paragraph_kinds_indent_and_alignment(font):
    lines = scans.layout(LETTER, font)
    by_text = {ln.text: ln for ln in lines}
    assert lines[0].kind == "title" and lines[0].x > scans.MARGIN  # centred
    assert by_text["王智慧代表："].kind == "salutation" and by_text["王智慧代表："].x == scans.MARGIN
    first_body = next(ln for ln in lines if ln.kind == "body")
    assert first_body.x == scans.MARGIN + round(2 * font.getlength("中"))
    thanks = by_text["感谢你对仙居县民政局工作的关心和支持！"]
    assert thanks.kind == "body"  # a sentence before the signature block is not part of it
    for text in ("仙居县民政局", "2024年7月31日"):
        ln = by_text[text]
        assert ln.kind == "signature" and ln.x + ln.width == scans.PAGE_W - scans.MARGIN


@needs_font
def test_wrap_keeps_ascii_runs_whole_and_drops_edge_spaces(font):
    paragraph = "  " + "建设项目编号ABC2024-0731XYZ及联系电话13968566842等信息" * 4 + "  "
    lines = scans.wrap(paragraph.strip(), font, 600)
    assert len(lines) > 3
    joined = "\n".join(lines)
    assert joined.count("ABC2024-0731XYZ") == 4 and joined.count("13968566842") == 4
    assert all(line == line.strip() for line in lines)
    assert not any(line[0] in "，。、）" for line in lines)


@needs_font
def test_pdf_is_image_only(tmp_path: Path):
    pdfium = pytest.importorskip("pypdfium2")
    pypdf = pytest.importorskip("pypdf")
    path = scans.scan_copy(LETTER, tmp_path / "letter", "pdf", seed=1)
    assert path == tmp_path / "letter.pdf"
    doc = pdfium.PdfDocument(str(path))
    assert len(doc) == len(scans.render_pages(LETTER)) >= 1
    doc.close()
    reader = pypdf.PdfReader(str(path))
    assert "".join((page.extract_text() or "").strip() for page in reader.pages) == ""


@needs_font
@pytest.mark.parametrize("style", ["jpg", "png"])
def test_images_stack_the_pages(tmp_path: Path, style: str):
    path = scans.scan_copy(SHORT, tmp_path / "short", style, seed=2)
    assert path.suffix == "." + style
    with Image.open(path) as im:
        im.load()
        assert im.format == {"jpg": "JPEG", "png": "PNG"}[style]
        assert im.size == (scans.PAGE_W, scans.PAGE_H * len(scans.render_pages(SHORT)))


@needs_font
def test_the_same_seed_gives_the_same_photo(tmp_path: Path):
    a = scans.scan_copy(SHORT, tmp_path / "a", "jpg", seed=5).read_bytes()
    b = scans.scan_copy(SHORT, tmp_path / "b", "jpg", seed=5).read_bytes()
    c = scans.scan_copy(SHORT, tmp_path / "c", "jpg", seed=6).read_bytes()
    assert a == b != c


@needs_font
def test_the_photo_has_a_red_seal_over_the_signature(tmp_path: Path, font):
    with Image.open(scans.scan_copy(SHORT, tmp_path / "s", "jpg", seed=3)) as im:
        rgb = im.convert("RGB")
    sig = [ln for ln in scans.layout(SHORT, font) if ln.kind == "signature"]
    box = (sig[0].x - 150, sig[0].y - 150, scans.PAGE_W - scans.MARGIN + 100, sig[-1].y + 200)

    def reds(region: tuple[int, int, int, int]) -> int:
        r, g, b = np.asarray(rgb.crop(region), np.int16).transpose(2, 0, 1)
        return int(((r > 150) & (r - g > 60) & (r - b > 50)).sum())

    assert reds(box) > 3000 and reds((0, 0, 600, 600)) == 0


def test_office_name_for_the_seal():
    assert scans.office_name(SHORT) == "仙居县民政局"
    assert scans.office_name("鎮(zhèn)康縣交通運(yùn)輸局关于…\n正文") == "鎮康縣交通運輸局"
    assert scans.office_name("来源：宁陕县交通运输局\n正文。") == "宁陕县交通运输局"
    assert scans.office_name("没有机关名称。") == "公文专用章"


@needs_font
def test_scan_copies_writes_one_folder_per_style(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(SHORT, encoding="utf-8")
    (src / "b.txt").write_text("答复\n" + SENTENCE, encoding="utf-8")
    (src / "notes.md").write_text("ignored", encoding="utf-8")
    written = scans.scan_copies(src, tmp_path / "out", styles=("png",), progress=False)
    assert written == {"png": [tmp_path / "out" / "png" / "a.png", tmp_path / "out" / "png" / "b.png"]}
    assert scans.main([str(src), str(tmp_path / "cli"), "--styles", "png", "--seed", "7"]) == 0
    assert sorted(p.name for p in (tmp_path / "cli" / "png").iterdir()) == ["a.png", "b.png"]


def test_unknown_style_is_refused(tmp_path: Path):
    with pytest.raises(ValueError):
        scans.scan_copy("文字", tmp_path / "x", "tiff")


def test_char_error_rate_basics():
    assert char_error_rate("仙居县民政局关于建议的答复", "仙居县民政局关于建议的答复") == 0.0
    assert char_error_rate("你好，世界！ 2024年", "你好世界\n２０２４年。") == 0.0  # punctuation, spaces, width
    assert char_error_rate("一二三四五六七八九十", "一二三四五六七八九千") == pytest.approx(0.1)
    assert char_error_rate("一二三四五六七八九十", "") == 1.0
    assert char_error_rate("", "") == 0.0


def _dp(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def test_levenshtein_matches_the_textbook_table():
    rng = random.Random(0)
    for _ in range(300):
        a = "".join(rng.choice("甲乙丙a1") for _ in range(rng.randint(0, 40)))
        b = "".join(rng.choice("甲乙丙a1") for _ in range(rng.randint(0, 40)))
        assert levenshtein(a, b) == _dp(a, b)
