"""The web app (first version): type a question, see the retrieved passages."""
from __future__ import annotations

import html
import logging
from pathlib import Path

from .errors import ReplyQAError
from .settings import Settings, apply_offline_defaults

log = logging.getLogger(__name__)

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "replies"


def render_hits(index, hits) -> str:
    """Results as HTML; every piece of document text is escaped, so nothing in a reply runs."""
    if not hits:
        return "<p>没有找到相关段落 / No matching passages.</p>"
    cards = []
    for i, hit in enumerate(hits, 1):
        reply = index.reply(hit.chunk.reply_id)
        section = " › ".join(hit.chunk.section)
        cards.append(
            f"<div class='rq-hit'><div class='rq-title'>[{i}] {html.escape(reply.title)}</div>"
            f"<div class='rq-meta'>{html.escape(section)} · {hit.via} · {hit.score:.4f}</div>"
            f"<blockquote>{html.escape(hit.chunk.text)}</blockquote></div>")
    return "\n".join(cards)


def build_app(index):
    """The Gradio Blocks app over an opened index."""
    import gradio as gr

    from .retrieve import HybridRetriever

    retriever = HybridRetriever(index)

    def run_search(query: str) -> str:
        try:
            return render_hits(index, retriever.search(query, k=5))
        except ReplyQAError as exc:
            return f"<p class='rq-error'>{html.escape(str(exc))}</p>"

    with gr.Blocks(title="replyqa") as app:
        gr.Markdown("## replyqa · 提案建议答复问答")
        with gr.Row():
            box = gr.Textbox(label="问题 / Question", placeholder="例如:每年需要多少学分?", scale=5)
            button = gr.Button("搜索 / Search", variant="primary", scale=1)
        out = gr.HTML()
        button.click(run_search, box, out, api_name="search")
        box.submit(run_search, box, out, api_name=False)
    return app


def launch(settings: Settings, sample_if_empty: bool = False) -> None:
    """Open the index (ingesting the bundled samples if asked and empty) and serve."""
    apply_offline_defaults()
    from .ingest import ingest
    from .store import open_index

    index = open_index(settings)
    if sample_if_empty and len(index) == 0 and SAMPLES.is_dir():
        log.warning("the index is empty: ingesting the bundled sample archive from %s", SAMPLES)
        ingest(index, [SAMPLES])
    build_app(index).queue(default_concurrency_limit=4).launch(
        server_name=settings.host, server_port=settings.port, show_error=True)
