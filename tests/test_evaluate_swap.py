"""Entity-swapped questions: made the same way for a seed, absent from the archive, replaced in place in every
script, and scored from the records alone."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from replyqa.evaluate.metrics import normalise
from replyqa.evaluate.questions import Question, Swap, load_questions, question_from_json
from replyqa.evaluate.swap import (EN_LEVELS, PLACE_NAMES, Archive, swap_figures, swap_one, swap_questions,
                                   names_entity)
from replyqa.gazetteer import Gazetteer, pinyin_keys, reply_names
from replyqa.normalise import is_traditional, to_simplified
from replyqa.parse import parse_reply
from replyqa.question import analyse
from replyqa.read import read_document

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "replies"
GAOPING = "004_gaopingshi-weiti-rd71-shennong-weishengyuan.txt"
ZHENKANG = "008_zhenkangxian-jiaotong-zhongchangcun-daolu-fanti.txt"
LIST_NAMES = {s for names in PLACE_NAMES.values() for s, _ in names}


@pytest.fixture(scope="module")
def archive() -> Archive:
    """The sample archive's gazetteer and texts, as an index would hold them (no embedding needed)."""
    rows, texts = [], {}
    for path in sorted(SAMPLES.iterdir()):
        doc = read_document(path)
        reply = parse_reply(doc.text, doc.source)
        texts[path.name] = reply.text
        rows += [(reply.reply_id, n.kind, n.value, n.form, n.script) for n in reply_names(reply.title, reply.meta)]
    return Archive.of(Gazetteer(rows), texts)


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return load_questions(ROOT / "eval" / "questions.jsonl")


def ask(text: str, doc: str = GAOPING, language: str = "zh-Hans", qid: str = "Q1") -> Question:
    return Question(id=qid, question=text, language=language, kind="fact", docs=(doc,), answers=("x",))


def only(q: Question, archive: Archive, kind: str, text: str, seed: int = 0) -> Question:
    """The question swapped on the one entity of ``kind`` written ``text``."""
    entity = next(e for e in analyse(q.question, names=archive.names).entities if e.kind == kind and e.text == text)
    made = swap_one(q, [entity], archive, seed)
    assert made is not None and made.swapped.kind == kind and made.swapped.from_ in text
    return made


def test_a_seed_makes_the_same_set_and_another_seed_a_different_one(archive, questions):
    first, again = swap_questions(questions, archive, seed=7), swap_questions(questions, archive, seed=7)
    assert first == again and len(first.swapped) == len(first.originals) > 30
    other = swap_questions(questions, archive, seed=8)
    assert [q.question for q in other.swapped] != [q.question for q in first.swapped]


def test_a_question_s_swap_does_not_depend_on_the_others(archive, questions):
    whole = {q.id: q for q in swap_questions(questions, archive, seed=7).swapped}
    part = swap_questions(questions[::3], archive, seed=7).swapped
    assert part and all(whole[q.id] == q for q in part)


def test_the_set_pairs_each_swap_with_its_original_and_counts_the_skipped(archive, questions):
    made = swap_questions(questions, archive, seed=7)
    assert [q.id for q in made.swapped] == [f"{q.id}-swap" for q in made.originals]
    for orig, swapped in zip(made.originals, made.swapped):
        assert swapped.unanswerable and swapped.near_doc == orig.docs[0] and not swapped.docs
        assert swapped.language == orig.language and swapped.question != orig.question
    skipped = made.summary()["skipped"]
    assert sum(skipped.values()) + len(made.originals) == len(questions)
    assert "S002" in made.skipped["no_entity"]  # 中小学教师五年一周期内至少要获得多少培训学分: names none
    assert set(made.summary()["by_kind"]) == {"place", "proposal_number", "year"}


@pytest.mark.parametrize("seed", [0, 7, 123])
def test_a_swapped_in_value_is_absent_from_the_archive(archive, questions, seed):
    everything = archive.all_text
    for q in swap_questions(questions, archive, seed=seed).swapped:
        to = q.swapped.to
        if q.swapped.kind == "place":
            simplified = to_simplified(to)
            if re.search(r"[A-Za-z]", to):
                name, pinyin = next((s, p) for names in PLACE_NAMES.values() for s, p in names
                                    if to.startswith(p + " "))
            else:
                name = simplified
                pinyin = next(p for names in PLACE_NAMES.values() for s, p in names if s == simplified)
            assert not archive.names.knows("place", name)
            assert not any(k == "place" for key in pinyin_keys(name) for k, _ in archive.names.by_pinyin(key))
            assert name not in everything and name[:-1] not in everything and pinyin.lower() not in everything.lower()
        elif q.swapped.kind == "proposal_number":
            assert not archive.names.knows("proposal_number", str(int(to)))
            assert not re.search(rf"(?<!\d)0*{int(to)}\s*号", everything)
        else:
            year = normalise(to)
            assert not archive.names.knows("year", year)
            assert year not in normalise(archive.texts[q.near_doc])


def test_a_place_the_archive_knows_or_a_reply_mentions_is_never_swapped_in(archive):
    names = Gazetteer([("r1", "place", "宁陕县", "宁陕县", "zh-Hans"), ("r2", "place", "凤庆县", "凤庆县", "zh-Hans")])
    lacking = Archive.of(names, {"x.txt": "宁陕县的答复提到与华容县对接。"})
    q = ask("宁陕县交通运输局认为拓宽麻庄村下麻庄道路有哪两方面的困难？", doc="x.txt")
    chosen = {only(q, lacking, "place", "宁陕县", seed).swapped.to for seed in range(30)}
    assert len(chosen) > 3 and not chosen & {"华容县", "凤庆县"}


def test_a_simplified_place_is_replaced_in_place_by_a_simplified_one_of_its_level(archive):
    q = ask("高平市卫生健康和体育局答复第71号建议时提到的在建医疗项目是什么？")
    made = only(q, archive, "place", "高平市")
    to = made.swapped.to
    assert to in {s for s, _ in PLACE_NAMES["市"]} and made.question == to + q.question[3:]
    assert made.id == "Q1-swap" and made.swapped.from_ == "高平市"


def test_a_traditional_place_is_replaced_by_a_traditional_name(archive):
    q = ask("鎮康縣中廠村至軍南線連接線道路硬化工程預計什麼時候完工？", doc=ZHENKANG, language="zh-Hant")
    made = only(q, archive, "place", "鎮康縣")
    to = made.swapped.to
    assert is_traditional(to) and to_simplified(to) in {s for s, _ in PLACE_NAMES["县"]}
    assert made.question == to + q.question[3:]


@pytest.mark.parametrize("text, asked, level", [
    ("Which handling class was assigned to Ningshan County's reply to suggestion No. 17?", "Ningshan County", "County"),
    ("What is the document number of Gaoping's reply to city NPC suggestion No. 71?", "Gaoping", "City"),
])
def test_an_english_place_becomes_pinyin_with_its_level_word(archive, text, asked, level):
    made = only(ask(text, language="en"), archive, "place", asked)
    to = made.swapped.to
    assert re.fullmatch(rf"[A-Z][a-z]+ {level}", to)
    assert made.question == text.replace(asked, to)


@pytest.mark.parametrize("text, asked, pattern", [
    ("镇康县农业农村局办理第0038号建议由谁牵头？", "第0038号", r"镇康县农业农村局办理第00\d\d号建议由谁牵头？"),
    ("黔東南州關於省人大第560號建議的會辦意見是發給哪個單位的？", "第560號", r"黔東南州關於省人大第\d{3}號建議的.*"),
    ("What did Gaoping say about suggestion No. 71?", "suggestion No. 71",
     r"What did Gaoping say about suggestion No\. \d\d\?"),
])
def test_a_number_keeps_its_width_and_its_words(archive, text, asked, pattern):
    made = only(ask(text), archive, "proposal_number", asked)
    assert re.fullmatch(pattern, made.question) and made.swapped.from_ != made.swapped.to


@pytest.mark.parametrize("text, asked, written", [
    ("夏邑县2018年筹建了多少座新型环保公厕？", "2018", r"\d{4}"),
    ("夏邑县二〇一八年筹建了多少座新型环保公厕？", "二〇一八年", "[〇一二三四五六七八九]{4}"),
    ("What titles did Longling County obtain in 2021?", "2021", r"\d{4}"),
])
def test_a_year_is_written_as_the_question_wrote_it(archive, text, asked, written):
    made = only(ask(text), archive, "year", asked)
    to = made.swapped.to
    assert re.fullmatch(written, to) and abs(int(normalise(to)) - int(normalise(made.swapped.from_))) <= 10
    assert made.question == text.replace(made.swapped.from_, to)


def test_a_question_naming_none_of_the_three_is_skipped(archive):
    made = swap_questions([ask("县级教师培训一般持续多长时间？"), ask("宁陕县这条路什么时候修？", doc="gone.txt", qid="Q2"),
                           replace(ask("华容县的学分？", qid="Q3"), kind="unanswerable", docs=())], archive)
    assert not made.swapped and not made.originals
    assert made.skipped == {"no_entity": ("Q1",), "reply_not_in_archive": ("Q2",), "unanswerable": ("Q3",)}


def test_the_swap_record_survives_the_jsonl_round_trip(archive):
    made = only(ask("高平市卫生健康和体育局答复第71号建议时提到的在建医疗项目是什么？"), archive, "place", "高平市")
    row = made.to_json()
    assert row["swapped"] == {"kind": "place", "from": "高平市", "to": made.swapped.to}
    assert question_from_json(row) == made
    assert "swapped" not in ask("x").to_json()


@pytest.mark.parametrize("level", sorted(PLACE_NAMES))
def test_the_analysis_finds_every_listed_name_as_a_place(level):
    from replyqa.evaluate.swap import _s2t

    for simplified, pinyin in PLACE_NAMES[level]:
        for text, name in ((f"{simplified}交通运输局答复了哪些措施？", simplified),
                           (f"2019年{_s2t().convert(simplified)}對公廁提案怎麼答覆的", _s2t().convert(simplified)),
                           (f"What did {pinyin} {EN_LEVELS[level]}'s bureau reply?", f"{pinyin} {EN_LEVELS[level]}")):
            assert any(e.kind == "place" and e.text == name for e in analyse(text).entities), text


# -- scoring ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, to, named", [
    ("档案中没有华容县关于此事的答复。", "华容县", True),
    ("档案中没有华容县关于此事的答复。", "華容縣", False),  # as written in the question: its script
    ("The archive holds no reply from Huarong county.", "Huarong County", True),
    ("档案中没有第52号建议的答复。", "0052", True),
    ("档案中没有第152号建议的答复。", "52", False),
    ("档案中没有2016年的答复。", "二〇一六", True),
    ("档案中没有相关答复。", "2016", False),
])
def test_a_refusal_names_the_entity_as_written_and_numbers_by_value(text, to, named):
    assert names_entity(text, to) is named


def _record(qid: str, refused: bool, answer: str) -> dict:
    return {"id": qid, "response": {"answer": answer, "refused": refused}}


def test_swap_figures_count_refusals_naming_and_false_refusals():
    orig = [ask("a", qid=f"Q{i}") for i in range(4)]
    swapped = [replace(q, id=f"{q.id}-swap", kind="unanswerable", docs=(), swapped=Swap(kind, "x", to))
               for q, (kind, to) in zip(orig, [("place", "华容县"), ("place", "凤庆县"), ("year", "2016"),
                                                ("proposal_number", "52")])]
    records = [_record("Q0", False, "答"), _record("Q1", True, "档案中没有。"), _record("Q2", False, "答"),
               _record("Q3", False, "答"),
               _record("Q0-swap", True, "档案中没有华容县的答复。"), _record("Q1-swap", True, "档案中没有相关答复。"),
               _record("Q2-swap", True, "档案中没有2016年的答复。"), _record("Q3-swap", False, "第52号建议：…")]
    figures = swap_figures(orig + swapped, records)
    assert (figures["swapped"], figures["refused"], figures["named"]) == (4, 3, 2)
    assert figures["refused_rate"] == 0.75 and figures["named_rate"] == pytest.approx(2 / 3)
    assert (figures["originals"], figures["false_refusals"], figures["false_refusal_rate"]) == (4, 1, 0.25)
    assert figures["by_kind"]["place"] == {"swapped": 2, "refused": 2, "named": 1, "refused_rate": 1.0,
                                           "named_rate": 0.5}
    assert figures["by_kind"]["proposal_number"]["refused_rate"] == 0.0
    assert figures["by_kind"]["proposal_number"]["named_rate"] is None  # nothing refused: nothing to measure


def test_entity_near_miss_figures_count_refusals_that_name_an_entity_before_the_related_list():
    from replyqa.evaluate.questions import Question as EvalQuestion
    from replyqa.evaluate.swap import entity_near_miss_figures

    qs = [EvalQuestion("a", "华容县2025年安排了多少个县级教师培训项目？", "zh-Hans", "unanswerable", near_kind="entity"),
          EvalQuestion("b", "汉阴县交通运输局答复县人大第17号建议时，联系人是谁？", "zh-Hans", "unanswerable",
                       near_kind="entity"),
          EvalQuestion("c", "岳阳县花了多少钱？", "zh-Hans", "unanswerable", near_kind="attribute")]
    records = [{"id": "a", "response": {"refused": True, "answer": "档案中没有华容县关于此事的答复。相关答复：某答复"}},
               # the number is only in a related reply's label: the refusal does not name it
               {"id": "b", "response": {"refused": True,
                                        "answer": "档案中的答复没有回答这个问题。相关答复：对宁陕县第17号建议的复函"}},
               {"id": "c", "response": {"refused": True, "answer": "档案中的答复没有回答这个问题。"}}]
    figures = entity_near_miss_figures(qs, records)
    assert figures == {"questions": 2, "refused": 2, "named": 1, "refused_rate": 1.0, "named_rate": 0.5}
    assert entity_near_miss_figures(qs[2:], records) is None


def test_near_miss_kinds_count_refusals_by_how_the_question_misses():
    from replyqa.evaluate.questions import Question as EvalQuestion
    from replyqa.evaluate.swap import near_miss_kinds

    qs = [EvalQuestion("a", "q", "zh-Hans", "unanswerable", near_kind="entity"),
          EvalQuestion("b", "q", "zh-Hans", "unanswerable", near_kind="attribute"),
          EvalQuestion("c", "q", "en", "unanswerable", near_kind="attribute"),
          EvalQuestion("d", "q", "en", "number", docs=("x.txt",), answers=("3",))]
    records = [{"id": "a", "response": {"refused": True}}, {"id": "b", "response": {"refused": False}},
               {"id": "c", "error": "boom"}, {"id": "d", "response": {"refused": True}}]
    assert near_miss_kinds(qs, records) == {"attribute": {"questions": 2, "refused": 0},
                                            "entity": {"questions": 1, "refused": 1}}
    assert near_miss_kinds(qs[3:], records) is None
