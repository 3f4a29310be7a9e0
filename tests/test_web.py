"""The web app's pieces: escaping, rendering, questions, export, feedback, the app's endpoints."""
from __future__ import annotations

import json
import re

import pytest

from replyqa.ingest import ingest
from replyqa.label import reply_label
from replyqa.records import Reply, ReplyMeta, Section
from replyqa.web import build_app
from replyqa.web import render
from replyqa.web.chat_tab import FeedbackLog, check_question, export_markdown, liked_value, turn_for_message

EVIL = "关于<script>alert('x')</script>的答复\n张三委员:\n您提出的建议收悉。一、已办理<img src=x onerror=alert(1)>。{{7*7}} ${1+1} $x$"


def make_reply(text: str = EVIL) -> Reply:
    sections = (Section("abc12345", ("header",), 0, 20), Section("abc12345", ("一、已办理",), 20, len(text)))
    return Reply("abc12345", "<b>标题</b>", ReplyMeta(office="某局<i>", doc_number="某发〔2024〕1号"), text, "/x/evil.txt",
                 sections)


def test_esc_makes_html_markdown_and_templates_inert():
    out = render.esc(EVIL)
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;" in out
    assert "{{" not in out and "${" not in out and "$x$" not in out
    assert "\n" not in out and "<br>" in out


def test_full_reply_marks_exactly_the_quote_and_escapes_everything():
    reply = make_reply()
    start = reply.text.index("您提出")
    end = reply.text.index("。", start) + 1
    page = render.reply_html(reply, "zh", start, end)
    marked = re.search(r'<mark class="rq-mark rq-hit">(.*?)</mark>', page).group(1)
    assert marked == render.esc(reply.text[start:end])
    assert "<script>" not in page and "<img" not in page and "<b>" not in page and "<i>" not in page
    assert "文首信息" in page  # the parser's "header" part gets a readable name in the outline
    assert "某发〔2024〕1号" in page


def test_full_reply_of_an_unknown_id_says_so():
    assert render.esc("档案中没有这份答复。") in render.reply_html(None, "zh")


def test_answer_markers_link_to_their_citation():
    data = {"answer": "据答复：“不少于60学分”[1]", "refused": False,
            "citations": [{"n": 1, "reply_id": "abc12345", "start": 3, "end": 9}]}
    html = render.answer_html(data, "zh", {})
    assert '<a class="rq-open rq-marker" href="?reply=abc12345&amp;s=3&amp;e=9">[1]</a>' in html


def test_the_answer_span_is_bold_in_the_answer_and_its_source_card():
    quote = "原则上每年不少于60学分。"
    text = "第一句话。" + quote + "第三句。"
    start = text.index(quote)
    span = [text.index("原则上"), text.index("分。") + 1]
    c = {"n": 1, "reply_id": "abc12345", "quote": quote, "start": start, "end": start + len(quote),
         "answer_span": span}
    data = {"answer": f"据答复：原则上每年不少于60学分。“{quote}”[1]", "refused": False, "citations": [c]}
    html = render.answer_html(data, "zh", {})
    # the quote's span, not the lead's copy of the figure, is bolded; the marker still links
    assert html.count('<strong class="rq-span">') == 1
    assert '“<strong class="rq-span">原则上每年不少于60学分</strong>。”' in html
    assert 'rq-marker" href="?reply=abc12345&amp;s=5&amp;e=18">[1]</a>' in html
    card = render.passage_html(text, c["start"], c["end"], span=span)
    assert '<mark class="rq-mark"><strong class="rq-span">原则上每年不少于60学分</strong>。</mark>' in card


def test_an_answer_span_outside_its_quote_or_absent_is_not_shown():
    quote = "<b>每年60学分</b>"
    data = {"answer": f"“{quote}”[1]", "refused": False,
            "citations": [{"n": 1, "reply_id": "abc12345", "quote": quote, "start": 0, "end": len(quote),
                           "answer_span": [5, 99]}]}
    html = render.answer_html(data, "zh", {})
    assert "rq-span" not in html and "<b>" not in html
    data["citations"][0]["answer_span"] = None
    assert "rq-span" not in render.answer_html(data, "zh", {})
    assert render.bolded("a<b>c", 10, [11, 12]) == 'a<strong class="rq-span">&lt;</strong>b&gt;c'


def test_refusal_lists_related_replies_as_links_named_by_their_labels():
    data = {"answer": "档案中的答复没有回答这个问题。", "refused": True, "citations": [],
            "related": [{"reply_id": "abc12345", "title": "", "doc_number": "", "date": "2024-01-02",
                         "source": "/srv/corpus/107_x.txt"},
                        {"reply_id": "defcb8a2c52c5924", "title": "", "doc_number": "", "date": "",
                         "source": "/srv/corpus/108_y.txt"}]}
    html = render.answer_html(data, "zh", {"abc12345": "关于《<关于停车>》的答复"})
    assert "rq-refused" in html and "?reply=abc12345" in html and "关于《&lt;关于停车&gt;》的答复" in html
    assert "档案中没有这份答复。" in html  # a reply removed since is said to be missing
    names = re.findall(r'<a class="rq-open"[^>]*>(.*?)</a>', html)
    assert not any("corpus" in n or "defcb8a2c52c5924" in n for n in names)


def test_reply_labels_name_cited_and_related_replies(small_index):
    rid, other = [r.reply_id for r in small_index.replies()][:2]
    data = {"citations": [{"reply_id": rid}], "related": [{"reply_id": other}, {"reply_id": "0" * 16}]}
    labels = render.reply_labels(small_index, data)
    assert set(labels) == {rid, other}
    assert labels[rid] == reply_label(small_index.reply(rid))


def test_passage_context_keeps_the_quote_whole():
    text = "第一句话。第二句说明了事实，原则上每年不少于60学分。第三句。"
    start = text.index("原则上")
    end = text.index("分。") + 2
    html = render.passage_html(text, start, end)
    assert '<mark class="rq-mark">原则上每年不少于60学分。</mark>' in html
    assert html.startswith("…第二句说明了事实")


def test_questions_too_long_or_empty_get_a_message():
    assert check_question("  ", "zh")[1] == "请输入一个问题。"
    q, problem = check_question("长" * 2001, "en")
    assert q == "" and "2001" in problem and "2000" in problem
    assert check_question(" 多少学分？ ", "zh") == ("多少学分？", "")


def turn(question="多少学分？"):
    return {"question": question, "messages": [1, 2], "labels": {"abc12345": "关于教师培训的答复"},
            "data": {"answer": "“每年不少于60学分”[1]", "refused": False, "related": [],
                     "citations": [{"n": 1, "reply_id": "abc12345", "title": "答复", "office": "教育局",
                                    "doc_number": "某发〔2024〕1号", "date": "2024-04-21", "section": ["三、培训"],
                                    "quote": "每年不少于60学分", "start": 10, "end": 19}]}}


def test_export_is_markdown_with_the_citations():
    md = export_markdown([turn()])
    assert "## 1. 多少学分？" in md
    assert "[1] 关于教师培训的答复 (教育局 · 某发〔2024〕1号 · 2024-04-21), 三、培训" in md
    assert "> 每年不少于60学分" in md


def test_export_names_related_replies_by_label_never_by_path():
    refused = {"question": "停车？", "messages": [1], "labels": {"r1": "关于《停车》的答复"},
               "data": {"answer": "档案中的答复没有回答这个问题。", "refused": True, "citations": [],
                        "related": [{"reply_id": "r1", "title": "", "doc_number": "", "source": "/srv/corpus/1.txt"},
                                    {"reply_id": "r2", "title": "", "doc_number": "某发〔2024〕2号",
                                     "source": "/srv/corpus/2.txt"}]}}
    md = export_markdown([refused])
    assert "- 关于《停车》的答复" in md and "- This reply is not in the archive. 某发〔2024〕2号" in md
    assert "corpus" not in md


def test_feedback_is_appended_as_jsonl(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    log.record(True, turn())
    log.record(False, turn("第二个问题"))
    lines = [json.loads(x) for x in (tmp_path / "feedback.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(x["liked"], x["question"]) for x in lines] == [(True, "多少学分？"), (False, "第二个问题")]
    assert lines[0]["citations"][0]["quote"] == "每年不少于60学分"


def test_likes_map_to_the_turn_that_holds_the_message():
    turns = [turn(), {**turn("后来"), "messages": [4]}]
    assert turn_for_message(turns, 2)["question"] == "多少学分？"
    assert turn_for_message(turns, 4)["question"] == "后来"
    assert turn_for_message(turns, 3) is None
    assert (liked_value("Like"), liked_value("Dislike"), liked_value(False), liked_value("?")) == (True, False, False, None)


@pytest.fixture
def small_index(fake_index, samples, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for f in sorted(samples.glob("*.txt"))[:3]:
        (folder / f.name).write_bytes(f.read_bytes())
    ingest(fake_index, [folder], progress=False)
    return fake_index


def elem_ids(app) -> set[str]:
    return {b.elem_id for b in app.blocks.values() if getattr(b, "elem_id", None)}


def test_app_has_named_endpoints_and_no_administration_without_a_password(small_index):
    app = build_app(small_index)
    names = {fn.api_name for fn in app.fns.values() if fn.api_visibility == "public"}
    assert {"ask", "chat", "precedents", "precedent", "archive"} <= names
    assert not {"read_upload", "show"} & names  # the box's helpers are not public API
    ids = elem_ids(app)
    assert "rq-admin-disabled" in ids and "rq-admin-password" not in ids


def test_app_with_a_password_offers_administration(small_index):
    from dataclasses import replace

    app = build_app(small_index, replace(small_index.settings, admin_password="s3cret"))
    ids = elem_ids(app)
    assert {"rq-admin-password", "rq-admin-files", "rq-admin-remove", "rq-admin-rebuild"} <= ids
    assert not any(fn.api_visibility == "public" and fn.api_name and "admin" in fn.api_name for fn in app.fns.values())


def test_archive_filters_and_counts(small_index):
    from replyqa.filters import Filters
    from replyqa.web.archive import counts, matching

    everything = matching(small_index, "", None)
    assert len(everything) == 3
    dates = [r.meta.date for r in everything]
    assert dates == sorted(dates, reverse=True)  # newest first
    office = everything[0].meta.office
    assert [r.meta.office for r in matching(small_index, office, None)] == [office]
    years, offices = counts(everything, "en")
    assert years["count"].sum() == 3 and offices["count"].sum() == 3
    year = int(dates[0][:4])
    assert all(r.meta.date >= f"{year}" for r in matching(small_index, "", Filters(year_from=year)))


def test_lone_surrogates_are_dropped_from_questions():
    assert check_question("多少\ud800学分？", "zh") == ("多少学分？", "")
    assert check_question("\udfff", "en")[1] == "Please type a question."


def test_chat_shows_searching_then_the_whole_answer_at_once(small_index):
    app = build_app(small_index)
    respond = next(fn.fn for fn in app.fns.values() if fn.api_name == "chat")
    # the handler updates one message list in place: copy what each step showed
    steps = [(list(step[0]), *step[1:]) for step in respond("道路硬化什么时候完工？", [], None, [], "zh")]
    assert len(steps) == 2  # no typing effect: the pending line, then the finished answer
    pending, final = steps[0][0][-1]["content"], steps[-1][0]
    assert pending == render.pending_html("zh") and "正在检索答复" in pending
    answer = next(m["content"] for m in final if "rq-answer" in m["content"])
    assert "rq-done" in answer and "rq-pending" not in "".join(m["content"] for m in final)
    turn_ = steps[-1][3][-1]
    ids = {c["reply_id"] for c in turn_["data"]["citations"]} | {r["reply_id"] for r in turn_["data"]["related"]}
    assert turn_["labels"] == {rid: reply_label(small_index.reply(rid)) for rid in ids}


def test_archive_and_desk_rows_name_replies_by_label(small_index):
    from replyqa.retrieve import HybridRetriever
    from replyqa.web.archive import archive_rows, matching
    from replyqa.web.desk import precedent_rows

    replies = matching(small_index, "", None)
    assert [row[0] for row in archive_rows(replies)] == [reply_label(r) for r in replies]
    untitled = next(r for r in replies if not r.meta.title)  # sample 008 has no title line
    assert reply_label(untitled).startswith("關於《")
    hits = HybridRetriever(small_index).by_reply("道路硬化", k=3)
    assert [row[0] for row in precedent_rows(small_index, hits)] == [
        reply_label(small_index.reply(h.chunk.reply_id)) for h in hits]


# the samples that state a lead unit, co-units or a result grade, and two that state none
HANDLED_SAMPLES = ("000", "004", "016", "020", "028", "040", "044")


@pytest.fixture
def handled_index(fake_index, samples, tmp_path):
    folder = tmp_path / "handled"
    folder.mkdir()
    for f in sorted(samples.glob("*.txt")):
        if f.name[:3] in HANDLED_SAMPLES:
            (folder / f.name).write_bytes(f.read_bytes())
    ingest(fake_index, [folder], progress=False)
    return fake_index


def _column(keys, rows, key):
    return [row[keys.index(key)] for row in rows]


def test_desk_rows_carry_lead_unit_co_units_and_result_grade(handled_index):
    from replyqa.retrieve import HybridRetriever
    from replyqa.web.desk import DESK_COLUMNS, make_filters, precedent_rows

    hits = HybridRetriever(handled_index).by_reply("答复", k=20)
    rows = precedent_rows(handled_index, hits)
    metas = [handled_index.reply(h.chunk.reply_id).meta for h in hits]
    assert len(rows) == len(HANDLED_SAMPLES)
    assert _column(DESK_COLUMNS, rows, "f_result_grade") == [m.result_grade for m in metas]
    assert _column(DESK_COLUMNS, rows, "f_lead_unit") == [m.lead_unit for m in metas]
    assert _column(DESK_COLUMNS, rows, "f_co_units") == ["、".join(m.co_units) for m in metas]
    assert "教育部、住房城乡建设部" in _column(DESK_COLUMNS, rows, "f_co_units")  # sample 044
    # the older columns keep their places
    assert DESK_COLUMNS[4:6] == ("f_office", "f_date") and DESK_COLUMNS[-2:] == ("f_score", "f_passage")
    graded = HybridRetriever(handled_index).by_reply("答复", k=20, filters=make_filters("", "", "", "", "", "", "", "B"))
    assert {handled_index.reply(h.chunk.reply_id).meta.result_grade for h in graded} == {"B"} and len(graded) == 2
    led = HybridRetriever(handled_index).by_reply("答复", k=20, filters=make_filters("", "", "", "", "", "", "省教育厅", ""))
    assert [handled_index.reply(h.chunk.reply_id).meta.lead_unit for h in led] == ["省教育厅"]


def test_archive_rows_columns_and_counts_by_result_grade(handled_index):
    from replyqa.filters import Filters
    from replyqa.web.archive import ARCHIVE_COLUMNS, archive_rows, grade_counts, matching

    everything = matching(handled_index, "", None)
    rows = archive_rows(everything)
    assert _column(ARCHIVE_COLUMNS, rows, "f_result_grade") == [r.meta.result_grade for r in everything]
    assert _column(ARCHIVE_COLUMNS, rows, "f_lead_unit") == [r.meta.lead_unit for r in everything]
    assert _column(ARCHIVE_COLUMNS, rows, "f_co_units") == ["、".join(r.meta.co_units) for r in everything]
    grades = dict(zip(*grade_counts(everything, "zh").to_dict("list").values()))
    assert grades == {"A1": 1, "B": 2, "未注明": 4}
    assert dict(zip(*grade_counts(everything, "en").to_dict("list").values()))["not stated"] == 4
    assert {r.meta.result_grade for r in matching(handled_index, "", Filters(result_grade="B"))} == {"B"}
    assert [r.meta.lead_unit for r in matching(handled_index, "", Filters(lead_unit="縣民政局"))] == ["縣民政局"]


def test_desk_and_archive_endpoints_filter_and_label_the_new_columns(handled_index):
    app = build_app(handled_index)
    fns = {fn.api_name: fn.fn for fn in app.fns.values() if fn.api_name}
    table, keep, note, chips, _state = fns["precedents"]("答复", "", "", "", "", "", "", "", "B", "zh")
    assert {"主办单位", "协办单位", "办理结果"} <= set(table.columns) and len(keep) == 2 and not note and not chips
    assert set(table["办理结果"]) == {"B"}
    table, ids, summary, _years, _offices, grades = fns["archive"]("", "", "", "", "", "", "", "省教育厅", "", "en")
    assert {"Lead unit", "Co-handling units", "Result grade"} <= set(table.columns)
    assert list(table["Lead unit"]) == ["省教育厅"] and len(ids) == 1 and summary == "1 replies"
    assert grades["value"].to_dict("list") == {"grade": ["not stated"], "count": [1]}


def test_the_desk_pre_fills_the_filters_a_question_names_and_keeps_a_removed_one_off(fake_index, samples, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for f in sorted(samples.glob("*.txt")):
        (folder / f.name).write_bytes(f.read_bytes())
    ingest(fake_index, [folder], progress=False)
    fns = {fn.api_name: fn.fn for fn in build_app(fake_index).fns.values() if fn.api_name}
    form = ("", "", "", "", "", "", "", "")
    question = "2021年政协关于全民健身的提案"

    def rows(table):
        return set(zip(table["日期"].str[:4], table["提出机关"]))

    table, keep, note, chips, state = fns["precedents"](question, *form, "zh")
    assert rows(table) == {("2021", "政协")} and len(keep) == 1
    assert "根据您的问题自动添加的筛选" in chips and 'data-chip="year:2021"' in chips and 'data-chip="body:政协"' in chips
    assert state == {"query": question, "removed": []}
    # the desk remembers a chip taken off (the chip row's click does this) while the question stays the same
    state = {"query": question, "removed": ["year:2021"]}
    table, keep, _, chips, state = fns["precedents"](question, *form, "zh", True, state)
    assert len(keep) > 1 and {b for _, b in rows(table)} == {"政协"} and "rq-chip-off" in chips
    assert state["removed"] == ["year:2021"]
    table, keep, _, chips, state = fns["precedents"]("2021年政协关于全民健身设施的提案", *form, "zh", True, state)
    assert rows(table) == {("2021", "政协")} and state["removed"] == [] and "rq-chip-off" not in chips
    # the box beside the button turns the pre-fill off; a hand-set filter wins over a chip
    table, keep, _, chips, _ = fns["precedents"](question, *form, "zh", False, None)
    assert len({b for _, b in rows(table)}) == 2 and chips == ""
    table, keep, _, chips, _ = fns["precedents"](question, "", "", "人大", *form[3:], "zh")
    assert {b for _, b in rows(table)} == {"人大"} and 'data-chip="body:政协"' not in chips
    # a year the archive has no reply from: nothing, and the notice points at the chips
    table, keep, note, chips, _ = fns["precedents"]("2030年政协关于全民健身的提案", *form, "en")
    assert keep == [] and "Remove a filter read from your text" in note and "year 2030" in chips


def _scan_with_page(text_lines: int = 3):
    """A one-page scan whose page image is plain white, with ``text_lines`` lines 60 px apart."""
    import io

    from PIL import Image

    from replyqa.records import Scan, ScanLine, ScanPage

    buf = io.BytesIO()
    Image.new("RGB", (1000, 1414), "white").save(buf, "JPEG")
    lines = tuple(ScanLine(0, 10 * i, 10 * i + 8, (100, 100 + 60 * i, 900, 100 + 60 * i, 900, 140 + 60 * i,
                                                     100, 140 + 60 * i), 0.97) for i in range(text_lines))
    return Scan(confidence=0.97, pages=(ScanPage(1, 1000, 1414, buf.getvalue()),), lines=lines)


def _data_image(html: str):
    import base64
    import io

    from PIL import Image

    data = re.search(r'<img class="rq-scan-page" alt="[^"]*" src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)">', html)
    return Image.open(io.BytesIO(base64.b64decode(data.group(1)))).convert("RGB")


def test_a_scanned_reply_shows_its_quoted_lines_boxed_on_the_page():
    scan = _scan_with_page()
    card = render.scan_html(scan, 10, 18, "en", crop=True)  # the second line only
    band = _data_image(card)
    assert band.size[0] == 1000 and band.size[1] < 150  # the card shows the band of the quoted line
    r, g, b = band.getpixel((500, band.size[1] // 2))
    assert r > 200 and g > 190 and b < 200  # inside the box: the highlight's yellow over white
    assert "0.97" in card and "low" not in card
    page = _data_image(render.scan_html(scan, 10, 18, "en"))
    assert page.size == (1000, 1414)
    assert page.getpixel((500, 60)) == page.getpixel((500, 1300))  # the first line, not quoted, is not boxed
    assert render.scan_html(None, 0, 5, "en") == ""


def test_a_scan_read_at_low_confidence_says_so_on_its_card_and_in_the_archive():
    from dataclasses import replace

    from replyqa.web.archive import ocr_cell

    scan = replace(_scan_with_page(), confidence=0.71)
    assert "check against the original" in render.scan_html(scan, 0, 8, "en", crop=True)
    assert (ocr_cell(None), ocr_cell(0.97), ocr_cell(0.71)) == ("", "0.97", "⚠ 0.71")

