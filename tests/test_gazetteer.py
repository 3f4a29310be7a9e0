"""The archive gazetteer: each reply's identifying names, in every spelling, and looking them up."""
from __future__ import annotations

import sqlite3

from replyqa.entities import extract
from replyqa.gazetteer import Gazetteer, Name, pinyin_keys, reply_names
from replyqa.ingest import ingest
from replyqa.normalise import to_simplified
from replyqa.records import ReplyMeta
from replyqa.store import Index
from tests.test_store import _files

YUEYANG = ReplyMeta(office="嶽陽縣教育體育局", doc_number="嶽縣教體字〔2025〕23號", body="政协", level="县", session=(14, 4),
                    proposal_number="第45號", addressees=("翟亞丹委員",), published="2025-07-14", signed="2025-04-21")
TITLE = "對縣政協十四屆四次會議第45號提案的答複"


def _values(names: list[Name]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for n in names:
        out.setdefault(n.kind, set()).add(n.value)
    return out


def test_a_reply_is_named_by_its_place_office_proposer_numbers_years_session_and_body():
    assert _values(reply_names(TITLE, YUEYANG)) == {
        "place": {"岳阳县"}, "office": {"岳阳县教育体育局"}, "person": {"翟亚丹"},
        "doc_number": {"岳县教体字〔2025〕23号"}, "proposal_number": {"45"}, "year": {"2025"},
        "session": {"14-4"}, "body": {"政协"}}


def test_names_are_spelt_in_simplified_traditional_and_pinyin():
    forms = {(n.value, n.form, n.script) for n in reply_names(TITLE, YUEYANG)}
    assert {("岳阳县", "岳阳县", "zh-Hans"), ("岳阳县", "岳陽縣", "zh-Hant"), ("岳阳县", "岳阳", "zh-Hans"),
            ("岳阳县", "yueyangxian", "pinyin"), ("岳阳县", "yueyang", "pinyin")} <= forms
    assert ("翟亚丹", "zhaiyadan", "pinyin") in forms  # the surname's reading, not the word's (dí)


def test_pinyin_keys_try_the_readings_of_the_first_character():
    assert "shanxian" in pinyin_keys("单县") and pinyin_keys("宁陕")[0] == "ningshan"


def test_a_reply_without_metadata_has_no_names():
    assert reply_names("", ReplyMeta()) == []


def test_lookups_say_which_replies_carry_a_name():
    rows = [("r1", n.kind, n.value, n.form, n.script) for n in reply_names(TITLE, YUEYANG)]
    rows += [("r2", "place", "岳阳县", "岳阳县", "zh-Hans"), ("r2", "year", "2024", "2024", "")]
    g = Gazetteer(rows)
    assert g.replies("place", "岳阳县") == {"r1", "r2"} and g.replies("year", "2024") == {"r2"}
    assert g.knows("proposal_number", "45") and not g.knows("proposal_number", "46")
    assert g.by_pinyin("yueyang") == [("place", "岳阳县")]
    assert [(a, b, k, v) for a, b, k, v in g.find("岳阳的教育体育局") if k == "place"] == [(0, 2, "place", "岳阳县")]
    # which kinds of name a reply states at all: r2 names no proposal number, so none can contradict it
    assert g.states("r1", "proposal_number") and not g.states("r2", "proposal_number") and g.states("r2", "place")


def found(text: str, names=None) -> set[tuple[str, str, str]]:
    """(kind, words as asked, value) of every entity in ``text``, read with ``names``."""
    english = text.isascii()
    return {(e.kind, e.text, e.value) for e in extract(text, to_simplified(text), english, names)}


def test_a_gazetteer_finds_bare_names_and_pinyin_spellings():
    rows = [("r1", "place", "宁陕县", "宁陕县", "zh-Hans"), ("r1", "place", "宁陕县", "宁陕", "zh-Hans"),
            ("r1", "place", "宁陕县", "ningshan", "pinyin"), ("r1", "person", "侯怀菊", "侯怀菊", "zh-Hans"),
            ("r1", "person", "侯怀菊", "houhuaiju", "pinyin"), ("r2", "place", "高平市", "gaoping", "pinyin")]
    names = Gazetteer(rows)
    assert found("宁陕交通局对侯怀菊的答复", names) >= {("place", "宁陕", "宁陕县"), ("person", "侯怀菊", "侯怀菊")}
    assert found("What did Ningshan County and Gaoping's bureau reply to Hou Huaiju?", names) >= {
        ("place", "Ningshan County", "宁陕县"), ("place", "Gaoping", "高平市"), ("person", "Hou Huaiju", "侯怀菊")}
    assert ("place", "Ningshan County", "ningshan") in found("What did Ningshan County reply?")  # unknown: its key
    twins = Gazetteer([("r3", "place", "镇康县", "zhenkang", "pinyin"), ("r4", "place", "镇康镇", "zhenkang", "pinyin")])
    assert ("place", "Zhenkang County", "镇康县") in found("What did Zhenkang County reply?", twins)
    high = Gazetteer([("r2", "place", "高平市", "高平", "zh-Hans")])
    assert found("高平交通局", high) >= {("place", "高平", "高平市")}
    assert not {k for k, _, _ in found("如何提高平均水平", high)}  # inside other words it is no name


# -- the gazetteer ------------------------------------------------------------------------------------------
def _named(index: Index) -> dict[str, set[tuple[str, str]]]:
    """reply_id → its (kind, value) names, as stored."""
    out: dict[str, set[tuple[str, str]]] = {}
    for rid, kind, value, _, _ in index.catalog.names():
        out.setdefault(rid, set()).add((kind, value))
    return out


def test_the_gazetteer_follows_every_ingest_update_and_remove(fake_index, samples, tmp_path):
    from replyqa.gazetteer import reply_names

    folder = _files(samples, tmp_path, n=2)
    ingest(fake_index, [folder], progress=False)
    assert set(_named(fake_index)) == fake_index.catalog.reply_ids()
    for reply in fake_index.replies():
        assert _named(fake_index)[reply.reply_id] == {(n.kind, n.value) for n in reply_names(reply.title, reply.meta)}
    assert fake_index.gazetteer.replies("place", "岳阳县") == set(fake_index.catalog.reply_ids_for_source(
        str(folder / "000_yueyangxian-jiaoti-zx45-jiaoshi-jianfu-fanti.txt")))

    path = folder / "004_gaopingshi-weiti-rd71-shennong-weishengyuan.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("第71号", "第72号"), encoding="utf-8")
    ingest(fake_index, [folder], progress=False)  # the changed file replaces its reply and its names
    assert not fake_index.gazetteer.knows("proposal_number", "71") and fake_index.gazetteer.knows("proposal_number", "72")
    assert set(_named(fake_index)) == fake_index.catalog.reply_ids()

    (gaoping,) = fake_index.gazetteer.replies("proposal_number", "72")
    assert fake_index.remove(gaoping)
    assert gaoping not in _named(fake_index) and not fake_index.gazetteer.knows("place", "高平市")
    assert fake_index.gazetteer.knows("place", "岳阳县")


def test_an_index_from_before_the_gazetteer_gets_it_from_its_next_ingest(fake_embedder, settings, samples, tmp_path):
    import json

    folder = _files(samples, tmp_path, n=3)
    index = Index(tmp_path / "index", fake_embedder, settings)
    ingest(index, [folder], progress=False)
    expected = _named(index)
    index.catalog.close()
    with sqlite3.connect(tmp_path / "index" / "catalog.sqlite") as db:  # as a catalog from before the tables
        db.execute("DROP TABLE names")
        db.execute("DROP TABLE named")
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    del manifest["gazetteer_version"]
    (tmp_path / "index" / "manifest.json").write_text(json.dumps(manifest))

    old = Index(tmp_path / "index", fake_embedder, settings)
    assert len(old.gazetteer) == 0 and len(old.replies()) == 3  # it opens and reads as before
    report = ingest(old, [folder], progress=False)
    assert len(report.unchanged) == 3 and report.chunks_embedded == 0  # nothing re-read or re-embedded
    assert _named(old) == expected and old.manifest()["gazetteer_version"] >= 1
    assert Index(tmp_path / "index", fake_embedder, settings).gazetteer.knows("place", "岳阳县")  # persisted


def test_a_new_gazetteer_version_names_the_archive_again(fake_index, samples, tmp_path, monkeypatch):
    import replyqa.store as store_module

    ingest(fake_index, [_files(samples, tmp_path, n=2)], progress=False)
    calls: list[str] = []
    real = store_module.reply_names
    monkeypatch.setattr(store_module, "reply_names", lambda title, meta: (calls.append(title), real(title, meta))[1])
    ingest(fake_index, [tmp_path / "in"], progress=False)
    assert calls == []  # nothing changed: nothing named again
    monkeypatch.setattr(store_module, "GAZETTEER_VERSION", store_module.GAZETTEER_VERSION + 1)
    ingest(fake_index, [tmp_path / "in"], progress=False)
    assert len(calls) == 2 and fake_index.manifest()["gazetteer_version"] == store_module.GAZETTEER_VERSION


def test_a_name_read_one_character_too_far_is_the_archives_name_and_a_leading_function_word_is_no_name():
    names = Gazetteer([("r1", "place", "麻庄村", "麻庄村", "zh-Hans"), ("r1", "place", "岳阳县", "yueyang", "pinyin"),
                       ("r2", "place", "黔东南州", "qiandongnan", "pinyin")])
    # the verb 回 and a slip (拓款 for 拓宽) before the village are not part of its name
    assert {e for e in found("宁陕交通局回麻庄村道路那个17号建议", names) if e[0] == "place"} == {("place", "麻庄村", "麻庄村")}
    assert ("place", "麻庄村", "麻庄村") in found("交通局觉得拓款麻庄村下麻庄的路有哪两方面困难", names)
    # without the archive's names the rule reading backwards from the suffix is all there is
    assert ("place", "回麻庄村", "回麻庄村") in found("宁陕交通局回麻庄村道路")
    assert ("place", "Yueyang County", "岳阳县") in found('In Yueyang County, which week has no meetings?', names)
    assert ("place", "Qiandongnan Prefecture", "黔东南州") in found("Does Qiandongnan Prefecture back it?", names)
