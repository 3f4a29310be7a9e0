"""Filters: the BM25 mask admits exactly the replies ``matches`` admits, and Chroma gets the same constraints."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings, strategies as st

from replyqa.filters import FilterColumns, Filters, date_int, reply_date
from replyqa.records import ReplyMeta

METAS = {
    "a": ReplyMeta(body="政协", level="县", office="教育局", session=(14, 4), proposal_number="45",
                   reply_class="A", signed="2021-06-30"),
    "b": ReplyMeta(body="人大", level="市", office="卫健局", session=(7, 5), proposal_number="71",
                   reply_class="B", published="2022-03-01"),
    "c": ReplyMeta(body="人大", level="县", office="教育局", session=(18, 6), proposal_number="17",
                   signed="2020-12-31", published="2021-01-05"),
    "d": ReplyMeta(body="政协", level="省", office="交通厅"),  # no date at all
}
ROWS = ["a", "a", "b", "c", "c", "c", "d", "a"]  # chunk rows, several per reply


def columns(replies=METAS, rows=ROWS) -> FilterColumns:
    order = list(replies)
    return FilterColumns([(rid, replies[rid]) for rid in order], np.array([order.index(r) for r in rows]))


def test_reply_date_is_signed_else_published_as_an_integer():
    assert reply_date(METAS["c"]) == 20201231 and reply_date(METAS["b"]) == 20220301
    assert reply_date(METAS["d"]) == 0 and date_int("2021-6-3") == 0


def test_an_empty_filter_admits_every_row():
    assert Filters().is_empty()
    assert Filters().mask(columns()).tolist() == [1.0] * len(ROWS)


def test_equality_and_date_filters_pick_the_rows_of_matching_replies():
    mask = Filters(body="人大", level="县").mask(columns())
    assert mask.dtype == np.float32 and [r for r, m in zip(ROWS, mask) if m] == ["c", "c", "c"]
    assert [r for r, m in zip(ROWS, Filters(session="14-4").mask(columns())) if m] == ["a", "a", "a"]
    assert [r for r, m in zip(ROWS, Filters(year_from=2021).mask(columns())) if m] == ["a", "a", "b", "a"]
    # an upper bound leaves out replies without a date; a lower bound too, since 0 is below it
    assert "d" not in {r for r, m in zip(ROWS, Filters(year_to=2030).mask(columns())) if m}
    assert not Filters(office="没有这个部门").mask(columns()).any()


def test_rows_of_unknown_or_removed_replies_never_pass():
    cols = FilterColumns([("a", METAS["a"]), ("gone", None)], np.array([0, -1, 1, 0]))
    assert Filters().mask(cols).tolist() == [1.0, 0.0, 0.0, 1.0]
    assert Filters(reply_ids=("a", "gone", "never")).mask(cols).tolist() == [1.0, 0.0, 0.0, 1.0]


def test_no_rows_give_an_empty_mask():
    assert Filters(body="政协").mask(FilterColumns([], np.zeros(0, dtype=np.int64))).shape == (0,)


_values = {
    "body": st.sampled_from(["政协", "人大", ""]), "level": st.sampled_from(["县", "市", "省", ""]),
    "office": st.sampled_from(["教育局", "卫健局", "交通厅"]), "session": st.sampled_from(["14-4", "7-5", "", "1-1"]),
    "proposal_number": st.sampled_from(["45", "71", "17", ""]), "reply_class": st.sampled_from(["A", "B", ""]),
}
_filters = st.builds(
    Filters, year_from=st.none() | st.integers(2019, 2023), year_to=st.none() | st.integers(2019, 2023),
    date_from=st.none() | st.sampled_from(["2021-01-01", "2021-06-30", "bad"]),
    date_to=st.none() | st.sampled_from(["2021-01-05", "2022-12-31"]),
    reply_ids=st.none() | st.lists(st.sampled_from(["a", "b", "c", "d", "x"]), max_size=3).map(tuple),
    **{k: st.none() | v for k, v in _values.items()})


@settings(max_examples=300, deadline=None)
@given(_filters)
def test_the_mask_agrees_with_matches_for_every_filter(filters):
    expected = [float(filters.matches(r, METAS[r])) for r in ROWS]
    assert filters.mask(columns()).tolist() == expected


def test_to_chroma_states_the_same_constraints():
    assert Filters().to_chroma() is None
    assert Filters(body="人大").to_chroma() == {"body": {"$eq": "人大"}}
    where = Filters(year_from=2021, date_to="2022-12-31", reply_ids=("a",), session="14-4").to_chroma()
    assert where == {"$and": [{"session": {"$eq": "14-4"}}, {"date": {"$gte": 20210101}},
                              {"date": {"$lte": 20221231}}, {"reply_id": {"$in": ["a"]}}]}


def test_changed_metadata_changes_the_verdict():
    moved = {**METAS, "d": replace(METAS["d"], signed="2023-01-01")}
    assert [r for r, m in zip(ROWS, Filters(year_from=2023).mask(columns(moved))) if m] == ["d"]
