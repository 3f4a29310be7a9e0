"""Commitments read from a reply: what it promises, due when, on what condition; never past work or requests."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from replyqa.commitments import Commitment, extract
from replyqa.parse import parse_reply
from replyqa.read import read_document

ROOT = Path(__file__).resolve().parents[1]


def reply_of(body: str, signed: str = "2024年5月20日", office: str = "某县交通运输局"):
    """A reply in the genre's template around ``body``; ``signed`` "" leaves it undated."""
    text = (f"关于县十八届人大三次会议第12号建议的答复\n张三代表:\n您提出的《关于修路的建议》收悉,现答复如下:\n{body}\n"
            f"感谢您对我局工作的关心和支持。\n{office}\n{signed}\n联系人:李四 联系电话:0730-1234567\n")
    return parse_reply(text, "x.txt")


def promises(body: str, **kw) -> list[Commitment]:
    r = reply_of(body, **kw)
    found = list(extract(r))
    for c in found:
        assert r.text[c.start:c.end] == c.quote
    return found


def test_the_template_reply_is_dated_by_its_signature():
    assert reply_of("我局将加强管理。").meta.signed == "2024-05-20"


@pytest.mark.parametrize("sentence, due", [
    ("我局将于年底前完成道路硬化。", "2024-12-31"),
    ("该项目计划年内开工建设。", "2024-12-31"),
    ("我局今年将启动拓宽工程。", "2024-12-31"),
    ("该路段计划下半年完工。", "2024-12-31"),
    ("我局将在四季度完成招标。", "2024-12-31"),
    ("项目预计上半年完成验收。", "2024-06-30"),
    ("我局计划三季度开工。", "2024-09-30"),
    ("我局将于6月底前完成设计。", "2024-06-30"),
    ("我局计划6月份开工。", "2024-06-30"),
    ("我局将于明年实施该项目。", "2025-12-31"),
    ("项目计划明年上半年建成。", "2025-06-30"),
    ("已纳入2025年计划,我局将积极推进。", "2025-12-31"),
    ("十四五期间,我县将新建公厕20座。", "2025-12-31"),
    ("从2024年开始,我县计划利用三年时间完成改造。", "2026-12-31"),
    ("我局将于7月15日前完成整改。", "2024-07-15"),
])
def test_due_is_the_last_day_of_the_stated_period(sentence, due):
    [c] = promises(sentence)
    assert c.due == due and c.due_text and c.due_text in c.quote + sentence


def test_a_later_year_promises_by_itself_and_two_times_give_two_promises():
    found = promises("目前设计方案已通过审批,计划2024年年底开工建设,2026年下半年完工。")
    assert [(c.quote, c.due, c.due_text) for c in found] == [
        ("计划2024年年底开工建设", "2024-12-31", "2024年年底"), ("2026年下半年完工", "2026-12-31", "2026年下半年")]


@pytest.mark.parametrize("sentence, condition", [
    ("待资金下达后,我局将立即组织施工。", "待资金下达后"),
    ("条件成熟时,我局将适时启动建设。", "条件成熟时"),
    ("项目批准后,我局将于年底前开工。", "项目批准后"),
    ("上级下达任务后,我局将优先安排该路段。", "上级下达任务后"),
    ("待项目资金下达之后我局立即对该道路进行拓宽。", "待项目资金下达之后"),
    ("如能进入自然村规划,等政策启动后,我们将优先启动建设。", "如能进入自然村规划,等政策启动后"),
])
def test_the_condition_is_quoted_verbatim(sentence, condition):
    [c] = promises(sentence)
    assert c.condition == condition


def test_one_sentence_with_two_promises_gives_two_each_with_its_date_and_condition():
    found = promises("我局计划年底前完成路基工程,待上级资金到位后,明年6月底前完成路面硬化。")
    assert [(c.due, c.condition) for c in found] == [("2024-12-31", ""), ("2025-06-30", "待上级资金到位后")]


@pytest.mark.parametrize("sentence", [
    "2023年已完成道路硬化3.5公里。",
    "截至今年6月底,全县共改造老旧小区105个。",
    "今年以来,我局新建公厕10座。",
    "近年来,我县累计投入资金3000万元。",
    "该道路已于2022年由上级部门下达建设计划,目前正在施工。",
])
def test_past_and_current_work_is_no_promise(sentence):
    assert promises(sentence) == []


def test_plan_names_with_years_are_no_promise():
    assert promises("我县严格落实《岳阳县国土空间总体规划(2018-2035年)》的要求。") == []
    assert promises("我局编制完成了《龙陵县旅游发展总体规划修编2016-2030》。") == []


@pytest.mark.parametrize("sentence", [
    "请于6月10日前将意见反馈我局。",
    "以上答复您是否满意,如有意见,敬请反馈。",
    "还请您对我们的工作继续予以关注和监督。",
])
def test_requests_to_the_proposer_are_no_promise(sentence):
    assert promises(sentence) == []


@pytest.mark.parametrize("sentence", [
    "下一步,我局将继续加强道路养护管理。",
    "我局将尽快组织专家论证。",
    "今后,我单位将适时开展专项整治。",
    "我们会认真研究您的建议。",
])
def test_undated_promises_are_listed_without_a_due_day(sentence):
    [c] = promises(sentence)
    assert c.due is None and c.due_text == "" and c.status("2024-06-01") == "undated"


@pytest.mark.parametrize("sentence", [
    "我局主动作为,将全市交通信号灯电费问题,报市政府协调解决。",  # 将 as 把: what was done
    "项目建成后将极大的提高区域养老服务保障能力。",  # an effect, not an act of the office
    "需两县共同努力争取,同时建设,方可发挥作用。",  # a need
    "需相关部门进行论证,报区政府研究同意后再进行改造,目前暂不具备实施条件。",
    "暂时没有通自然村组道路硬化计划。",
])
def test_what_is_no_act_the_office_will_do_is_no_promise(sentence):
    assert promises(sentence) == []


def test_a_year_opening_a_list_of_tasks_dates_each_task():
    found = promises("2024年,我局争取新建公厕6座;按照需要改造老旧公厕12座,确保全部达标。")
    assert [c.due for c in found] == ["2024-12-31", "2024-12-31"]


def test_a_relative_period_of_an_undated_reply_has_no_due_day_and_says_why():
    [c] = promises("我局将于年底前完成道路硬化。", signed="")
    assert c.due is None and c.due_text == "年底前" and "no date" in c.note
    [c] = promises("我局将于2025年底前完成道路硬化。", signed="")
    assert c.due == "2025-12-31"  # a year written out needs no reply date


def test_status_against_today():
    c = promises("我局将于年底前完成道路硬化。")[0]
    assert c.status("2024-12-31") == "open" and c.status("2025-01-01") == "overdue"


def test_quotes_keep_traditional_script_and_glosses():
    text = ("莽永橋等代表:\n你們提出的建議已交由我局辦理。現答復如下:\n該條道路目前已經開(kāi)工建設,預(yù)計(jì)2019年完工。\n"
            "鎮康縣交通運輸局\n2018年6月10日\n")
    r = parse_reply(text, "t.txt")
    [c] = extract(r)
    assert c.quote == "預(yù)計(jì)2019年完工" == r.text[c.start:c.end] and c.due == "2019-12-31"


def test_header_and_contact_blocks_are_not_read():
    r = reply_of("我局将加强管理。")
    r = parse_reply("计划2025年底前上线新系统\n" + r.text, "x.txt")
    assert [c.quote for c in extract(r)] == ["我局将加强管理"]


@given(st.text(alphabet="我局将计划于年底前明年2024月日待后完成,。;已今以来请反馈十四五期间()《》下一步如能等政策\n",
               max_size=120))
def test_every_quote_is_an_exact_slice_of_any_text(body):
    r = reply_of(body)
    for c in extract(r):
        assert r.text[c.start:c.end] == c.quote and c.start < c.end
        assert c.due is None or len(c.due) == 10


def test_every_sample_quote_is_an_exact_slice_and_the_annotated_set_quotes_the_samples():
    gold = [json.loads(line) for line in (ROOT / "eval" / "commitments.jsonl").open(encoding="utf-8")]
    for f in sorted((ROOT / "samples" / "replies").glob("*.txt")):
        r = parse_reply(read_document(f).text, str(f))
        for c in extract(r):
            assert r.text[c.start:c.end] == c.quote
        for g in (g for g in gold if g["doc"] == f.name):
            assert r.text.count(g["quote"]) == 1 and g["condition"] in g["quote"]


# -- lines of real replies outside the sample archive (short quotes, with their source) ---------------------

def test_real_promises_with_a_start_month_part_and_a_deadline():
    # http://www.ynws.gov.cn/info/1303/297149.htm (文山州教育体育局, 2022-07-05)
    found = promises("现已完成招投标工作,将于2022年7月中旬开工,预计2023年7月底前完工投入使用。", signed="2022年7月5日")
    assert [(c.quote, c.due) for c in found] == [("将于2022年7月中旬开工", "2022-07-20"),
                                                 ("预计2023年7月底前完工投入使用", "2023-07-31")]


def test_real_waiting_on_a_decision_is_a_promise_with_its_condition():
    # https://shaheshi.gov.cn/article/240/81060.html (沙河市交通局, 2023)
    [c] = promises("经结合白塔镇共同研究,现邢峰线(群英路)白塔段道路,已列入交通厅动态管理系统,待省厅终审后实施。")
    assert (c.quote, c.condition, c.due) == ("待省厅终审后实施", "待省厅终审后", None)
    # http://ynmg.gov.cn/info/2400/101254.htm (马关县交通运输局, 2023): 待 without 后
    [c] = promises("只能纳入项目库,待上级有这方面的投资,我们将优先解决。")
    assert c.condition == "待上级有这方面的投资"


def test_real_plan_period_and_a_conditional_promise_in_one_sentence():
    # https://www.yyx.gov.cn/37586/38025/38495/content_1976579.html (岳阳县水利局, 2019-07-09)
    found = promises("并已将岳坊总干渠渠系配套提质改造项目纳入“十三五”水利规划,如有相关项目启动,我们将力争项目安排在前面。",
                     signed="2019年7月9日")
    assert [(c.due, c.condition) for c in found] == [("2020-12-31", ""), (None, "如有相关项目启动")]


def test_a_season_is_due_at_its_end():
    # the form of http://www.panshan.gov.cn/2023_11/01_14/content-435453.html ("秋季将协同…进行论证")
    [c] = promises("如果建设成果不能满足供水要求,秋季将协同镇政府进行论证。")
    assert (c.due, c.due_text, c.condition) == ("2024-11-30", "秋季", "如果建设成果不能满足供水要求")
    [c] = promises("我局计划今年冬季完成改造。")
    assert c.due == "2025-02-28"


@pytest.mark.parametrize("sentence", [
    "您建议我局将加大投入力度,我们十分理解。",  # the proposer's words, reported
    "您提出的“将进一步加大投入”的建议很好。",  # quoted from the proposal
])
def test_the_proposers_own_words_are_no_promise(sentence):
    assert promises(sentence) == []


def test_a_promise_made_on_the_proposers_advice_is_one():
    [c] = promises("按照代表建议我局将于年底前完成。")
    assert c.due == "2024-12-31"
    r = parse_reply("关于县人大第1号建议的答复\n张三代表:\n您提出的《关于将进一步加强道路养护的建议》收悉,现答复如下:\n"
                    "我局将加强管理。\n某县交通运输局\n2024年5月20日\n", "x.txt")
    assert [c.quote for c in extract(r)] == ["我局将加强管理"]  # not the proposal's title in the opening
