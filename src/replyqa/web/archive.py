"""The Archive tab: browse and filter every reply, with counts by year, office and result grade."""
from __future__ import annotations

from collections import Counter

import gradio as gr

from ..filters import reply_date
from ..label import reply_label
from ..ocr import LOW_OCR_CONFIDENCE
from . import render
from .assets import VIEWER_JS
from .desk import co_units_text, filter_controls, make_filters, table
from .labels import t

ARCHIVE_COLUMNS = ("f_title", "f_doc_number", "f_office", "f_body", "f_level", "f_date", "f_reply_class",
                   "f_result_grade", "f_lead_unit", "f_co_units", "f_ocr")
TOP_OFFICES = 15
MAX_ROWS = 1000  # rows sent to the browser; the counts and plots still cover every match


def matching(index, text: str, filters) -> list:
    """Replies passing the filters whose title, number or office contains ``text``, newest first."""
    needle = (text or "").strip().lower()
    out = []
    for r in index.reply_infos():
        if filters is not None and not filters.matches(r.reply_id, r.meta):
            continue
        hay = " ".join((r.title, r.meta.doc_number, r.meta.office, r.meta.proposal_title, r.source)).lower()
        if needle and needle not in hay:
            continue
        out.append(r)
    return sorted(out, key=lambda r: (-reply_date(r.meta), r.title))


def ocr_cell(confidence: float | None) -> str:
    """A reply's OCR column: empty when it was read from text, its mean confidence when scanned, flagged
    with ⚠ when that is low enough for a person to check."""
    if confidence is None:
        return ""
    return ("⚠ " if confidence < LOW_OCR_CONFIDENCE else "") + f"{confidence:.2f}"


def archive_rows(replies, confidences: dict[str, float] | None = None) -> list[list]:
    confidences = confidences or {}
    return [[reply_label(r), r.meta.doc_number, r.meta.office, r.meta.body, r.meta.level,
             r.meta.date, r.meta.reply_class, r.meta.result_grade, r.meta.lead_unit, co_units_text(r.meta),
             ocr_cell(confidences.get(r.reply_id))]
            for r in replies]


def counts(replies, lang: str):
    """(per-year, per-office) count tables for the plots."""
    import pandas as pd

    unknown = "?" if lang == "en" else "未知"
    years = Counter(str(reply_date(r.meta) // 10000 or unknown) for r in replies)
    offices = Counter(r.meta.office or unknown for r in replies).most_common(TOP_OFFICES)
    by_year = pd.DataFrame(sorted(years.items()), columns=["year", "count"])
    by_office = pd.DataFrame(offices, columns=["office", "count"])
    return by_year, by_office


def grade_counts(replies, lang: str):
    """The per-result-grade count table for its plot; replies that state no grade form one bar."""
    import pandas as pd

    grades = Counter(r.meta.result_grade or t("no_grade", lang) for r in replies)
    return pd.DataFrame(sorted(grades.items()), columns=["grade", "count"])


def left_out(index, needle, y1, y2, body, level, office, klass, lead, grade, lang: str) -> str:
    """What a year or office filter leaves out because a reply does not state it, as the chat's counts say it
    (``counting.py``): replies passing every other filter that state no date, or no office."""
    notes = []
    if make_filters(y1, y2, None, None, None, None) is not None:
        rest = matching(index, needle, make_filters("", "", body, level, office, klass, lead, grade))
        undated = sum(1 for r in rest if not reply_date(r.meta))
        if undated:
            notes.append(t("archive_no_date", lang, n=undated))
    if office:
        rest = matching(index, needle, make_filters(y1, y2, body, level, "", klass, lead, grade))
        nameless = sum(1 for r in rest if not r.meta.office)
        if nameless:
            notes.append(t("archive_no_office", lang, n=nameless))
    return "".join(" · " + n for n in notes)


def build_archive_tab(index, ui, lang_state):
    """Lay out the archive browser and wire its events; returns a loader to refresh it."""
    ids_state = gr.State([])
    with gr.Row():
        text = gr.Textbox(label=t("search_titles", "zh"), elem_id="rq-archive-text", scale=4)
        go = gr.Button(t("filter", "zh"), variant="primary", elem_id="rq-archive-go", scale=1)
    controls = filter_controls(index, ui, "rq-archive")
    summary = gr.Markdown("", elem_id="rq-archive-summary")
    with gr.Row():
        by_year = gr.BarPlot(x="year", y="count", title=t("by_year", "zh"), x_title=t("year", "zh"),
                             y_title=t("count", "zh"), elem_id="rq-plot-year", height=260)
        by_office = gr.BarPlot(x="office", y="count", title=t("by_office", "zh"), x_title=t("office", "zh"),
                               y_title=t("count", "zh"), sort="-y", x_label_angle=-35, elem_id="rq-plot-office",
                               height=260)
        by_grade = gr.BarPlot(x="grade", y="count", title=t("by_grade", "zh"), x_title=t("grade", "zh"),
                              y_title=t("count", "zh"), elem_id="rq-plot-grade", height=260)
    rows = gr.Dataframe(table([], ARCHIVE_COLUMNS, "zh"), interactive=False, wrap=True, elem_id="rq-archive-table",
                        max_height=480, show_label=False)
    viewer = gr.HTML(render.viewer_hint("zh"), elem_id="rq-archive-viewer", js_on_load=VIEWER_JS, max_height=720,
                     container=True, padding=True)
    ui.reg(text, "search_titles", "label")
    ui.reg(go, "filter", "value")
    for plot, key, x_key in ((by_year, "by_year", "year"), (by_office, "by_office", "office"),
                             (by_grade, "by_grade", "grade")):
        ui.reg_fn(plot, lambda lang, key=key, x_key=x_key: {"title": t(key, lang), "x_title": t(x_key, lang),
                                                             "y_title": t("count", lang)})

    def browse(needle, y1, y2, body, level, office, klass, lead, grade, lang):
        found = matching(index, needle, make_filters(y1, y2, body, level, office, klass, lead, grade))
        years, offices = counts(found, lang)
        grades = grade_counts(found, lang)
        top = max([1, *years["count"], *offices["count"], *grades["count"]])
        shown = found[:MAX_ROWS]
        summary = t("archive_count", lang, n=len(found)) + left_out(index, needle, y1, y2, body, level, office, klass,
                                                                   lead, grade, lang)
        confidences = index.catalog.scan_confidences()
        scanned = [confidences[r.reply_id] for r in found if r.reply_id in confidences]
        if scanned:
            summary += " · " + t("archive_scans", lang, n=len(scanned),
                                 low=sum(c < LOW_OCR_CONFIDENCE for c in scanned))
        if len(found) > len(shown):
            summary += " · " + t("archive_shown", lang, n=len(shown))
        return (table(archive_rows(shown, confidences), ARCHIVE_COLUMNS, lang), [r.reply_id for r in shown], summary,
                gr.update(value=years, y_lim=[0, top]), gr.update(value=offices, y_lim=[0, top]),
                gr.update(value=grades, y_lim=[0, top]))

    inputs = [text, *controls, lang_state]
    outputs = [rows, ids_state, summary, by_year, by_office, by_grade]
    go.click(browse, inputs, outputs, api_name="archive")
    text.submit(browse, inputs, outputs, api_visibility="private")

    def open_row(evt: gr.SelectData, ids, lang):
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        if not ids or not 0 <= row < len(ids):
            return gr.skip()
        return render.reply_view(index, ids[row], lang)

    rows.select(open_row, [ids_state, lang_state], viewer, api_visibility="private", queue=False)
    return browse, inputs, outputs
