"""The Commitments tab: filters, sort, the due-month plot, the CSV export and a click that opens the promise."""
from __future__ import annotations

import csv

import gradio as gr
import pytest

from replyqa.ingest import ingest
from replyqa.web import build_app, render


@pytest.fixture
def app_fns(fake_index, samples):
    ingest(fake_index, [samples], progress=False)
    app = build_app(fake_index)
    return fake_index, app, {fn.api_name: fn.fn for fn in app.fns.values() if fn.api_name}


def test_the_tab_is_there_with_its_public_endpoint(app_fns):
    _, app, fns = app_fns
    assert "commitments" in {fn.api_name for fn in app.fns.values() if fn.api_visibility == "public"}
    ids = {b.elem_id for b in app.blocks.values() if getattr(b, "elem_id", None)}
    assert {"rq-tab-ledger", "rq-ledger-table", "rq-ledger-plot", "rq-ledger-export", "rq-ledger-viewer"} <= ids


def test_filters_sort_plot_and_csv(app_fns):
    index, _, fns = app_fns
    table, keep, summary, plot, export = fns["commitments"]("", "overdue", "", "", "", "due", "2021-01-01", "zh")
    assert summary == "共 4 项承诺（截至 2021-01-01）：逾期 4，未到期 0，未写期限 0"
    assert list(table["期限"]) == sorted(table["期限"]) and set(table["状态"]) == {"逾期"}
    assert plot["value"].to_dict("list") == {"month": ["2017-09", "2017-12", "2019-12"], "status": ["逾期"] * 3,
                                             "count": [1, 2, 1]}
    assert plot["color_map"]["逾期"] == "#d62728"
    with open(export["value"], encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["due"] for r in rows] == list(table["期限"]) and all(r["status"] == "overdue" for r in rows)
    assert not str(export["value"]).startswith(str(index.folder))  # exports never go into the index
    table, *_ = fns["commitments"]("宁陕县交通运输局", "", "", "", "yes", "due", "2021-01-01", "en")
    assert list(table["Condition"]) == ["待项目资金下达之后"] and list(table["Status"]) == ["undated"]
    table, *_ = fns["commitments"]("", "", "2025-01-01", "2025-12-31", "", "office", "2021-01-01", "en")
    offices = list(table["Office"])  # a reply that names no office comes last
    assert all(d.startswith("2025") for d in table["Due"]) and offices == sorted(offices, key=lambda o: (not o, o))


def test_a_bad_day_is_a_message_not_an_error(app_fns):
    _, _, fns = app_fns
    table, keep, summary, _, export = fns["commitments"]("", "", "June", "", "", "due", "", "en")
    assert summary.startswith("⚠") and "YYYY-MM-DD" in summary and table.empty and keep == {}


def test_a_click_on_a_row_opens_its_reply_with_the_promise_highlighted_however_the_table_is_sorted(app_fns):
    index, app, fns = app_fns
    table, keep, *_ = fns["commitments"]("", "", "", "", "yes", "status", "2021-01-01", "zh")
    open_row = next(fn.fn for fn in app.fns.values() if fn.fn.__name__ == "open_row"
                    and "keep" in fn.fn.__code__.co_varnames)
    last = list(table.iloc[-1])  # a browser-side sort may move rows: the row's number finds its promise
    html = open_row(gr.SelectData(None, {"index": [0, 5], "value": last[5], "row_value": last}), keep, "zh")
    rid, start, end = keep[str(last[0])]
    assert html == render.reply_html(index.reply(rid), "zh", start, end)
    assert f'<mark class="rq-mark rq-hit">{render.esc(index.reply(rid).text[start:end])}</mark>' in html
