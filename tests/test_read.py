"""Reading files: formats, encodings, HTML chrome, and a clear error for every unreadable file."""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict
from pathlib import Path

import pytest
from click.testing import CliRunner

from replyqa.cli import main
from replyqa.errors import ReadError
from replyqa.parse import parse_reply
from replyqa.read import decode_text, iter_files, read_document
from tests.data.make_fixtures import REPLY_PRINTED, chromium_pdf, paragraphs_html, printed_html

DATA = Path(__file__).parent / "data"
SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "replies"
BODY_LINES = ["李明代表:", "您提出的《关于改善城区停车条件的建议》已收悉。现答复如下:",
              "全县现有停车泊位8491个,其中公共停车泊位326个(小区配建8165个)。", "2025年4月21日"]


@pytest.mark.parametrize("name", ["reply_gbk.txt", "reply_utf8_bom.txt", "reply.docx", "reply.pdf",
                                  "reply_chrome.html", "reply_gb2312.htm"])
def test_each_format_reads_to_the_reply_text(name):
    doc = read_document(DATA / name)
    lines = [ln.strip() for ln in doc.text.splitlines()]
    for line in BODY_LINES:
        assert line in lines, (name, line)
    assert not doc.text.startswith("\ufeff")
    assert doc.source == str(DATA / name)


def test_big5_text_reads_as_traditional_chinese():
    doc = read_document(DATA / "reply_big5.txt")
    assert doc.text.splitlines()[:2] == ["對縣政協十四屆四次會議第45號提案的答複", "陳紅委員:"]
    assert parse_reply(doc.text, doc.source).meta.signed == "2025-04-21"


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "big5", "cp950", "utf-8"])
def test_sample_replies_decode_from_every_common_encoding(encoding):
    for path in sorted(SAMPLES.glob("*.txt"))[:6]:
        text = path.read_text(encoding="utf-8")
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            continue  # Simplified-only characters have no Big5 code
        assert decode_text(data) == text, (path.name, encoding)


@pytest.mark.parametrize("name", ["reply_chrome.html", "reply_gb2312.htm"])
def test_html_chrome_is_dropped_and_metadata_kept(name):
    text = read_document(DATA / name).text
    for chrome in ("浏览量", "首页", "当前位置", "分享到", "微博", "打印", "关闭", "版权所有", "ICP备", "tracker", "color:red"):
        assert chrome not in text, chrome
    assert "索引号 | 430621/2025-00012 | 发布机构 | 岳阳县交通运输局 |" in text
    reply = parse_reply(text, name)
    assert reply.meta.title == "关于对县十八届人大四次会议第72号建议的答复"
    assert reply.meta.doc_number == "岳县交字〔2025〕12号"
    assert reply.meta.published == "2025-05-06" and reply.meta.signed == "2025-04-21"
    assert reply.meta.addressees == ("李明代表",)


def test_docx_tables_are_flattened_with_bars():
    text = read_document(DATA / "reply.docx").text
    assert "联系人:张三 | 联系电话:0730-7628035 |" in text.splitlines()
    assert parse_reply(text, "docx").meta.contact == "张三 0730-7628035"


def _bad_files(folder: Path) -> dict[str, str]:
    """One of each kind of unreadable file, with the reason its error must give."""
    docx, pdf = (DATA / "reply.docx").read_bytes(), (DATA / "reply.pdf").read_bytes()
    files = {
        "empty.txt": (b"", "empty file"),
        "blank.md": (b"  \n\t\n", "empty file"),
        "binary.txt": (bytes(range(256)) * 4, "binary"),
        "undecodable.txt": (b"\x80\xff" * 30, "undecodable"),
        "truncated.docx": (docx[: len(docx) // 2], ".docx"),
        "notzip.docx": ("这不是一个docx文件".encode(), ".docx"),
        "truncated.pdf": (pdf[:300], "pdf"),
        "chrome_only.html": ('<html><body><div class="nav"><a href="/">首页</a></div></body></html>'.encode(), "no text"),
    }
    reasons = {}
    for name, (data, reason) in files.items():
        (folder / name).write_bytes(data)
        reasons[name] = reason
    return reasons


def test_every_kind_of_bad_file_is_a_read_error_naming_it(tmp_path):
    for name, reason in _bad_files(tmp_path).items():
        with pytest.raises(ReadError) as err:
            read_document(tmp_path / name)
        assert name in str(err.value) and reason.lower() in str(err.value).lower(), str(err.value)


def test_unsupported_and_missing_files_are_read_errors(tmp_path):
    (tmp_path / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    with pytest.raises(ReadError, match="sheet.xlsx: unsupported file type"):
        read_document(tmp_path / "sheet.xlsx")
    with pytest.raises(ReadError, match="missing.txt: cannot read"):
        read_document(tmp_path / "missing.txt")


def test_iter_files_walks_folders_recursively_skipping_hidden_and_foreign_files(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    for rel in ("z.txt", "a/y.md", "a/b/x.html", "a/b/w.pdf", "a/v.docx", "a/u.htm", "a/photo.jpg", "a/scan.TIFF",
                "a/sheet.xlsx", ".git/config.txt", "a/.hidden.txt"):
        (tmp_path / rel).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_files([tmp_path])]
    assert found == ["a/b/w.pdf", "a/b/x.html", "a/photo.jpg", "a/scan.TIFF", "a/u.htm", "a/v.docx", "a/y.md", "z.txt"]
    assert list(iter_files([tmp_path / "a" / "sheet.xlsx"])) == [tmp_path / "a" / "sheet.xlsx"]


def test_ingest_of_100_mixed_files_keeps_every_good_one_and_lists_every_bad_one(tmp_path, monkeypatch):
    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    folder = tmp_path / "archive"
    samples = sorted(SAMPLES.glob("*.txt"))
    good = []
    for i in range(60):  # distinct replies: the same sample with a different handling number
        sub = folder / f"batch{i % 3}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"good_{i:02d}.txt"
        path.write_text(samples[i % len(samples)].read_text(encoding="utf-8") + f"\n(办理编号 {i})\n", encoding="utf-8")
        good.append(path)
    bad = {}
    for k in range(5):
        sub = folder / f"bad{k}"
        sub.mkdir()
        bad.update({str(sub / name): reason for name, reason in _bad_files(sub).items()})
    assert len(good) + len(bad) == 100
    out = CliRunner().invoke(main, ["--index", str(tmp_path / "idx"), "ingest", str(folder), "--json"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.output[out.output.index("{"):])
    assert summary["added"] == 60
    failed = {f["file"]: f["reason"] for f in summary["failed"]}
    assert set(failed) == set(bad)
    for path, reason in failed.items():
        assert os.path.basename(path) in reason and bad[path].lower() in reason.lower()


def test_ingest_help_states_the_exit_code_convention():
    out = CliRunner().invoke(main, ["ingest", "--help"])
    assert "Exit code: 0 when at least one file was usable" in " ".join(out.output.split())


def test_ingest_exits_nonzero_when_every_file_failed(tmp_path, monkeypatch):
    monkeypatch.setenv("REPLYQA_EMBED_MODEL", "hash")
    folder = tmp_path / "bad"
    folder.mkdir()
    _bad_files(folder)
    out = CliRunner().invoke(main, ["--index", str(tmp_path / "idx"), "ingest", str(folder)])
    assert out.exit_code == 1
    for name in ("empty.txt", "binary.txt", "truncated.pdf", "truncated.docx", "undecodable.txt"):
        assert name in out.output
    shutil.rmtree(folder)


# -- text layers as published: a PDF printed by a browser, a DOCX -----------------------------

def same_parse(a, b, same_id: bool = True) -> None:
    """Two readings of one reply parse alike: every metadata field, the section paths, the id."""
    meta_a, meta_b = asdict(a.meta), asdict(b.meta)
    meta_a.pop("spans"), meta_b.pop("spans")
    assert meta_a == meta_b
    assert [s.path for s in a.sections] == [s.path for s in b.sections]
    assert a.reply_id == b.reply_id or not same_id


def test_a_pdf_printed_by_chromium_reads_as_the_reply_was_written():
    doc = read_document(DATA / "reply_printed.pdf")
    assert not [c for c in doc.text if "\u2e80" <= c <= "\u2fdf"]  # the raw text layer has 36 radicals
    lines = doc.text.splitlines()
    assert "全县现有停车泊位8491个,其中公共停车泊位326个,城区停车难的问题主要在老城区,我局已会同县公安局对城区主要道路的" \
           "停车问题进行了专项整治。" in lines
    assert "您提出的《关于改善城区停车条件和加快建设县城公共停车场的建议》已收悉。现答复如下:" in lines
    reply = parse_reply(doc.text, doc.source)
    same_parse(reply, parse_reply(REPLY_PRINTED, "txt"))
    meta = reply.meta
    assert (meta.signer, meta.handler, meta.phone, meta.delegation) == ("王大力", "张三", "0730-7628035", "北辛代表团")
    assert (meta.result_grade, meta.result_meaning) == ("B2", "所提问题已列入计划,逐步解决")
    assert (meta.lead_unit, meta.co_units) == ("岳阳县交通运输局", ("岳阳县财政局", "岳阳县公安局"))
    for field, start, end in meta.spans:
        assert doc.text[start:end].strip() == doc.text[start:end], field


def docx_copy(text: str, path: Path) -> Path:
    """``text`` saved as a DOCX, one paragraph a line, as an office would write it."""
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(path)
    return path


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.txt")))
def test_a_docx_copy_of_each_sample_parses_as_the_text_does(name, tmp_path):
    text = (SAMPLES / name).read_text(encoding="utf-8")
    doc = read_document(docx_copy(text, tmp_path / "reply.docx"))
    same_parse(parse_reply(doc.text, doc.source), parse_reply(text, name))


def test_radicals_in_a_docx_are_folded_with_offsets_kept(tmp_path):
    doc = read_document(docx_copy("对县⼗⼋届⼈⼤四次会议第72号建议的答复\n李明代表:\n您提出的建议已收悉。", tmp_path / "r.docx"))
    assert doc.text.splitlines()[0] == "对县十八届人大四次会议第72号建议的答复"


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium and fonts-noto-cjk")
@pytest.mark.parametrize("layout", ["pre-a4-with-print-chrome", "paragraphs-a5"])
def test_pdf_copies_printed_by_chromium_parse_as_the_text_does(layout, tmp_path):
    """Each sample printed as a browser prints it: wrapped lines, radicals, spaced Latin runs, print chrome."""
    for path in sorted(SAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        page = paragraphs_html(text, path.stem) if layout == "paragraphs-a5" else printed_html(text, "A4")
        out = tmp_path / f"{path.stem}.pdf"
        chromium_pdf(page, out, header_footer=layout != "paragraphs-a5")
        doc = read_document(out)
        # the id may differ: a font may draw a bullet "•" with the glyph it names "·"
        same_parse(parse_reply(doc.text, doc.source), parse_reply(text, path.name), same_id=False)


def _answered(index, question: str) -> tuple:
    """What a reader sees of an answer: refused or not, its text and its quotes (the reply ids may differ)."""
    from replyqa.answer import Answerer

    answer = Answerer(index).ask(question)
    return answer.refused, answer.text, [c.quote for c in answer.citations]


@pytest.mark.browser
@pytest.mark.model
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium and fonts-noto-cjk")
def test_the_sample_questions_asked_of_a_pdf_copy_get_the_answers_of_the_text(sample_index, real_embedder, tmp_path):
    """The archive saved as PDF (each reply printed as the parse test prints it) answers every sample
    question with the very text and quotes the .txt files give."""
    from replyqa.ingest import ingest
    from replyqa.settings import Settings
    from replyqa.store import Index

    copies = tmp_path / "pdf"
    copies.mkdir()
    for path in sorted(SAMPLES.glob("*.txt")):
        chromium_pdf(printed_html(path.read_text(encoding="utf-8"), "A4"), copies / f"{path.stem}.pdf")
    index = Index(tmp_path / "index", real_embedder, Settings(index=str(tmp_path / "index")))
    ingest(index, [copies], progress=False)
    questions = [json.loads(line) for line in (SAMPLES.parents[1] / "eval" / "questions.jsonl").open(encoding="utf-8")]
    assert len(questions) == 54
    for row in questions:
        assert _answered(index, row["question"]) == _answered(sample_index, row["question"]), row["id"]
