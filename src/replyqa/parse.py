"""Parse a reply's text into its template parts, body sections and metadata.

A reply follows a template (see :mod:`replyqa.template`): header and metadata
block, salutation, opening, numbered body, closing, signature and date, contact
block. Parsing runs four steps, each in its own module:

1. :func:`replyqa.units.split_units` cuts the text into *units* (lines, and pieces
   of lines where a flattened table cell runs several parts together);
2. :func:`replyqa.parts.template_parts` gives each unit its template part;
3. :mod:`replyqa.sections` gives body units a heading path and makes consecutive
   units with the same path one :class:`Section`. Sections tile the text, so every
   character belongs to exactly one. Template parts other than the body have the
   one-element path ``(part,)``, e.g. ``("header",)``; body sections have their
   heading path, ``()`` for body text before the first heading;
4. :func:`replyqa.metadata.extract_meta` reads the fields, the handling ones (signer, handler,
   units, grade …) through :mod:`replyqa.handling`.

Patterns run on the matching form of each unit (Simplified, half-width, no
glosses); every value is cut from the original text.
"""
from __future__ import annotations

import hashlib

from .metadata import extract_meta
from .normalise import match_key
from .parts import template_parts
from .records import Reply
from .sections import build_sections, section_boundaries
from .units import split_units


def reply_id_for(text: str) -> str:
    """A stable id: the hash of the normalised content, so a re-read gives the same id."""
    return hashlib.sha256(match_key(text).encode()).hexdigest()[:16]


def parse_reply(text: str, source: str) -> Reply:
    """Parse one reply: metadata (every field optional) and sections that tile the text."""
    rid = reply_id_for(text)
    units = split_units(text)
    parts = template_parts(units)
    sections = build_sections(text, rid, section_boundaries(units, parts))
    meta = extract_meta(text, units, parts)
    return Reply(reply_id=rid, title=meta.title or meta.proposal_title, meta=meta, text=text, source=source,
                 sections=sections)


def reply_json(reply: Reply, chunks) -> dict:
    """The stable JSON shape of ``replyqa parse``: metadata, sections and chunks."""
    meta = reply.meta
    return {"reply_id": reply.reply_id, "source": reply.source, "title": meta.title, "office": meta.office,
            "doc_number": meta.doc_number, "reply_class": meta.reply_class, "disclosure": meta.disclosure,
            "body": meta.body, "level": meta.level, "session": list(meta.session),
            "proposal_number": meta.proposal_number, "role": meta.role, "addressees": list(meta.addressees),
            "proposal_title": meta.proposal_title, "published": meta.published, "signed": meta.signed,
            "contact": meta.contact, "signer": meta.signer, "handler": meta.handler, "phone": meta.phone,
            "lead_unit": meta.lead_unit, "co_units": list(meta.co_units), "proposer_org": meta.proposer_org,
            "delegation": meta.delegation, "result_grade": meta.result_grade, "result_meaning": meta.result_meaning,
            "spans": [{"field": f, "start": a, "end": b} for f, a, b in meta.spans],
            "sections": [{"path": list(s.path), "start": s.start, "end": s.end} for s in reply.sections],
            "chunks": [{"chunk_id": c.chunk_id, "section": list(c.section), "start": c.start, "end": c.end,
                        "text": c.text} for c in chunks],
            "scan": scan_json(reply.scan) if reply.scan is not None else None}


def scan_json(scan) -> dict:
    """What OCR read of a scanned reply, for ``replyqa parse --json``: confidence, pages, each line's place."""
    return {"confidence": scan.confidence,
            "pages": [{"number": p.number, "width": p.width, "height": p.height} for p in scan.pages],
            "lines": [{"page": ln.page, "start": ln.start, "end": ln.end, "box": list(ln.box), "score": ln.score}
                      for ln in scan.lines]}
