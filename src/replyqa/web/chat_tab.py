"""The Chat tab: answers with [n] markers, source cards, follow-ups, feedback, export.

While the answerer works the chat shows a "searching" line; the finished answer then replaces it
whole. Answers are extracted, not generated, so there are no words to stream as they arrive.
"""
from __future__ import annotations

import json
import logging
import re
import tempfile
import threading
import time
import uuid
from pathlib import Path

import gradio as gr

from ..answer import Answerer, answer_json
from ..chat import Conversation
from ..errors import ReplyQAError
from ..retrieve import MAX_QUERY_CHARS
from . import render
from .assets import VIEWER_JS
from .labels import t

log = logging.getLogger(__name__)

EXAMPLES = ("教师每年需要完成多少培训学分？", "How many training credits are required per year?",
            "高平市神农卫生院项目进展如何？", "What is the document number of Gaoping's reply on the Shennong health centre?")


# -- answering -------------------------------------------------------------------------------------------
class Asker:
    """Answers questions for the web app; a conversation carries follow-ups."""
    def __init__(self, index):
        self.index = index
        self._answerer = None
        self._lock = threading.Lock()
        self._answering = threading.Lock()

    @property
    def answerer(self):
        with self._lock:
            if self._answerer is None:
                self._answerer = Answerer(self.index)
            return self._answerer

    def warm_up(self) -> None:
        """Load the model and the stores now, so the first visitor does not wait for them."""
        try:
            self.answerer.warm_up()
        except ReplyQAError as exc:
            log.warning("warm-up question failed: %s", exc)

    def new_conversation(self) -> Conversation:
        """A fresh conversation state."""
        return Conversation(self.answerer)

    def refresh(self) -> bool:
        """Pick up a write another process finished (``Index.refresh``), between answers, never during one."""
        with self._answering:
            return self.index.refresh()

    def ask(self, question: str, conversation=None) -> dict:
        """The ``replyqa ask --json`` object for a question (within a conversation when given)."""
        answerer = self.answerer
        with self._answering:  # the answerer's caches are not thread-safe; one answer takes ~0.1 s
            self.index.refresh()  # one stat: a write by the CLI is answered from at once
            answer = conversation.ask(question) if conversation is not None else answerer.ask(question)
            return answer_json(self.index, answer)


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_question(question: str | None, lang: str) -> tuple[str, str]:
    """(cleaned question, "") or ("", a message saying what is wrong with it)."""
    q = _SURROGATE.sub("", question or "").strip()  # lone surrogates can arrive through the API's JSON
    if not q:
        return "", t("empty", lang)
    if len(q) > MAX_QUERY_CHARS:
        return "", t("too_long", lang, n=len(q), limit=MAX_QUERY_CHARS)
    return q, ""


# -- messages --------------------------------------------------------------------------------------------
def sources_message(data: dict, index, lang: str) -> dict:
    """The collapsible sources block under an answer (a chatbot message with metadata)."""
    title = f"{t('sources', lang)} ({len(data['citations'])})"
    return {"role": "assistant", "content": render.sources_html(data, index, lang), "metadata": {"title": title}}


def export_markdown(turns: list[dict]) -> str:
    """The conversation as Markdown, each answer followed by its numbered citations, every reply
    named by its label (kept with the turn, see :func:`replyqa.web.render.reply_labels`)."""
    lines = ["# replyqa", ""]
    for i, turn in enumerate(turns, 1):
        data, labels = turn["data"], turn["labels"]
        lines += [f"## {i}. {turn['question']}", "", data["answer"], ""]
        for c in data["citations"]:
            where = " · ".join(p for p in (c.get("office"), c.get("doc_number"), c.get("date")) if p)
            section = " › ".join(c.get("section") or [])
            lines.append(f"[{c['n']}] {render.label_or_missing(labels, c['reply_id'], 'en')}"
                         + (f" ({where})" if where else "")
                         + (f", {section}" if section else "") + f" — reply {c['reply_id']}, chars {c['start']}–{c['end']}")
            lines += [f"> {c['quote']}", ""]
        for r in data.get("related", []) if data.get("refused") else []:
            named = (render.label_or_missing(labels, r["reply_id"], "en"), r.get("doc_number", ""))
            lines.append("- " + " ".join(p for p in dict.fromkeys(named) if p))
        lines.append("")
    return "\n".join(lines)


def write_export(turns: list[dict]) -> str | None:
    """Write the export to a fresh temporary folder (never the index) and return its path."""
    if not turns:
        return None
    folder = Path(tempfile.gettempdir()) / "replyqa-exports" / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "replyqa-conversation.md"
    path.write_text(export_markdown(turns), encoding="utf-8")
    return str(path)


# -- feedback --------------------------------------------------------------------------------------------
class FeedbackLog:
    """Thumbs up/down with the question, answer and citations, one JSON object a line."""
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(self, liked: bool, turn: dict) -> dict:
        data = turn["data"]
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "liked": liked, "question": turn["question"],
                 "answer": data["answer"], "refused": data["refused"], "citations": data["citations"]}
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return entry


def turn_for_message(turns: list[dict], message_index: int) -> dict | None:
    """The turn whose answer (or sources block) sits at a chatbot message index."""
    for turn in turns:
        if message_index in turn["messages"]:
            return turn
    return None


def liked_value(liked) -> bool | None:
    """Gradio reports likes as True/False or as the option's name ("Like"/"Dislike")."""
    if isinstance(liked, bool):
        return liked
    if isinstance(liked, str) and liked.lower() in ("like", "dislike"):
        return liked.lower() == "like"
    return None


# -- the tab ---------------------------------------------------------------------------------------------
def build_chat_tab(index, ui, lang_state, asker: Asker):
    """Lay out the chat tab and wire its events; returns the viewer so the page script can open replies."""
    feedback = FeedbackLog(Path(index.folder) / "feedback.jsonl")

    conv_state = gr.State(None)
    turns_state = gr.State([])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=360):
            chatbot = gr.Chatbot(
                elem_id="rq-chatbot", height=560, show_label=False, layout="bubble", latex_delimiters=[],
                allow_tags=False, sanitize_html=True, feedback_options=("Like", "Dislike"),
                buttons=["copy"], examples=[{"text": q} for q in EXAMPLES],
                placeholder=render.esc(t("app_sub", "zh")))
            with gr.Row(equal_height=True):
                box = gr.Textbox(show_label=False, placeholder=t("question_ph", "zh"), lines=1, max_lines=6,
                                 scale=6, elem_id="rq-question", autofocus=True, submit_btn=False)
                send = gr.Button(t("send", "zh"), variant="primary", scale=1, min_width=90, elem_id="rq-send")
            with gr.Row():
                new = gr.Button(t("new_chat", "zh"), size="sm", elem_id="rq-new", variant="secondary")
                export = gr.DownloadButton(t("export", "zh"), size="sm", elem_id="rq-export", value=None,
                                           interactive=False)
            note = gr.Markdown("", elem_id="rq-chat-note")
        with gr.Column(scale=2, min_width=320):
            viewer_title = gr.Markdown(f"#### {t('viewer', 'zh')}")
            viewer = gr.HTML(render.viewer_hint("zh"), elem_id="rq-viewer", js_on_load=VIEWER_JS,
                             max_height=640, container=True, padding=True)
    ui.reg(box, "question_ph", "placeholder")
    ui.reg(send, "send", "value")
    ui.reg(new, "new_chat", "value")
    ui.reg(export, "export", "label")
    ui.reg(chatbot, "app_sub", "placeholder")
    ui.reg(viewer_title, "viewer", "value", fmt="#### {}")

    def respond(question, messages, conv, turns, lang):
        messages = list(messages or [])
        q, problem = check_question(question, lang)
        if problem:
            yield messages, question, conv, turns, gr.skip(), gr.skip(), "⚠ " + problem
            return
        if conv is None:
            conv = asker.new_conversation()
        messages.append({"role": "user", "content": render.question_html(q)})
        messages.append({"role": "assistant", "content": render.pending_html(lang)})
        yield messages, "", conv, turns, gr.skip(), gr.skip(), ""
        try:
            data = asker.ask(q, conv)
        except Exception as exc:  # the edge: a person gets a message, the log gets the trace
            if not isinstance(exc, ReplyQAError):
                log.exception("answering %r failed", q)
            msg = str(exc) if isinstance(exc, ReplyQAError) else type(exc).__name__
            messages[-1] = {"role": "assistant", "content": render.notice_html(t("error", lang, msg=msg), "error")}
            yield messages, "", conv, turns, gr.skip(), gr.skip(), ""
            return
        labels = render.reply_labels(index, data)
        messages[-1] = {"role": "assistant", "content": render.answer_html(data, lang, labels)}
        indices = [len(messages) - 1]
        if data["citations"]:
            messages.append(sources_message(data, index, lang))
            indices.append(len(messages) - 1)
        turns = [*turns, {"question": q, "data": data, "messages": indices, "labels": labels}]
        first = data["citations"][0] if data["citations"] else None
        shown = (render.reply_view(index, first["reply_id"], lang, first["start"], first["end"])
                 if first else gr.skip())
        yield (messages, "", conv, turns, shown,
               gr.update(value=write_export(turns), interactive=True), "")

    outputs = [chatbot, box, conv_state, turns_state, viewer, export, note]
    inputs = [box, chatbot, conv_state, turns_state, lang_state]
    send.click(respond, inputs, outputs, api_name="chat", concurrency_id="answer")
    box.submit(respond, inputs, outputs, api_visibility="private", concurrency_id="answer")

    def pick_example(evt: gr.SelectData, messages, conv, turns, lang):
        yield from respond(evt.value["text"], messages, conv, turns, lang)

    chatbot.example_select(pick_example, [chatbot, conv_state, turns_state, lang_state], outputs,
                           api_visibility="private", concurrency_id="answer")

    def reset(lang):
        return [], "", None, [], render.viewer_hint(lang), gr.update(value=None, interactive=False), ""

    new.click(reset, [lang_state], outputs, api_visibility="private", queue=False)

    def on_like(evt: gr.LikeData, turns, lang):
        index_ = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        turn, liked = turn_for_message(turns or [], int(index_)), liked_value(evt.liked)
        if turn is None or liked is None:
            return gr.skip()
        feedback.record(liked, turn)
        return f"<span class='rq-dim'>{render.esc(t('thanks', lang))}</span>"

    chatbot.like(on_like, [turns_state, lang_state], note, api_visibility="private", queue=False)
    return viewer

