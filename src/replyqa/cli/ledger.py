"""``replyqa commitments``: the ledger of what the archive's replies promised, and by when."""
from __future__ import annotations

import click

from .common import domain_errors, echo_json, index_option, settings_from


@click.command("commitments")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array (the stable shape others read).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV, for a spreadsheet.")
@click.option("--today", default=None, metavar="YYYY-MM-DD",
              help="The day statuses are judged on (default: today): open when due ≥ today, overdue when before.")
@click.option("--status", type=click.Choice(["open", "overdue", "undated"]), help="Only promises of this status.")
@click.option("--office", help="Only replies of an office whose name holds this (any script, e.g. 交通运输局).")
@click.option("--due-after", metavar="YYYY-MM-DD", help="Only promises due on or after this day.")
@click.option("--due-before", metavar="YYYY-MM-DD", help="Only promises due on or before this day.")
@click.option("--has-condition/--no-condition", default=None, help="Only promises with (or without) a condition.")
@index_option
@click.pass_context
@domain_errors
def commitments(ctx: click.Context, as_json: bool, as_csv: bool, today: str | None, status: str | None,
                office: str | None, due_after: str | None, due_before: str | None,
                has_condition: bool | None) -> None:
    """List what the replies promised: quote, due day, condition and status.

    Each item quotes the reply exactly (reply.text[start:end]); `due` is the last day of
    the stated period, resolved against the reply's own date, or null when none is stated.
    Reads the index's catalog only: no model is loaded.

    \b
    Example:
      replyqa commitments --json --today 2025-06-30 --status overdue
      replyqa commitments --office 交通运输局 --has-condition
    """
    from datetime import date

    from ..ledger import LedgerFilter, entry_json, load, open_catalog, parse_day, select, sort_key, to_csv

    day = parse_day(today, "--today") or date.today().isoformat()
    f = LedgerFilter(status=status, office=office, due_from=parse_day(due_after, "--due-after"),
                     due_to=parse_day(due_before, "--due-before"), has_condition=has_condition)
    catalog = open_catalog(settings_from(ctx).index)
    try:
        entries = select(load(catalog), f, day)
    finally:
        catalog.close()
    if as_json:
        echo_json([entry_json(e, day) for e in entries])
    elif as_csv:
        click.echo(to_csv(entries, day), nl=False)
    else:
        _table(sorted(entries, key=sort_key), day)


def _table(entries, day: str) -> None:
    """One line per promise: status, due day, office, the quote (shortened) and its condition."""
    if not entries:
        click.echo("no commitments match")
        return
    for e in entries:
        c = e.commitment
        quote = " ".join(c.quote.split())
        quote = quote if len(quote) <= 60 else quote[:59] + "…"
        cond = f"  [条件: {c.condition}]" if c.condition else ""
        click.echo(f"{c.status(day):<8} {c.due or '—':<10}  {e.facts.office or e.label}  {quote}{cond}")
    click.echo(f"{len(entries)} commitments (as of {day})")
