"""The web app's serving settings and start-up: what Gradio keeps, what is loaded before the first visitor."""
from __future__ import annotations

from replyqa.ingest import ingest
from replyqa.web import build_app


def test_gradio_keeps_a_long_upload_s_session_while_thousands_of_questions_pass():
    import gradio as gr

    from replyqa.web.app import SESSIONS_KEPT, keep_sessions

    with gr.Blocks() as demo:
        gr.Markdown("x")
    demo.queue()
    keep_sessions(demo)
    assert demo._queue.pending_messages_per_session.max_size == SESSIONS_KEPT


def test_warm_up_loads_the_dictionary_s_senses_before_the_first_visitor(fake_index, samples):
    from replyqa.question import _posseg
    from replyqa.translate import _senses
    from replyqa.web.chat_tab import Asker

    ingest(fake_index, [samples], progress=False)
    Asker(fake_index).warm_up()
    assert _senses.cache_info().currsize == 1 and _posseg.cache_info().currsize == 1


def test_the_ask_api_marks_a_store_outage_for_retry(fake_index, samples, monkeypatch):
    """A Chroma server that does not answer gives the client its message and "retry", never an error event."""
    from replyqa.errors import StoreUnavailable
    from replyqa.web.chat_tab import Asker

    ingest(fake_index, [samples], progress=False)
    asker = Asker(fake_index)
    message = "the Chroma server at http://127.0.0.1:1 is not answering (ConnectError); please try again in a few seconds"

    def down(question, conversation=None):
        raise StoreUnavailable(message)

    monkeypatch.setattr(asker, "ask", down)
    ask = next(fn.fn for fn in build_app(fake_index, asker=asker).fns.values() if fn.api_name == "ask")
    assert ask("交通信号灯") == {"question": "交通信号灯", "error": message, "retry": True}
