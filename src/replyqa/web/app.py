"""The whole app: header with a language switch, five tabs, the named API, the queue, launch."""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import gradio as gr

from ..errors import ReplyQAError, StoreUnavailable
from ..ingest import ingest
from ..ledger import fill_ledger
from ..settings import Settings, apply_offline_defaults
from ..store import open_index
from . import render
from .admin import PasswordGate, build_admin_tab
from .archive import build_archive_tab
from .assets import BRIDGE_JS, CSS, theme
from .chat_tab import Asker, build_chat_tab, check_question
from .desk import build_desk_tab, refresh_choices
from .labels import LANG_CHOICES, t
from .ledger_tab import build_ledger_tab, office_choices

log = logging.getLogger(__name__)

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "replies"
CONCURRENCY = 2  # answering runs the embedding model on the CPU; more at once only queues inside it
# requests waiting beyond this get "the queue is full" at once: 200 visitors asking back to back fit, each waiting
# about 200 / 5 answers a second = 40 s on 2 cores at worst (docs/reliability.md)
QUEUE_SIZE = 256
MAX_UPLOAD = "60mb"  # per uploaded file, enforced by Gradio before our own checks: a scan may be that large
# hand-set: how often an idle app looks for a write by another process (one stat); a question looks at once
REFRESH_SECONDS = 2.0


class Labels:
    """Components whose label, placeholder, text or choices follow the language switch."""

    def __init__(self):
        self.items: list[tuple[object, object]] = []

    def reg(self, component, key: str, attr: str, fmt: str = "{}") -> None:
        """``component.attr`` shows the string ``key`` (formatted with ``fmt``)."""
        self.items.append((component, lambda lang: {attr: fmt.format(t(key, lang))}))

    def reg_fn(self, component, fn) -> None:
        """``fn(lang)`` gives the component's attributes for a language."""
        self.items.append((component, fn))

    def components(self) -> list:
        """Each registered component once, in registration order."""
        return list({id(c): c for c, _ in self.items}.values())

    def updates(self, lang: str) -> list:
        """One gr.update per component of :meth:`components`."""
        merged: dict[int, dict] = {}
        for comp, fn in self.items:
            merged.setdefault(id(comp), {}).update(fn(lang))
        return [gr.update(**merged[id(c)]) for c in self.components()]


def parse_open(data: dict) -> tuple[str, int | None, int | None]:
    """(reply id, start, end) from a citation link; a malformed id gives "" (the viewer then says so)."""
    rid = str(data.get("reply", ""))
    rid = rid if render.REPLY_ID.match(rid) else ""
    try:
        start, end = int(data.get("start", "")), int(data.get("end", ""))
    except (TypeError, ValueError):
        start = end = None
    return rid, start, end


def build_app(index, settings: Settings | None = None, asker: Asker | None = None):
    """The Gradio Blocks app over an opened index (administration uses ``settings.admin_password``)."""
    settings = settings or index.settings
    gate = PasswordGate(settings.admin_password)
    asker = asker or Asker(index)
    ui = Labels()
    with gr.Blocks(title="replyqa · 提案建议答复问答") as app:
        lang_state = gr.State("zh")
        with gr.Row(elem_id="rq-header"):
            header = gr.Markdown(header_md("zh"), elem_id="rq-title")
            lang = gr.Radio(LANG_CHOICES, value="zh", show_label=False, elem_id="rq-lang", container=False, scale=0,
                            min_width=200)
        bridge = gr.HTML("", js_on_load=BRIDGE_JS, elem_id="rq-bridge")
        with gr.Tabs(elem_id="rq-tabs"):
            with gr.Tab(t("tab_chat", "zh"), id="chat", elem_id="rq-tab-chat") as tab_chat:
                chat_viewer = build_chat_tab(index, ui, lang_state, asker)
            with gr.Tab(t("tab_desk", "zh"), id="desk", elem_id="rq-tab-desk") as tab_desk:
                desk_controls = build_desk_tab(index, ui, lang_state)
            with gr.Tab(t("tab_ledger", "zh"), id="ledger", elem_id="rq-tab-ledger") as tab_ledger:
                show_ledger, ledger_inputs, ledger_outputs = build_ledger_tab(index, ui, lang_state)
            with gr.Tab(t("tab_archive", "zh"), id="archive", elem_id="rq-tab-archive") as tab_archive:
                browse, browse_inputs, browse_outputs = build_archive_tab(index, ui, lang_state)
            with gr.Tab(t("tab_admin", "zh"), id="admin", elem_id="rq-tab-admin") as tab_admin:
                build_admin_tab(index, ui, lang_state, gate)
        for tab, key in ((tab_chat, "tab_chat"), (tab_desk, "tab_desk"), (tab_ledger, "tab_ledger"),
                         (tab_archive, "tab_archive"), (tab_admin, "tab_admin")):
            ui.reg(tab, key, "label")

        def open_reply(evt: gr.EventData, lang):
            rid, start, end = parse_open(getattr(evt, "_data", None) or {})
            return render.reply_view(index, rid, lang, start, end)

        bridge.click(open_reply, [lang_state], chat_viewer, api_visibility="private", queue=False)

        def switch(choice):
            choice = choice if choice in ("zh", "en") else "zh"
            return [choice, header_md(choice), *ui.updates(choice)]

        lang.change(switch, lang, [lang_state, header, *ui.components()], api_visibility="private", queue=False)

        def on_load(request: gr.Request):
            params = dict(request.query_params) if request is not None else {}
            fresh = [*refresh_choices(index, "zh"), gr.update(choices=office_choices(index, "zh"))]
            if "reply" not in params:
                return [gr.skip(), *fresh]
            rid, start, end = parse_open({"reply": params["reply"], "start": params.get("s"), "end": params.get("e")})
            return [render.reply_view(index, rid, "zh", start, end), *fresh]

        app.load(on_load, None, [chat_viewer, *desk_controls[2:], ledger_inputs[0]], api_visibility="private",
                 queue=False)
        tab_archive.select(browse, browse_inputs, browse_outputs, api_visibility="private")
        tab_ledger.select(show_ledger, ledger_inputs, ledger_outputs, api_visibility="private")

        def ask(question: str) -> dict:
            """Answer one question; returns the same JSON as ``replyqa ask --json``."""
            q, problem = check_question(question, "en")
            if problem:
                return {"question": question[:200], "error": problem}
            try:
                return asker.ask(q)
            except StoreUnavailable as exc:  # "retry": a client may ask again once the store is back
                return {"question": q, "error": str(exc), "retry": True}
            except ReplyQAError as exc:
                return {"question": q, "error": str(exc)}
            except Exception as exc:  # the edge: the client gets a message, the log gets the trace
                log.exception("answering %r failed", q)
                return {"question": q, "error": f"internal error ({type(exc).__name__})"}

        gr.api(ask, api_name="ask", concurrency_id="answer")
    return app


def header_md(lang: str) -> str:
    return f"# {t('app_title', lang)}\n{t('app_sub', lang)}"


def launch(settings: Settings, sample_if_empty: bool = False, **kwargs) -> None:
    """Open the index (ingesting the bundled samples if asked and empty) and serve until stopped."""
    apply_offline_defaults()  # a caller that skips the CLI still opens no store or model without them
    index = open_index(settings)
    if sample_if_empty and len(index) == 0 and SAMPLES.is_dir():
        log.warning("the index is empty: ingesting the bundled sample archive from %s", SAMPLES)
        ingest(index, [SAMPLES])
    asker = Asker(index)
    if len(index):
        fill_ledger(index.catalog)  # an index from before the ledger: extracted once here, not by a public tab
        asker.warm_up()
    watch(asker)
    serve(build_app(index, settings, asker), settings, **kwargs)


def watch(asker: Asker, every: float = REFRESH_SECONDS) -> threading.Thread:
    """Look for writes by another process every few seconds, so the desk, ledger and archive see them too."""
    def loop():
        while True:
            try:
                asker.refresh()
            except Exception:  # a failed look must not end the watching; the next one tries again
                log.exception("looking for writes by another process failed")
            time.sleep(every)

    thread = threading.Thread(target=loop, name="replyqa-index-watch", daemon=True)
    thread.start()
    return thread


# Gradio keeps the message queues of the last 2,000 sessions, and every call of the REST API is a session
# of its own: with 200 visitors asking, a staff upload read by OCR for a minute lost its session
# (KeyError in Gradio's progress updates, its stream cut) after 2,000 newer questions. An empty queue
# is a few hundred bytes; this many is about 10 minutes of the soak's 200 users.
SESSIONS_KEPT = 20_000


def keep_sessions(app, n: int = SESSIONS_KEPT) -> None:
    """Let Gradio keep the message queues of the last ``n`` sessions (its own default is 2,000)."""
    sessions = getattr(getattr(app, "_queue", None), "pending_messages_per_session", None)
    if sessions is not None and hasattr(sessions, "max_size"):
        sessions.max_size = max(sessions.max_size, n)
    else:
        log.warning("this Gradio keeps its sessions elsewhere: long uploads may lose theirs under load")


def serve(app, settings: Settings, **kwargs):
    """Queue and launch with the app's settings (see docs/web.md)."""
    app.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    keep_sessions(app)
    return app.launch(server_name=settings.host, server_port=settings.port, show_error=False, ssr_mode=False,
                      max_file_size=MAX_UPLOAD, theme=theme(), css=CSS, footer_links=["api"], **kwargs)
