"""The desk's "Check a new proposal" box: the precedent check of :mod:`replyqa.precedent` in the web app.

A proposal is pasted, or uploaded (its text is read into the box first, so staff see what is checked).
``api_name="precedent"`` takes the text and returns the JSON of ``replyqa precedent --json``; the page
shows the same as a table, with the repeat flag, the suggested lead unit, each reply's promises and its
matching passages highlighted. Bad input returns ``{"error": message}``, never a traceback.
"""
from __future__ import annotations

import logging
from datetime import date

import gradio as gr

from ..errors import ReplyQAError
from ..precedent import PrecedentChecker
from ..precedent_json import result_json, segments
from ..proposal import read_proposal
from . import render
from .labels import t

log = logging.getLogger(__name__)

COLUMNS = ("f_similarity", "f_title", "f_same_place", "f_office", "f_lead_unit", "f_result_grade", "f_date",
           "f_promises")
SHOWN_PASSAGES = 1  # per reply in the details below the table


def check_json(index, checker: PrecedentChecker, text: str | None) -> dict:
    """The JSON of one check, or ``{"error": message}``."""
    try:
        if len(index) == 0:
            return {"error": "档案为空：请先导入答复。 The archive is empty: ingest replies first."}
        return result_json(index, checker.check(text or ""), date.today().isoformat())
    except ReplyQAError as exc:
        return {"error": str(exc)}


def read_upload(path: str | None) -> tuple[str, str]:
    """(the uploaded proposal's text, a notice): an unreadable file leaves the box empty and says why."""
    if not path:
        return "", ""
    try:
        return read_proposal(path), ""
    except ReplyQAError as exc:
        return "", "⚠ " + str(exc)


def rows(data: dict, lang: str) -> list[list]:
    same = {True: t("yes", lang), False: t("no", lang)}
    return [[r["similarity"], r["label"], same[r["same_place"]], r["office"], r["lead_unit"], r["result_grade"],
             r["date"], len(r["promises"])] for r in data.get("similar", [])]


def summary_md(data: dict, lang: str) -> str:
    """The repeat flag and the suggested lead unit, or the error."""
    if "error" in data:
        return "⚠ " + render.esc(data["error"])
    by_id = {r["reply_id"]: r for r in data["similar"]}
    lines = []
    if data["repeat_of"]:
        lines.append("**" + t("repeat_yes", lang, reply=render.esc(by_id[data["repeat_of"]]["label"])) + "**")
    else:
        lines.append(t("repeat_no", lang))
    lead = data.get("suggested_lead")
    if lead:
        evidence = "；".join(f"{render.esc(e['office'])}（{e['similarity']}）" for e in lead["evidence"])
        lines.append(t("lead_suggested", lang, unit=render.esc(lead["unit"]), evidence=evidence))
    places = "、".join(data["proposal"]["places"]) or t("none_named", lang)
    lines.append(t("proposal_read", lang, n=data["proposal"]["chars"], windows=len(data["proposal"]["windows"]),
                   places=render.esc(places)))
    return "\n\n".join(lines)


def details_html(data: dict, lang: str) -> str:
    """Each reply's promises with their status and its best passage with the shared words marked."""
    parts = []
    for n, r in enumerate(data.get("similar", []), 1):
        items = [f"<h4>[{n}] {render.esc(r['label'])} · {r['similarity']}</h4>"]
        for c in r["promises"]:
            status = t("st_" + c["status"], lang)
            items.append(f"<div class='rq-promise'>{status} {render.esc(c['due'] or '—')}：{render.esc(c['quote'])}</div>")
        for p in r["passages"][:SHOWN_PASSAGES]:
            marked = "".join(f"<mark class='rq-mark'>{render.esc(piece)}</mark>" if hit else render.esc(piece)
                             for piece, hit in segments(p["text"], p["start"], p["marks"]))
            items.append(f"<blockquote>{marked}</blockquote>")
        parts.append("<section class='rq-precedent'>" + "".join(items) + "</section>")
    return "".join(parts)


def build_precedent_box(index, ui, lang_state, table_fn):
    """Lay out the box inside the desk tab and wire its events (``table_fn`` makes the desk's DataFrames)."""
    checker = PrecedentChecker(index)
    head = gr.Markdown("### " + t("check_head", "zh"))
    with gr.Row():
        text = gr.Textbox(label=t("check_text", "zh"), placeholder=t("check_ph", "zh"), lines=6, max_lines=16,
                          elem_id="rq-check-text", scale=4)
        upload = gr.File(label=t("check_upload", "zh"), type="filepath", elem_id="rq-check-file", scale=1,
                         file_types=[".txt", ".md", ".html", ".htm", ".docx", ".pdf", ".jpg", ".jpeg", ".png"])
    button = gr.Button(t("check", "zh"), variant="primary", elem_id="rq-check")
    summary = gr.Markdown("", elem_id="rq-check-summary")
    table = gr.Dataframe(table_fn([], COLUMNS, "zh"), interactive=False, wrap=True, elem_id="rq-check-table")
    details = gr.HTML("", elem_id="rq-check-details")
    with gr.Accordion("JSON", open=False):
        raw = gr.JSON(elem_id="rq-check-json")
    for comp, key, attr in ((text, "check_text", "label"), (text, "check_ph", "placeholder"),
                            (upload, "check_upload", "label"), (button, "check", "value")):
        ui.reg(comp, key, attr)
    ui.reg(head, "check_head", "value", "### {}")

    def show(data, lang):
        data = data or {}
        return summary_md(data, lang), table_fn(rows(data, lang), COLUMNS, lang), details_html(data, lang)

    button.click(lambda s: check_json(index, checker, s), [text], raw, api_name="precedent",
                 concurrency_id="answer").then(show, [raw, lang_state], [summary, table, details],
                                               api_visibility="private")
    upload.upload(read_upload, [upload], [text, summary], api_visibility="private")
