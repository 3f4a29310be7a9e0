"""The refusal-floor measurement's arithmetic on made-up records (the measurement itself runs in eval/fit_floors.py)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "eval"))

import fit_floors  # noqa: E402


def _row(own: bool, coverage: float, dense: float, other: bool = False) -> dict:
    return {"own": own, "floored": True, "refused": False, "coverage": coverage, "dense": dense, "other": other}


ROWS = [_row(True, 0.9, 0.86), _row(True, 0.5, 0.90), _row(True, 0.5, 0.88),
        _row(False, 0.5, 0.86), _row(False, 0.2, 0.90), _row(False, 0.5, 0.80, other=True),
        {"own": True, "floored": False, "refused": True}]  # answered or refused before any floor applied


def test_a_floor_pair_refuses_by_coverage_then_by_similarity_unless_nearly_every_word_is_there():
    got = fit_floors.refused(ROWS, 0.30, 0.87, sure_coverage=0.8)
    # 0.86 is under the similarity floor but 0.9 of the words are near: kept; the unfloored row keeps its verdict
    assert got.tolist() == [False, False, False, True, True, True, True]
    assert fit_floors.rates(ROWS, 0.30, 0.87, 0.8) == {"answerable_refused": 0.25, "off_archive_refused": 1.0}


def test_the_fitted_pair_maximises_youdens_j_and_ties_go_to_the_current_floors():
    fitted = fit_floors.fit(ROWS, current=(0.30, 0.855), sure_coverage=0.8)
    assert fitted["j"] == 0.75 and fitted["off_archive_refused"] == 1.0
    # every pair with that J refuses the 0.86 off-archive row and keeps the 0.88 answerable one
    assert 0.86 < fitted["min_dense_zh"] <= 0.88
    assert fitted["min_coverage"] == 0.30


def test_the_budgeted_pair_refuses_the_most_off_archive_while_its_floors_spare_the_in_genre_questions():
    # two of fifty in-genre answerable questions (4%, over the 2% budget) sit at similarity 0.865
    in_genre = [_row(True, 0.5, 0.865)] * 2 + [_row(True, 0.5, 0.95)] * 48
    assert fit_floors.floor_refused(in_genre, 0.30, 0.87, 0.8) == 0.04
    fitted = fit_floors.fit(ROWS, current=(0.30, 0.855), sure_coverage=0.8, in_genre=in_genre)
    # the 0.86 off-archive row is still refused, by the highest floor the budget allows
    assert fitted["min_dense_zh"] == 0.865 and fitted["off_archive_refused"] == 1.0
    assert fit_floors.floor_refused(in_genre, fitted["min_coverage"], fitted["min_dense_zh"], 0.8) == 0.0
