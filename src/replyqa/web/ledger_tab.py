"""The Commitments tab: the ledger of what the replies promised, for staff following them up (回头看).

Filters (office, status, due after/before, with or without a condition), a sort, a plot of promises
by due month coloured by status, a CSV export of what is shown, and a click on a row opens its
reply with the promise highlighted. It reads the ledger the catalog keeps (:mod:`replyqa.ledger`)
and never writes: commitments are extracted at ingest, and at start-up for an older index.
"""
from __future__ import annotations

import tempfile
import uuid
from datetime import date
from pathlib import Path

import gradio as gr

from ..errors import ReplyQAError
from ..ledger import LedgerFilter, due_month_counts, load, parse_day, select, sort_key, to_csv
from . import render
from .assets import VIEWER_JS
from .desk import clip, table
from .labels import t

LEDGER_COLUMNS = ("f_n", "f_due", "f_status", "f_office", "f_title", "f_quote", "f_condition", "f_due_text",
                  "f_date")
STATUS_COLOURS = {"overdue": "#d62728", "open": "#2ca02c", "undated": "#7f7f7f"}
QUOTE_CHARS = 120  # hand-set: a promise's quote as shown in a table cell; the viewer shows it whole
SORTS = ("due", "office", "status", "reply_date")
_STATUS_ORDER = {"overdue": 0, "open": 1, "undated": 2}


def status_name(status: str, lang: str) -> str:
    return t(f"st_{status}", lang)


def sorted_entries(entries, how: str, today: str) -> list:
    """The entries in the order chosen: by due day (undated last), office, status or the reply's date."""
    if how == "office":
        return sorted(entries, key=lambda e: (e.facts.office or "\uffff", sort_key(e)))
    if how == "status":
        return sorted(entries, key=lambda e: (_STATUS_ORDER[e.commitment.status(today)], sort_key(e)))
    if how == "reply_date":
        return sorted(entries, key=lambda e: (e.reply_date or "0", sort_key(e)), reverse=True)
    return sorted(entries, key=sort_key)


def ledger_rows(entries, today: str, lang: str) -> list[list]:
    """One row per promise, numbered so a click finds it however the table was sorted in the browser."""
    return [[n, e.commitment.due or "—", status_name(e.commitment.status(today), lang), e.facts.office, e.label,
             clip(e.commitment.quote, QUOTE_CHARS), e.commitment.condition, e.commitment.due_text, e.reply_date]
            for n, e in enumerate(entries, 1)]


def plot_frame(entries, today: str, lang: str):
    """Promises per due month and status, for the bar plot (undated promises have no month)."""
    import pandas as pd

    rows = [(month, status_name(status, lang), n) for month, status, n in due_month_counts(entries, today)]
    return pd.DataFrame(rows, columns=["month", "status", "count"])


def write_csv(entries, today: str) -> str | None:
    """The shown promises as a CSV file in a fresh temporary folder (never the index); None when empty."""
    if not entries:
        return None
    folder = Path(tempfile.gettempdir()) / "replyqa-exports" / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"replyqa-commitments-{today}.csv"
    path.write_text("\ufeff" + to_csv(entries, today), encoding="utf-8")  # the BOM lets spreadsheets read UTF-8
    return str(path)


def office_choices(index, lang: str) -> list[tuple[str, str]]:
    """"Any", then every office that made a promise."""
    offices = sorted({e.facts.office for e in load(index.catalog, fill=False) if e.facts.office})
    return [(t("any", lang), "")] + [(o, o) for o in offices]


def status_choices(lang: str) -> list[tuple[str, str]]:
    return [(t("any", lang), "")] + [(status_name(s, lang), s) for s in ("overdue", "open", "undated")]


def condition_choices(lang: str) -> list[tuple[str, str]]:
    return [(t("any", lang), ""), (t("with_condition", lang), "yes"), (t("without_condition", lang), "no")]


def sort_choices(lang: str) -> list[tuple[str, str]]:
    return [(t(f"sort_{s}", lang), s) for s in SORTS]


def build_ledger_tab(index, ui, lang_state):
    """Lay out the Commitments tab and wire its events."""
    keep_state = gr.State({})
    intro = gr.Markdown(t("ledger_intro", "zh"))
    with gr.Row():
        office = gr.Dropdown(office_choices(index, "zh"), value="", label=t("office", "zh"), elem_id="rq-ledger-office",
                             min_width=200)
        status = gr.Dropdown(status_choices("zh"), value="", label=t("status_pick", "zh"), elem_id="rq-ledger-status",
                             min_width=120)
        due_after = gr.Textbox(label=t("due_after", "zh"), placeholder="2024-01-01", max_length=10,
                               elem_id="rq-ledger-after", min_width=130)
        due_before = gr.Textbox(label=t("due_before", "zh"), placeholder="2025-12-31", max_length=10,
                                elem_id="rq-ledger-before", min_width=130)
        condition = gr.Dropdown(condition_choices("zh"), value="", label=t("condition", "zh"),
                                elem_id="rq-ledger-condition", min_width=120)
        sort = gr.Dropdown(sort_choices("zh"), value="due", label=t("sort_by", "zh"), elem_id="rq-ledger-sort",
                           min_width=120)
        today = gr.Textbox(value="", label=t("today", "zh"), placeholder=date.today().isoformat(), max_length=10,
                           elem_id="rq-ledger-today", min_width=130)
    with gr.Row(equal_height=True):
        go = gr.Button(t("filter", "zh"), variant="primary", elem_id="rq-ledger-go", scale=3)
        export = gr.DownloadButton(t("export_csv", "zh"), value=None, interactive=False, elem_id="rq-ledger-export",
                                   scale=1)
    summary = gr.Markdown("", elem_id="rq-ledger-summary")
    plot = gr.BarPlot(x="month", y="count", color="status", title=t("by_due_month", "zh"), x_title=t("due_month", "zh"),
                      y_title=t("count", "zh"), color_title=t("f_status", "zh"), color_map={status_name(s, "zh"): c for s, c in STATUS_COLOURS.items()},
                      x_label_angle=-45, elem_id="rq-ledger-plot", height=260)
    rows = gr.Dataframe(table([], LEDGER_COLUMNS, "zh"), interactive=False, wrap=True, elem_id="rq-ledger-table",
                        max_height=520, show_label=False,
                        column_widths=["4%", "9%", "7%", "12%", "16%", "30%", "10%", "6%", "6%"])
    viewer = gr.HTML(render.viewer_hint("zh"), elem_id="rq-ledger-viewer", js_on_load=VIEWER_JS, max_height=720,
                     container=True, padding=True)
    _register(ui, index, intro, office, status, due_after, due_before, condition, sort, today, go, export, plot)

    def show(office_, status_, after, before, cond, how, day, lang="zh"):
        """Table, kept rows, summary, plot and CSV for one filter."""
        try:
            day = parse_day(day, t("today", lang)) or date.today().isoformat()
            f = LedgerFilter(status=status_ or None, office=office_ or None, due_from=parse_day(after),
                             due_to=parse_day(before), has_condition={"yes": True, "no": False}.get(cond or ""))
            found = sorted_entries(select(load(index.catalog, fill=False), f, day), how or "due", day)
        except ReplyQAError as exc:
            empty = table([], LEDGER_COLUMNS, lang)
            return empty, {}, "⚠ " + t("error", lang, msg=str(exc)), plot_frame([], "", lang), gr.update(value=None)
        keep = {str(n): [e.commitment.reply_id, e.commitment.start, e.commitment.end] for n, e in enumerate(found, 1)}
        counts = {s: sum(e.commitment.status(day) == s for e in found) for s in ("overdue", "open", "undated")}
        text = t("ledger_count", lang, n=len(found), day=day, **counts)
        colours = {status_name(s, lang): c for s, c in STATUS_COLOURS.items()}
        return (table(ledger_rows(found, day, lang), LEDGER_COLUMNS, lang), keep, text,
                gr.update(value=plot_frame(found, day, lang), color_map=colours),
                gr.update(value=write_csv(found, day), interactive=bool(found)))

    inputs = [office, status, due_after, due_before, condition, sort, today, lang_state]
    outputs = [rows, keep_state, summary, plot, export]
    go.click(show, inputs, outputs, api_name="commitments")

    def open_row(evt: gr.SelectData, keep, lang):
        row = evt.row_value or []
        where = (keep or {}).get(str(row[0])) if row else None
        if not where:
            return gr.skip()
        rid, start, end = where
        return render.reply_view(index, rid, lang, start, end)

    rows.select(open_row, [keep_state, lang_state], viewer, api_visibility="private", queue=False)
    return show, inputs, outputs


def _register(ui, index, intro, office, status, due_after, due_before, condition, sort, today, go, export, plot):
    """Labels and choices that follow the language switch."""
    ui.reg(intro, "ledger_intro", "value")
    for comp, key in ((office, "office"), (status, "status_pick"), (due_after, "due_after"),
                      (due_before, "due_before"), (condition, "condition"), (sort, "sort_by"), (today, "today"),
                      (export, "export_csv")):
        ui.reg(comp, key, "label")
    ui.reg(go, "filter", "value")
    ui.reg_fn(office, lambda lang: {"choices": office_choices(index, lang)})
    ui.reg_fn(status, lambda lang: {"choices": status_choices(lang)})
    ui.reg_fn(condition, lambda lang: {"choices": condition_choices(lang)})
    ui.reg_fn(sort, lambda lang: {"choices": sort_choices(lang)})
    ui.reg_fn(plot, lambda lang: {"title": t("by_due_month", lang), "x_title": t("due_month", lang),
                                  "y_title": t("count", lang), "color_title": t("f_status", lang)})
