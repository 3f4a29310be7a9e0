"""Filters a question names: year, body and a known office become chips that pre-fill the search's filters."""
from __future__ import annotations

import pytest

from replyqa.filters import Filters
from replyqa.ingest import ingest
from replyqa.question import analyse
from replyqa.question_filters import MAX_QUESTION_CHARS, Chip, apply_chips, index_chips

# 仙居縣民政局 (stored in Traditional), 宁陕县交通运输局 (Simplified), 夏邑县城市管理局 (政协, 2019), 沂南 (政协, 2021)
SAMPLES = ("012", "016", "052", "060")


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    from replyqa.embed import HashEmbedder
    from replyqa.settings import Settings
    from replyqa.store import Index
    from tests.conftest import SAMPLES as FOLDER

    work = tmp_path_factory.mktemp("question-filters")
    (work / "in").mkdir()
    for f in sorted(FOLDER.glob("*.txt")):
        if f.name[:3] in SAMPLES:
            (work / "in" / f.name).write_bytes(f.read_bytes())
    idx = Index(work / "index", HashEmbedder(dim=64), Settings(index=str(work / "index"), embed_model="hash"))
    ingest(idx, [work / "in"], progress=False)
    return idx


def chips(index, text: str) -> dict[str, dict]:
    """label → the Filters fields it sets."""
    return {c.label(): dict(c.fields) for c in index_chips(analyse(text, names=index.gazetteer), index)}


@pytest.mark.parametrize("text", ["2019年政协关于城区公厕的提案是怎么答复的？",
                                  "2019年政協關於城區公廁的提案是怎麼答覆的？",
                                  "How was the 2019 CPPCC proposal on public toilets answered?"])
def test_a_year_and_a_body_in_any_language_fill_the_year_and_body(index, text):
    assert chips(index, text) == {"年份 2019": {"year_from": 2019, "year_to": 2019}, "政协": {"body": "政协"}}


def test_a_traditional_question_naming_a_county_cppcc_fills_the_body_only(index):
    assert chips(index, "縣政協委員關於全民健身的提案") == {"政协": {"body": "政协"}}
    assert chips(index, "What did the NPC deputies ask about rural roads?") == {"人大": {"body": "人大"}}


def test_a_known_office_is_filled_as_the_replies_store_it_whatever_the_question_s_script(index):
    # stored in Traditional, asked in Simplified
    assert chips(index, "仙居县民政局关于白塔康养的答复") == {"仙居縣民政局": {"office": "仙居縣民政局"}}
    # stored in Simplified, asked in Traditional
    assert chips(index, "寧陝縣交通運輸局對馬莊村道路的答覆") == {"宁陕县交通运输局": {"office": "宁陕县交通运输局"}}
    filters, _ = apply_chips(None, index_chips(analyse("仙居县民政局的答复", names=index.gazetteer), index))
    assert [i.meta.office for i in index.reply_infos() if filters.matches(i.reply_id, i.meta)] == ["仙居縣民政局"]


def test_an_office_the_archive_does_not_know_fills_nothing(index):
    assert chips(index, "县民政局关于养老床位的答复") == {}  # no reply's office is the bare 县民政局
    assert chips(index, "华容县交通运输局关于公路的答复") == {}


def test_what_is_not_a_year_or_is_ambiguous_fills_nothing(index):
    assert chips(index, "第2019号提案的答复") == {}  # a proposal number, not a year
    assert chips(index, "人大代表和政协委员都关心的公厕问题") == {}  # both bodies: neither narrows
    assert chips(index, "仙居县民政局和宁陕县交通运输局的答复") == {}  # two offices: one filter cannot hold both
    assert chips(index, "每年需要多少学分") == {}


def test_several_years_fill_a_range_and_a_long_pasted_text_fills_nothing(index):
    assert chips(index, "2019年到2021年政协的提案") == {"年份 2019–2021": {"year_from": 2019, "year_to": 2021},
                                                      "政协": {"body": "政协"}}
    pasted = "关于加强全民健身设施建设的提案。" + "2021年以来，我县体育设施建设不断推进。" * 12
    assert len(pasted) > MAX_QUESTION_CHARS and chips(index, pasted) == {}


def test_chips_have_names_in_both_languages_and_a_stable_key():
    year = Chip("year", "2019", "2019", (("year_from", 2019), ("year_to", 2019)))
    body = Chip("body", "政协", "CPPCC", (("body", "政协"),))
    office = Chip("office", "縣民政局", "县民政局", (("office", "縣民政局"),))
    assert [c.label("zh") for c in (year, body, office)] == ["年份 2019", "政协", "縣民政局"]
    assert [c.label("en") for c in (year, body, office)] == ["year 2019", "CPPCC (政协)", "office 縣民政局"]
    assert [c.key for c in (year, body, office)] == ["year:2019", "body:政协", "office:縣民政局"]
    assert office.as_json() == {"key": "office:縣民政局", "kind": "office", "value": "縣民政局", "asked": "县民政局",
                                "filters": {"office": "縣民政局"}}


def test_filters_set_by_hand_win_and_removed_chips_are_left_out():
    year = Chip("year", "2019", "2019", (("year_from", 2019), ("year_to", 2019)))
    body = Chip("body", "政协", "政协", (("body", "政协"),))
    assert apply_chips(None, [year, body]) == (Filters(year_from=2019, year_to=2019, body="政协"), (year, body))
    assert apply_chips(Filters(body="人大"), [year, body]) == (
        Filters(year_from=2019, year_to=2019, body="人大"), (year,))
    # a year bound or a date range set by hand replaces the whole year chip, not half of it
    assert apply_chips(Filters(year_from=2017), [year]) == (Filters(year_from=2017), ())
    assert apply_chips(Filters(date_to="2020-06-30"), [year]) == (Filters(date_to="2020-06-30"), ())
    assert apply_chips(None, [year, body], removed={"year:2019"}) == (Filters(body="政协"), (body,))
    assert apply_chips(None, [year], removed={"year:2019"}) == (None, ())
