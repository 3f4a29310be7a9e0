"""Body headings and the sections of a reply.

Body units get a heading path from their headings ("一、", "（二）", "1.", named
ones such as "办理情况") and the enumerations run inside paragraphs ("一是…二是…",
"一方面…另一方面"). Consecutive units with the same path, or the same template
part, become one :class:`Section`, and sections tile the text.
"""
from __future__ import annotations

from .normalise import tidy
from .records import Section
from .template import BODY, HEADING_STYLES, INLINE_RES, ITEM_END, LABEL_END, NAMED_HEADING, NUM
from .text import trim
from .units import Unit

# hand-set: heading and inline-item labels longer than this are cut with "…" in section paths
HEADING_MAX, ITEM_MAX = 60, 40


def heading_at(unit: Unit) -> tuple[str, int] | None:
    """(style, end of its label) if the unit starts with a heading."""
    t = unit.ntext
    if NAMED_HEADING.match(t) and len(t) <= 16:
        return "named", len(t.rstrip(":"))
    for style, rx in HEADING_STYLES:
        if rx.match(t):
            if style == "shi" and not t.startswith("一是"):
                return (style, _label_end(t, 0, ITEM_END)) if t[0] in NUM else None
            stop = ITEM_END if style in ("shi", "fm") else LABEL_END
            return style, _label_end(t, 0, stop)
    return None


def _label_end(t: str, start: int, stops: str) -> int:
    """The first of ``stops`` from ``start``; a colon right at ``start`` ends the marker, not the label."""
    for i in range(start, len(t)):
        if t[i] in stops and not (t[i] == ":" and i == start):
            return i
    return len(t)


def _numeral(ch: str) -> int:
    return NUM.index(ch) + 1 if ch in NUM else 0


def inline_items(unit: Unit, after: int, lead: str | None = None) -> list[tuple[int, str]]:
    """(position, style) of the enumerations run inside a paragraph: 一是…二是…, 一方面…另一方面.

    A run needs two markers, unless the paragraph itself starts with the first (``lead``).
    """
    t = unit.ntext
    best: list[tuple[int, str]] = []
    for style, rx in INLINE_RES:
        continues = lead == style
        found = list(rx.finditer(t, after))
        if style == "fm":
            chain = [] if continues else [m.start() for m in found if not m.group(1)][:1]
            chain += [m.start() for m in found if m.group(1) and (continues or chain and m.start() > chain[0])][:1]
        else:
            chain, want = [], (_numeral(_lead_numeral(t, style)) + 1) if continues else 1
            for m in found:
                if _numeral(m.group(1)) == want:
                    chain.append(m.start())
                    want += 1
        if len(chain) >= (1 if continues else 2) and (not best or chain[0] < best[0][0]):
            best = [(p, style) for p in chain]
    return best


def _lead_numeral(t: str, style: str) -> str:
    return t[1] if style == "di" else t[0]


def _label(unit: Unit, a: int, b: int, cap: int) -> str:
    label = tidy(unit.original(a, b))
    return label if len(label) <= cap else label[:cap] + "…"


def _push(stack: list[tuple[str, str]], style: str, label: str) -> None:
    styles = [s for s, _ in stack]
    if style in styles:
        del stack[styles.index(style):]
    stack.append((style, label))


def body_boundaries(units: list[Unit]) -> list[tuple[int, tuple[str, ...]]]:
    """(original offset, heading path) wherever the body's heading path changes."""
    stack: list[tuple[str, str]] = []
    out: list[tuple[int, tuple[str, ...]]] = []
    for u in units:
        head = heading_at(u)
        if head and head[0] == "shi" and not u.ntext.startswith("一是") and "shi" not in {s for s, _ in stack}:
            head = None
        label_end = 0
        if head:
            _push(stack, head[0], _label(u, 0, head[1], HEADING_MAX))
            label_end = head[1]
        out.append((u.start, tuple(label for _, label in stack)))
        depth = len(stack)
        for pos, style in inline_items(u, max(label_end, 1), head[0] if head else None):
            end = _label_end(u.ntext, pos, ITEM_END)
            _push(stack, style, _label(u, pos, end, ITEM_MAX))
            out.append((u.span(pos, pos + 1)[0], tuple(label for _, label in stack)))
        del stack[depth:]  # a paragraph's inline items end with it
    return out


def section_boundaries(units: list[Unit], parts: list[str]) -> list[tuple[int, tuple[str, ...]]]:
    """(original offset, path) for each run of units, template parts and body headings together."""
    out: list[tuple[int, tuple[str, ...]]] = []
    i = 0
    while i < len(units):
        j = i
        while j < len(units) and parts[j] == parts[i]:
            j += 1
        if parts[i] == BODY:
            out += body_boundaries(units[i:j])
        else:
            out.append((units[i].start, (parts[i],)))
        i = j
    return out


def build_sections(text: str, reply_id: str, bounds: list[tuple[int, tuple[str, ...]]]) -> tuple[Section, ...]:
    """Sections tiling ``text``: each runs to the next boundary, trimmed of surrounding whitespace."""
    merged: list[tuple[int, tuple[str, ...]]] = []
    for pos, path in bounds:
        if merged and merged[-1][1] == path:
            continue
        if merged and merged[-1][0] == pos:
            merged[-1] = (pos, path)
        else:
            merged.append((pos, path))
    if merged:
        merged[0] = (0, merged[0][1])
    elif text.strip():  # only bars and bullets: still one section, so every character is in one
        merged = [(0, ())]
    sections = []
    for k, (start, path) in enumerate(merged):
        end = merged[k + 1][0] if k + 1 < len(merged) else len(text)
        start, end = trim(text, start, end)
        if start < end:
            sections.append(Section(reply_id, path, start, end))
    return tuple(sections)
