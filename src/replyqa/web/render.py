"""HTML for the web app: answers, citation cards, the full-reply viewer, tables.

Every piece of document text and every question passes through :func:`esc`
before it reaches the page, so HTML or script inside a reply is shown as text
and never runs. The escaping also covers ``$ { } `` ` so that neither the
chatbot's LaTeX renderer nor ``gr.HTML``'s template engine reads document text
as code, and newlines become ``<br>`` so a message stays one raw HTML block
that the chatbot's Markdown renderer leaves alone.
"""
from __future__ import annotations

import base64
import html
import io
import re
from urllib.parse import urlencode

from ..label import reply_label
from ..ocr import LOW_OCR_CONFIDENCE
from ..records import Reply, Scan
from ..text import PASSAGE_SENTENCES, last_end, next_end
from .labels import section_name, t

CONTEXT_CHARS = 90  # passage shown around a quote on a citation card
SCAN_MARGIN = 0.6  # a card's crop of a scanned page: this many line heights above and below the quoted lines
MARK_FILL, MARK_LINE = (255, 214, 0, 90), (230, 120, 0, 255)  # the quoted lines' box: the text highlight's yellow
_EXTRA = {"$": "&#36;", "{": "&#123;", "}": "&#125;", "`": "&#96;", "\\": "&#92;", "|": "&#124;",
          "*": "&#42;", "_": "&#95;", "~": "&#126;", "[": "&#91;", "]": "&#93;"}
_EXTRA_RE = re.compile("[" + re.escape("".join(_EXTRA)) + "]")
REPLY_ID = re.compile(r"^[0-9a-f]{8,64}$")


def esc(text: str, breaks: bool = True) -> str:
    """Text made inert for any HTML or Markdown context; newlines become <br> unless told otherwise."""
    out = _EXTRA_RE.sub(lambda m: _EXTRA[m.group(0)], html.escape(str(text), quote=True))
    if breaks:
        out = re.sub(r"\r?\n", "<br>", out)
    return out


def open_href(reply_id: str, start: int | None = None, end: int | None = None) -> str:
    """The link that opens a reply in the viewer (also works on its own, in a new tab)."""
    params = {"reply": reply_id}
    if start is not None and end is not None:
        params.update(s=str(start), e=str(end))
    return "?" + urlencode(params)


def open_link(text: str, reply_id: str, start: int | None = None, end: int | None = None,
              cls: str = "rq-open") -> str:
    """An <a> that the page script turns into "open this reply in the viewer"."""
    return f'<a class="{cls}" href="{esc(open_href(reply_id, start, end))}">{text}</a>'


def reply_labels(index, data: dict) -> dict[str, str]:
    """The label of every reply an answer cites or points to, by reply id (kept with the turn,
    so the export still names a reply removed since)."""
    ids = [c["reply_id"] for c in data.get("citations", [])] + [r["reply_id"] for r in data.get("related", [])]
    replies = {rid: index.reply(rid) for rid in dict.fromkeys(ids)}
    return {rid: reply_label(reply) for rid, reply in replies.items() if reply is not None}


def label_or_missing(labels: dict[str, str], reply_id: str, lang: str) -> str:
    """A reply's label, or "not in the archive" for one removed since: never its id."""
    return labels.get(reply_id) or t("reply_missing", lang)


def meta_line(parts: list[str]) -> str:
    return " · ".join(esc(p) for p in parts if p)


# -- chat ------------------------------------------------------------------------------------------------
def question_html(question: str) -> str:
    """A user's question, shown as text."""
    return f'<div class="rq-question">{esc(question)}</div>'


def pending_html(lang: str) -> str:
    """What the chat shows while a question is being answered."""
    return f'<div class="rq-pending">{esc(t("searching", lang))}</div>'


def answer_html(data: dict, lang: str, labels: dict[str, str]) -> str:
    """The answer text with each [n] marker linked to its citation's quote in the viewer; a
    refusal lists its related replies by ``labels`` (see :func:`reply_labels`)."""
    cites = {c["n"]: c for c in data.get("citations", [])}

    def link(m: re.Match) -> str:
        c = cites.get(int(m.group(1)))
        return open_link(f"[{m.group(1)}]", c["reply_id"], c["start"], c["end"], "rq-open rq-marker") if c else m.group(0)

    text = re.sub(r"&#91;(\d{1,3})&#93;", link, spans_in_answer(data.get("answer", ""), data.get("citations", [])))
    # rq-done marks a finished answer (the browser tests wait for it).
    cls = "rq-answer rq-done" + (" rq-refused" if data.get("refused") else "")
    body = f'<div class="{cls}">{text}</div>'
    if data.get("refused"):
        body += related_html(data.get("related", []), lang, labels)
    return body


def span_in(quote: str, start: int, span) -> tuple[int, int] | None:
    """A citation's ``answer_span`` (reply offsets) as offsets in its ``quote`` starting at ``start``; None when
    absent or not inside the quote."""
    if not span or len(span) != 2:
        return None
    a, b = int(span[0]) - start, int(span[1]) - start
    return (a, b) if 0 <= a < b <= len(quote) else None


def bolded(quote: str, start: int, span) -> str:
    """A quote made inert, its answer span (see :func:`span_in`) in bold."""
    inside = span_in(quote, start, span)
    if inside is None:
        return esc(quote)
    a, b = inside
    return esc(quote[:a]) + f'<strong class="rq-span">{esc(quote[a:b])}</strong>' + esc(quote[b:])


def spans_in_answer(answer: str, citations: list[dict]) -> str:
    """The answer text made inert, with each citation's answer span in bold where the answer quotes it (“quote”)."""
    out, pos = [], 0
    for c in citations:
        quote = c.get("quote", "")
        at = answer.find("“" + quote + "”", pos) if quote and c.get("answer_span") else -1
        if at < 0:
            continue
        out += [esc(answer[pos:at + 1]), bolded(quote, c["start"], c["answer_span"])]
        pos = at + 1 + len(quote)
    return "".join(out) + esc(answer[pos:])


def related_html(related: list[dict], lang: str, labels: dict[str, str]) -> str:
    """The replies a refusal points to, each by its label with a link to read it."""
    if not related:
        return ""
    items = "".join(
        f"<li>{open_link(esc(label_or_missing(labels, r['reply_id'], lang)), r['reply_id'])}"
        f" <span class='rq-dim'>{meta_line([r.get('doc_number', ''), r.get('date', '')])}</span></li>"
        for r in related)
    return f'<div class="rq-related"><div class="rq-related-head">{esc(t("related", lang))}</div><ul>{items}</ul></div>'


def passage_html(text: str, start: int, end: int, context: int = CONTEXT_CHARS, span=None) -> str:
    """The quote highlighted inside the passage around it, cut at sentence ends where possible; the answer
    ``span`` (reply offsets) inside it in bold."""
    left = max(0, start - context)
    left = last_end(text, PASSAGE_SENTENCES, left, start) or left
    right = min(len(text), end + context)
    right = next_end(text, PASSAGE_SENTENCES, end, right) or right
    before, after = text[left:start].lstrip(), text[end:right].rstrip()
    return (("…" if left > 0 and before else "") + esc(before)
            + f'<mark class="rq-mark">{bolded(text[start:end], start, span)}</mark>'
            + esc(after) + ("…" if right < len(text) and after else ""))


def scan_html(scan: Scan | None, start: int | None, end: int | None, lang: str, crop: bool = False) -> str:
    """A scanned reply's page images with the lines of ``text[start:end]`` boxed, as inline JPEGs: on a card
    (``crop``) only the band of the quoted lines, in the viewer every page holding them (the first page when
    nothing is quoted). Empty for a reply read from text."""
    if scan is None or not scan.pages:
        return ""
    quoted = scan.lines_in(start, end) if start is not None and end is not None and start < end else []
    pages = sorted({ln.page for ln in quoted}) or [0]
    figures = [_scan_page(scan, i, [ln for ln in quoted if ln.page == i], crop) for i in pages if i < len(scan.pages)]
    note = t("scan_note", lang, conf=f"{scan.confidence:.2f}", pages=len(scan.pages))
    if scan.confidence < LOW_OCR_CONFIDENCE:
        note += " " + t("scan_low", lang)
    return (f'<div class="rq-scan">{"".join(f for f in figures if f)}'
            f'<div class="rq-scan-note">{esc(note)}</div></div>')


def _scan_page(scan: Scan, index: int, lines, crop: bool) -> str:
    """One page image with ``lines`` boxed (cropped to them when asked), as an <img> with a data URI."""
    from PIL import Image, ImageDraw

    page = scan.pages[index]
    try:
        image = Image.open(io.BytesIO(page.image)).convert("RGB")
    except (OSError, ValueError):
        return ""
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for ln in lines:
        points = list(zip(ln.box[::2], ln.box[1::2]))
        draw.polygon(points, fill=MARK_FILL, outline=MARK_LINE, width=3)
    image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    if crop and lines:
        top = min(min(ln.box[1::2]) for ln in lines)
        bottom = max(max(ln.box[1::2]) for ln in lines)
        margin = SCAN_MARGIN * (bottom - top) / max(1, len({round(min(ln.box[1::2]) / 8) for ln in lines}))
        image = image.crop((0, max(0, int(top - margin)), image.width, min(image.height, int(bottom + margin))))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=75)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<img class="rq-scan-page" alt="{esc(t("scan_alt", "zh", n=page.number), False)}" '
            f'src="data:image/jpeg;base64,{data}">')


def citation_card(c: dict, reply: Reply | None, lang: str, scan: Scan | None = None) -> str:
    """One source card: label, office, document number, date, section, and the quote in its passage."""
    title = esc(reply_label(reply) if reply is not None else t("reply_missing", lang))
    head = f'<span class="rq-n">[{int(c["n"])}]</span> ' + open_link(title, c["reply_id"], c["start"], c["end"], "rq-open rq-card-title")
    meta = meta_line([c.get("office", ""), c.get("doc_number", ""), c.get("date", "")])
    section = " › ".join(section_name(p, lang) for p in c.get("section") or [])
    if reply is not None and 0 <= c["start"] <= c["end"] <= len(reply.text):
        passage = passage_html(reply.text, c["start"], c["end"], span=c.get("answer_span"))
    else:
        passage = f'<mark class="rq-mark">{bolded(c.get("quote", ""), c["start"], c.get("answer_span"))}</mark>'
    view = open_link(esc(t("view_reply", lang)) + " →", c["reply_id"], c["start"], c["end"], "rq-open rq-view")
    return (f'<div class="rq-card"><div class="rq-card-head">{head}</div>'
            + (f'<div class="rq-card-meta">{meta}</div>' if meta else "")
            + (f'<div class="rq-card-section">§ {esc(section)}</div>' if section else "")
            + f'<div class="rq-passage">{passage}</div>' + scan_html(scan, c["start"], c["end"], lang, crop=True)
            + f'<div class="rq-card-foot">{view}</div></div>')


def sources_html(data: dict, index, lang: str) -> str:
    """All citation cards of one answer (a scanned reply's card shows the quoted lines on the page)."""
    cards = [citation_card(c, index.reply(c["reply_id"]), lang, index.scan(c["reply_id"]))
             for c in data.get("citations", [])]
    return f'<div class="rq-sources">{"".join(cards)}</div>'


def notice_html(message: str, kind: str = "warn") -> str:
    return f'<div class="rq-notice rq-{kind}">{esc(message)}</div>'


# -- the full reply --------------------------------------------------------------------------------------
META_FIELDS = ("title", "office", "doc_number", "reply_class", "body", "level", "session", "proposal_number",
               "proposal_title", "role", "addressees", "signed", "published", "disclosure", "contact")


def meta_rows(reply: Reply) -> list[tuple[str, str]]:
    """(field, value) pairs of a reply's metadata that are filled, in a reader's order."""
    rows = []
    for name in META_FIELDS:
        value = getattr(reply.meta, name, "")
        if isinstance(value, tuple):
            value = "-".join(map(str, value)) if name == "session" else "、".join(value)
        if value:
            rows.append((name, str(value)))
    rows.append(("source", reply.source.replace("\\", "/").rsplit("/", 1)[-1]))
    rows.append(("reply_id", reply.reply_id))
    return rows


def meta_table(reply: Reply, lang: str) -> str:
    cells = "".join(f"<tr><th>{esc(t('f_' + k, lang))}</th><td>{esc(v)}</td></tr>" for k, v in meta_rows(reply))
    return f'<table class="rq-meta">{cells}</table>'


def outline_html(reply: Reply, lang: str) -> str:
    """The sections as a list of links that scroll the text to each one (a repeated heading once)."""
    items, last = [], None
    for i, s in enumerate(reply.sections):
        if not s.path or s.path == last:
            continue
        last = s.path
        depth = min(len(s.path), 4)
        items.append(f'<li class="rq-depth-{depth}"><a class="rq-jump" href="#" data-sec="{i}">'
                     f'{esc(section_name(s.path[-1], lang), False)}</a></li>')
    if not items:
        return ""
    return f'<nav class="rq-outline"><div class="rq-outline-head">{esc(t("outline", lang))}</div><ul>{"".join(items)}</ul></nav>'


def reply_text_html(reply: Reply, start: int | None, end: int | None) -> str:
    """The whole text with section anchors and, when given, the quoted span marked."""
    text = reply.text
    events: list[tuple[int, int, str]] = [(s.start, 1, f'<span class="rq-anchor" data-sec="{i}"></span>')
                                          for i, s in enumerate(reply.sections) if 0 <= s.start <= len(text)]
    if start is not None and end is not None and 0 <= start < end <= len(text):
        events += [(start, 0, '<mark class="rq-mark rq-hit">'), (end, 2, "</mark>")]
    out, pos = [], 0
    for at, _, tag in sorted(events):
        out.append(esc(text[pos:at]))
        out.append(tag)
        pos = at
    out.append(esc(text[pos:]))
    return f'<div class="rq-text">{"".join(out)}</div>'


def reply_html(reply: Reply | None, lang: str, start: int | None = None, end: int | None = None,
               scan: Scan | None = None) -> str:
    """The full-reply viewer: title, metadata table, outline, the scanned page with the quote boxed (for a
    scan), text with the quote highlighted."""
    if reply is None:
        return notice_html(t("reply_missing", lang))
    title = esc(reply_label(reply))
    return (f'<article class="rq-reply"><h3 class="rq-reply-title">{title}</h3>{meta_table(reply, lang)}'
            f'{outline_html(reply, lang)}{scan_html(scan, start, end, lang)}{reply_text_html(reply, start, end)}'
            f'</article>')


def reply_view(index, reply_id: str | None, lang: str, start: int | None = None, end: int | None = None) -> str:
    """The viewer for a reply of ``index`` by id (a removed or unknown one says so)."""
    if not reply_id:
        return reply_html(None, lang)
    return reply_html(index.reply(reply_id), lang, start, end, index.scan(reply_id))


def viewer_hint(lang: str) -> str:
    return f'<div class="rq-hint">{esc(t("viewer_hint", lang))}</div>'


def chips_html(chips, removed, lang: str) -> str:
    """The filters read from the question, as chips: an active one removes itself on a click, a removed one
    (struck through) comes back. Empty when the question named none."""
    if not chips:
        return ""
    buttons = []
    for chip in chips:
        off = chip.key in removed
        buttons.append(f'<button type="button" class="rq-chip{" rq-chip-off" if off else ""}" '
                       f'data-chip="{esc(chip.key)}" aria-pressed="{"false" if off else "true"}" '
                       f'title="{esc(t("chip_restore" if off else "chip_remove", lang))}">'
                       f'<span class="rq-chip-label">{esc(chip.label(lang))}</span>'
                       f'<span class="rq-chip-x" aria-hidden="true">{"↺" if off else "×"}</span></button>')
    return (f'<div class="rq-chips" role="group" aria-label="{esc(t("chips_head", lang))}">'
            f'<span class="rq-chips-head">{esc(t("chips_head", lang))}</span>{"".join(buttons)}'
            f'<span class="rq-chips-hint">{esc(t("chips_hint_restore" if removed else "chips_hint", lang))}</span></div>')
