"""The answering commands: ``ask`` (one question) and ``chat`` (a session with follow-ups)."""
from __future__ import annotations

import logging

import click

from ..errors import ReplyQAError
from ..settings import Settings
from .common import domain_errors, echo_json, filter_options, index_option, reply_name, settings_from


def _answerer(settings: Settings, use_llm: bool):
    """The extractive answerer, wrapped by the generative one when an LLM server is configured."""
    from ..answer import Answerer
    from ..llm import GenerativeAnswerer, llm_configured
    from ..store import open_index

    index = open_index(settings)
    extractive = Answerer(index)
    return index, (GenerativeAnswerer(extractive, settings) if use_llm and llm_configured(settings) else extractive)


def echo_answer(index, answer) -> None:
    """An answer for people: the text, then each citation with where it comes from."""
    from ..answer import answer_json

    data = answer_json(index, answer)
    click.echo(data["answer"])
    for c in data["citations"]:
        where = " / ".join(c["section"])
        named = " · ".join(p for p in (reply_name(index, c["reply_id"]), c["doc_number"], c["date"]) if p)
        click.echo(f"  [{c['n']}] {named}  {c['source']}"
                   f"{'  § ' + where if where else ''}  [{c['start']}:{c['end']}]")
    if data["related"] and not answer.refused:
        click.echo("  related: " + "; ".join(reply_name(index, r["reply_id"]) for r in data["related"]))
    if answer.note:
        click.echo(f"  note: {answer.note}", err=True)


@click.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON (the stable shape the web app reads).")
@click.option("--llm/--no-llm", "use_llm", default=True, show_default=True,
              help="Let the configured LLM server write the answer (REPLYQA_LLM_BASE_URL, REPLYQA_LLM_MODEL).")
@click.option("--stream", is_flag=True, help="With an LLM, print its words as they arrive, then the checked answer.")
@filter_options
@index_option
@click.pass_context
@domain_errors
def ask(ctx: click.Context, question: str, as_json: bool, use_llm: bool, stream: bool, filters) -> None:
    """Answer a question, quoting the replies it rests on.

    \b
    Example:
      replyqa ask "中小学教师每年需要多少培训学分？"
      replyqa ask "how many training credits are required per year" --json
    """
    from ..answer import answer_json
    from ..llm import GenerativeAnswerer
    from ..question import analyse

    asked = analyse(question)  # a bad question fails before the index and the model are loaded
    index, answerer = _answerer(settings_from(ctx), use_llm)
    if isinstance(answerer, GenerativeAnswerer) and stream and not as_json:
        answer = answerer.ask(asked, filters, on_token=lambda t: click.echo(t, nl=False, err=True))
        click.echo("", err=True)
    else:
        answer = answerer.ask(asked, filters)
    if as_json:
        echo_json(answer_json(index, answer))
    else:
        echo_answer(index, answer)


@click.command()
@click.option("--llm/--no-llm", "use_llm", default=False, show_default=True,
              help="Let the configured LLM server write answers to questions that start a topic "
                   "(REPLYQA_LLM_BASE_URL, REPLYQA_LLM_MODEL); follow-ups are answered from the cited passages.")
@filter_options
@index_option
@click.pass_context
@domain_errors
def chat(ctx: click.Context, use_llm: bool, filters) -> None:
    """An interactive session: follow-up questions use the previous turn.

    Type /new to start a new topic, /history to list the turns, /quit (or Ctrl-D) to leave.
    Input history is kept in REPLYQA_HOME/chat_history.

    \b
    Example:
      replyqa chat
      > 教师每年需要多少学分?
      > 那五年一共需要多少?
    """
    from ..chat import Conversation
    from ..llm import GenerativeAnswerer
    from ..question import analyse

    settings = settings_from(ctx)
    index, answerer = _answerer(settings, use_llm)
    if isinstance(answerer, GenerativeAnswerer):
        conversation = Conversation(answerer.extractive, writer=answerer)
    else:
        if use_llm:
            click.echo("note: no LLM server is configured (REPLYQA_LLM_BASE_URL, REPLYQA_LLM_MODEL); "
                       "answers are quoted from the replies", err=True)
        conversation = Conversation(answerer)
    _readline_history(settings)
    click.echo("replyqa chat — /new starts a new topic, /history lists turns, /quit leaves")
    while True:
        try:
            line = input("> ").strip()
        except (EOFError, KeyboardInterrupt):
            click.echo("")
            break
        if not line:
            continue
        if line in ("/quit", "/exit", "/q"):
            break
        if line == "/new":
            conversation.reset()
            click.echo("(new topic)")
            continue
        if line == "/history":
            for i, turn in enumerate(conversation.history, 1):
                click.echo(f"{i}. {turn.question.text}  →  {turn.answer.text.splitlines()[0][:80]}")
            continue
        try:
            echo_answer(index, conversation.ask(analyse(line), filters))
        except ReplyQAError as exc:
            click.echo(f"error: {exc}", err=True)


def _readline_history(settings: Settings) -> None:
    """Up-arrow history across sessions, when the platform has readline."""
    try:
        import atexit
        import readline
        from pathlib import Path
    except ImportError:  # pragma: no cover - e.g. Windows without pyreadline
        return
    path = Path(settings.home) / "chat_history"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            readline.read_history_file(str(path))
        atexit.register(readline.write_history_file, str(path))
    except OSError as exc:
        logging.getLogger(__name__).warning("chat history unavailable: %s", exc)
