"""Filters: the BM25 mask admits exactly the replies ``matches`` admits, and Chroma gets the same constraints."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from replyqa.filters import FilterColumns, Filters, date_int, reply_date
from replyqa.parse import reply_id_for
from replyqa.records import Reply, ReplyMeta, Section

METAS = {
    "a": ReplyMeta(body="政协", level="县", office="教育局", session=(14, 4), proposal_number="45",
                   reply_class="A", signed="2021-06-30", lead_unit="县教育局", co_units=("县财政局",),
                   result_grade="A"),
    "b": ReplyMeta(body="人大", level="市", office="卫健局", session=(7, 5), proposal_number="71",
                   reply_class="B", published="2022-03-01", result_grade="解决采纳"),
    "c": ReplyMeta(body="人大", level="县", office="教育局", session=(18, 6), proposal_number="17",
                   signed="2020-12-31", published="2021-01-05", lead_unit="县教育局", result_grade="B1"),
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
    "lead_unit": st.sampled_from(["县教育局", "县财政局", ""]), "result_grade": st.sampled_from(["A", "B1", "解决采纳", "C"]),
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


def _admitted(mask) -> set[str]:
    return {r for r, m in zip(ROWS, mask) if m}


@pytest.mark.parametrize("filters, expected", [
    (Filters(lead_unit="县教育局"), {"a", "c"}),
    (Filters(lead_unit="县财政局"), set()),  # a co-unit is not the lead unit
    (Filters(result_grade="A"), {"a"}),
    (Filters(result_grade="解决采纳"), {"b"}),
    (Filters(result_grade="B"), set()),  # exact: B does not admit B1
    (Filters(lead_unit="县教育局", result_grade="B1"), {"c"}),
    (Filters(lead_unit="县教育局", year_from=2021), {"a"}),
    (Filters(lead_unit="县教育局", reply_ids=("a", "b", "x")), {"a"}),
])
def test_handling_filters_admit_exactly_the_matching_replies(filters, expected):
    assert {r for r in METAS if filters.matches(r, METAS[r])} == expected
    assert _admitted(filters.mask(columns())) == expected
    # Chroma learns them as the reply ids the catalog admits, within the date bounds it is told itself
    admitted = set(filters.catalog_ids(columns()))
    assert expected <= admitted and admitted - expected <= {r for r in METAS if not filters.matches(r, METAS[r])}


def test_handling_filters_reach_chroma_as_reply_ids_from_the_catalog():
    where = Filters(lead_unit="县教育局", body="人大").to_chroma(columns())
    assert where == {"$and": [{"body": {"$eq": "人大"}}, {"reply_id": {"$in": ["a", "c"]}}]}
    assert Filters(result_grade="C").to_chroma(columns()) == {"reply_id": {"$in": []}}
    # Chroma rejects an empty $in: the retriever asks first whether anything can pass
    assert Filters(result_grade="C").admits_none(columns()) and not Filters(result_grade="A").admits_none(columns())
    assert Filters(reply_ids=()).admits_none() and not Filters(body="人大").admits_none()
    # without them the clause is what it always was, with or without the columns
    assert Filters(body="人大", reply_ids=("a",)).to_chroma(columns()) == Filters(body="人大", reply_ids=("a",)).to_chroma()
    assert not Filters(body="人大").needs_catalog and Filters(result_grade="A").needs_catalog
    with pytest.raises(ValueError):
        Filters(result_grade="A").to_chroma()


def test_a_removed_reply_is_never_admitted_by_a_handling_filter():
    cols = FilterColumns([("a", METAS["a"]), ("gone", None)], np.array([0, 1]))
    assert Filters(lead_unit="县教育局").catalog_ids(cols) == ("a",)
    assert Filters(lead_unit="").catalog_ids(cols) == ()


# -- both stores of a real index (fake embedder): the chunk metadata in Chroma has no handling keys,
# as in indexes built before they were parsed, so the filter must go through the catalog

def _reply(text: str, source: str, **meta) -> Reply:
    rid = reply_id_for(text)
    return Reply(reply_id=rid, title=source, meta=ReplyMeta(**meta), text=text, source=source,
                 sections=(Section(rid, ("正文",), 0, len(text)),))


@pytest.fixture
def handled_index(fake_index):
    fake_index.add([
        _reply("关于城区停车难的答复。新增停车泊位326个。", "a.txt", lead_unit="县住建局", result_grade="A",
               co_units=("县公安局",), signed="2019-06-10"),
        _reply("关于停车场建设的答复。建成立体停车场2座。", "b.txt", lead_unit="县公安局", result_grade="B1",
               signed="2023-07-05"),
        _reply("关于停车收费的答复。停车收费标准已调整。", "c.txt", lead_unit="县住建局", result_grade="解决采纳",
               signed="2025-04-21"),
        _reply("关于停车位共享的答复。停车位错时开放。", "d.txt", signed="2025-05-01"),
    ])
    return fake_index


_HANDLED = {"a.txt": ("县住建局", "A", 2019), "b.txt": ("县公安局", "B1", 2023),
            "c.txt": ("县住建局", "解决采纳", 2025), "d.txt": ("", "", 2025)}


def test_chroma_metadata_has_no_handling_keys(handled_index):
    got = handled_index.vectors.collection.get(include=["metadatas"])
    assert got["metadatas"] and not any({"lead_unit", "result_grade"} & set(m) for m in got["metadatas"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lead=st.none() | st.sampled_from(["县住建局", "县公安局", "县教育局"]),
       grade=st.none() | st.sampled_from(["A", "B1", "解决采纳", "B"]),
       year_from=st.none() | st.sampled_from([2020, 2025]))
def test_both_stores_admit_exactly_the_matching_replies(handled_index, lead, grade, year_from):
    from replyqa.retrieve import HybridRetriever

    filters = Filters(lead_unit=lead, result_grade=grade, year_from=year_from)
    expected = {src for src, (u, g, y) in _HANDLED.items()
                if lead in (None, u) and grade in (None, g) and (year_from is None or y >= year_from)}
    retriever = HybridRetriever(handled_index)
    for mode in ("dense", "bm25"):
        hits = retriever.search("停车", k=10, mode=mode, filters=filters)
        assert {handled_index.reply(h.chunk.reply_id).source for h in hits} == expected, mode
