"""The Precedent desk: similar past replies for a topic or a new proposal, with filters, and the box that
checks a new proposal for repeats (:mod:`replyqa.web.precedent_box`).

A question that names a year, a body or an office the archive knows is narrowed to them
(:mod:`replyqa.question_filters`); those filters show as chips above the results, and a click
removes one (or brings it back) for as long as the question stays the same.
"""
from __future__ import annotations

import logging

import gradio as gr

from ..errors import ReplyQAError
from ..filters import Filters
from ..label import reply_label
from ..question import analyse
from ..question_filters import MAX_QUESTION_CHARS, apply_chips, index_chips
from ..retrieve import MAX_QUERY_CHARS, HybridRetriever
from . import render
from .assets import CHIPS_JS, VIEWER_JS
from .labels import t
from .precedent_box import build_precedent_box

log = logging.getLogger(__name__)

K_REPLIES = 20
PASSAGE_CHARS = 160
# the handling columns come after the older ones, so a column's position stays what it was
DESK_COLUMNS = ("f_title", "f_body", "f_session", "f_proposal_number", "f_office", "f_date", "f_reply_class",
                "f_result_grade", "f_lead_unit", "f_co_units", "f_score", "f_passage")
# the dropdown filters, in the order of the form (after the two year boxes)
CHOICE_FIELDS = ("body", "level", "office", "reply_class", "lead_unit", "result_grade")
CO_UNITS_SEP = "、"  # how a list of units is written in Chinese


def distinct(index, field: str) -> list[str]:
    """The values of a metadata field found in the archive, sorted."""
    return sorted({getattr(r.meta, field) for r in index.reply_infos() if getattr(r.meta, field)})


def choices(index, field: str, lang: str) -> list[tuple[str, str]]:
    """Dropdown choices: "any" first, then every value in the archive."""
    return [(t("any", lang), "")] + [(v, v) for v in distinct(index, field)]


def year_of(value) -> int | None:
    """A year typed in a box, or None when blank, not a number, or out of range."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return year if 1900 <= year <= 2100 else None


def make_filters(year_from, year_to, body, level, office, reply_class, lead_unit=None,
                 result_grade=None) -> Filters | None:
    """Filters from the form, or None when nothing is set."""
    f = Filters(year_from=year_of(year_from), year_to=year_of(year_to), body=body or None, level=level or None,
                office=office or None, reply_class=reply_class or None, lead_unit=lead_unit or None,
                result_grade=result_grade or None)
    return None if f.is_empty() else f


def clip(text: str, limit: int = PASSAGE_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def co_units_text(meta) -> str:
    """A reply's co-handling units as one cell."""
    return CO_UNITS_SEP.join(meta.co_units)


def precedent_rows(index, hits) -> list[list]:
    """One table row per reply: title, body, session, number, office, date, class, result grade,
    lead unit, co-units, score, best passage."""
    rows = []
    for hit in hits:
        reply = index.reply(hit.chunk.reply_id)
        if reply is None:
            continue
        m = reply.meta
        rows.append([reply_label(reply), m.body, "-".join(map(str, m.session)),
                     m.proposal_number, m.office, m.date, m.reply_class, m.result_grade, m.lead_unit,
                     co_units_text(m), round(hit.score, 4),
                     clip(hit.chunk.text)])
    return rows


def table(rows: list[list], keys, lang: str):
    import pandas as pd

    return pd.DataFrame(rows, columns=[t(k, lang) for k in keys])


def filter_controls(index, ui, prefix: str):
    """Year range, body, level, office, reply class, lead unit and result grade inputs.

    Labels follow the language switch; the dropdowns come in ``CHOICE_FIELDS`` order.
    """
    with gr.Row():
        y1 = gr.Textbox(label=t("year_from", "zh"), placeholder="2015", max_length=4, elem_id=f"{prefix}-year-from",
                        min_width=110)
        y2 = gr.Textbox(label=t("year_to", "zh"), placeholder="2025", max_length=4, elem_id=f"{prefix}-year-to",
                        min_width=110)
        body = gr.Dropdown(choices(index, "body", "zh"), value="", label=t("body", "zh"), elem_id=f"{prefix}-body",
                           min_width=110)
        level = gr.Dropdown(choices(index, "level", "zh"), value="", label=t("level", "zh"), elem_id=f"{prefix}-level",
                            min_width=110)
        office = gr.Dropdown(choices(index, "office", "zh"), value="", label=t("office", "zh"),
                             elem_id=f"{prefix}-office", min_width=200)
        klass = gr.Dropdown(choices(index, "reply_class", "zh"), value="", label=t("reply_class", "zh"),
                            elem_id=f"{prefix}-class", min_width=110)
        lead = gr.Dropdown(choices(index, "lead_unit", "zh"), value="", label=t("lead_unit", "zh"),
                           elem_id=f"{prefix}-lead-unit", min_width=160)
        grade = gr.Dropdown(choices(index, "result_grade", "zh"), value="", label=t("result_grade", "zh"),
                            elem_id=f"{prefix}-grade", min_width=110)
    dropdowns = (body, level, office, klass, lead, grade)
    for comp, key in ((y1, "year_from"), (y2, "year_to"), *zip(dropdowns, CHOICE_FIELDS)):
        ui.reg(comp, key, "label")
    for comp, field in zip(dropdowns, CHOICE_FIELDS):
        ui.reg_fn(comp, lambda lang, field=field: {"choices": choices(index, field, lang)})
    return [y1, y2, *dropdowns]


def refresh_choices(index, lang: str):
    """Fresh dropdown choices (after an ingest), in ``CHOICE_FIELDS`` order."""
    return [gr.update(choices=choices(index, f, lang)) for f in CHOICE_FIELDS]


def chips_for(index, query: str, from_question: bool):
    """The filters ``query`` names (none when not ``from_question``, or for a pasted document, which is not analysed)."""
    if not from_question or len(query) > MAX_QUESTION_CHARS:
        return ()
    return index_chips(analyse(query, names=index.gazetteer), index)


def build_desk_tab(index, ui, lang_state):
    """Lay out the precedent desk and wire its events."""
    retriever = HybridRetriever(index)
    hits_state = gr.State([])
    chip_state = gr.State({})  # {"query": the text searched, "removed": keys of the chips taken off for it}
    intro = gr.Markdown(t("desk_intro", "zh"))
    topic = gr.Textbox(label=t("topic", "zh"), placeholder=t("topic_ph", "zh"), lines=4, max_lines=12,
                       elem_id="rq-topic")
    controls = filter_controls(index, ui, "rq-desk")
    with gr.Row(equal_height=True):
        find = gr.Button(t("find", "zh"), variant="primary", elem_id="rq-find", scale=3)
        narrow = gr.Checkbox(True, label=t("from_question", "zh"), elem_id="rq-desk-from-question", scale=1,
                             min_width=400, container=False)
    chips = gr.HTML("", elem_id="rq-desk-chips", js_on_load=CHIPS_JS, padding=False, container=False)
    note = gr.Markdown("", elem_id="rq-desk-note")
    results = gr.Dataframe(table([], DESK_COLUMNS, "zh"), label=t("results", "zh"), interactive=False, wrap=True,
                           elem_id="rq-desk-table", max_height=520,
                           column_widths=["15%", "5%", "4%", "6%", "10%", "8%", "5%", "6%", "8%", "9%", "5%", "19%"])
    viewer = gr.HTML(render.viewer_hint("zh"), elem_id="rq-desk-viewer", js_on_load=VIEWER_JS, max_height=720,
                     container=True, padding=True)
    ui.reg(intro, "desk_intro", "value")
    ui.reg(topic, "topic", "label")
    ui.reg(topic, "topic_ph", "placeholder")
    ui.reg(find, "find", "value")
    ui.reg(narrow, "from_question", "label")
    ui.reg(results, "results", "label")

    def run(query, form, from_question, lang, removed):
        """Table, kept hits, notice, chip row and chip state for one search."""
        empty = table([], DESK_COLUMNS, lang)
        if not query:
            return empty, [], "⚠ " + t("empty", lang), "", {}
        notice = t("truncated", lang, limit=MAX_QUERY_CHARS) if len(query) > MAX_QUERY_CHARS else ""
        try:
            found = chips_for(index, query, from_question)
            filters, applied = apply_chips(make_filters(*form), found, removed)
            hits = retriever.by_reply(query[:MAX_QUERY_CHARS], k=K_REPLIES, filters=filters)
        except ReplyQAError as exc:
            return empty, [], "⚠ " + t("error", lang, msg=str(exc)), "", {}
        if found:  # only keys of this question's chips are kept (a click may send any string)
            removed = removed & {c.key for c in found}
        state = {"query": query, "removed": sorted(removed)}
        shown = tuple(c for c in found if c in applied or c.key in removed)  # not those a hand-set filter overrode
        keep = [(h.chunk.reply_id, h.chunk.start, h.chunk.end) for h in hits if index.reply(h.chunk.reply_id)]
        if not keep:
            notice = t("no_results_chips" if applied else "no_results", lang)
        return (table(precedent_rows(index, hits), DESK_COLUMNS, lang), keep, notice,
                render.chips_html(shown, set(removed), lang), state)

    def search(text, y1, y2, body, level, office, klass, lead, grade, lang="zh", from_question=True, state=None):
        query = (text or "").strip()
        same = (state or {}).get("query") == query
        return run(query, (y1, y2, body, level, office, klass, lead, grade), from_question, lang,
                   set((state or {}).get("removed", ())) if same else set())

    def toggle_chip(evt: gr.EventData, text, y1, y2, body, level, office, klass, lead, grade, lang, from_question,
                    state):
        """A click on a chip: search again without it (or with it again, if it was removed)."""
        key = str((getattr(evt, "_data", None) or {}).get("chip", ""))
        query = (text or "").strip()
        removed = set((state or {}).get("removed", ())) if (state or {}).get("query") == query else set()
        return run(query, (y1, y2, body, level, office, klass, lead, grade), from_question, lang,
                   removed ^ {key})

    inputs = [topic, *controls, lang_state, narrow, chip_state]
    outputs = [results, hits_state, note, chips, chip_state]
    find.click(search, inputs, outputs, api_name="precedents", concurrency_id="answer")
    topic.submit(search, inputs, outputs, api_visibility="private", concurrency_id="answer")
    chips.click(toggle_chip, inputs, outputs, api_visibility="private", concurrency_id="answer")

    def open_row(evt: gr.SelectData, hits, lang):
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        if not hits or not 0 <= row < len(hits):
            return gr.skip()
        rid, start, end = hits[row]
        return render.reply_view(index, rid, lang, start, end)

    results.select(open_row, [hits_state, lang_state], viewer, api_visibility="private", queue=False)
    build_precedent_box(index, ui, lang_state, table)
    return controls
