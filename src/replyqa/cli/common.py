"""What every command shares: domain errors at the edge, settings, --index, filters and JSON output."""
from __future__ import annotations

import json
from functools import wraps

import click

from ..errors import ReplyQAError
from ..filters import Filters
from ..label import reply_label
from ..settings import Settings


def domain_errors(func):
    """Turn replyqa's own exceptions into a clean message and exit code 1."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ReplyQAError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


def settings_from(ctx: click.Context, **overrides) -> Settings:
    """Settings from the environment, with the command line's options on top."""
    return Settings.from_env(**{**ctx.obj.get("overrides", {}), **overrides})


def _set_index(ctx: click.Context, _param, value: str | None) -> None:
    if value:
        ctx.ensure_object(dict)
        ctx.obj.setdefault("overrides", {})["index"] = value


def index_option(func):
    """``--index DIR`` after the command too (``replyqa ask Q --index DIR``), as well as before it."""
    return click.option("--index", type=click.Path(file_okay=False), expose_value=False, callback=_set_index,
                        help="Index folder (overrides REPLYQA_INDEX and the group's --index).")(func)


def reply_name(index, reply_id: str) -> str:
    """How text output names a reply: its label (see :mod:`replyqa.label`)."""
    reply = index.reply(reply_id)
    return reply_label(reply) if reply is not None else "(not in the archive)"


def echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def filter_options(func):
    """The metadata filters shared by search and ask; they reach the command as ``filters``."""
    options = [
        click.option("--year-from", type=int, help="Only replies dated this year or later."),
        click.option("--year-to", type=int, help="Only replies dated this year or earlier."),
        click.option("--body", type=click.Choice(["政协", "人大"]), help="Only replies to 政协 proposals or 人大 suggestions."),
        click.option("--level", help="Only this level (e.g. 县, 市, 省, 全国)."),
        click.option("--office", help="Only replies from this office (exact name)."),
        click.option("--session", help='Only this session, e.g. "14-4" for 十四届四次.'),
        click.option("--proposal-number", help="Only this proposal or suggestion number."),
        click.option("--reply-class", help="Only this reply class (A, B, C, A1, ...)."),
        click.option("--lead-unit", help="Only replies whose lead unit (主办单位) is this (exact name)."),
        click.option("--result-grade",
                     help="Only this handling result (A, B1, C, 解决采纳, 列入计划, ...; as `parse --json` shows it)."),
    ]

    @wraps(func)
    def wrapper(*args, year_from, year_to, body, level, office, session, proposal_number, reply_class, lead_unit,
                result_grade, **kwargs):
        filters = Filters(year_from=year_from, year_to=year_to, body=body, level=level, office=office,
                          session=session, proposal_number=proposal_number, reply_class=reply_class,
                          lead_unit=lead_unit, result_grade=result_grade)
        return func(*args, filters=None if filters.is_empty() else filters, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def narrow_by_question(index, query: str, filters: Filters | None) -> Filters | None:
    """``filters`` with those the query names added (see :mod:`replyqa.question_filters`), stated on stderr."""
    from ..question import analyse
    from ..question_filters import apply_chips, describe, index_chips

    filters, chips = apply_chips(filters, index_chips(analyse(query, names=index.gazetteer), index))
    if chips:
        click.echo(f"filters from the question: {describe(chips)} (--no-question-filters to search without them)",
                   err=True)
    return filters
