"""Read a question once, where it enters: its language, what kind of fact it wants, its unit, its topic terms
and the entities that identify the reply it means.

:func:`analyse` turns the asked text into a :class:`Question`; every later stage (retrieval,
scoring, composing, the reply-field answers, the conversation) reads that record instead of
normalising the text again. The answerer uses it to prefer the clause that holds the wanted
kind of fact (a number with a unit, a date, an office, a yes or a no) and to refuse when the
thing asked about is never mentioned.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from .bm25 import tokenize
from .entities import OFFICE_TAILS, Entity, NameLookup, extract
from .errors import QueryError
from .language import LATIN_WORD, NOT_TOPIC_WORDS, Language, detect_language, stem, strip_glosses
from .normalise import match_key, to_simplified
from .template import CAUSE, DATE, DOC_NUMBER, NUMBER_UNIT, PLACE, UNITS, WHO, YES_NO  # noqa: F401 (the answer cues)
from .template import UNIT_RE as _UNIT_RE
from .translate import names_a_thing

MAX_QUERY_CHARS = 2000  # hand-set: room for a whole proposal topic pasted on the precedent desk
# The words that ask how many. 好几 ("好几天都用不了": for days) asks nothing, nor does 几 after a demonstrative
# ("这几年", "近几年", "前几天": these or the last few) or in 几乎 ("almost").
NOT_ASKING_JI = r"(?<![好这那近前头])几(?!乎)"
HOW_MANY = r"多少|" + NOT_ASKING_JI

# The words that ask when; 啥时候, 几时 and 多会儿 are the spoken 什么时候 (as 为啥 and 干嘛 are the spoken 为什么).
DATE_ASK = r"什么时候|何时|哪一年|哪年|哪一天|哪天|几月|几号|日期|多久以前|何日|什么时间|哪个月|啥时|几时|多会儿"

_ZH_KINDS = (
    ("date", DATE_ASK),
    # 几月 asks which month (a date; 几个月 is still a length); 哪几个 asks which ones, not how many; 好几天 is "for days"
    ("quantity", r"多少|(?<!哪)" + NOT_ASKING_JI + r"(?:[个座所台人名位项次条家户辆天年周批处栋套张间亩吨层米万千百]|公里)|"
                 r"多长|多大|多高|多远|多久|多重|规模|比例|几成"),
    ("doc_number", r"文号|发文字号|编号"),
    ("who", r"谁|哪个部门|哪些部门|哪个单位|哪些单位|哪个机构|哪位|哪家|什么部门|什么单位|发给|交给|主办|会同"),
    ("yesno", r"是否|有没有|能不能|能否|会不会|可否|是不是|可不可以|有无|吗[？?]?$"),
    ("cause", r"为什么|为何|什么原因|原因是|为啥|干嘛|干吗"),
    ("place", r"在哪里|在哪儿|什么地方|哪里|位于哪"),
)
_EN_KINDS = (
    # "when" asks at the start of a question or a clause, before its verb, or after "tell me", "know"; not as a
    # conjunction ("what does it do when toilets are not cleaned")
    ("date", r"^when\b|(?:[,;]|\band|\bor|\bby|\bsince|\buntil|\bbut|\bme|\bknow)\s+when\b|\bwhen (?:is|are|was|were|"
             r"will|would|does|do|did|can|could|should|shall|has|have|had|must|might)\b|"
             r"\b(?:what|which) (?:years?|dates?|days?|months?)\b|\bby when\b"),
    ("quantity", r"\bhow (?:many|much|long|large|big|far(?! along)|high)\b|\bwhat (?:is|was) the (?:total|number|amount|size|area|length|investment)\b"),
    ("doc_number", r"\bdocument number\b|\breference number\b|\bfile number\b"),
    ("who", r"\bwho\b|\bwhom\b|\bwhich (?:department|office|unit|body|bodies|departments|agency|person)\b"),
    ("yesno", r"^(?:is|are|does|do|did|can|could|will|would|has|have|was|were|should)\b"),
    ("cause", r"\bwhy\b|\bwhat (?:caused|is the reason)\b"),
    ("place", r"\bwhere\b"),
)
_EN_UNITS = {"credit": "学分", "yuan": "元", "rmb": "元", "money": "元", "investment": "元", "fund": "元",
             "cost": "元", "budget": "元", "people": "人", "person": "人", "teacher": "人", "student": "人",
             "km": "公里", "kilometre": "公里", "kilometer": "公里", "metre": "米", "meter": "米",
             "square": "平方米", "area": "平方米", "bed": "张", "household": "户", "day": "天", "hour": "小时",
             "school": "所", "toilet": "座", "classroom": "个", "city": "个", "intersection": "个", "project": "个",
             "village": "个", "year": "年", "computer": "台", "room": "间", "apartment": "套", "flat": "套"}
# Words that name the kind of answer rather than its topic: they never need to appear in the source.
_ZH_QUESTION_WORDS = set("多少 几 什么 哪些 哪个 哪一 哪 怎么 怎样 如何 是否 有没有 能否 能不能 吗 呢 谁 何时 时候 "
                         "为什么 为何 请问 目前 现在 一共 总共 共 需要 要 情况 方面 措施 问题 答复 回复 提到 根据 这份 "
                         "时间 多长 多久 规模 数量 多大 进展 怎么处理 处理 一天 哪一天 一年 哪一年 哪年 哪天 一步 哪一步 哪段 几个 "
                         "几座 几天 什么样 哪两 两方面 哪几 文号 发文字号 几月 几号 几日".split()) | {
    # the spoken forms of the same: question words (啥 "what", 咋 "how"), the pro-verbs 弄 and 搞 ("do", "get"),
    # the spoken 跟 and 给 ("with", "for"), and sentence-final particles. A citizen's "咋弄的" names no topic.
    *"啥 啥时候 啥时 啥样 咋 咋样 咋办 咋弄 为啥 干嘛 干吗 几时 多会儿 哪儿 弄 搞 跟 给 别的 呀 啊 嘛 吧 呗 哈 啦".split()}


@dataclass(frozen=True)
class Question:
    """A question as every stage reads it, analysed once where it enters (:func:`analyse`)."""

    text: str  # as asked, control characters dropped and trimmed: what the answer repeats
    language: Language
    simplified: str  # ``text`` in Simplified script, character for character (same length)
    key: str  # matching key of ``text``: Simplified, half-width, lower case, no glosses, no whitespace
    kinds: tuple[str, ...]  # wanted facts, e.g. ("quantity",), ("date",), ("yesno",); ("what",) if none
    units: tuple[str, ...]  # units asked for, Simplified ("学分", "元"); empty if none was named
    terms: tuple[str, ...]  # topic terms (Simplified, or stemmed English words) to find in the source
    focus: tuple[str, ...]  # the thing asked about; an answer must mention it
    context: tuple[str, ...] = ()  # topic terms carried over from earlier turns of a conversation
    query: str = ""  # what retrieval searches with when it is not ``text`` (a follow-up adds the last topic)
    entities: tuple[Entity, ...] = ()  # places, offices, people, numbers, years, sessions, body it names (entities.py)
    names_read: bool = False  # True when ``entities`` include the names an archive's gazetteer knows
    # entities carried over from earlier turns (their spans index the question they were asked in)
    context_entities: tuple[Entity, ...] = ()

    @property
    def all_terms(self) -> tuple[str, ...]:
        """The question's own topic terms, then those carried over from the conversation."""
        return tuple(dict.fromkeys(self.terms + self.context))

    @property
    def all_entities(self) -> tuple[Entity, ...]:
        """The question's own entities, then the carried-over ones of kinds it does not name itself."""
        own = {e.kind for e in self.entities}
        return self.entities + tuple(e for e in self.context_entities if e.kind not in own)

    @property
    def search_text(self) -> str:
        """The text retrieval searches with."""
        return self.query or self.text

    @property
    def lowered(self) -> str:
        """``text`` in lower case, for the English patterns."""
        return self.text.lower()


def check_query(query: str) -> str:
    """A usable question or a QueryError that says what is wrong with it."""
    cleaned = "".join(ch for ch in query if ch.isprintable() or ch in "\n\t").strip()
    if not cleaned:
        raise QueryError("the question is empty")
    if len(cleaned) > MAX_QUERY_CHARS:
        raise QueryError(f"the question is {len(cleaned)} characters long; the limit is {MAX_QUERY_CHARS}")
    return cleaned


def analyse(text: str, names: NameLookup | None = None) -> Question:
    """Check a question and read it: language, kinds, units, topic terms, focus and entities.

    With ``names`` (an index's gazetteer) the entities include names the archive knows that the
    question gives without a marker. Empty, overlong or unprintable input raises
    :class:`QueryError` before any analysis.
    """
    text = check_query(text)
    simplified = to_simplified(text)
    language = detect_language(text, simplified)
    key = match_key(text)
    kinds = _kinds(text, key, language)
    quantity = "quantity" in kinds
    if language == "en":
        words = [stem(w) for w in LATIN_WORD.findall(text)]
        content = [w for w in words if w not in NOT_TOPIC_WORDS and len(w) > 2]
        chinese = _zh_terms(" ".join(re.findall(r"[\u3400-\u9fff]+", text)))
        terms = tuple(dict.fromkeys(list(chinese) + content))
        units, focus = _en_units(text) if quantity else (), _en_focus(text)
    else:
        terms = _zh_terms(text)
        units, focus = (_zh_units(key), _zh_focus(key)) if quantity else \
            ((), _zh_date_focus(key)) if "date" in kinds else ((), ())
    entities = extract(text, simplified, language == "en", names)
    return Question(text, language, simplified, key, kinds, units, terms, focus, entities=entities,
                    names_read=names is not None)


def read_names(question: Question, names: NameLookup | None) -> Question:
    """The question with the entities an archive's gazetteer finds in it (unchanged if already read).

    A question is analysed where it enters, often before the index is open (the CLI checks it
    first); the stages that hold the index read the archive's names into it here, once.
    """
    if question.names_read or names is None:
        return question
    entities = extract(question.text, question.simplified, question.language == "en", names)
    terms = _named_terms(question.terms, entities) if question.language == "en" else question.terms
    return replace(question, entities=entities, terms=terms, names_read=True)


def _named_terms(terms: tuple[str, ...], entities: tuple[Entity, ...]) -> tuple[str, ...]:
    """An English question's topic terms with the places and people the gazetteer read ("Yang Wenqiang" → 杨文强,
    "Zhenkang County" → 镇康县) in the archive's own script: the words of a spelt name gloss to nothing, so
    they would match no reply."""
    named = [e for e in entities if e.kind in ("place", "person") and not e.value.isascii()]
    if not named:
        return terms
    spelt = {stem(w) for e in named for w in LATIN_WORD.findall(e.text)}
    return tuple(dict.fromkeys([*(t for t in terms if t not in spelt), *(e.value for e in named)]))


def as_question(question: Question | str) -> Question:
    """A Question as is; a string analysed (for callers that hold only the text)."""
    return question if isinstance(question, Question) else analyse(question)


def _kinds(text: str, key: str, language: Language) -> tuple[str, ...]:
    table, probe = (_EN_KINDS, text.lower().strip()) if language == "en" else (_ZH_KINDS, key)
    found = tuple(kind for kind, pattern in table if re.search(pattern, probe))
    return found or ("what",)


# Nouns that imply a unit when they come just before "多少": "总投资多少" asks for 元.
_IMPLIED_UNITS = (("投资|资金|经费|造价|费用|金额|奖金|补助|补贴|价格|成本|预算|工资|收入", "元"),
                  ("面积", "平方米"), ("长度|里程|全长|总长", "公里"), ("人数", "人"))
# Of those, the nouns that name nothing but the measure: its unit says it ("全长多少" is answered by "5.8公里"), so
# an answer need not repeat them. The money nouns stay: "造价" is not "投资".
_MEASURE_NOUNS = re.compile(r"面积|长度|里程|全长|总长|金额|人数")
# Nouns that count people when they follow "多少": "培训了多少教师" asks for 人.
_PEOPLE = "教师|老师|学生|人员|干部|代表|群众|居民|村民|老人|儿童|医生|村医|护士|专家|志愿者|职工|工人|党员|农户"
# Words that ask for a measure whole; "多少钱" and "多少平方" are the spoken 多少元 and 多少平方米.
_WHOLE_UNITS = (("多少钱", "元"), ("(?:多少|几)平方(?![米公])", "平方米"), ("时长|多长时间|多久", "天"),
                ("有多长|多长(?!时间)|多远", "公里"), ("多大面积|占地多大|面积(?:有|是|为)?多大", "平方米"))
UNIT_GROUPS = ("个 座 所 台 套 张 间 项 家 处 条 辆 栋 批 期 床".split(), "人 名 位 人次 万人".split(),
               "元 万元 亿元".split(), "公里 千米 米 公尺".split(), "平方米 万平方米 平方公尺 亩 平方公里".split(),
               "天 日 小时 周 月 年 分钟".split())
UNIT_PHRASE = 7  # hand-set: "多少" plus up to seven characters holds the counted noun ("多少张养老床位")
IMPLIED_UNIT_WINDOW = 5  # hand-set: the noun implying a unit sits within five characters before "多少" ("总投资多少")
SAME_KIND_UNIT = 0.8  # hand-set: a unit of the same kind (个 for 所) counts, a little less than the unit asked


def _zh_units(simple: str) -> tuple[str, ...]:
    """Units named after 多少/几 (within a short noun phrase), or implied by the noun before it."""
    units = []
    for m in re.finditer(HOW_MANY, simple):
        tail = re.split(r"[，,。？?；;的是]", simple[m.end(): m.end() + UNIT_PHRASE])[0]
        # a one-character measure word follows 多少 at once (多少个, 多少万吨); further in it is part of the noun
        # counted (多少岗位补助, 多少停车位), which is no unit
        hits = [(tail.find(u), -len(u), u) for u in UNITS
                if u in tail and u != "%" and (len(u) > 1 or re.match(rf"[万亿千百]?{re.escape(u)}", tail))]
        if hits:
            unit = min(hits)[2]
            # people counted by 个 ("多少个老师") are stated in 名, 人 or 位: their group, not 个's
            people = unit == "个" and re.match(_PEOPLE, tail[tail.find(unit) + 1:])
            units.append("人" if people else unit)
        elif re.match(_PEOPLE, tail):
            units.append("人")
        head = simple[max(0, m.start() - IMPLIED_UNIT_WINDOW): m.start()]
        implied = [unit for words, unit in _IMPLIED_UNITS if re.search(words, head)]
        if not hits and not implied:
            # a unit that is also the noun counted, named earlier in the sentence: "培训学分，最少是多少" asks for 学分
            clause = re.split(r"[。？?；;]", simple[: m.start()])[-1]
            implied = [u for u in UNITS if len(u) >= 2 and u in clause][:1]
        units += implied
    units += [unit for _, unit in sorted((m.start(), unit) for words, unit in _WHOLE_UNITS
                                         for m in [re.search(words, simple)] if m)]  # in the order asked
    if not units:  # "补贴从每年2400元提高到多少" asks in the unit of the figure it changes
        units = [max((u for u in UNITS if m.group(0).endswith(u)), key=len) for m in NUMBER_UNIT.finditer(simple)
                 if _CHANGED_TO.match(simple, m.end()) and not DATE.fullmatch(m.group(0))]
    return tuple(dict.fromkeys(units))


# A figure changed to one asked for: "从2400元提高到多少", "由3.5米拓宽至多少".
_CHANGED_TO = re.compile(r"[^，,。？?；;]{0,4}?(?:提高|增加|提升|降低|减少|拓宽|扩大|调整|上调|下调|增至|提至|降至)"
                         r"[到至为]?了?(?:多少|几)")


def implied_units(question: Question) -> tuple[str, ...]:
    """Units a question's own nouns imply without a "多少" ("那投资呢" → 元, "and the area?" → 平方米)."""
    if question.language == "en":
        return tuple(dict.fromkeys(_EN_ANYWHERE[w] for w in map(stem, LATIN_WORD.findall(question.lowered))
                                   if w in _EN_ANYWHERE))
    return tuple(dict.fromkeys(unit for words, unit in _IMPLIED_UNITS if re.search(words, question.key)))


def unit_match(asked: str, found: str) -> float:
    """1 for the same unit, 0.8 for a unit of the same kind (个 for 所, 元 for 万元), else 0."""
    if found.endswith(asked):
        return 1.0
    return SAME_KIND_UNIT if any(asked in g and any(found.endswith(u) for u in g) for g in UNIT_GROUPS) else 0.0


_EN_ANYWHERE = {"investment": "元", "cost": "元", "money": "元", "yuan": "元", "funding": "元", "budget": "元",
                "area": "平方米", "square": "平方米", "km": "公里", "kilometre": "公里", "kilometer": "公里"}


def _en_units(text: str) -> tuple[str, ...]:
    """Units from the words after "how many/much" and from money or area words anywhere."""
    lowered = text.lower()
    units = []
    for m in re.finditer(r"\bhow (?:many|much)((?: [a-z-]+){1,3})", lowered):
        units += [_EN_UNITS[w] for w in map(stem, m.group(1).split()) if w in _EN_UNITS]
    if re.search(r"\bhow long\b", lowered):
        units.append("天" if re.search(r"\b(?:take|last|training|time)\b", lowered) else "公里")
    units += [_EN_ANYWHERE[w] for w in map(stem, LATIN_WORD.findall(lowered)) if w in _EN_ANYWHERE]
    return tuple(dict.fromkeys(units))


# A question word or a demonstrative with a measure word of things ("几间", "多少台", "那批", "这个"): it points at
# the thing, it does not name it. "每年" and "几天" say when or how long, and stay.
_POINTING = re.compile(r"^(?:几|多少|这|那|哪|该|此|某)[个座所台套张间项家处条辆栋批位名些种样类块件只]$")


def _zh_terms(text: str) -> tuple[str, ...]:
    out = []
    for tok in tokenize(strip_glosses(text)):
        if tok in _ZH_QUESTION_WORDS or tok.isdigit() and len(tok) < 2 or _POINTING.match(tok):
            continue
        out.append(tok)
    # Search-mode jieba repeats a compound's parts (环境, 保护, 环境保护部); counting them all
    # would let one long name outweigh the rest of the question.
    return tuple(t for t in dict.fromkeys(out) if not any(t != o and t in o for o in out))


# Words next to 多少/几 that name no thing: era and place words ("西元幾年", "當中有幾個") and verbs of
# change or being ("成長為多少", "有多少流傳"). An answer need not repeat them.
_NOT_FOCUS = set("西元 公元 当中 其中 之中 之间 出来 大约 大概 左右 以上 以下 以来 总计 合计 累计 当时 当年 今年 去年 "
                 "成长 增长 增加 减少 下降 上升 达到 成为 变成 变为 流传 拥有 包括 属于 位于 一起 分别 相当 超过 "
                 "不到 至少 最多 最少 大于 小于 高于 低于 人口数 起来".split())


# Part-of-speech tags (jieba's, after ICTCLAS) of words that do not name a thing: verbs, adverbs, pronouns,
# adjectives, particles, prepositions, conjunctions, numerals and measure words. "要修多少", "新配了几台",
# "通常多少" and "这个文号是多少" ask about the thing beside the verb, never about the verb.
_NOT_NOMINAL = ("v", "vd", "vi", "d", "r", "a", "ad", "u", "ul", "uj", "uz", "ug", "uv", "ud", "p", "c", "m", "q",
                "f", "y", "e", "o")


def _nominal(word: str) -> bool:
    """The word names a thing: its last part (the head of a Chinese compound) is not tagged as a verb, adverb…,
    or it is a verb-tagged word the dictionary also knows as a thing (造价, 预算, 收入)."""
    parts = list(_posseg().cut(word))
    if not parts or parts[-1].flag not in _NOT_NOMINAL:
        return True
    return parts[-1].flag == "v" and names_a_thing(word)


@lru_cache(maxsize=1)
def _posseg():
    from .bm25 import _jieba

    _jieba()  # the shared dictionary, loaded once
    import jieba.posseg

    return jieba.posseg


def _zh_focus(simple: str) -> tuple[str, ...]:
    """The noun phrase right next to the question word: "每座造价是多少" → 造价, "多少元的年终奖" → 年终奖."""
    patterns = (r"([\u3400-\u9fff]{2,6}?)(?:是|有|为|共|达)?(?:" + HOW_MANY + ")",
                r"(?:" + HOW_MANY + r")(?:" + _UNIT_RE + r")?的([\u3400-\u9fff]{2,6})")
    found = []
    for pattern in patterns:
        for m in re.finditer(pattern, simple):
            tokens = tokenize(m.group(1))
            if pattern is patterns[0] and tokens and len(tokens[-1]) == 1 and not _nominal(tokens[-1]):
                continue  # "准备建几个…", "给老师盖了多少…": a verb before the question word; the thing follows it
            words = [t for t in tokens if len(t) >= 2 and t not in _ZH_QUESTION_WORDS
                     and t not in _NOT_FOCUS and not re.search(r"\d", t)]
            # Before the question word the noun ends the phrase; after "多少…的" it starts it.
            if pattern is patterns[0]:
                found += words[-1:]
            else:
                found += sorted((w for w in words if m.group(1).startswith(w)), key=len)[-1:] or words[:1]
    return tuple(dict.fromkeys(w for w in found if _nominal(w) and not _MEASURE_NOUNS.fullmatch(w)))


def _zh_date_focus(simple: str) -> tuple[str, ...]:
    """The thing whose date is asked, named as the subject of 是 right before the question word: "《大气十条》修订版
    是哪一年印发的" → 修订版. Without 是 the word there is often the doer or a modal ("国务院哪年…", "预计何时…");
    a verb ("开工是哪一天") asks when something was done and names no thing; 日期 or 期限 names the date itself; an
    office or a person ("上级单位是哪一年核定…") is the doer, which the reply may name otherwise (上级部门). After a verb
    the noun may be its object ("哈雷彗星前一次接近地球是何时": the approach is dated, not the earth), so none is taken."""
    found = []
    for m in re.finditer(r"([\u3400-\u9fff]{2,6}?)是(?:在|于)?(?:" + DATE_ASK + ")", simple):
        words = [t for t in tokenize(m.group(1)) if len(t) >= 2 and t not in _ZH_QUESTION_WORDS and t not in _NOT_FOCUS]
        if not words or not m.group(1).endswith(words[-1]):
            continue
        word, before = words[-1], list(_posseg().cut(m.group(1)))[:-1]
        if _nominal(word) and not _TIME_NOUNS.fullmatch(word) and not _DOER.search(word) \
                and not any(p.flag.startswith("v") for p in before):
            found.append(word)
    return tuple(dict.fromkeys(found))


_TIME_NOUNS = re.compile(r"日期|期限|时限|时间|日子|年份|年度|时段|工期")
_DOER = re.compile(f"(?:单位|部门|政府|机关|{'|'.join(OFFICE_TAILS)}|{_PEOPLE})$")


_GENERIC_EN = {"total", "number", "amount", "name", "date", "size", "area", "length", "status", "reason",
               "document", "figure", "value", "level", "plan", "result", "main", "current", "exact", "overall",
               "minimum", "maximum", "allowed", "permitted", "required", "expected"}


def _en_focus(text: str) -> tuple[str, ...]:
    """For "what was the X for/of ..." questions: the content words of X."""
    m = re.search(r"\bwhat (?:is|was|are|were) the ((?:[a-z-]+ ){0,3}[a-z-]+?)\b(?: for| of| in| on| at|\?|$)",
                  text.lower())
    if not m:
        return ()
    words = [stem(w) for w in m.group(1).split()]
    return tuple(w for w in words if w not in NOT_TOPIC_WORDS and w not in _GENERIC_EN)
