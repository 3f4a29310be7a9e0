"""Bad reply files, rebuilt from ``(seed, i)``: random bytes, broken docx and pdf, odd encodings, deep HTML.

Each kind is a function ``(rng, base) -> (suffix, bytes)``. Case ``i`` uses
kind ``KINDS[i % len(KINDS)]`` and its own ``random.Random``, so every file can
be regenerated alone. The material they start from is the repository's own:
the bundled sample replies and the small docx/pdf/html reading fixtures.
"""
from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SAMPLES = ROOT / "samples" / "replies"
READ_SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
ODD_SUFFIXES = (".TXT", ".Html", ".DOCX", ".PDF", ".md", ".htm")
BIG_BYTES = 50 * 2**20


@dataclass(frozen=True)
class Base:
    """The good material every bad file is made from."""

    texts: tuple[str, ...]
    docx: bytes
    pdf: bytes
    html: bytes


@dataclass(frozen=True)
class Case:
    """One generated file and the kind of damage it carries."""

    path: Path
    kind: str
    i: int


@lru_cache(maxsize=1)
def base() -> Base:
    texts = tuple(p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt")))
    return Base(texts, (DATA / "reply.docx").read_bytes(), (DATA / "reply.pdf").read_bytes(),
                (DATA / "reply_chrome.html").read_bytes())


# -- byte-level damage -------------------------------------------------------------------------------------
def flip(rng: random.Random, data: bytes, n: int) -> bytes:
    """``n`` random bytes replaced."""
    out = bytearray(data)
    for _ in range(n):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def splice(rng: random.Random, data: bytes) -> bytes:
    """A random stretch deleted, duplicated or overwritten with noise."""
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.randint(1, max(1, len(data) // 4)))
    how = rng.choice(("delete", "duplicate", "noise"))
    if how == "delete":
        return data[:a] + data[b:]
    if how == "duplicate":
        return data[:b] + data[a:b] + data[b:]
    return data[:a] + rng.randbytes(b - a) + data[b:]


def rezip(data: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """A zip (docx) rebuilt with each member passed through ``change`` (None drops it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = change(info.filename, src.read(info))
            if new is not None:
                dst.writestr(info.filename, new)
    return out.getvalue()


# -- the kinds ---------------------------------------------------------------------------------------------
def random_bytes(rng: random.Random, b: Base) -> tuple[str, bytes]:
    size = rng.choice((1, 2, 7, 64, 512, 4096, 65536))
    return rng.choice(READ_SUFFIXES + ODD_SUFFIXES), rng.randbytes(size)


def empty(rng: random.Random, b: Base) -> tuple[str, bytes]:
    data = rng.choice((b"", b" ", b"\n\n\n", b"\t \r\n", b"\xef\xbb\xbf", b"\xff\xfe", "\u3000\u3000".encode(),
                       b"\x00" * 16, "<html></html>".encode(), b"%PDF-1.4\n%%EOF\n"))
    return rng.choice(READ_SUFFIXES), data


def docx_damaged(rng: random.Random, b: Base) -> tuple[str, bytes]:
    how = rng.choice(("truncate", "flip", "splice", "xml_truncated", "xml_noise", "xml_missing", "types_missing",
                      "entity_bomb", "xml_deep", "not_zip"))
    doc = "word/document.xml"
    if how == "truncate":
        return ".docx", b.docx[: rng.randrange(len(b.docx))]
    if how == "flip":
        return ".docx", flip(rng, b.docx, rng.randint(1, 64))
    if how == "splice":
        return ".docx", splice(rng, b.docx)
    if how == "xml_truncated":
        return ".docx", rezip(b.docx, lambda n, d: d[: rng.randrange(len(d))] if n == doc else d)
    if how == "xml_noise":
        return ".docx", rezip(b.docx, lambda n, d: flip(rng, d, rng.randint(1, 40)) if n == doc else d)
    if how == "xml_missing":
        return ".docx", rezip(b.docx, lambda n, d: None if n == doc else d)
    if how == "types_missing":
        return ".docx", rezip(b.docx, lambda n, d: None if n == "[Content_Types].xml" else d)
    if how == "entity_bomb":
        bomb = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "答复答复答复答复">'
                + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi"))
                + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                  '<w:body><w:p><w:r><w:t>&i;</w:t></w:r></w:p></w:body></w:document>')
        return ".docx", rezip(b.docx, lambda n, d: bomb.encode() if n == doc else d)
    if how == "xml_deep":
        depth = rng.randint(300, 5000)
        deep = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                + "<w:tbl><w:tr><w:tc>" * depth + "<w:p><w:r><w:t>答复</w:t></w:r></w:p>"
                + "</w:tc></w:tr></w:tbl>" * depth + "</w:body></w:document>")
        return ".docx", rezip(b.docx, lambda n, d: deep.encode() if n == doc else d)
    return ".docx", rng.choice(b.texts).encode()[:2000]


def pdf_damaged(rng: random.Random, b: Base) -> tuple[str, bytes]:
    how = rng.choice(("truncate", "flip", "splice", "header_only", "no_xref", "huge_count", "page_loop",
                      "stream_noise", "not_pdf"))
    if how == "truncate":
        return ".pdf", b.pdf[: rng.randrange(len(b.pdf))]
    if how == "flip":
        return ".pdf", flip(rng, b.pdf, rng.randint(1, 64))
    if how == "splice":
        return ".pdf", splice(rng, b.pdf)
    if how == "header_only":
        return ".pdf", b"%PDF-1." + str(rng.randint(0, 7)).encode() + b"\n" + rng.randbytes(rng.randint(0, 64))
    if how == "no_xref":
        cut = b.pdf.rfind(b"xref")
        return ".pdf", b.pdf[:cut] if cut > 0 else b.pdf[:100]
    if how == "huge_count":
        return ".pdf", b.pdf.replace(b"/Count 1", b"/Count 999999999", 1)
    if how == "page_loop":  # the page tree points back at itself
        return ".pdf", b.pdf.replace(b"/Kids [", b"/Kids [2 0 R ", 1)
    if how == "stream_noise":
        a = b.pdf.find(b"stream")
        z = b.pdf.find(b"endstream", a)
        if a < 0 or z < 0:
            return ".pdf", flip(rng, b.pdf, 8)
        return ".pdf", b.pdf[: a + 7] + rng.randbytes(z - a - 7) + b.pdf[z:]
    return ".pdf", rng.choice(b.texts).encode("gb18030", "replace")


def wrong_extension(rng: random.Random, b: Base) -> tuple[str, bytes]:
    """Good content of one format under another format's name."""
    content = rng.choice((("docx", b.docx), ("pdf", b.pdf), ("html", b.html),
                          ("txt", rng.choice(b.texts).encode()), ("gbk", rng.choice(b.texts).encode("gb18030")),
                          ("png", b"\x89PNG\r\n\x1a\n" + rng.randbytes(256)),
                          ("zip", rezip(b.docx, lambda n, d: d if n.endswith(".xml") else None)),
                          ("gzip", b"\x1f\x8b\x08\x00" + rng.randbytes(200))))
    suffixes = [s for s in READ_SUFFIXES if s.lstrip(".") != content[0]]
    return rng.choice(suffixes), content[1]


def bad_encoding(rng: random.Random, b: Base) -> tuple[str, bytes]:
    text = rng.choice(b.texts)
    half = len(text) // 2
    how = rng.choice(("invalid_bytes", "utf8_then_gbk", "utf16_no_bom", "utf16_odd", "bom_then_gbk", "gbk_cut",
                      "lying_meta", "unknown_meta", "shift_jis", "latin1", "overlong", "surrogates", "big5_in_utf8"))
    if how == "invalid_bytes":
        raw = bytearray(text.encode())
        for _ in range(rng.randint(1, 30)):
            raw.insert(rng.randrange(len(raw)), rng.choice((0x80, 0xff, 0xc0, 0xfe, 0xed)))
        return ".txt", bytes(raw)
    if how == "utf8_then_gbk":
        return rng.choice((".txt", ".md")), text[:half].encode() + text[half:].encode("gb18030")
    if how == "utf16_no_bom":
        return ".txt", text.encode("utf-16-le")
    if how == "utf16_odd":
        return ".txt", text.encode("utf-16") + b"\x00"
    if how == "bom_then_gbk":
        return ".txt", b"\xef\xbb\xbf" + text.encode("gb18030")
    if how == "gbk_cut":
        raw = text.encode("gb18030")
        return ".txt", raw[: rng.randrange(1, len(raw))] + b"\xb4"
    if how == "lying_meta":
        return ".html", f'<html><head><meta charset="big5"></head><body><p>{text}</p></body></html>'.encode("gb18030")
    if how == "unknown_meta":
        return ".htm", f'<meta charset="x-no-such-{rng.randint(0, 99)}"><div>{text}</div>'.encode("gb18030")
    if how == "shift_jis":
        return ".txt", "回答書。第十号提案について、以下の通り回答します。".encode("shift_jis") * rng.randint(1, 20)
    if how == "latin1":
        return ".txt", ("Réponse à la proposition n°%d, café à Zürich. " % rng.randint(1, 99)).encode("latin-1") * 5
    if how == "overlong":
        return ".txt", b"\xc0\xaf\xe0\x80\xaf" * rng.randint(1, 50) + text[:100].encode()
    if how == "surrogates":
        return ".txt", text[:half].encode() + "\ud800\udfff".encode("utf-8", "surrogatepass") + text[half:].encode()
    return ".txt", text[:half].encode() + text[half:].encode("big5", "replace")


def html_nested(rng: random.Random, b: Base) -> tuple[str, bytes]:
    """Pages nested far deeper than any real one (and some just under the limit)."""
    depth = rng.choice((rng.randint(150, 250), rng.randint(300, 3000), rng.randint(10000, 30000)))
    tag = rng.choice(("div", "span", "b", "font", "p", "li", "table><tr><td", "section", "a"))
    open_, close = f"<{tag}>", "".join(f"</{t}>" for t in reversed(tag.split("><")))
    body = rng.choice(b.texts)[:500].replace("\n", "<br>")
    closing = close * depth if rng.random() < 0.5 else ""  # unclosed half the time
    return rng.choice((".html", ".htm")), f"<html><body>{open_ * depth}{body}{closing}</body></html>".encode()


def html_soup(rng: random.Random, b: Base) -> tuple[str, bytes]:
    """Tag soup: unclosed and stray tags, scripts, comments, huge attributes, chrome only."""
    words = rng.choice(b.texts).split("\n")
    pieces = []
    for _ in range(rng.randint(5, 400)):
        pieces.append(rng.choice((
            f"<{rng.choice(('div', 'p', 'td', 'tr', 'table', 'span', 'li'))}>", "</div>", "</table>", "</p>",
            rng.choice(words), f"<!-- {rng.choice(words)} -->", "<script>alert(1)</script>", "<![CDATA[x]]>",
            f'<div class="{"nav " * rng.randint(1, 3000)}">', "<style>*{color:red}</style>", "&#xD800;", "&bogus;",
            f'<div class="content" id="{"x" * rng.randint(1, 20000)}">', "<br/>" * rng.randint(1, 50), "<?php ?>")))
    return rng.choice((".html", ".htm")), "".join(pieces).encode(rng.choice(("utf-8", "gb18030")), "replace")


def bare_reply(rng: random.Random, b: Base) -> tuple[str, bytes]:
    """Replies with no sections, only a title, only a salutation, only a date, or headings and nothing else."""
    text = rng.choice(b.texts)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    choice = rng.choice((
        lines[0], lines[0] + "\n" + lines[1], "关于加强乡村教师培训的建议的答复", "答复", "一、", "一、基本情况\n二、\n三、",
        "李明代表:", "2025年4月21日", "联系人:张三 联系电话:0730-7628035", "。。。！！？？", "12345",
        "Reply to proposal No. 12: noted.", "\n".join(lines[:: max(1, len(lines) // 3)]),
        "".join(lines),  # every line run together: no line breaks at all
        "\n".join(f"{'一二三四五六七八九十'[k % 10]}、标题{k}" for k in range(rng.randint(50, 3000))),
        "答" * rng.randint(1, 50000), "(" * 2000 + "答复" + ")" * 2000, "第" + "一" * 5000 + "条"))
    return rng.choice((".txt", ".md")), choice.encode(rng.choice(("utf-8", "gb18030", "utf-8-sig")))


_NOISE = ("\u200b", "\u200f", "\u202e", "\ufeff", "\x00", "\x07", "\x1b[31m", "\u0301", "😀", "𠀀", "\ue000", "\r",
          "\u2028", "\x85", "\t", "＃", "|", "\\", "<", "&", "\ufffd", "\U0001f1e8\U0001f1f3")


def mutated_reply(rng: random.Random, b: Base) -> tuple[str, bytes]:
    """A real reply with lines dropped, shuffled or repeated, noise characters sprinkled in, or cut short."""
    lines = rng.choice(b.texts).splitlines()
    for _ in range(rng.randint(1, 6)):
        how = rng.choice(("drop", "shuffle", "repeat", "noise", "cut", "join"))
        if how == "drop" and len(lines) > 1:
            del lines[rng.randrange(len(lines))]
        elif how == "shuffle":
            rng.shuffle(lines)
        elif how == "repeat" and lines:
            k = rng.randrange(len(lines))
            lines[k:k] = [lines[k]] * rng.randint(1, 50)
        elif how == "noise" and lines:
            k = rng.randrange(len(lines))
            pos = rng.randint(0, len(lines[k]))
            lines[k] = lines[k][:pos] + rng.choice(_NOISE) * rng.randint(1, 5) + lines[k][pos:]
        elif how == "cut" and lines:
            lines = lines[: rng.randint(1, len(lines))]
        elif how == "join" and len(lines) > 2:
            k = rng.randrange(len(lines) - 1)
            lines[k:k + 2] = [lines[k] + lines[k + 1]]
    text = "\n".join(lines)
    suffix = rng.choice((".txt", ".md", ".html"))
    if suffix == ".html":
        text = "<html><body><div class='content'>" + text.replace("<", "&lt;").replace("\n", "<br>") + "</div></body></html>"
    return suffix, text.encode(rng.choice(("utf-8", "gb18030", "utf-16")), "replace")


def too_big(rng: random.Random, b: Base) -> tuple[str, bytes]:
    """A 50 MB dump: one reply repeated until the file is 50 MB."""
    unit = ("<div class='content'>" + rng.choice(b.texts).replace("\n", "<br>") + "</div>").encode()
    return ".html", (unit * (BIG_BYTES // len(unit) + 1))[:BIG_BYTES]


KINDS: dict[str, Callable[[random.Random, Base], tuple[str, bytes]]] = {
    "random": random_bytes, "empty": empty, "docx": docx_damaged, "pdf": pdf_damaged, "ext": wrong_extension,
    "encoding": bad_encoding, "html_nested": html_nested, "html_soup": html_soup, "bare": bare_reply,
    "mutated": mutated_reply,
}


def make_case(seed: int, i: int) -> tuple[str, str, bytes]:
    """(kind, file name, bytes) of case ``i`` of a seeded run."""
    kind = list(KINDS)[i % len(KINDS)]
    rng = random.Random(seed * 1_000_003 + i)
    suffix, data = KINDS[kind](rng, base())
    return kind, f"{i:04d}_{kind}{suffix}", data


def write_corpus(folder: Path, n: int, seed: int, big: bool = True) -> list[Case]:
    """Write ``n`` bad files (plus the 50 MB one when ``big``) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = []
    for i in range(n):
        kind, name, data = make_case(seed, i)
        (folder / name).write_bytes(data)
        cases.append(Case(folder / name, kind, i))
    if big:
        path = folder / f"{n:04d}_big.html"
        path.write_bytes(too_big(random.Random(seed), base())[1])
        cases.append(Case(path, "big", n))
    return cases
