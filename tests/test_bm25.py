"""BM25: tokens, an index built from stored tokens scoring exactly as one built from text, updates in place
scoring exactly as a rebuild, the scores bm25s gives, and its files."""
from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from replyqa.bm25 import BM25Index, OldFormat, tokenize

TEXTS = ["教师每年需要完成七十二学分的培训。", "道路硬化工程预计年底完工，资金已经落实。", "。。。",
         "城区停车难的问题，将通过新建立体停车场解决。", "教師培訓學分由教育局統一登記。"]
IDS = [f"c{i}" for i in range(len(TEXTS))]
QUERIES = ["教师培训学分", "停车场", "道路 完工", "學分登記"]


def test_tokenize_folds_script_width_and_case_and_drops_stopwords_and_punctuation():
    assert tokenize("教師") == tokenize("教师")
    assert tokenize("ＡＢＣ１２３") == tokenize("abc123") == ["abc123"]
    assert tokenize("的了和，。！") == []
    assert "培训" in tokenize("教师的培训")


def test_an_index_from_stored_tokens_scores_exactly_as_one_from_text():
    from_text = BM25Index.build(IDS, TEXTS)
    from_tokens = BM25Index.from_tokens(IDS, [tokenize(t) for t in TEXTS])
    for q in QUERIES:
        tokens = [t for t in tokenize(q) if t in from_text.vocabulary]
        assert np.array_equal(from_text.scores(tokens), from_tokens.scores(tokens))
        assert from_text.search(q, 5) == from_tokens.search(q, 5)


def test_a_chunk_without_tokens_keeps_its_row_and_is_never_found():
    index = BM25Index.from_tokens(IDS, [tokenize(t) for t in TEXTS])
    assert tokenize(TEXTS[2]) == [] and len(index.scores(["停车场"])) == len(IDS)  # rows still line up with ids
    hits = index.search("停车场", 5)
    assert hits[0][0] == "c3" and all(cid != "c2" for cid, _ in hits)
    assert index.search("empty", 5) == []


def test_scores_are_those_of_bm25s_lucene_variant():
    bm25s = pytest.importorskip("bm25s")
    tokens = [tokenize(t) for t in TEXTS if tokenize(t)]  # bm25s drops a document without tokens
    ours = BM25Index.from_tokens([f"d{i}" for i in range(len(tokens))], tokens)
    theirs = bm25s.BM25()
    theirs.index(tokens, show_progress=False)
    for q in QUERIES + ["教师 教师 学分"]:
        query = [t for t in tokenize(q) if t in ours.vocabulary]
        assert np.allclose(ours.scores(query), theirs.get_scores(query), rtol=1e-6, atol=1e-7)


WORDS = st.sampled_from(["教师", "学分", "道路", "完工", "停车场", "资金", "培训", "年底", "城区", "登记"])
DOCS = st.lists(st.lists(WORDS, max_size=8), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(before=DOCS, after=DOCS, seed=st.integers(0, 1000))
def test_an_update_scores_exactly_as_a_rebuild_of_what_it_holds(before, after, seed):
    """Rows removed, rows added, rows kept and reordered: the same index as counting all of them afresh."""
    rng = random.Random(seed)
    old_ids = [f"o{i}" for i in range(len(before))]
    kept = [cid for cid in old_ids if rng.random() < 0.6]
    new = {f"n{i}": toks for i, toks in enumerate(after)}
    order = kept + list(new)
    rng.shuffle(order)
    tokens_of = {**dict(zip(old_ids, before)), **new}
    updated = BM25Index.from_tokens(old_ids, before).updated(order, new)
    rebuilt = BM25Index.from_tokens(order, [tokens_of[c] for c in order])
    assert updated.ids == rebuilt.ids == order
    assert set(updated.vocabulary) == set(rebuilt.vocabulary) == {t for c in order for t in tokens_of[c]}
    for query in (["教师", "学分"], ["道路", "道路", "完工"], ["登记"]):
        assert np.array_equal(updated.scores(query), rebuilt.scores(query))


def test_an_update_needs_the_tokens_of_every_row_it_does_not_hold():
    index = BM25Index.from_tokens(IDS[:2], [tokenize(t) for t in TEXTS[:2]])
    with pytest.raises(KeyError, match="neither indexed nor given tokens"):
        index.updated(IDS[:3], {})


def test_only_matched_chunks_come_back_best_first_and_the_mask_removes_rows():
    index = BM25Index.build(IDS, TEXTS)
    hits = index.search("教师培训学分", 5)
    assert {cid for cid, _ in hits} == {"c0", "c4"} and hits[0][1] >= hits[1][1] > 0
    mask = np.ones(len(IDS), np.float32)
    mask[IDS.index(hits[0][0])] = 0.0
    assert [cid for cid, _ in index.search("教师培训学分", 5, mask=mask)] == [hits[1][0]]
    assert index.search("完全无关的词语xyz", 5) == []


def test_save_and_load_keep_the_results_and_leave_no_temporary_folders(tmp_path):
    index = BM25Index.build(IDS, TEXTS)
    index.save(tmp_path / "bm25")
    BM25Index.build(IDS[:2], TEXTS[:2]).save(tmp_path / "other")
    index.save(tmp_path / "other")  # replacing an existing index
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bm25", "other"]
    for folder in ("bm25", "other"):
        loaded = BM25Index.load(tmp_path / folder)
        assert loaded.ids == IDS
        assert all(loaded.search(q, 5) == index.search(q, 5) for q in QUERIES)


def test_an_empty_index_saves_loads_and_finds_nothing(tmp_path):
    empty = BM25Index.from_tokens([], [])
    empty.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25")
    assert loaded.ids == [] and loaded.vocabulary == {} and loaded.search("教师", 5) == []


def test_a_folder_of_the_earlier_format_is_named_not_misread(tmp_path):
    folder = tmp_path / "bm25"
    folder.mkdir()
    (folder / "ids.json").write_text('["c0"]')
    (folder / "params.index.json").write_text("{}")  # what bm25s wrote
    with pytest.raises(OldFormat):
        BM25Index.load(folder)
