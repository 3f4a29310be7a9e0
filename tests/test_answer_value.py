"""The asked value must be present: each kind of value found or missing, the gate's runner-up and its refusal note."""
from __future__ import annotations

from dataclasses import replace

import pytest

from replyqa.answer.pieces import Piece
from replyqa.answer.score import Scored
from replyqa.answer.value import asked_values, gate, holds_value, missing_value
from replyqa.question import analyse
from replyqa.records import Chunk

PROGRESS = "目前项目场地平整已完成,水电开始安装,土方已开挖。"

# (question, a sentence stating the asked value, a neighbouring sentence that does not)
CASES = {
    "company": ("镇康县中厂村道路硬化工程的中标单位是哪家公司？", "该工程由云南临沧路桥建设有限公司中标承建。", PROGRESS),
    "company-en": ("Which company won the bid for the Shennong health centre?", "中标单位为山西建工集团。", PROGRESS),
    "phone": ("沂南县体育事业发展中心的联系电话是多少？", "联系电话:3221671", "联系人:王明"),
    "phone-en": ("What is the phone number of Xiayi's city management bureau?", "联系电话：0370-3221671", "感谢您的关心和支持！"),
    "count": ("新郑市2017年要在多少个路口安装交通信号灯？", "2017年,我局将在20个路口安装交通信号灯。", "信号灯欠缴电费导致多日无法正常使用。"),
    "count-en": ("How many rural boarding schools are there in Tengchong?", "全市共有农村寄宿制学校45所。",
                 "农村寄宿制学校越来越多,这类学校的管理是一项难度较大的工作。"),  # 项 counts items, never schools
    "date": ("沂南县体育活动中心什么时候竣工？", "体育活动中心预计2022年底竣工。", "目前完成立项、选址及规划设计,正在进行土方开挖工程。"),
    "date-en": ("When will the Shennong health centre be completed?", "神农分院项目计划2024年6月建成。", "2023年6月29日"),
    "day": ("中厂村至军南线连接线的硬化道路是哪天正式通车的？", "道路于2019年5月18日正式通车。", "该条道路已经于2018年下达建设计划,预计2019年完工。"),
    "amount": ("岳阳县新建录播教室一共花了多少钱？", "新建48个录播教室共投入资金860万元。", "新建48个常态化录播教室,添置400台电信云电脑。"),
    "amount-en": ("How much money did Yueyang County spend on the recording classrooms?", "录播教室建设投入资金860万元。",
                  "新建48个常态化录播教室。"),
    "doc_number": ("What is the document number of the reply on haze control?", "环办函〔2017〕1234号",
                   "由我部会同教育部和住房城乡建设部办理。"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_value_of_the_asked_kind_is_found_or_missed(name):
    question, stated, neighbour = CASES[name]
    q = analyse(question)
    kind = name.split("-")[0]
    assert kind in {"day", *(a.kind for a in asked_values(q))}
    assert missing_value(q, stated) == ""
    assert missing_value(q, neighbour).startswith("the best passage states no ")


def test_a_value_far_from_the_asked_attribute_does_not_count():
    q = analyse("When will the Shennong health centre be completed?")
    (date,) = asked_values(q)
    assert not holds_value(date, "2023年6月29日")  # the reply's signature date: no word of the question near it
    assert holds_value(date, "神农卫生院改造工程将于2024年底完成。")


def test_the_signature_date_answers_when_the_reply_was_made():
    assert missing_value(analyse("高平市卫生健康和体育局对第71号建议是哪天答复的？"), "2023年6月29日") == ""
    assert missing_value(analyse("夏邑县城市管理局对第113号提案是哪天答复的？"), "二〇一九年七月八日") == ""


def test_years_counted_in_a_quantity_question_are_values():
    q = analyse("伊尔库茨克州有自己的州徽与州旗是在西元几年的时候?")
    assert missing_value(q, "到了1997年才正式拥有自己的州徽与州旗。") == ""


def test_questions_asking_no_particular_value_and_who_questions_are_not_gated():
    assert asked_values(analyse("周村区要改建停车场，需要哪些部门论证？")) == ()
    assert asked_values(analyse("谁是现任的天文台台长?")) == ()  # names stand without titles: no pattern finds them


def _scored(text: str, score: float) -> Scored:
    chunk = Chunk("c", "r", (), text, 0, len(text))
    return Scored(Piece("r", chunk, 0, len(text), text, 0), score, 1.0, 0.9, 1.0, 1.0)


def test_the_gate_takes_a_close_runner_up_holding_the_value():
    q = analyse("镇康县中厂村道路硬化工程的中标单位是哪家公司？")
    best, runner = _scored(PROGRESS, 3.0), _scored("该工程由云南临沧路桥建设有限公司中标承建。", 2.5)
    assert gate(q, best, [best, runner], margin=1.0) == (runner, "")
    far = _scored("该工程由云南临沧路桥建设有限公司中标承建。", 1.0)
    chosen, note = gate(q, best, [best, far], margin=1.0)
    assert chosen is None and note == "the best passage states no company"


def test_the_gate_passes_what_it_does_not_judge():
    best = _scored(PROGRESS, 3.0)
    assert gate(analyse("项目进展如何？"), best, [best], margin=1.0) == (best, "")
    assert gate(analyse("项目进展如何？"), None, [], margin=1.0) == (None, "")


def test_numbers_of_another_kind_are_not_the_asked_value():
    # a count with no unit named is of things, not a month; a document's number is no date; 4000人 is no money
    assert missing_value(analyse("How many parking spaces does the car park have?"), "停车场预计2017年9月底前投入使用。")
    assert missing_value(analyse("麻庄道路共建协议是什么时候签的？"), "宁交函〔2021〕141号 签发人:姜涛")
    assert missing_value(analyse("台江县学校项目一共争取到了多少中央预算内资金？"), "台江县拟修建一所容纳4000人的学校。")
    assert not missing_value(analyse("台江县学校项目一共争取到了多少中央预算内资金？"), "台江县学校项目争取中央预算内资金2000万元。")


@pytest.mark.parametrize("question, text, gated", [
    # a phone as the topic of a why-question asks for no number
    ("为什么第三代移动电话就难窃听一点？", "因为信号经过了数字化编码和压缩", False),
    ("县交通局的联系电话是多少？", "欢迎来电咨询", True),
    # measure words the template's units lack still state a count
    ("鬼神童子ZENKI单行本一共多少册？", "单行本共12册", False),
    ("横道河子站共有多少趟旅客列车经过？", "每天共有16趟旅客列车经过横道河子站", False),
    # 以, 百 and 比 after 多少 are no measure words: any figure states the count
    ("維基媒體的擴充功能約為多少以上？", "擴充功能約1800個以上", False),
    ("有多少比例的學生發表了科研成果?", "有15%的學生發表了科研成果", False),
    # an age answers "when"
    ("周朝贵族女子在什么时候举办笄礼？", "周朝贵族女子在15岁时举办笄礼", False),
    # the step asked is found in the reply's words for it (动工 as 开工, 当面商量 as 面商), not another step's
    ("白塔镇医养中心扩建啥时候动工？", "计划2024年年底开工建设", False),
    ("白塔镇医养中心扩建啥时候动工？", "2024年年底完成验收", True),
    ("杨世国代表是哪天和文旅局当面商量的？", "经局领导班子会议研究,并于6月15日与您面商", False),
    # 几个 is answered in any measure word
    ("夏邑县准备建几个新式环保公厕？", "2018年筹建10座新型环保公厕", False),
])
def test_what_counts_as_asking_for_a_value_and_stating_it(question, text, gated):
    from replyqa.answer.value import asked_values, holds_value
    from replyqa.question import analyse

    asked = asked_values(analyse(question))
    assert (not all(holds_value(a, text) for a in asked)) is gated


@pytest.mark.parametrize("question, stated, neighbour", [
    # a unit the template lacks, or none named: any figure counts, a date or a time does not
    ("灰凤冠雉的体长是多少？", "灰凤冠雉长91厘米。", "灰凤冠雉栖息在山地森林中。"),
    ("光电追踪仪的追踪距离有多远？", "光电追踪仪，追踪距离10km。", "光电追踪仪于2003年9月启用。"),
    ("交叉笛鲷体长可达多少公分？", "体长可达35公分。", "交叉笛鲷栖息在珊瑚礁区。"),
    # a length of time asked: a time states it
    ("刘燕卿担任申诉专员的任期是多长？", "政府委任她出任申诉专员，任期五年。", "她曾任消费者委员会总干事。"),
    ("Adobe OnLocation对buffer的录制最长可以录制多久？", "能够对buffer进行录制，录制时间长达30秒之久。", "它还能录制静帧。"),
    # money in another currency
    ("Wow! eye Taiwan全民影音创作大赛增加的奖项奖金是多少？", "四类参赛类别各增加一名铜奖，每名奖金为 NT$25,000。",
     "并由评审团自行决定特别奖奖励内容与名称。"),
    ("2006年印度空间研究组织获得的财政拨款大约为多少？", "2006年，该组织获得的财政拨款大约为8.15亿美元。", "该组织总部位于班加罗尔。"),
    # any company, not a contractor: a name with a verb of agency states it
    ("五羊新城由哪个公司开发？", "五羊新城于1980年代由东华实业开发。", "五羊新城位于广州。"),
])
def test_values_written_outside_the_templates_units_are_found(question, stated, neighbour):
    q = analyse(question)
    assert asked_values(q)
    assert missing_value(q, stated) == ""
    assert missing_value(q, neighbour)


def test_how_long_in_a_named_unit_asks_a_length_not_a_time():
    q = analyse("How long, in kilometres, is the Zhongchang village–Junnan line connecting road?")
    (asked,) = asked_values(q)
    assert asked.kind == "count" and not asked.duration and "公里" in asked.units
    assert missing_value(q, "该条道路已经于2018年由上级部门下达建设计划,目前已经开工建设。")


def test_a_hotline_as_a_topic_asks_no_phone_number_and_a_contractor_needs_a_company_name():
    assert not any(a.kind == "phone" for a in asked_values(analyse("生命热线的旧会址在哪里？")))
    assert [a.kind for a in asked_values(analyse("市民服务热线是多少？"))] == ["phone"]
    q = analyse("沂南县体育活动中心的中标单位是哪家公司？")
    assert missing_value(q, "该项目由县体育事业发展中心负责建设。")  # an office, not a company that won the bid
    assert missing_value(q, "该项目由山东沂南建工有限公司中标承建。") == ""


def test_a_government_body_is_no_company():
    q = analyse("Which company won the Queershan land parcel when it was put up for sale?")
    assert missing_value(q, "新建临时停车场5处,新增泊位612个,由市城市管理局负责运营,前两小时免费。")
    assert missing_value(q, "该地块由溧阳城建集团竞得,将用于建设安置房。") == ""
    assert missing_value(analyse("五羊新城由哪个公司开发？"), "五羊新城由广州市城市建设开发总公司开发。") == ""


@pytest.mark.parametrize("question, stated, neighbour", [
    # a figure the question states answers nothing: "5.8公里" is the road asked about, not its width
    ("连接三阳更新的那5.8公里公路拓宽以后路面有多宽？", "该公路拓宽后路面宽6.5米。", "您村连接三阳更新5.8公里公路拓宽,我局今年已经准备进行实施。"),
    # a measurement asked without 多少 ("有多大", "多宽") is stated by any figure
    ("步行街南段的小公园占地有多大？", "小公园占地约3000平方米。", "小公园目前由区城市管理局统一管理。"),
    # a count inside the restated proposal states what was asked for, not what was decided
    ("台江县要新建几所小学？", "我州将在台江县新建2所小学。", "一、关于“给予台江县政策支持建设一所小学”的建议"),
    ("台江县要新建几所小学？", "我州将在台江县新建2所小学。", "代表提出的“关于支持台江修建一所小学的建议”不符合布局。"),
    # figures of another thing than the one counted
    ("姚家湾片区征迁以后建成了多少套安置房？", "姚家湾片区已建成安置房1200套。", "姚家湾片区征迁清零,全区共摸排危旧房5289套。"),
])
def test_a_figure_must_answer_the_question_not_restate_it(question, stated, neighbour):
    q = analyse(question)
    assert asked_values(q)
    assert missing_value(q, stated) == ""
    assert missing_value(q, neighbour).startswith("the best passage ")


def test_a_counted_thing_may_be_named_in_other_words_and_the_note_says_what_was_not_counted():
    assert missing_value(analyse("呼家楼站有几个出入口？"), "目前呼家楼站有8个出口。") == ""
    assert missing_value(analyse("轻艇水球每队中有几名队员？"), "每队派出五名球员作赛。") == ""
    q = analyse("姚家湾片区建成了多少套安置房？")
    assert missing_value(q, "全区共摸排危旧房5289套。") == "the best passage counts no 安置房"


def test_the_size_of_an_effect_asks_for_no_figure():
    assert asked_values(analyse("这项政策对群众有多大的影响？")) == ()


def test_an_english_counted_noun_is_matched_as_the_dictionary_phrase():
    q = analyse("How many parking spaces does the new car park on the pedestrian street have?")
    assert missing_value(q, "停车场共设停车位120个。") == ""
    # "space" alone glosses as 占地 too; the phrase "parking space" is 停车位, which beds are not
    assert missing_value(q, "占地面积约6840平方米,内设养老床位约120张。") == "the best passage counts no parking space"


def test_a_generic_english_head_noun_counts_the_noun_before_it_and_how_far_along_asks_no_figure():
    q = analyse("How many dilapidated urban housing units are being renovated in 2025?")
    assert asked_values(q)[0].counted == ("housing",)
    assert missing_value(q, "2025年新建停车位488个。") == "the best passage counts no housing"
    assert asked_values(analyse("Which hospital project is under construction, and how far along is it?")) == ()


def test_the_gate_takes_no_runner_up_holding_fewer_of_the_questions_words():
    """The sentence about the care centre states no cost; the meal subsidy beside it is a value of something else."""
    q = analyse("深渡镇养老服务中心计划总投资多少万元？")
    centre = replace(_scored("计划2022年在深渡镇建成1所县级区域性养老服务中心,设置床位120张。", 3.0), lexical=0.8)
    meals = replace(_scored("为80周岁以上老人提供每餐补助3元的午餐服务。", 2.8), lexical=0.1)
    chosen, note = gate(q, centre, [centre, meals], margin=1.0)
    assert chosen is None and note.startswith("the best passage states no amount of money")
    # a runner-up holding as much of the question's words still answers
    cost = replace(_scored("养老服务中心计划总投资800万元。", 2.8), lexical=0.8)
    assert gate(q, centre, [centre, cost], margin=1.0) == (cost, "")
    assert gate(q, centre, [centre, replace(cost, lexical=0.5)], margin=1.0)[0] is None


def test_the_first_year_of_a_span_of_years_is_no_count():
    q = analyse("下一步的目标是多少？")
    assert missing_value(q, "编制完成《供水保障规划(2023—2030年)》。") != ""
    assert missing_value(q, "下一步的目标是(2023—2030年)新建水厂12座。") == ""
