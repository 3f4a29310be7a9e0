"""What a precedent check shows: the JSON of ``replyqa precedent --json`` and ``api_name="precedent"``, the
promises of each reply from the commitments ledger, and the marked pieces of a matching passage."""
from __future__ import annotations

from .label import reply_label
from .ledger import promises_of
from .precedent import FEATURES, PrecedentResult


# the stable JSON of ``replyqa precedent --json`` and ``api_name="precedent"`` (others rely on these fields)
SIMILAR_FIELDS = ("reply_id", "source", "similarity", "title", "office", "lead_unit", "result_grade", "date")


def result_json(index, result: PrecedentResult, today: str) -> dict:
    """``{"similar": [...best first], "repeat_of": reply id or None}``, then what helps a reader: each reply's
    label, promises (with their status on ``today``) and matching passages, the suggested lead unit, and
    what was read of the proposal."""
    promises = promises_of(index, [p.reply_id for p in result.similar])
    similar = []
    for p in result.similar:
        reply = index.reply(p.reply_id)
        if reply is None:
            continue
        m = reply.meta
        similar.append({
            "reply_id": p.reply_id, "source": reply.source, "similarity": round(p.similarity, 1),
            "title": reply.title, "office": m.office, "lead_unit": m.lead_unit, "result_grade": m.result_grade,
            "date": m.date, "label": reply_label(reply), "same_place": bool(p.features.place_agree),
            "repeat_probability": round(p.repeat, 1),
            "promises": [{"quote": c.quote, "start": c.start, "end": c.end, "due": c.due, "due_text": c.due_text,
                          "condition": c.condition, "status": c.status(today)} for c in promises[p.reply_id]],
            "passages": [{"text": x.chunk.text, "start": x.chunk.start, "end": x.chunk.end,
                          "section": list(x.chunk.section), "score": x.score,
                          "marks": [list(s) for s in x.marks], "proposal_span": list(x.window)} for x in p.passages],
            "features": {k: round(v, 4) for k, v in zip(FEATURES, p.features.vector(FEATURES))},
        })
    lead = result.lead
    q = result.proposal
    return {
        "similar": similar, "repeat_of": result.repeat_of,
        "suggested_lead": None if lead is None else {
            "unit": lead.unit, "kind": lead.kind,
            "evidence": [{"reply_id": rid, "office": unit, "similarity": s} for rid, unit, s in lead.evidence]},
        "proposal": {"title": q.title, "chars": len(q.text), "places": [e.value for e in q.places],
                     "asks": [q.text[a:b] for a, b in q.asks], "windows": [list(w) for w in q.windows]},
        "today": today,
    }


def segments(text: str, start: int, marks) -> list[tuple[str, bool]]:
    """A passage cut into (piece, shared with the proposal) for highlighting; ``marks`` are reply offsets and
    ``start`` is the passage's own."""
    out, at = [], 0
    for a, b in marks:
        a, b = max(a - start, at), min(b - start, len(text))
        if a >= b:
            continue
        if a > at:
            out.append((text[at:a], False))
        out.append((text[a:b], True))
        at = b
    if at < len(text):
        out.append((text[at:], False))
    return out
