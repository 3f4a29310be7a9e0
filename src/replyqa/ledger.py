"""The ledger: every commitment of the archive with its reply, filtered by status, office and due day.

Commitments are extracted once per reply (:mod:`replyqa.commitments`): at ingest, and for a reply
stored before, or by another version of the extractor, the first time the ledger is read. They are
kept in the catalog's ``commitments`` table, so the ledger of a large archive reads rows, not texts.
``replyqa commitments``, the desk's Commitments tab and the chat's questions about promises
("县交通局有哪些承诺逾期了？") all read it through :func:`load` and :func:`select`.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path

from .commitments import EXTRACTOR_VERSION, STATUSES, Commitment, extract
from .counting import describe
from .errors import QueryError
from .label import reply_label
from .normalise import to_simplified
from .records import Answer, Citation
from .reply_facts import Criteria, ReplyFacts, criteria_of, facts_of, judge
from .translate import stem

LEDGER_BATCH = 200  # hand-set: replies whose commitments are extracted and committed together
# the stable JSON fields of ``replyqa commitments --json`` (others rely on them), then what helps a reader
JSON_FIELDS = ("reply_id", "source", "quote", "start", "end", "due", "due_text", "condition", "status")
CSV_FIELDS = ("status", "due", "due_text", "office", "reply", "reply_date", "quote", "condition", "source",
              "reply_id", "start", "end")


@dataclass(frozen=True)
class Entry:
    """One commitment with the facts of its reply the ledger shows and filters by."""

    commitment: Commitment
    facts: ReplyFacts
    label: str  # the reply's name (label.py)
    reply_date: str  # ISO, signed else published; "" when unstated


@dataclass(frozen=True)
class LedgerFilter:
    """What the ledger is narrowed to; unset fields admit everything. Dates are ISO, bounds inclusive."""

    status: str | None = None  # open / overdue / undated
    office: str | None = None  # an office whose name holds this (any script)
    due_from: str | None = None
    due_to: str | None = None
    has_condition: bool | None = None
    criteria: Criteria | None = None  # facts of the reply a question asks for (reply_facts.py)


def fill_ledger(catalog) -> int:
    """Extract and store the commitments of every reply without them at this extractor's version; returns how many."""
    from .catalog import reply_from_row

    missing = catalog.unledgered(EXTRACTOR_VERSION)
    for i in range(0, len(missing), LEDGER_BATCH):
        replies = [reply_from_row(row) for row in catalog.reply_rows(missing[i:i + LEDGER_BATCH])]
        catalog.put_commitments(EXTRACTOR_VERSION, [(r.reply_id, [asdict(c) for c in extract(r)]) for r in replies])
    return len(missing)


def promises_of(index, reply_ids: list[str]) -> dict[str, list[Commitment]]:
    """The commitments of these replies from the ledger (extracted now, without writing, for a reply never
    extracted by this version)."""
    stored = index.catalog.commitments_of(EXTRACTOR_VERSION, reply_ids)
    out = {}
    for rid in reply_ids:
        if rid in stored:
            out[rid] = [Commitment(**item) for item in stored[rid]]
        else:
            reply = index.reply(rid)
            out[rid] = list(extract(reply)) if reply is not None else []
    return out


def load(catalog, fill: bool = True) -> list[Entry]:
    """Every commitment of the archive, in the order of the replies (by source) and of each reply's text.

    Reads only the catalog (an index's ``catalog``, or one opened by :func:`open_catalog`): no model,
    vector store or reply text is loaded unless a reply's commitments were never extracted (they are
    then extracted and stored first; ``fill=False``, for the web app's public tabs, which never write,
    leaves such replies out).
    """
    if fill:
        fill_ledger(catalog)
    infos = {i.reply_id: i for i in catalog.reply_infos()}
    out = []
    for rid, items in catalog.commitment_rows(EXTRACTOR_VERSION):
        info = infos.get(rid)
        if info is None:
            continue
        facts, label = facts_of(rid, info.meta), reply_label(info)
        out += [Entry(Commitment(**item), facts, label, info.meta.date) for item in items]
    return out


def open_catalog(folder: str | Path):
    """The catalog of an index folder, for reading the ledger without the model; an error if there is none."""
    from .catalog import Catalog

    path = Path(folder) / "catalog.sqlite"
    if not path.exists():
        raise QueryError(f"no index at {folder}: ingest replies first (replyqa ingest FILES --index {folder})")
    return Catalog(path)


def parse_day(text: str | None, what: str = "date") -> str | None:
    """An ISO day from "2025-06-30" (None for blank); anything else raises :class:`QueryError`."""
    if text is None or not str(text).strip():
        return None
    try:
        return date.fromisoformat(str(text).strip()).isoformat()
    except ValueError as exc:
        raise QueryError(f"the {what} {text!r} is not a day written YYYY-MM-DD") from exc


def office_matches(office: str, wanted: str) -> bool:
    """Whether an office's name holds ``wanted``, compared in Simplified without spaces."""
    key = re.sub(r"\s", "", to_simplified(wanted))
    return bool(key) and key in re.sub(r"\s", "", to_simplified(office))


def select(entries: list[Entry], f: LedgerFilter, today: str) -> list[Entry]:
    """The entries that pass ``f`` on ``today`` (ISO), in their order."""
    if f.status is not None and f.status not in STATUSES:
        raise QueryError(f"status {f.status!r} is none of {', '.join(STATUSES)}")
    out = []
    for e in entries:
        c = e.commitment
        if f.status and c.status(today) != f.status:
            continue
        if f.office and not office_matches(e.facts.office, f.office):
            continue
        if (f.due_from or f.due_to) and c.due is None:
            continue
        if (f.due_from and c.due < f.due_from) or (f.due_to and c.due > f.due_to):
            continue
        if f.has_condition is not None and bool(c.condition) != f.has_condition:
            continue
        if f.criteria is not None and judge(f.criteria, e.facts)[0] is not True:
            continue
        out.append(e)
    return out


def entry_json(e: Entry, today: str) -> dict:
    """The stable JSON of one commitment (``JSON_FIELDS`` first), with the reply's office, label and date."""
    c = e.commitment
    out = {"reply_id": c.reply_id, "source": c.source, "quote": c.quote, "start": c.start, "end": c.end,
           "due": c.due, "due_text": c.due_text, "condition": c.condition, "status": c.status(today),
           "office": e.facts.office, "reply": e.label, "reply_date": e.reply_date}
    if c.note:
        out["note"] = c.note
    return out


def to_csv(entries: list[Entry], today: str) -> str:
    """The entries as CSV (UTF-8 text with a header row), for a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for e in entries:
        writer.writerow(entry_json(e, today) | {"due": e.commitment.due or ""})
    return buffer.getvalue()


def sort_key(e: Entry):
    """Undated last, then by due day, then by reply and place in it."""
    c = e.commitment
    return (c.due is None, c.due or "", e.facts.office, c.reply_id, c.start)


def due_month_counts(entries: list[Entry], today: str) -> list[tuple[str, str, int]]:
    """(YYYY-MM, status, count) of the dated entries, for the plot of promises by due month."""
    counts: dict[tuple[str, str], int] = {}
    for e in entries:
        if e.commitment.due:
            key = (e.commitment.due[:7], e.commitment.status(today))
            counts[key] = counts.get(key, 0) + 1
    return sorted((month, status, n) for (month, status), n in counts.items())


def narrowed_by(f: LedgerFilter, criteria: Criteria) -> LedgerFilter:
    """``f`` narrowed to the replies a question's facts name; its year bounds the due day, not the reply's."""
    due_from = f"{criteria.year_from}-01-01" if criteria.year_from else f.due_from
    due_to = f"{criteria.year_to}-12-31" if criteria.year_to else f.due_to
    return replace(f, due_from=due_from, due_to=due_to,
                   criteria=replace(criteria, year_from=None, year_to=None))


# -- questions about promises ------------------------------------------------------------------------------
# "县交通局有哪些承诺逾期了？", "what did the education bureau promise for 2024?": answered from the ledger.
LEDGER_ZH = re.compile(r"承诺|许诺|答应|逾期|兑现|到期")
LEDGER_EN = re.compile(r"\bpromis|\bcommitments?\b|\bpledge|\boverdue\b", re.I)
_STATUS_WORDS = (("overdue", r"逾期|过期|超期|没兑现|未兑现|没有兑现|到期未|overdue|\blate\b|missed|past due|broken"),
                 ("open", r"未到期|没到期|尚未到期|即将到期|快到期|upcoming|\bopen\b|pending|due soon|not yet due"),
                 ("undated", r"没有期限|无期限|未定期限|没写期限|没有时间|undated|no date|without a date|no deadline"))
MAX_LISTED = 20  # hand-set: promises quoted in a chat answer; the desk's tab lists the rest
_STATUS_NAMES = {"overdue": ("逾期", "逾期", "overdue"), "open": ("未到期", "未到期", "open"),
                 "undated": ("未写期限", "未寫期限", "undated")}


def is_ledger_question(q) -> bool:
    """Whether a question asks what the replies promised (承诺, 逾期, promise, overdue)."""
    return bool(LEDGER_EN.search(q.text) if q.language == "en" else LEDGER_ZH.search(q.simplified))


# Words of a question about promises that ask for the promise itself, not what it is about.
_PROMISE_ASK_ZH = re.compile(r"^(?:承诺|许诺|答应|逾期|过期|超期|兑现|到期|期限|完成|实现|落实|办理|还|没|未|没有|尚未|哪些|什么|时候|"
                             r"答复|回复|项目|工作|事项|情况|有关|关于)+$")
_PROMISE_ASK_EN = frozenset("promise promised promis commitment pledge overdue due deadline late reply replies answer complete "
                            "finish deliver done kept keep when what which open pending missed broken past soon "
                            "undated date".split())


def topic_terms(q) -> tuple[str, ...]:
    """What a promise question is about ("学校运动场承诺什么时候完成" → 学校, 运动场): its terms less the
    words that ask for promises, their status and time, and less the office, place, year or body it names
    (those filter by the reply's own facts)."""
    named = [to_simplified(q.text[e.start:e.end]).lower() for e in q.entities] + \
            [to_simplified(e.value).lower() for e in q.entities]
    out = []
    for t in q.all_terms:
        if ((t in _PROMISE_ASK_EN or stem(t) in _PROMISE_ASK_EN) if t.isascii() else _PROMISE_ASK_ZH.match(t)) or \
                any(t in n or (n and n in t) for n in named):
            continue
        out.append(t)
    return tuple(out)


def about(e: Entry, terms: tuple[str, ...]) -> bool:
    """Whether a promise is about every topic term: in its quote or its reply's name (English terms
    through their dictionary glosses)."""
    from .answer.score import term_found  # the answerer imports this module
    from .normalise import match_key

    key = match_key(e.commitment.quote + " " + e.label)
    # an English word the dictionary lists only uninflected ("hardening" → harden → 硬化)
    return all(any(term_found(w, key) for w in _inflections(t)) for t in terms)


def _inflections(term: str) -> tuple[str, ...]:
    """An English term and its stem without -ing or -ed (a Chinese term alone)."""
    if not term.isascii():
        return (term,)
    return (term,) + tuple(term[:-n] for n, end in ((3, "ing"), (2, "ed")) if term.endswith(end) and len(term) > n + 2)


def asked_status(q) -> str | None:
    """The status a question asks for: 逾期 → overdue, 未到期 → open, 没有期限 → undated."""
    text = q.lowered if q.language == "en" else q.simplified
    return next((status for status, words in _STATUS_WORDS if re.search(words, text)), None)


def ledger_answer(index, q, today: str) -> Answer:
    """The answer to a question about promises: the matching commitments, each cited by its quote."""
    criteria = criteria_of(q)
    status = asked_status(q)
    f = narrowed_by(LedgerFilter(status=status), criteria)
    entries = load(index.catalog)
    topic = topic_terms(q)
    found = sorted((e for e in select(entries, f, today) if about(e, topic)), key=sort_key)
    if topic and not found:
        return _no_promise_about(q, topic)
    unknown = {e.commitment.reply_id for e in entries if f.criteria is not None
               and judge(f.criteria, e.facts)[0] is None}
    lang = q.language
    i = {"en": 2, "zh-Hant": 1}.get(lang, 0)
    scope = describe(replace(criteria, year_from=None, year_to=None), lang)
    citations, lines = [], [_ledger_head(lang, len(found), scope, status and _STATUS_NAMES[status][i], criteria, today)]
    for n, e in enumerate(found[:MAX_LISTED], 1):
        c = e.commitment
        chunks = index.chunks_of(c.reply_id)
        chunk = next((k for k in chunks if k.start <= c.start < k.end), chunks[0] if chunks else None)
        if chunk is None:
            continue
        at = c.quote.find(c.due_text) if c.due_text else -1
        span = (c.start + at, c.start + at + len(c.due_text)) if at >= 0 else None
        citations.append(Citation(n, chunk, c.quote, c.start, c.end, span))
        lines.append(_ledger_line(lang, n, e, today))
    if len(found) > len(citations):
        lines.append(("… and {n} more (the Commitments tab lists them all)" if lang == "en" else
                      "……另有{n}项（承诺台账页可列出全部）").format(n=len(found) - len(citations)))
    if unknown:
        lines.append(f"{len(unknown)} replies that state no office were not searched." if lang == "en" else
                     f"另有{len(unknown)}件答复未写明答复单位，其中的承诺未计入。")
    return Answer(q.text, "\n".join(lines), tuple(citations), False, note=f"ledger: {len(found)} commitments")


def _no_promise_about(q, topic: tuple[str, ...]) -> Answer:
    """A refusal: the replies promise nothing about what the question names (rather than every promise)."""
    shown = "/".join(topic)
    if q.language == "en":
        text = f"The replies in the archive make no dated or undated promise about {shown}."
    else:
        text = f"档案中的答复没有关于“{shown}”的承诺。"
        if q.language == "zh-Hant":
            from .normalise import to_traditional

            text = to_traditional(text)
    return Answer(q.text, text, (), True, note=f"ledger: no commitment about {shown}")


def _ledger_head(lang: str, n: int, scope: str, status: str | None, c: Criteria, today: str) -> str:
    year = f"{c.year_from}" if c.year_from and c.year_from == c.year_to else ""
    if lang == "en":
        what = " ".join(p for p in (status, "promises") if p) + (f" due in {year}" if year else "")
        where = f" ({scope})" if scope else ""
        return (f"{n} {what}{where} as of {today}" + (":" if n else ": none in the archive's replies."))
    what = (f"{year}年到期的" if year else "") + (f"{status}" if status else "")
    where = f"{scope.replace(' · ', '')}的" if scope else ""
    if n == 0:
        return f"截至{today}，档案中没有{where}{what}承诺。"
    return f"截至{today}，{where}{what}承诺共{n}项："


def _ledger_line(lang: str, n: int, e: Entry, today: str) -> str:
    c = e.commitment
    due = c.due or ("no date" if lang == "en" else "未写期限")
    status = _STATUS_NAMES[c.status(today)][2 if lang == "en" else 0]
    cond = (f"; on condition: {c.condition}" if lang == "en" else f"；条件：{c.condition}") if c.condition else ""
    office = e.facts.office
    named = e.label if not office or office in e.label else f"{office}《{e.label}》"
    if lang == "en":
        return f"[{n}] {named} — due {due} ({status}){cond}: “{c.quote}”"
    return f"[{n}] {named}——期限 {due}（{status}）{cond}：“{c.quote}”"
