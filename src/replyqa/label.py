"""How a reply is named wherever people see it: one label for the chat, the refusal's related
list, the precedent desk, the archive, the CLI and the export.

The label falls back from the reply's own title, to the proposal it answers written as
"关于《…》的答复" (in the reply's script: "關於《…》的答覆" for Traditional), to the office and
date, to the document number. It is never a file path or a reply id: those mean nothing to a
reader and leak where the archive lives on the server.
"""
from __future__ import annotations

import re

from .normalise import is_traditional
from .catalog import ReplyInfo
from .records import Reply

SCRIPT_SAMPLE_CHARS = 600  # enough text to tell the script; converting a whole reply per label is waste

_HAN = re.compile(r"[\u3400-\u9fff]")
_PROPOSAL = {False: "关于《{}》的答复", True: "關於《{}》的答覆"}
_UNTITLED = {False: "答复", True: "答覆"}


def _script_sample(reply: Reply | ReplyInfo) -> str:
    """Text written in the reply's own script, from its metadata, so a listing that holds no reply
    text (:class:`~replyqa.catalog.ReplyInfo`) names a reply as a full reply does; only a reply
    with no parsed names at all is judged by its text."""
    meta = reply.meta
    names = " ".join((meta.proposal_title, meta.title, reply.title, meta.office, *meta.addressees))
    if not _HAN.search(names) and isinstance(reply, Reply):  # nothing parsed: the text itself tells
        return reply.text
    return names


def reply_label(reply: Reply | ReplyInfo, dated: bool = True) -> str:
    """The name a reader sees for a reply; ``dated=False`` leaves the date out of the office
    fallback, for frames that print the date themselves."""
    name = reply_name(reply, dated)
    if name:
        return name
    untitled = _UNTITLED[is_traditional(_script_sample(reply)[:SCRIPT_SAMPLE_CHARS])]
    date = reply.meta.date if dated else ""
    return f"{untitled}（{date}）" if date else untitled


def reply_name(reply: Reply | ReplyInfo, dated: bool = True) -> str:
    """What names a reply (title, proposal, office and date, document number), or "" when the
    reply states none of them: an answer frame then says just "the reply"."""
    meta = reply.meta
    # The parser fills ``reply.title`` with the bare proposal title when the reply has none of its own.
    title = meta.title.strip() or (reply.title.strip() if reply.title != meta.proposal_title else "")
    if title:
        return title
    if meta.proposal_title.strip():
        traditional = is_traditional(_script_sample(reply)[:SCRIPT_SAMPLE_CHARS])
        return _PROPOSAL[traditional].format(meta.proposal_title.strip())
    date = meta.date if dated else ""
    office = meta.office.strip()
    if office:
        return f"{office}（{date}）" if date else office
    return meta.doc_number.strip()
