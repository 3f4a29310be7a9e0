"""BM25: tokens, an index built from stored tokens scoring exactly as one built from text, and its files."""
from __future__ import annotations

import numpy as np

from replyqa.bm25 import EMPTY, BM25Index, tokenize

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
        assert np.array_equal(from_text.model.get_scores(tokens), from_tokens.model.get_scores(tokens))
        assert from_text.search(q, 5) == from_tokens.search(q, 5)


def test_a_chunk_without_tokens_keeps_its_row_and_is_never_found():
    index = BM25Index.from_tokens(IDS, [tokenize(t) for t in TEXTS])
    assert tokenize(TEXTS[2]) == [] and EMPTY in index.vocabulary
    assert index.model.scores["num_docs"] == len(IDS)  # no document dropped: rows still line up with ids
    hits = index.search("停车场", 5)
    assert hits[0][0] == "c3" and all(cid != "c2" for cid, _ in hits)
    assert index.search("empty", 5) == []


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
