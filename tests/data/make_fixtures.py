"""Generate the small reading fixtures in this folder (run once; the outputs are committed).

    python tests/data/make_fixtures.py

The reply text is synthetic, written for these tests in the genre's style.
"""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent

REPLY = """关于对县十八届人大四次会议第72号建议的
答     复
岳县交字〔2025〕12号 B2类 同意公开
李明代表:
您提出的《关于改善城区停车条件的建议》已收悉。现答复如下:
一、基本情况
全县现有停车泊位8491个,其中公共停车泊位326个(小区配建8165个)。
二、下步工作
我局将新建停车场3处,预计2026年底前完工。
感谢您对交通工作的关心和支持。
岳阳县交通运输局
2025年4月21日
联系人:张三 联系电话:0730-7628035
"""

REPLY_HANT = """對縣政協十四屆四次會議第45號提案的答複
陳紅委員:
您提出的《關於加強鄉村教師培訓的建議》已收悉。現答複如下:
一、關於培訓學分的問題
中小學教師每年不少於60學分。
感謝您對教育工作的關心和支持。
嶽陽縣教育體育局
二○二五年四月二十一日
"""

# A reply long enough that a browser wraps its paragraphs, for the PDF printed by chromium.
REPLY_PRINTED = """关于对县十八届人大四次会议第72号建议的
答     复
岳县交字〔2025〕12号 B2类 同意公开
| 主办单位 | 岳阳县交通运输局 | 协办单位 | 岳阳县财政局、岳阳县公安局 |
北辛代表团李明代表:
您提出的《关于改善城区停车条件和加快建设县城公共停车场的建议》已收悉。现答复如下:
一、基本情况
全县现有停车泊位8491个,其中公共停车泊位326个,城区停车难的问题主要在老城区,我局已会同县公安局对城区主要道路的停车问题进行了专项整治。
二、下步工作
一是加快建设县城公共停车场,我局将新建停车场3处,新增停车泊位600个,预计2026年底前完工。二是规范道路停车管理,对城区主要道路的停车泊位进行统一规划,做到停车有位、管理有序。
感谢您对交通工作的关心和支持。
岳阳县交通运输局
2025年4月21日
领导签发:王大力  承办人及联系电话:张三 0730-7628035
注:B2类——所提问题已列入计划,逐步解决。
"""


def printed_html(text: str, width: str = "A5") -> str:
    """``text`` as a page a browser wraps: one pre-wrap block, on a page of the given size."""
    import html

    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>@page {{size: {width}}} '
            f'body {{font-family: "Noto Sans CJK SC"; font-size: 14px}}</style></head><body>'
            f'<pre style="white-space: pre-wrap; font-family: inherit">{html.escape(text)}</pre></body></html>')


def chromium_pdf(html_text: str, out: Path, header_footer: bool = True) -> None:
    """Print a page to PDF with Debian's chromium, as a reader saving a reply would."""
    import shutil
    import subprocess
    import tempfile

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        raise RuntimeError("chromium is not installed (apt-get install -y chromium fonts-noto-cjk)")
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "reply.html"
        page.write_text(html_text, encoding="utf-8")
        args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}"]
        args += [] if header_footer else ["--no-pdf-header-footer"]
        subprocess.run(args + [page.as_uri()], check=True, capture_output=True, timeout=120)


def paragraphs_html(text: str, title: str) -> str:
    """``text`` as a page of paragraphs in the browser's default font, on A5: the layout where fallback
    fonts draw the Latin letters of pinyin glosses."""
    import html

    body = "".join(f"<p>{html.escape(ln)}</p>" for ln in text.splitlines() if ln.strip())
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>'
            f'@page {{size: A5}} body {{font-size: 15px}}</style></head><body>{body}</body></html>')


def write_extracted_pages() -> None:
    """The text layer pypdf extracts from each sample reply printed by chromium (pre-wrapped A4 and
    paragraphs on A5), saved so the text-layer repair is tested on real extractor output without a
    browser or its fonts."""
    import json
    import tempfile

    from pypdf import PdfReader

    samples = HERE.parents[1] / "samples" / "replies"
    pages: dict[str, dict[str, list[str]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(samples.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            pages[path.name] = {}
            for layout, page in (("pre-a4", printed_html(text, "A4")), ("paragraphs-a5", paragraphs_html(text, path.stem))):
                out = Path(tmp) / f"{path.stem}-{layout}.pdf"
                chromium_pdf(page, out, header_footer=False)
                pages[path.name][layout] = [pg.extract_text() or "" for pg in PdfReader(out).pages]
    (HERE / "extracted_pages.json").write_text(json.dumps(pages, ensure_ascii=False, indent=1), encoding="utf-8")


def write_printed_pdf() -> None:
    # without the print heading and foot: their Latin glyphs would take the file past 200 KB
    chromium_pdf(printed_html(REPLY_PRINTED), HERE / "reply_printed.pdf", header_footer=False)


HTML = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>关于对县十八届人大四次会议第72号建议的答复_岳阳县人民政府</title>
<script>var tracker = "浏览量统计";</script><style>.nav{{color:red}}</style></head>
<body>
<div class="top-nav"><a href="/">首页</a> <a href="/zwgk">政务公开</a> <a href="/hdjl">互动交流</a></div>
<div class="breadcrumb">当前位置: <a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 建议提案办理</div>
<table class="xxgk-meta"><tr><td>索引号</td><td>430621/2025-00012</td><td>发布机构</td><td>岳阳县交通运输局</td></tr>
<tr><td>文号</td><td>岳县交字〔2025〕12号</td><td>发布日期</td><td>2025-05-06</td></tr></table>
<div class="article">
<h1>关于对县十八届人大四次会议第72号建议的答复</h1>
<div class="info">来源:岳阳县交通运输局 2025-05-06 <span>浏览量:128</span></div>
<div class="share">分享到: 微信 微博 QQ空间</div>
<div class="TRS_Editor" id="zoom">
<p>李明代表:</p>
<p>您提出的《关于改善城区停车条件的建议》已收悉。现答复如下:</p>
<p>一、基本情况</p>
<p>全县现有停车泊位8491个,其中公共停车泊位326个(小区配建8165个)。</p>
<p>二、下步工作</p>
<p>我局将新建停车场3处,预计2026年底前完工。</p>
<p>感谢您对交通工作的关心和支持。</p>
<p style="text-align:right">岳阳县交通运输局<br>2025年4月21日</p>
</div>
<div class="print-close">【打印】【关闭】</div>
</div>
<div class="footer">版权所有:岳阳县人民政府 湘ICP备05001234号 网站标识码4306210001</div>
</body></html>
"""


def write_text_fixtures() -> None:
    (HERE / "reply_gbk.txt").write_bytes(REPLY.encode("gbk"))
    (HERE / "reply_big5.txt").write_bytes(REPLY_HANT.encode("big5"))
    (HERE / "reply_utf8_bom.txt").write_bytes(REPLY.encode("utf-8-sig"))
    (HERE / "reply_chrome.html").write_text(HTML.format(charset="utf-8"), encoding="utf-8")
    (HERE / "reply_gb2312.htm").write_bytes(HTML.format(charset="gb2312").encode("gbk"))


def write_docx() -> None:
    import docx

    document = docx.Document()
    lines = REPLY.strip().splitlines()
    for line in lines[:-1]:
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "联系人:张三"
    table.rows[0].cells[1].text = "联系电话:0730-7628035"
    document.save(HERE / "reply.docx")


def _pdf_objects(lines: list[str]) -> list[bytes]:
    """A one-page PDF whose Type0 font maps each CID to its Unicode code point (text layer only)."""
    content = ["BT /F1 12 Tf 14 TL 40 800 Td"]
    for line in lines:
        content.append("<" + "".join(f"{ord(c):04X}" for c in line) + "> Tj T*")
    content.append("ET")
    stream = "\n".join(content).encode("ascii")
    chars = sorted({c for line in lines for c in line})
    cmap = ["/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
            "1 begincodespacerange <0000> <FFFF> endcodespacerange"]
    for i in range(0, len(chars), 100):
        block = chars[i:i + 100]
        cmap.append(f"{len(block)} beginbfchar")
        cmap += [f"<{ord(c):04X}> <{ord(c):04X}>" for c in block]
        cmap.append("endbfchar")
    cmap += ["endcmap CMapName currentdict /CMap defineresource pop end end"]
    cmap_stream = "\n".join(cmap).encode("ascii")
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong-Light /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R /DW 1000 >>",
        b"<< /Length %d >>\nstream\n" % len(cmap_stream) + cmap_stream + b"\nendstream",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 -200 1000 900] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 80 >>",
    ]


def write_pdf() -> None:
    objects = _pdf_objects(REPLY.strip().splitlines())
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    (HERE / "reply.pdf").write_bytes(bytes(out))


if __name__ == "__main__":
    write_text_fixtures()
    write_docx()
    write_pdf()
    write_printed_pdf()
    write_extracted_pages()
    print("fixtures written to", HERE.name)
