"""Quotable pieces: sentences, clauses of long ones, whole-sentence bounds, header chunks."""
from __future__ import annotations

from replyqa.answer.pieces import (PIECES, PieceConfig, _sentence_bounds, extend_list, header_hits, pieces_of,
                                   split_pieces)
from replyqa.records import Chunk, Hit

LONG = "今年重点做好以下工作：" + "，".join(["加强师资培训工作"] * 14) + "；" + "，".join(["完善场地建设"] * 14) + "。"


class _Reply:
    def __init__(self, reply_id: str, text: str):
        self.reply_id, self.text = reply_id, text


class _Index:
    def __init__(self, chunks: dict[str, list[Chunk]]):
        self.chunks = chunks

    def chunks_of(self, reply_id: str) -> list[Chunk]:
        return self.chunks[reply_id]


def texts(text: str, spans) -> list[str]:
    return [text[a:b] for a, b in spans]


def test_sentences_keep_one_closing_quote_and_drop_leading_commas():
    text = "他说：“已经完成。”，后续再议！  \n好"
    assert texts(text, split_pieces(text, 0, len(text))) == ["他说：“已经完成。”", "后续再议！"]


def test_a_long_sentence_also_yields_its_clauses_and_windows():
    got = texts(LONG, split_pieces(LONG, 0, len(LONG)))
    assert got[0] == LONG and len(LONG) > PIECES.long_sentence
    assert LONG[: LONG.index("；") + 1] in got  # its first ；-clause
    short = texts(LONG, split_pieces(LONG, 0, len(LONG), PieceConfig(long_sentence=1000)))
    assert short == [LONG]


def test_long_clauses_are_cut_into_windows_of_about_the_configured_size():
    clause = "，".join(["加强师资培训工作"] * 40) + "。"
    cfg = PieceConfig(window=50)
    windows = [s for s in texts(clause, split_pieces(clause, 0, len(clause), cfg)) if s != clause]
    assert windows and all(len(w) <= cfg.window + 10 for w in windows)
    assert "".join(windows).replace("，", "") == clause.replace("，", "")


def test_a_chunk_is_widened_to_whole_sentences():
    text = "第一句。第二句前半；第二句后半。第三句。"
    start, end = text.index("第二句后半"), text.index("第二句后半") + 5
    a, b = _sentence_bounds(text, start, end)
    assert text[a:b] == "第二句前半；第二句后半。"


def test_a_first_item_is_kept_with_the_second():
    text = "措施有两条。一是加强师资。二是完善场地。三是其他。"
    piece = pieces_of([Hit(Chunk("c", "r", (), text, 0, len(text)), 1.0, "dense")],
                      {"r": _Reply("r", text)})[1]
    assert extend_list(piece, _Reply("r", text)).text == "一是加强师资。二是完善场地。"


def test_header_hits_take_early_chunks_of_the_top_replies():
    chunks = {r: [Chunk(f"{r}{s}", r, (), "x", s, s + 1) for s in (0, 500, 700)] for r in "abcd"}
    hits = [Hit(chunks[r][2], 1.0, "dense") for r in "abcd"]
    got = header_hits(hits, _Index(chunks))
    assert [(h.chunk.reply_id, h.chunk.start, h.via) for h in got] == [
        (r, s, "header") for r in "abc" for s in (0, 500)]
    got = header_hits(hits, _Index(chunks), PieceConfig(header_chars=100, header_replies=1))
    assert [(h.chunk.reply_id, h.chunk.start) for h in got] == [("a", 0)]
