"""Parse a reply's text into metadata and sections (first version: title only)."""
from __future__ import annotations

import hashlib

from .normalise import match_key
from .records import Reply, ReplyMeta, Section


def reply_id_for(text: str) -> str:
    """A stable id: the hash of the normalised content, so a re-read gives the same id."""
    return hashlib.sha256(match_key(text).encode()).hexdigest()[:16]


def parse_reply(text: str, source: str) -> Reply:
    """Parse one reply; every metadata field is optional."""
    rid = reply_id_for(text)
    title = next((line.strip() for line in text.splitlines() if line.strip()), "")
    meta = ReplyMeta(title=title)
    return Reply(reply_id=rid, title=title, meta=meta, text=text, source=source,
                 sections=(Section(rid, (), 0, len(text)),))
