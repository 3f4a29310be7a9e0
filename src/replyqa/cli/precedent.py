"""``replyqa precedent``: the past replies that answered a new proposal before, and whether it repeats one."""
from __future__ import annotations

import click

from .common import domain_errors, echo_json, index_option, settings_from

PASSAGE_CHARS = 120  # a passage's first characters shown in the table


@click.command("precedent")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the stable shape others read).")
@click.option("--k", default=10, show_default=True, help="How many past replies.")
@click.option("--today", default=None, metavar="YYYY-MM-DD",
              help="The day the promises' statuses are judged on (default: today).")
@index_option
@click.pass_context
@domain_errors
def precedent(ctx: click.Context, file: str, as_json: bool, k: int, today: str | None) -> None:
    """Check a new proposal against the archive: similar replies, a repeat flag and a lead unit.

    FILE is the proposal as UTF-8 text or any document `ingest` reads (.docx, .pdf, a scan …);
    `-` reads stdin. Each reply comes with its similarity (0-100: about 100 for the same ask for the
    same place, about 50 for the same ask elsewhere), office, lead unit, result grade, date, the
    promises it made with their status, and its passages that match, the shared words marked 【】.
    `repeat_of` names the reply the proposal repeats: the same ask for the same place.

    \b
    Example:
      replyqa precedent new_proposal.txt --json
      cat new_proposal.txt | replyqa precedent - --index index/
    """
    from datetime import date

    from ..errors import QueryError
    from ..ledger import parse_day
    from ..precedent import PrecedentChecker
    from ..precedent_json import result_json
    from ..proposal import read_proposal
    from ..store import open_index

    day = parse_day(today, "--today") or date.today().isoformat()
    text = read_proposal(file)
    settings = settings_from(ctx)
    index = open_index(settings)
    if len(index) == 0:
        raise QueryError(f"the index at {settings.index} holds no replies: ingest some first (replyqa ingest FILES)")
    checker = PrecedentChecker(index)
    data = result_json(index, checker.check(text, k=k), day)
    if as_json:
        echo_json(data)
    else:
        _table(data)


def _table(data: dict) -> None:
    from ..precedent_json import segments

    q = data["proposal"]
    click.echo(f"proposal: {q['title']}  ({q['chars']} characters in {len(q['windows'])} windows; "
               f"places: {'、'.join(q['places']) or 'none named'})")
    by_id = {r["reply_id"]: r for r in data["similar"]}
    if data["repeat_of"]:
        click.echo(f"REPEAT of {by_id[data['repeat_of']]['label']} ({data['repeat_of']})")
    else:
        click.echo("not a repeat of any reply in the archive")
    if not data["similar"]:
        click.echo("no similar replies")
    for n, r in enumerate(data["similar"], 1):
        place = "same place" if r["same_place"] else "other place"
        click.echo(f"\n[{n}] {r['similarity']:5.1f}  {r['label']}  ({place})")
        click.echo(f"      {r['office'] or '—'} · lead unit {r['lead_unit'] or '—'} · grade {r['result_grade'] or '—'}"
                   f" · {r['date'] or 'undated'} · {r['source']}")
        for c in r["promises"]:
            quote = " ".join(c["quote"].split())
            click.echo(f"      promise [{c['status']} {c['due'] or '—'}] {quote[:80]}")
        for p in r["passages"][:1]:
            text = "".join(f"【{piece}】" if marked else piece
                           for piece, marked in segments(p["text"], p["start"], p["marks"]))
            click.echo("      passage: " + " ".join(text.split())[:PASSAGE_CHARS * 2])
    lead = data["suggested_lead"]
    if lead:
        evidence = "; ".join(f"{e['office']} {e['similarity']}" for e in lead["evidence"])
        click.echo(f"\nsuggested lead unit: {lead['unit']} ({lead['kind']}), as for: {evidence}")
