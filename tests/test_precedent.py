"""The precedent check over the sample archive with the fake embedder: features, places, the repeat flag,
windows read to the end and the lead unit. The shipped calibration's own figures are
measured by `make eval` (eval-precedent), not here."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from replyqa.ingest import ingest
from replyqa.precedent import (FEATURES, Calibration, Features, Precedent, PrecedentChecker, bare_unit,
                               load_calibration, suggest_lead)

ZHENKANG = "008_zhenkangxian-jiaotong-zhongchangcun-daolu-fanti.txt"
REPEAT = ("关于加快镇康县中厂村通往军南线公路硬化的建议\n镇康县中厂村到军南线的连接道路仍是土路，雨季泥泞难行。\n"
          "建议县交通运输局将中厂村至军南线连接线列入硬化计划，争取上级资金尽快开工建设。")
ELSEWHERE = REPEAT.replace("镇康县", "永德县").replace("中厂村", "大寨村")


def calibration(threshold: float = 50.0) -> Calibration:
    """A hand-made calibration for plumbing tests: grade rises with dense_best, bm25 and the place."""
    n = len(FEATURES)
    weights = dict(zip(FEATURES, range(n)))
    repeat = [0.0] * n
    repeat[weights["dense_gap"]], repeat[weights["bm25"]], repeat[weights["place_agree"]] = 20.0, 4.0, 12.0
    elsewhere = [0.0] * n
    elsewhere[weights["dense_gap"]], elsewhere[weights["bm25"]] = 20.0, 4.0
    return Calibration(FEATURES, (0.0,) * n, (1.0,) * n, ((0.0,) * n, tuple(elsewhere), tuple(repeat)),
                       (0.0, 0.0, -10.0), threshold)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    from replyqa.embed import HashEmbedder
    from replyqa.settings import Settings
    from replyqa.store import Index
    from tests.conftest import SAMPLES

    folder = tmp_path_factory.mktemp("precedent-index")
    index = Index(folder, HashEmbedder(dim=64), Settings(index=str(folder), embed_model="hash"))
    ingest(index, [SAMPLES], progress=False)
    return index


def reply_id(index, name: str) -> str:
    return next(i.reply_id for i in index.reply_infos() if i.source.endswith(name))


def test_the_shipped_calibration_reads_the_features_the_check_computes():
    cal = load_calibration()
    assert cal.features == FEATURES and len(cal.coef) == 3 and all(len(row) == len(FEATURES) for row in cal.coef)
    assert 0 < cal.repeat_threshold < 100 and "precedent_fit.jsonl" in cal.fitted_on


def test_similarity_is_the_expected_grade_and_the_place_moves_it():
    cal = calibration()
    near = Features(0.95, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0)
    probs = cal.probabilities(near)
    assert sum(probs) == pytest.approx(1.0)
    assert cal.similarity(near) == pytest.approx(100 * (0.5 * probs[1] + probs[2]))
    elsewhere = replace(near, place_agree=0.0, place_conflict=1.0)
    assert cal.similarity(near) > 90 and 35 < cal.similarity(elsewhere) < 65  # the same ask elsewhere: about half
    assert cal.similarity(replace(elsewhere, dense_gap=-0.5, bm25=0.0)) < 5


def test_a_repeat_names_the_reply_of_the_same_place_and_the_same_ask_elsewhere_does_not(archive):
    checker = PrecedentChecker(archive, calibration())
    target = reply_id(archive, ZHENKANG)
    repeat = checker.check(REPEAT)
    assert repeat.similar[0].reply_id == target and repeat.similar[0].features.place_agree == 1.0
    assert repeat.repeat_of == target
    elsewhere = checker.check(ELSEWHERE)
    assert [e.value for e in elsewhere.proposal.places] == ["永德县", "大寨村"]
    assert elsewhere.repeat_of is None
    assert all(p.features.place_agree == 0.0 and p.features.place_conflict == 1.0 for p in elsewhere.similar)
    assert elsewhere.similar[0].reply_id == target  # still its precedent
    assert elsewhere.similar[0].similarity < repeat.similar[0].similarity


def test_no_repeat_below_the_threshold_even_for_the_same_place(archive):
    result = PrecedentChecker(archive, calibration(threshold=100.0)).check(REPEAT)
    assert result.repeat_of is None and result.similar[0].features.place_agree == 1.0


def test_a_long_proposal_is_matched_by_its_last_window(archive):
    filler = "近年来我国经济社会持续发展，人民生活水平不断提高，各项事业取得长足进步。" * 40
    # the last sentence holds no ask word, so only the windows carry it (not the title, not the asks)
    text = "关于一件事的建议\n" + filler + "\n此事涉及镇康县中厂村至军南线连接线道路硬化，土路雨季泥泞难行。"
    result = PrecedentChecker(archive, calibration()).check(text, k=20)
    target = next(p for p in result.similar if p.reply_id == reply_id(archive, ZHENKANG))
    assert len(result.proposal.windows) > 5
    assert any(x.window[0] > len(filler) for x in target.passages)  # found by the end of the text, not cut off


def test_the_lead_unit_is_the_office_kind_of_the_closest_precedents(archive):
    ids = {name: reply_id(archive, name) for name in (ZHENKANG, "012_ningshanxian-jiaotong-rd17-mazhuangcun-daolu.txt",
                                                      "060_xiayixian-chengguan-zx113-chengqu-gongce.txt")}
    f = Features(0.9, 0, 0, 0, 1, 1, 0)
    ranked = [Precedent(ids["060_xiayixian-chengguan-zx113-chengqu-gongce.txt"], 60.0, 0, f, ()),
              Precedent(ids[ZHENKANG], 50.0, 0, f, ()),
              Precedent(ids["012_ningshanxian-jiaotong-rd17-mazhuangcun-daolu.txt"], 45.0, 0, f, ()),
              Precedent(ids["060_xiayixian-chengguan-zx113-chengqu-gongce.txt"], 10.0, 0, f, ())]
    lead = suggest_lead(archive, ranked)
    assert lead.kind == "transport" and lead.unit == "交通运输局"  # 50 + 45 beat 60; a reply under 25 does not vote
    assert [e[0] for e in lead.evidence] == [ids[ZHENKANG], ids["012_ningshanxian-jiaotong-rd17-mazhuangcun-daolu.txt"]]
    assert suggest_lead(archive, ranked[3:]) is None


@pytest.mark.parametrize("office, unit", [("镇康县交通运输局", "交通运输局"), ("嶽陽縣教育體育局", "教育体育局"),
                                          ("高平市卫生健康和体育局", "卫生健康和体育局"), ("县民政局", "民政局")])
def test_bare_unit_drops_the_place(office, unit):
    assert bare_unit(office) == unit


@pytest.mark.model
def test_with_the_model_a_reworded_repeat_scores_high_and_the_same_ask_elsewhere_about_half(sample_index):
    checker = PrecedentChecker(sample_index)
    target = reply_id(sample_index, ZHENKANG)
    repeat, elsewhere = checker.check(REPEAT), checker.check(ELSEWHERE)
    assert repeat.repeat_of == target and repeat.similar[0].similarity > 80
    assert elsewhere.repeat_of is None and elsewhere.similar[0].reply_id == target
    assert 20 < elsewhere.similar[0].similarity < 70
