"""Grounding a question's entities in the archive: retrieval from the replies that carry them, and the
refusal that names an entity no candidate reply carries or mentions."""
from __future__ import annotations

import pytest

from replyqa.answer import Answerer, answer_json, refusal_text
from replyqa.entities import Entity
from replyqa.grounding import Grounding, ground, mentions
from replyqa.normalise import match_key
from replyqa.question import analyse, read_names
from replyqa.retrieve import HybridRetriever, RetrieverConfig, hit_json


class _Names:
    def __init__(self, table: dict[tuple[str, str], set[str]]):
        self.table = table

    def replies(self, kind, value):
        return frozenset(self.table.get((kind, value), ()))

    def states(self, reply_id, kind):
        return any(k == kind and reply_id in ids for (k, _), ids in self.table.items())


def _entity(kind: str, value: str, text: str = "") -> Entity:
    return Entity(kind, text or value, value, 0, len(text or value))  # type: ignore[arg-type]


# -- mentions in a reply's text ------------------------------------------------------------------------
@pytest.mark.parametrize("text, kind, value, expected", [
    ("2025年，安排县级教师培训项目近40个", "year", "2025", True),
    ("二〇二五年四月", "year", "2025", True),
    ("2024年，安排培训项目", "year", "2025", False),
    ("第12025号", "year", "2025", False),
    ("对县政协第45号提案", "proposal_number", "45", True),
    ("对县政协第045號提案", "proposal_number", "45", True),
    ("第145号", "proposal_number", "45", False),
    ("拓宽麻庄村下麻庄道路", "place", "麻庄村", True),
    ("新北的捷运", "place", "新北市", True),  # a place's bare name
    ("沂南县体育事业发展中心", "place", "沂水县", False),
    ("岳阳县十四届四次会议", "session", "14-4", True),
    ("岳阳县十四届五次会议", "session", "14-4", False),
])
def test_a_reply_mentions_an_entity_in_any_written_form(text, kind, value, expected):
    assert mentions(match_key(text), _entity(kind, value)) is expected


@pytest.mark.parametrize("text, asked, expected", [
    ("拓宽麻庄村下麻庄道路", "Mazhuang village", True),  # an English name the gazetteer lacks, by its pinyin
    ("拓宽麻庄村下麻庄道路", "Shiquan County", False),
    ("文化融合发展", "Huarong County", False),  # the name's syllables alone ("化融") are not the county
    ("与华容县对接", "Huarong County", True),
])
def test_a_reply_mentions_an_english_place_by_its_pinyin_and_level(text, asked, expected):
    key = asked.split()[0].lower()
    assert mentions(match_key(text), Entity("place", asked, key, 0, len(asked))) is expected


def test_traditional_text_mentions_a_simplified_entity():
    assert mentions(match_key("嶽陽縣教育體育局對第45號提案"), _entity("place", "岳阳县"))


# -- the grounding record ------------------------------------------------------------------------------
def test_only_identifying_kinds_ground_a_question():
    q = analyse("2019年县政协第45号提案，岳阳县教育体育局怎么答复的？")
    g = ground(q.entities, _Names({("proposal_number", "45"): {"a", "b", "c"}, ("place", "岳阳县"): {"b", "c"},
                                   ("year", "2019"): {"b"}}))
    assert {e.kind for e in g.entities} == {"year", "proposal_number", "place"}  # no office, no body
    assert g.replies == {"b", "c"}  # the replies carrying every entity the archive knows, years aside


def test_follow_up_entities_carry_over_unless_the_question_names_its_own():
    first = analyse("岳阳县第45号提案是怎么答复的？")
    follow = analyse("联系人是谁？")
    from dataclasses import replace
    carried = replace(follow, context_entities=first.entities)
    assert {e.value for e in carried.all_entities} == {"岳阳县", "45"}
    own = replace(analyse("平江县的呢？"), context_entities=first.entities)
    assert {e.value for e in own.all_entities} == {"平江县", "45"}


# -- refusal texts -------------------------------------------------------------------------------------
@pytest.mark.parametrize("question, expected", [
    ("华容县2025年安排了多少个县级教师培训项目？", "档案中没有华容县关于此事的答复。"),
    ("夏邑縣對第118號提案的答覆是哪天作出的？", "檔案中沒有對第118號建議或提案的答覆。"),
    ("What did the county say in reply to suggestion No. 118?", "The archive holds no reply to suggestion No. 118."),
])
def test_a_refusal_names_the_missing_entity_as_asked(question, expected):
    q = analyse(question)
    kind = "place" if "华容" in question else "proposal_number"
    missing = next(e for e in q.entities if e.kind == kind)
    assert refusal_text(q, [], missing) == expected


# -- on the sample archive -----------------------------------------------------------------------------
@pytest.mark.parametrize("question, entity", [
    ("华容县2025年安排了多少个县级教师培训项目？", "华容县"),
    ("沂水县体育事业发展中心答复全民健身提案时留的联系电话是多少？", "沂水县"),
    ("夏邑縣城市管理局對縣政協十屆三次會議第118號提案的答覆是哪天作出的？", "第118號"),
    ("At how many intersections will the Xinmi (新密) public security bureau install new traffic lights in 2017?",
     "Xinmi"),
])
def test_a_question_naming_what_no_reply_carries_is_refused_naming_it(sample_index, question, entity):
    answer = Answerer(sample_index).ask(question)
    assert answer.refused and not answer.citations
    assert entity in answer.text
    assert answer.related  # the nearest replies are listed
    assert answer_json(sample_index, answer)["related"]


@pytest.mark.parametrize("question, source", [
    ("岳阳县2025年安排了多少个县级教师培训项目？", "000_"),
    ("What did Ningshan County say about the Mazhuang village road?", "012_"),
    ("高平市第71號建議答覆的發文字號是什麼？", "004_"),
])
def test_a_question_naming_its_reply_is_answered_from_it(sample_index, question, source):
    answer = Answerer(sample_index).ask(question)
    assert not answer.refused
    assert all(sample_index.reply(c.chunk.reply_id).source.split("/")[-1].startswith(source) for c in answer.citations)


def test_search_json_lists_the_entities_each_hit_matches(sample_index):
    retriever = HybridRetriever(sample_index)
    question = "What did Ningshan County say about the Mazhuang village road?"
    grounding = retriever.grounding(question)
    hits = retriever.search(question, k=3, grounding=grounding)
    rows = [hit_json(sample_index, h, grounding) for h in hits]
    assert {"kind": "place", "text": "Ningshan County", "value": "宁陕县"} in rows[0]["entities"]
    assert all("entities" in r for r in rows)


@pytest.mark.parametrize("mode", ["restrict", "boost"])
def test_a_deputy_named_question_finds_the_reply_that_answers_the_deputy(sample_index, mode):
    retriever = HybridRetriever(sample_index, RetrieverConfig(entities=mode))
    q = read_names(analyse("翟亚丹委员的第45号提案是怎么答复的？"), sample_index.gazetteer)
    hits = retriever.search(q, k=3)
    assert sample_index.reply(hits[0].chunk.reply_id).source.split("/")[-1].startswith("000_")


def test_an_english_question_matches_the_names_it_spells_in_the_archives_script(sample_index):
    """"Yang Wenqiang" and "Zhenkang County" gloss to nothing: once the gazetteer reads them, the topic terms the
    answerer looks for in a reply are 杨文强 and 镇康县, and the spelt words are gone."""
    asked = "On what dates did Zhenkang County's bureau meet deputy Yang Wenqiang?"
    q = read_names(analyse(asked), sample_index.gazetteer)
    assert {"杨文强", "镇康县"} <= set(q.terms) and not {"yang", "wenqiang", "zhenkang", "county"} & set(q.terms)
    assert "bureau" in q.terms and "date" in q.kinds
    # a Chinese question keeps its own terms
    zh = analyse("镇康县农业农村局与杨文强代表哪天面商？")
    assert read_names(zh, sample_index.gazetteer).terms == zh.terms


def test_a_reply_kept_without_its_heading_is_contradicted_by_another_county_it_does_not_name():
    """A reply whose metadata names no place is not contradicted by a place (it cannot be told apart), unless its
    text names a county: then a question about another county is not about it."""
    from replyqa.records import Reply, ReplyMeta

    class NoPlaces:
        def replies(self, kind, value):
            return frozenset()

        def states(self, reply_id, kind):
            return False

    partial = Reply("r1", "", ReplyMeta(), "一是编制《沁源县乡村旅游发展规划》,于2024年底前完成。", "r1.txt")
    nameless = Reply("r2", "", ReplyMeta(), "我局将加快乡村旅游发展。", "r2.txt")
    asked = Grounding((_entity("place", "西乡县"),), (frozenset(),), NoPlaces())
    assert asked.conflicts(partial, nearest=True) and not asked.conflicts(nameless, nearest=True)
    assert not Grounding((_entity("place", "沁源县"),), (frozenset(),), NoPlaces()).conflicts(partial, nearest=True)
