"""The asked value must be present: a question that asks for a kind of value (a company, a phone
number, a count, a date, an amount, a document number) is answered only by a passage that states a
value of that kind near the asked attribute. A person ("谁", "who") is not gated: see ``asked_values``.

:func:`asked_values` reads what kind of value a question wants (from its ``kinds``, ``units`` and
wording); :func:`value_spans` finds values of a kind in a passage; :func:`holds_value` says whether
one sits near the words that name the asked attribute ("竣工" for "什么时候竣工", "路口" for
"多少个路口"). :func:`gate` applies this to the chosen passage: a close runner-up that holds the
value replaces it, and with none the answer is a refusal whose note says what was missing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..language import LATIN_WORD, NOT_TOPIC_WORDS, stem, strip_glosses
from ..normalise import to_simplified
from ..question import DATE, DATE_ASK, DOC_NUMBER, HOW_MANY, NOT_ASKING_JI, NUMBER_UNIT, UNIT_GROUPS, Question
from ..template import NUMBER, PHONE, UNITS, YEAR_RANGE
from ..translate import gloss
from .events import chinese_step_words
from .score import Scored, term_key

# Measured: how far (in characters) a value may sit from a word of the question naming the asked attribute or
# its topic. Over the correctly answered DRCD test sample (seed 7) the gap was at most 30 for 31 dates and 17
# for 16 counts (median 1 and 0), and at most 5 on the sample questions; the signature line
# "2023年6月29日" asked "when will it be completed" holds no such word at all.
NEAR_CHARS = 30
COUNT_NOUN_CHARS = 6  # hand-set: "多少个" is followed by its counted noun within six characters ("多少个县级教师")
CLASSIFIERS = UNIT_GROUPS[0]  # 个 座 所 …: measure words that count different things, unlike 元 or 公里


@dataclass(frozen=True)
class Asked:
    """A kind of value a question asks for, and the words of the question naming the attribute."""

    kind: str  # "company", "phone", "count", "amount", "date", "doc_number"
    anchors: tuple[str, ...] = ()  # topic terms (Simplified, or English words) the value must sit near
    day: bool = False  # a date asked to the day ("哪天", "on what date"): a bare year does not answer it
    units: tuple[str, ...] = ()  # for counts and amounts: the units that state it
    of_reply: bool = False  # a date asked of the reply itself ("是哪天答复的"): its signature line answers it
    duration: bool = False  # a count asked as a length of time ("多久", "任期是多长"): "30秒", "五年" state it
    named_by_agency: bool = False  # any company ("哪个公司运营"), not a contractor: "由九巴营运" names one
    stated: tuple[str, ...] = ()  # figures the question itself states ("那5.8公里公路…有多宽"): they answer nothing
    counted: tuple[str, ...] = ()  # for counts: the counted noun's words ("多少套安置房" → 安置, 房), all to be present


_ZH = {
    "company": r"中标单位|中标企业|中标方|施工单位|施工方|承建单位|承建方|承包单位|哪家公司|哪个公司|什么公司|哪家企业|哪家单位",
    # a number to call, not a phone as a topic ("为什么第三代移动电话就难窃听", "在日本支援了手机网页功能")
    # A hotline's number, not a hotline as a topic ("生命热线的旧会址在哪里").
    "phone": r"电话号码|联系电话|联系方式|手机号|热线(?:电话)?(?:号码|是多少|是什么|多少)|电话(?:是|为)?(?:多少|什么)",
    "amount": r"多少钱|花了多少|花费多少|多少[^，,。？?；;]{0,6}?(?:资金|经费|费用|投资|补助|补贴|奖金|万元|元)|"
              r"(?:投资|资金|经费|费用|造价|金额|补助|补贴|罚款|奖金|预算)(?:是|有|为|共|达|总共|一共)?多少",
}
_EN = {
    "company": r"\bwhich (?:company|firm|contractor|enterprise)\b|\bwon the (?:bid|tender|contract)\b|\bcontractor\b|"
               r"\bbidder\b|\bwinning bid\b",
    "phone": r"\b(?:tele)?phone (?:number|line)\b|\bcontact (?:number|phone)\b|\bwhat (?:is|was) the (?:tele)?phone\b|"
             r"\bhotline\b",
    "amount": r"\bhow much (?:money|funding|investment|did|does|will|is|was|of an?)\b|\bwhat (?:is|was) the (?:total )?"
              r"(?:investment|cost|budget|amount|price|fine|allowance|subsidy)\b|\bhow much\b.*\b(?:cost|invest|spend|spent|"
              r"pay|paid|allowance|subsidy|fund)",
}
_OF_REPLY_ZH = r"答复|回复|复函|答覆|回覆"
_OF_REPLY_EN = r"\breplie[sd]\b|\breply\b|\banswered\b|\bresponded\b"
# A line that is only a date: the signature date of a reply.
_DATE_LINE = re.compile(r"(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月"
                        r"[一二三四五六七八九十]{1,3}日|\d{4}-\d{2}-\d{2})")
_DAY_ZH = r"哪天|哪一天|几号|几月几日|什么日期|哪日|何日"
_DAY_EN = r"\b(?:what|which) (?:date|day)\b|\bon what day\b"
# A date written in Chinese numerals ("二〇一九年七月八日"), which template.DATE (digits) leaves out.
_HAN_DATE = re.compile(r"[〇零一二三四五六七八九]{4}年(?:[一二三四五六七八九十]{1,2}月(?:[一二三四五六七八九十]{1,3}日)?)?")
# Any time expression, for presence: DRCD's "620年", "8世紀以後", "民國42年", "1960年代" as well as template.DATE's.
# "今年" alone is left out: "我局今年已经准备进行实施" says when work may start, not when it was done.
_TIME = re.compile(r"(?:\d+|[〇零一二三四五六七八九十百千两]+)\s*(?:年|月|日|世纪|年代)|\d{1,2}\s*月\s*\d{1,2}\s*号|[上下]半年|"
                   r"年底|年初|年内|年末|月底|月初|年间|期间|时期|春|夏|秋|冬|清晨|凌晨|上午|下午|晚上|"
                   r"(?:\d+|[一二三四五六七八九十]+)\s*岁")  # an age answers "when" ("周朝贵族女子在什么时候举办笄礼" → 15岁)
_DAY = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}-\d{2}-\d{2}|月[一二三四五六七八九十]{1,3}日")
# A company as replies name it: a name of two or more characters ending in a company word.
COMPANY = re.compile(r"[\u3400-\u9fff（）()]{2,30}?(?:有限责任公司|股份有限公司|有限公司|公司|集团|建筑队|工程队|合作社)")
# A person as replies name one (for an English answer's lead; not gated): a name with a title or role, or a name
# that leads or handles the work.
_TITLE = (r"代表|委员|同志|先生|女士|局长|副局长|主任|科长|处长|厅长|部长|县长|市长|区长|书记|镇长|乡长|股长|院长|"
          r"站长|经理|主席|总理|教授")
PERSON = re.compile(rf"(?:^|(?<=[由经向与和及、，,。：:\s|]))[\u3400-\u9fff·]{{2,4}}(?:等\d*位?)?(?:{_TITLE})|由[\u3400-\u9fff]{{2,4}}(?:牵头|负责|担任|主持)|"
                    r"[\u3400-\u9fff]{2,3}(?:牵头|具体负责)|(?:承办人|联系人|经办人|签发人)[:：]?\s*[\u3400-\u9fff]{2,4}")
# Who may also be an office or body. It starts after a boundary or a verb of agency ("由县交通运输局负责"), so
# the sentence's subject before it is left out.
OFFICE = re.compile(r"(?:^|(?<=[由经向与和及、，,。：:\s|]))[\u3400-\u9fff]{2,14}?(?:局|厅|部|委员会|委|办公室|办|中心|政府|学校|医院|街道|公司|协会|银行|大学|学院)")
_EN_COUNT = re.compile(r"\bhow many ((?:[a-z-]+ ){0,3}?[a-z-]+?)(?= (?:are|is|was|were|will|would|do|does|did|have|has|had|"
                       r"in|at|of|for|on|to|does|can)\b|\?|$)")


def asked_values(q: Question) -> tuple[Asked, ...]:
    """The kinds of value the question asks for, each with the words naming its attribute."""
    probe = q.lowered if q.language == "en" else q.key
    table = _EN if q.language == "en" else _ZH
    stated = _figures(probe)
    out = [Asked(kind, _anchors(q), named_by_agency=kind == "company" and not re.search(_CONTRACTOR, probe),
                 stated=stated) for kind in ("company", "phone") if re.search(table[kind], probe)]
    if out:
        return tuple(out)
    measure = re.search(_MEASURE_EN if q.language == "en" else _MEASURE_ZH, probe) is not None
    if re.search(table["amount"], probe) or "元" in q.units:
        out.append(Asked("amount", _anchors(q), units=UNIT_GROUPS[2], stated=stated))
    elif measure or "quantity" in q.kinds and (q.units or re.search(HOW_MANY + "|how many", probe)):
        # a named unit of another kind wins: "How long, in kilometres" asks a length ("任期是多长" implies 公里 unnamed)
        named = [u for u in q.units if u not in UNIT_GROUPS[5] and (q.language == "en" or u in q.key)]
        duration = not named and re.search(_DURATION_EN if q.language == "en" else _DURATION_ZH, probe) is not None
        # a length of time is stated in time units, whatever unit the question's wording implied ("任期是多长")
        units = (*UNIT_GROUPS[5], "秒") if duration else _count_units(q) or _measure_words(q)
        counted = _counted_noun(q)
        out.append(Asked("count", _count_anchors(q), units=units, duration=duration, stated=stated,
                         counted=counted))
    if "date" in q.kinds:
        day = re.search(_DAY_EN if q.language == "en" else _DAY_ZH, probe) is not None
        of_reply = re.search(_OF_REPLY_EN if q.language == "en" else _OF_REPLY_ZH, probe) is not None
        out.append(Asked("date", _date_anchors(q), day=day, of_reply=of_reply, stated=stated))
    if "doc_number" in q.kinds:
        out.append(Asked("doc_number"))
    # A person ("谁", "who") is not asked for here: names stand without titles ("克劳德夏农开拓了…"), so
    # no pattern tells a sentence naming one: on the DRCD test sample (seed 7), 29 of the 36 correct answers to
    # 谁/哪位 hold no titled name or office and would be refused.
    return tuple(out)


def _anchors(q: Question) -> tuple[str, ...]:
    return tuple(q.terms)


# A measurement asked without 多少 ("路面有多宽", "占地有多大", "how wide"): any figure states it. "多大" of an
# effect ("有多大的影响", "多大程度") asks no figure, and "多重" is "multiple".
_MEASURE_ZH = (r"多[宽高深远厚粗]|(?:有|是|为|占地|面积)多大(?!程度|的?(?:作用|意义|影响|帮助|变化|区别|贡献|力度|关系|"
               r"损失|好处|风险|压力|难度|规模|问题))|多大(?:面积|年纪|岁数)")
_MEASURE_EN = r"\bhow (?:big|large|wide|tall|high|deep|far(?! along)|heavy|thick)\b"  # "how far along": progress
_FIGURE = re.compile(r"\d+(?:\.\d+)?")


def _figures(text: str) -> tuple[str, ...]:
    """The figures a text states, thousands separators dropped: "那5.8公里公路…有多宽" states 5.8."""
    return tuple(dict.fromkeys(_FIGURE.findall(text.replace(",", ""))))


def _count_units(q: Question) -> tuple[str, ...]:
    """Units that state a count: the asked one, and 个 for a measure word (个 counts anything; 项 never counts schools);
    asked with 个, any measure word ("几个厕所" is answered by "10座")."""
    units = []
    for u in q.units:
        if u == "个":
            units += CLASSIFIERS
        else:
            units += [u, "个"] if u in CLASSIFIERS else next((g for g in UNIT_GROUPS if u in g), [u])
    return tuple(dict.fromkeys(units))


def _measure_words(q: Question) -> tuple[str, ...]:
    """The measure word after 多少/几 when it is none of the template's units ("多少册", "几趟", "多少枚")."""
    if q.language == "en":
        return ()
    words = re.findall(r"(?:" + HOW_MANY + r")([\u4e00-\u9fff])", q.key)
    return tuple(dict.fromkeys(w for w in words if w in MEASURE_WORDS))


# A contractor as replies name one: a registered company name (COMPANY). Any other company question ("哪个公司
#运营") may be answered by a name alone ("由九巴营运", "属于东日本旅客铁道"): in CMRC 2018 trial and dev, 20 of
# the 32 gold sentences of company questions held no company suffix. A government body is none ("由市城市管理局负责
# 运营"; its whole name is matched, as the shortest name before a verb is "市城市" of 管理).
_CONTRACTOR = r"中标|施工|承建|承包|\bcontractor\b|\bbid"
_AGENCY_VERB = r"(?:所|负责)?(?:营运|运营|经营|开发|发售|推出|承建|建设|制作|发行|出品|出版|生产|制造|管理|的|，|。|$)"
_AGENCY = re.compile(r"(?:由(?!于)|属于|隶属于?|收购了?|是)(?P<name>[\u3400-\u9fffA-Za-z（）() ]{2,20}?)" + _AGENCY_VERB)
_GOVERNMENT_BODY = re.compile(r"[\u3400-\u9fff]{0,20}?(?:局|厅|委员会|管委会|政府|办公室|办事处|街道)" + _AGENCY_VERB)
_DURATION_ZH = r"多久|多长时间|(?:期|时间|时长)(?:是|有|为)?多长|多少年|多少天|多少个月|" + NOT_ASKING_JI + r"(?:年|天|个月)"
_DURATION_EN = r"\bhow long\b"
# A figure in any unit, for a count whose unit the question leaves open ("体长是多少" → 91厘米, "有多远" → 10km,
# "初始资本是多少" → 5000万加元): digits, or Chinese numerals of two or more characters ("一千多年"). In CMRC 2018
# trial and dev the template's units missed 113 of the 298 gold sentences of count questions.
_ANY_FIGURE = re.compile(r"\d[\d,.]*\s*(?:多|余)?\s*[^\d\s,.，。；;、]{0,3}|[一二两三四五六七八九十百千万亿]{2,}(?:多|余)?[^，。；;、]{0,2}")
# Money in any currency: "8.15亿美元", "NT$25,000", "41,210亿越南盾".
_MONEY = re.compile(r"(?:[A-Z]{0,3}\$|[￥¥])\s*\d[\d,.]*|" + NUMBER + r"(?:万|亿)?(?:美元|港元|港币|日元|欧元|英镑|加元|澳元|"
                    r"越南盾|新台币|台币|人民币|卢布|元|块)")

# Measure words of counted things that template.UNITS lacks. A list, not "any character after 多少": that
# would read 以 in "多少以上", 百 in "多少百分比" and 比 in "多少比例" as measure words (each refused a right
# DRCD answer).
MEASURE_WORDS = set("册趟枚部艘架本首件只头匹棵株尾篇届场支门块片颗粒层轮集卷幅份章列队款节题代")


def _en_counted_words(q: Question) -> list[str]:
    """The content words after "how many" ("how many parking spaces" → parking, space)."""
    m = _EN_COUNT.search(q.lowered)
    words = [stem(w) for w in LATIN_WORD.findall(m.group(1))] if m else []
    return [w for w in words if w not in NOT_TOPIC_WORDS and len(w) > 2]


# Head nouns that say only "a countable one" of the noun before them, as 个 or 套 does in Chinese.
_EN_GENERIC_COUNTED = {"unit", "item", "piece", "set", "number"}


def _counted_noun(q: Question) -> tuple[str, ...]:
    """The thing counted when the question ends on it ("建成了多少套安置房？" → 安置房; "how many rural
    boarding schools" → "boarding school", its last two words or its head noun as the dictionary has them:
    glosses of every modifier are too sparse to require). A count
    followed by a verb phrase ("几位获得了…奖章") or a relative clause ("几个人游玩的游戏", "水深多少的海域")
    names no noun to check, and a unit ("多少公分") is no counted thing."""
    if q.language == "en":
        words = _en_counted_words(q)
        # the last two words when the dictionary has them as a phrase ("parking space" → 停车位), which says
        # more than the head noun alone ("space" → 空间, 占地, 停车位 …)
        if len(words) > 1 and words[-1] in _EN_GENERIC_COUNTED:  # "housing units": the housing is counted
            words = words[:-1]
        phrases = [" ".join(words[-2:])] if len(words) > 1 else []
        return next(((p,) for p in [*phrases, *words[-1:]] if gloss(p)), ())
    m = re.search(HOW_MANY, q.key)
    if not m:
        return ()
    clause = re.match(r"[^，,。？?；;、的是和与及呢吗]*", q.key[m.end():]).group(0)
    after = q.key[m.end() + len(clause): m.end() + len(clause) + 1]
    if len(clause) > COUNT_NOUN_CHARS or after not in ("", "？", "?", "，", ",", "、", "。", "；", ";", "呢", "吗"):
        return ()  # a relative clause ("几个人游玩的游戏") or a verb phrase follows: no noun ends the question
    unit = _LEADING_UNIT.match(clause)
    noun = clause
    if unit and not any(len(term_key(t)) > unit.end() and clause.startswith(term_key(t)) for t in q.terms):
        noun = clause[unit.end():]  # "套安置房" → 安置房; 人 of "人民" is no unit
    return (noun,) if len(noun) >= 2 and noun not in _SHARE_WORDS else ()


_LEADING_UNIT = re.compile(r"(?:[厘毫千公平方英]*[米克升尺里亩寸顷斤分吨]|" + "|".join(sorted(UNITS, key=len, reverse=True))
                           + "|[" + "".join(sorted(MEASURE_WORDS)) + "])")
# A share is no counted thing: "有多少比例的学生…" is answered by "15%".
_SHARE_WORDS = {"比例", "百分比", "比重", "比率", "占比", "份额", "倍数"}


def _named(word: str, simple: str, values: list[tuple[int, int]]) -> bool:
    """A counted noun is named near a value, in whole or by half its characters ("8个出口" for 出入口,
    "五名球员" for 队员, "500股" for 股份); English words through their glosses."""
    words = gloss(word) if word.isascii() else {word}
    return any(sum(c in simple[max(0, a - NEAR_CHARS): b + NEAR_CHARS] for c in set(w)) >= -(-len(set(w)) // 2)
               for w in words for a, b in values)


def _count_anchors(q: Question) -> tuple[str, ...]:
    """The counted thing: "多少个路口" → 路口, "how many parking spaces" → parking, space; else the focus."""
    if q.language == "en":
        return tuple(dict.fromkeys(_en_counted_words(q) + list(q.focus) + list(q.terms)))
    nouns = []
    for m in re.finditer(HOW_MANY, q.key):
        tail = re.split(r"[，,。？?；;、是和与及]", q.key[m.end(): m.end() + COUNT_NOUN_CHARS])[0]
        nouns += [t for t in q.terms if term_key(t) in tail]
    return tuple(dict.fromkeys(nouns + list(q.focus) + list(q.terms)))


DATE_WORD_DISTANCE = 8  # hand-set: a term within eight characters of "什么时候" is its verb ("预计…完工")
_EN_DATE_WORDS = {"date", "dates", "day", "days", "year", "years", "month", "months", "time"}


def _date_anchors(q: Question) -> tuple[str, ...]:
    """The words beside the question word ("什么时候竣工" → 竣工), then the other topic terms."""
    terms = [t for t in q.terms if t not in _EN_DATE_WORDS]
    m = re.search(DATE_ASK, q.key)
    if not m:
        return tuple(terms)
    near = [t for t in terms if 0 <= q.key.find(term_key(t)) and abs(q.key.find(term_key(t)) - m.start())
            <= DATE_WORD_DISTANCE]
    return tuple(dict.fromkeys(near + terms))


def value_spans(asked: Asked, simple: str) -> list[tuple[int, int]]:
    """Where a Simplified text states a value of the asked kind."""
    if asked.kind == "company":
        agencies = _AGENCY.finditer(simple) if asked.named_by_agency else ()
        found = [*COMPANY.finditer(simple), *(m for m in agencies if not _GOVERNMENT_BODY.match(simple, m.start("name")))]
    elif asked.kind == "phone":
        found = PHONE.finditer(simple)
    elif asked.kind == "doc_number":
        found = DOC_NUMBER.finditer(simple)
    elif asked.kind == "date":
        found = [*DATE.finditer(simple), *_HAN_DATE.finditer(simple), *_TIME.finditer(simple)]
        if asked.day:
            found = [m for m in found if _DAY.search(m.group(0))] + list(_DAY.finditer(simple))
    elif asked.kind == "count" and not asked.units:  # a figure, not a date or (unless a duration is asked) a time
        found = [m for m in _ANY_FIGURE.finditer(simple)
                 if asked.duration or not (DATE.match(simple, m.start()) or YEAR_RANGE.match(simple, m.start())
                                           or _TIME_WORD.search(m.group(0)))]
    else:  # a count in named units, or an amount: a figure (not a date, unless years are counted: "西元几年") in one
        years = bool(set(asked.units) & set(UNIT_GROUPS[5]))
        found = [m for m in NUMBER_UNIT.finditer(simple) if (years or not DATE.fullmatch(m.group(0))) and
                 any(m.group(0).endswith(u) for u in asked.units)]
        # a measure word the template's units lack ("12册", "16趟", "3枚"), or a metric prefix ("110厘米", "35公分")
        found += list(re.finditer(NUMBER + "[厘毫千公]?(?:" + "|".join(map(re.escape, asked.units)) + ")", simple))
        if "米" in asked.units:  # a length in metric symbols: "10km", "5m"
            found += list(re.finditer(r"\d[\d,.]*\s*(?:km|cm|mm|m)(?![a-z])", simple, re.I))
        if asked.kind == "amount":
            found += list(_MONEY.finditer(simple))
    return sorted({(m.start(), m.end()) for m in found})


# With no unit named, a count is of things (or a share: "多少百分比"): "9月" or "3天" states a time, not how many
# (unless a length of time is asked). A light year is a distance.
_TIME_WORD = re.compile(r"(?<!光)年|月|日|天|小时|分钟|周|秒")


def _anchor_spans(anchors: tuple[str, ...], simple: str) -> list[tuple[int, int]]:
    """Where the attribute's words (or, for English words, their Chinese glosses) occur."""
    lowered = simple.lower()
    out = []
    for a in anchors:
        words = (gloss(a) | {a}) if re.fullmatch(r"[a-z][a-z'-]*", a) else {term_key(a)}
        words |= set(chinese_step_words(a))  # the same step in other words ("动工" for 开工, "finished" for 完工)
        out += [(m.start(), m.end()) for w in words if w for m in re.finditer(re.escape(w), lowered)]
    return out


# A proposal restated by its reply ("一、关于“给予台江县…建设一所…学校”的建议", "代表提出的“关于支持…的建议”",
# "《关于…的建议》的答复"): a value inside states what was asked for, not what was decided.
_RESTATED = re.compile(r"关于[“\"「『]([^”\"」』]{2,300})[”\"」』]|[“\"「『《](关于[^”\"」』》]{2,300})[”\"」』》]")


def _answering(asked: Asked, simple: str, values: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The values that could answer: not a figure the question states, nor one inside a restated proposal."""
    if not values:
        return values
    restated = [m.span(1) if m.group(1) is not None else m.span(2) for m in _RESTATED.finditer(simple)]
    out = []
    for v in values:
        figures = _figures(simple[v[0]: v[1]])
        if figures and all(f in asked.stated for f in figures):
            continue
        if any(a <= v[0] and v[1] <= b for a, b in restated):
            continue
        out.append(v)
    return out


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


# A government site's field line (as score.py's page chrome): it dates or names the page, not what is asked.
_SITE_FIELD = re.compile(r"索引号|发布机构|发布日期|发文日期|成文日期|浏览量|来源[:：]|\|.*\|")

# Kinds a value answers wherever it sits in the chosen passage: a reply names one company or number.
_ANYWHERE = {"company", "phone", "doc_number"}


def holds_value(asked: Asked, text: str) -> bool:
    """The passage states a value of the asked kind, near a word naming the asked attribute."""
    return not _lacks(asked, text)


def _lacks(asked: Asked, text: str) -> str:
    """What the passage lacks of the asked value: "" (nothing), "value", "counted" or "near"."""
    simple = to_simplified(strip_glosses(text))
    if _SITE_FIELD.search(simple) and not asked.of_reply:
        return "value"  # a site field line ("发布日期 | 2021-08-02") dates the page, not the project asked about
    values = _answering(asked, simple, value_spans(asked, simple))
    if not values:
        return "value"
    if asked.counted and not all(_named(w, simple, values) for w in asked.counted):
        return "counted"  # figures of some other thing ("5289套危旧房" for "多少套安置房")
    if asked.kind in _ANYWHERE or not asked.anchors:
        return ""
    if asked.kind == "date" and asked.of_reply and _DATE_LINE.fullmatch(simple.strip()):
        return ""  # the signature date line states when the reply was made
    anchors = _anchor_spans(asked.anchors, simple)
    return "" if any(_gap(v, a) <= NEAR_CHARS for v in values for a in anchors) else "near"


_NAMES = {"company": "company", "phone": "phone number", "count": "count",
          "amount": "amount of money", "date": "date", "doc_number": "document number"}


def missing_value(q: Question, text: str) -> str:
    """Why a passage does not hold the asked value ("" when it does or nothing particular is asked)."""
    asked = asked_values(q)
    if not asked:
        return ""
    lacks = [_lacks(a, text) for a in asked]
    if not all(lacks):
        return ""
    a = asked[0]
    if lacks[0] == "counted":
        return f"the best passage counts no {'/'.join(a.counted)}"
    what = ("day-precise date" if a.kind == "date" and a.day else
            "figure" if a.kind == "count" and not a.units else _NAMES[a.kind])
    near = f" near {'/'.join(a.anchors[:3])}" if a.anchors and a.kind not in _ANYWHERE else ""
    return f"the best passage states no {what}{near}"


def gate(q: Question, best: Scored | None, scored: list[Scored], margin: float) -> tuple[Scored | None, str]:
    """The chosen passage, or a close runner-up (within ``margin``) holding the asked value and no fewer of the
    question's words (fewer: a value of something else); else a refusal reason. Other questions pass unchanged."""
    if best is None:
        return best, ""
    reason = missing_value(q, best.piece.text)
    if not reason:
        return best, ""
    close = [s for s in scored if s is not best and s.score >= best.score - margin and s.lexical >= best.lexical]
    return next(((s, "") for s in close if not missing_value(q, s.piece.text)), (None, reason))
