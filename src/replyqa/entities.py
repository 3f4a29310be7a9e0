"""The things a question names that identify a reply: places, offices, people, numbers, years, sessions, the body.

People ask for the reply they mean by what it carries: "翟亚丹委员的第45号提案", "Ningshan County's
reply to suggestion No. 17", "高平市第71號建議". :func:`extract` finds these in Simplified,
Traditional and English questions. It reads the Simplified copy the question record already holds
(same length as the asked text), so every span indexes the question as asked.

Patterns find what the genre writes the same way everywhere (第N号, 〔2024〕23号, 十四届四次, X代表).
Names without a marker ("宁陕交通局", "Gaoping's reply") are found only through an archive's
gazetteer (:mod:`replyqa.gazetteer`), passed in as a :class:`NameLookup`.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Literal, Protocol, get_args

from .dates import DIGITS, cn_number
from .divisions import divisions
from .language import FUNCTION_WORDS
from .template import DOC_NUMBER

EntityKind = Literal["place", "office", "person", "proposal_number", "doc_number", "year", "session", "body"]
ENTITY_KINDS: tuple[str, ...] = get_args(EntityKind)


@dataclass(frozen=True)
class Entity:
    """One thing a question names: its kind, the words as asked, a comparable value, and where it stands.

    ``value`` is Simplified for Chinese names ("宁陕县", "翟亚丹"), the number without leading zeros
    for proposal numbers ("45"), "〔2025〕23号"-style for document numbers, "2019" for years,
    "14-4" (term-sitting) for sessions, 政协 or 人大 for the body. An English name the archive
    does not know stays in its toneless pinyin key ("ningshan").
    """

    kind: EntityKind
    text: str  # as asked
    value: str
    start: int
    end: int


class NameLookup(Protocol):
    """What extraction needs of a gazetteer: known Chinese names in a text, and names by pinyin."""

    def find(self, simplified: str) -> list[tuple[int, int, str, str]]:
        """(start, end, kind, value) of each known name in ``simplified``."""

    def by_pinyin(self, key: str) -> list[tuple[str, str]]:
        """(kind, value) of the names whose toneless pinyin key is ``key``."""


# -- shared keys ------------------------------------------------------------------------------------------
def latin_key(text: str) -> str:
    """A Latin name's key: lower-case letters only ("Xi'an" → "xian", "Ning Shan" → "ningshan")."""
    return re.sub(r"[^a-z]", "", text.lower())


def number_value(text: str) -> str:
    """A proposal number's comparable value: its last run of digits without leading zeros ("第0038号" → "38")."""
    runs = re.findall(r"\d+", text)
    return str(int(runs[-1])) if runs else ""


_BRACKETS = str.maketrans({"[": "〔", "(": "〔", "（": "〔", "【": "〔", "﹝": "〔", "]": "〕", ")": "〕", "）": "〕",
                           "】": "〕", "﹞": "〕"})


def doc_number_value(simplified: str) -> str:
    """A document number's comparable value: one kind of bracket, no spaces or leading zeros ("〔2017〕19号")."""
    m = re.search(r"[〔\[(（【﹝]\s*(\d{4})\s*[〕\])）】﹞]\s*第?\s*(\d+)\s*号", simplified)
    if not m:
        return ""
    prefix = _DOC_LEAD.sub("", simplified[: m.start()].strip())
    return f"{prefix}〔{m.group(1)}〕{int(m.group(2))}号"


# -- Chinese patterns (run on the Simplified copy) ---------------------------------------------------------
PLACE_SUFFIXES = "省市州县区镇乡村旗"
# Characters that never belong to a place's or person's name: function words, question words,
# measure words and the place suffixes themselves (so "湖南省岳阳县" yields two places).
STOP_CHARS = set("的了在对于向给从和与及为是把将由被等各全本该我您你他她它其此这那哪每某个位名几多少年月日号届次第之以而或且"
                 "并就都也又还只已要会能可让请问何谁么怎如若即到至" + PLACE_SUFFIXES)
INNER_STOP_CHARS = STOP_CHARS - set(PLACE_SUFFIXES)  # inside a known word a suffix character is part of the name (镇康县)
MAX_NAME_TOKENS = 3  # hand-set: an unknown name jieba splits into single characters is two or three of them (南梳坝村)
# Generic words ending in a place suffix: a place only with a name before them ("东城片区", "老出水自然村").
AREA_WORDS = frozenset("片区 社区 新区 园区 景区 街区 城区 小区 校区 自然村 行政村 开发区 示范区 保护区 风景区 高新区".split())
# Words starting with a place suffix that do not continue a place name ("县级教师", "农贸市场").
NOT_AFTER = frozenset("市场 市民 市容 市值 市价 市面 市区 市县 区域 区别 区分 区间 区划 县级 县区 县市 市级 区级 省级 "
                      "乡级 镇级 村级 村民 村庄 村落 村组 乡村 乡镇 镇区 省份 省市 省区 省内 市内 县内 区内 村内 镇内 "
                      "市属 县属 区属 州市".split())
GENERIC_PLACES = frozenset("自治区 自治州 自治县 直辖市 行政区 居民区 贫困村 示范村 中心村 城中村 特别行政区".split())
# Modifiers that make "X村" or "X县" a kind of place, not a name ("附近村", "其他县").
NOT_NAMES = frozenset("附近 周边 相关 部分 所有 其他 一些 多个 贫困 偏远 边远 重点 试点 示范 整个 各个 沿线 周围 老旧 "
                      "答复 回复 办理 提出 建议 提案 交由 转交 负责 所在 当地 外地 本地".split())
# What follows a lone suffix when it names a level, not a place: "答复县人大", "县政协", "市里".
LEVEL_AFTER = re.compile(r"人大|政协|委|里|级|直|属")

OFFICE_TAILS = ("管委会", "委员会", "办公室", "中心", "局", "厅", "部", "委", "办")
# Words ending like an office that are none ("干部", "全部", "举办", "发展中心" is one, "活动中心" is not).
NOT_OFFICES = frozenset("全部 内部 外部 局部 干部 本部 总部 西部 东部 中部 南部 北部 头部 底部 顶部 一部 每部 这部 该部 "
                        "大厅 餐厅 客厅 展厅 布局 格局 结局 当局 "
                        "举办 主办 承办 协办 会办 创办 开办 督办 交办 查办 转办 代办 领办 包办 怎么办 常委 编委 主委".split())
# Words before 中心 that make it a place of activity, not an office ("体育活动中心", "城市中心").
FACILITY_WORDS = frozenset("活动 医养 康养 养老 购物 文化 服务 体验 游客 展示 培训 检测 配送 城市 市区 县城 镇区".split())
MAX_OFFICE_TOKENS = 8  # hand-set: the longest office names seen are a place and five or six words (高平市卫生健康和体育局)

ROLE_RE = re.compile(r"(?:等\s?[\d一二三四五六七八九十]*\s?[名位]?)?(?:代表|委员)(?![会长])")
# Common Chinese surnames: a name before 代表/委员 starts with one.
SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
               "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康"
               "施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成"
               "苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫"
               "费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝封谈匡"
               "鞠惠荆乐冀郁胥班储栗燕楚鄢劳谌奚皮粟冼蔺楼盘闻厉伊仝郜阚花权强帅屠朴练廉禹井祖漆巴丰支卿狄计索宣晋初"
               "云容敬扈晁芮普阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况宿鲜印逯隆茹诸战慕危亢嵇湛宾戎勾茅利呼居揭干尉斯"
               "束檀衣展昝智幸奉植衡富尧莽")
PREPOSITIONS = set("于由对向给从和与及为被把将在")

PROPOSAL_RES = (re.compile(r"第\s*([A-Za-z]?\d{1,16})\s*号"),
                re.compile(r"(?<![A-Za-z])[A-Z]\s*[(\[〔（]\s*(?:19|20)\d{2}\s*[)\]〕）]\s*\d{1,6}\s*号"),
                re.compile(r"(?:编号|提案号|建议号|案号)\s*[:：]?\s*(\d{1,16})"),
                re.compile(r"(?<![\d〕\])）】])(\d{1,16})\s*号(?=的?(?:建议|提案|议案))"))
_DOC_LEAD = re.compile(r"^(?:根据|按照|依据|依照|对|关于|在|的|是|和|与)+")
SESSION_RE = re.compile(r"第?([一二三四五六七八九十\d]{1,4})\s*届([^\d,，。:：;；!！?？()（）《》“”届次]{0,10}?)"
                        r"第?([一二三四五六七八九十\d]{1,3})\s*次")
YEAR_RE = re.compile(r"(?<![\d〔\[(（【])((?:19|20)\d{2})(?![\d〕\])）】])|([〇零○一二三四五六七八九]{4})年")
BODY_RES = ((re.compile(r"政协|政治协商"), "政协"), (re.compile(r"人大|人民代表大会"), "人大"))

# -- English patterns ---------------------------------------------------------------------------------------
_NAME = r"[A-Z][a-z]+(?:['’](?!s\b)[a-z]+)?(?:[ -][A-Z][a-z]+)?"
# An English level word and the Chinese suffix it translates.
EN_PLACE_WORDS = {"province": "省", "city": "市", "prefecture": "州", "county": "县", "district": "区", "town": "镇",
                  "township": "乡", "village": "村", "banner": "旗"}
EN_PLACE_RE = re.compile(rf"\b({_NAME})\s+((?i:province|city|prefecture|county|district|town|township|village|banner))\b")
EN_GLOSS_RE = re.compile(rf"\b({_NAME})\s*[(（]([\u4e00-\u9fff]{{2,8}})[)）]")
EN_PERSON_RE = re.compile(rf"\b(?i:deputy|deputies|member|committee member|representative)\s+({_NAME}(?: [A-Z][a-z]+)?)")
EN_OFFICE_RE = re.compile(r"\b((?:[a-z]+(?: and| of)? ){0,3}[a-z]+ (?:bureau|department|commission|administration|"
                          r"office|centre|center)|ministry of (?:[a-z]+ ){0,2}[a-z]+)\b", re.I)
# Words that may lead the phrase before "bureau" without naming the office ("s" is what a possessive leaves).
EN_NOT_OFFICE = re.compile(r"^(?:the|a|an|its|their|this|that|which|what|whose|does|did|do|is|was|s|on|in|at|to|for|of|"
                           r"by|from|with|about|and)\s+", re.I)
# Words that may open a sentence before a name without being one, besides the function words ("Under Guizhou…").
EN_LEADING_WORDS = frozenset("under according since in across within throughout outside near".split())
# A year in brackets just before "No. N": a document's number ("Qianjiaofa [2020] No. 25", "[2021] 141").
EN_DOC_YEAR = re.compile(r"[\[(〔（]\s*(?:19|20)\d{2}\s*[\])〕）]\s*$")
EN_PROPOSAL_RE = re.compile(r"\b(?:suggestion|proposal|motion|bill)s?\s+(?:no\.?|number|#)?\s*(\d{1,16})\b"
                            r"|\b(?:no\.|number|#)\s*(\d{1,16})\b", re.I)
ORDINALS = {w: i for i, w in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
                                        "twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth "
                                        "nineteenth twentieth".split(), 1)}
_ORD = r"(\d{1,2}(?:st|nd|rd|th)|" + "|".join(ORDINALS) + ")"
EN_SESSION_RES = (re.compile(rf"\b{_ORD} (?:plenary )?session of the {_ORD}\b", re.I),  # sitting, then term
                  re.compile(rf"\b{_ORD} [A-Za-z' ]{{0,40}}?\b{_ORD} (?:plenary )?session\b", re.I))  # term, then sitting
EN_YEAR_RE = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?![\d.])")
EN_BODY_RES = ((re.compile(r"\bCPPCC\b|political consultative", re.I), "政协"),
               (re.compile(r"\bNPC\b|people'?s congress", re.I), "人大"))


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _tokens(simplified: str) -> list[tuple[str, int, int]]:
    # Without HMM, jieba splits a name it does not know into single characters, which marks where it starts.
    return list(_jieba().tokenize(simplified, HMM=False))


def _is_name(word: str, stop: set[str] = STOP_CHARS) -> bool:
    """All Han characters, none of them a ``stop`` character."""
    return bool(word) and all("\u4e00" <= c <= "\u9fff" and c not in stop for c in word)


def extract(text: str, simplified: str, english: bool = False, names: NameLookup | None = None) -> tuple[Entity, ...]:
    """Every identifying entity ``text`` names, in order of position; ``simplified`` is its same-length Simplified copy.

    English patterns run when ``english`` is set; Chinese ones always (an English question may
    quote "剑河县"). With ``names``, names the archive knows are found without a marker.
    """
    tokens = _tokens(simplified)
    found = _places(simplified, tokens) + _offices(simplified, tokens) + _people(simplified, tokens)
    found += _numbers(simplified) + _years_sessions(simplified) + _bodies(simplified)
    if english:
        found += _english(text, names)
    if names is not None:
        known = _known(simplified, tokens, names)
        # A name read backwards from its suffix one character too far ("回麻庄村" in "交通局回麻庄村道路", "款麻庄村"
        # after a slip in "拓宽") is the archive's name that ends where it ends and starts one character later.
        found = [f for f in found if not (f[2] == "place" and any(k[2] == "place" and k[1] == f[1] and k[0] == f[0] + 1
                                                                  for k in known))]
        found += known
    return _settle(text, found)


def _known(simplified: str, tokens: list[tuple[str, int, int]], names: NameLookup) -> list[tuple[int, int, str, str]]:
    """Names the archive knows, where they stand as words: "高平" in "高平交通局" but not in "提高平均"."""
    starts, ends = {a for _, a, _ in tokens}, {b for _, _, b in tokens}
    return [(a, b, kind, value) for a, b, kind, value in names.find(simplified)
            if a in starts and (b in ends or simplified[b - 1] in PLACE_SUFFIXES)]


def _settle(text: str, found: Iterable[tuple[int, int, str, str]]) -> tuple[Entity, ...]:
    """One entity per kind and span; a span inside a longer one of the same kind is dropped."""
    spans = sorted(set(found), key=lambda f: (f[0], -(f[1] - f[0])))
    kept: list[tuple[int, int, str, str]] = []
    for a, b, kind, value in spans:
        if value and not any(k == kind and ka <= a and b <= kb for ka, kb, k, _ in kept):
            kept.append((a, b, kind, value))
    return tuple(Entity(kind, text[a:b], value, a, b) for a, b, kind, value in kept)  # type: ignore[arg-type]


def _name_before(simplified: str, tokens: list[tuple[str, int, int]], i: int) -> int | None:
    """Where the name before token ``i`` starts: one word of two to four characters, or a run of single characters."""
    word = tokens[i - 1][0] if i > 0 else ""
    if 2 <= len(word) <= 4 and _is_name(word, INNER_STOP_CHARS) and not {word[0], word[-1]} & set(PLACE_SUFFIXES) \
            and word not in NOT_NAMES:
        return tokens[i - 1][1]
    j = i
    while j > 0 and i - j < MAX_NAME_TOKENS and len(tokens[j - 1][0]) == 1 and _is_name(tokens[j - 1][0]):
        j -= 1
    if i - j < 2 or simplified[tokens[j][1]:tokens[i][1]] in NOT_NAMES:
        return None
    return tokens[j][1]


def _places(simplified: str, tokens: list[tuple[str, int, int]]) -> list[tuple[int, int, str, str]]:
    # a listed name followed by what makes its suffix another word ("中山市场" is a market) is none
    out = [d for d in divisions(simplified) if simplified[d[1] - 1:d[1] + 1] not in NOT_AFTER]
    for i, (tok, a, b) in enumerate(tokens):
        if tok in AREA_WORDS:
            start = _name_before(simplified, tokens, i)
            if start is not None:
                out.append((start, b, "place", simplified[start:b]))
        elif len(tok) >= 3 and tok[-1] in PLACE_SUFFIXES and tok not in GENERIC_PLACES \
                and _is_name(tok[:-1], INNER_STOP_CHARS):
            out.append((a, b, "place", tok))
        elif tok[0] in PLACE_SUFFIXES and (len(tok) == 1 and not LEVEL_AFTER.match(simplified, b)
                                            or tok not in NOT_AFTER and len(tok) > 2):
            start = _name_before(simplified, tokens, i)
            if start is not None:
                out.append((start, a + 1, "place", simplified[start:a + 1]))
    return out


def _offices(simplified: str, tokens: list[tuple[str, int, int]]) -> list[tuple[int, int, str, str]]:
    out = []
    for i, (tok, a, b) in enumerate(tokens):
        if not tok.endswith(OFFICE_TAILS) or tok in NOT_OFFICES:
            continue
        j = i
        while j > 0 and i - j < MAX_OFFICE_TOKENS and (_is_name(tokens[j - 1][0], INNER_STOP_CHARS)
                                                       or tokens[j - 1][0] == "和"):
            j -= 1
        if tokens[j][0] == "和":
            j += 1
        before = tok[:-2] if tok != "中心" else tokens[i - 1][0] if i > 0 else ""
        if tok.endswith("中心") and before in FACILITY_WORDS:
            continue
        if j == i and len(tok) < 3:
            continue  # a bare two-character word ending like an office is rarely one ("县委" is a body of the party)
        out.append((tokens[j][1], b, "office", simplified[tokens[j][1]:b]))
    return out


def _people(simplified: str, tokens: list[tuple[str, int, int]]) -> list[tuple[int, int, str, str]]:
    starts = {a for _, a, _ in tokens}
    out = []
    for m in ROLE_RE.finditer(simplified):
        end = m.start()
        choices = [end - k for k in (3, 2) if end - k >= 0 and end - k in starts
                   and _is_name(simplified[end - k:end]) and simplified[end - k] in SURNAMES]
        if len(choices) == 2 and simplified[choices[0]] in PREPOSITIONS:
            choices = choices[1:]
        if choices:
            out.append((choices[0], end, "person", simplified[choices[0]:end]))
    return out


def _numbers(simplified: str) -> list[tuple[int, int, str, str]]:
    docs = [(m.start(), m.end()) for m in DOC_NUMBER.finditer(simplified)]
    out = []
    for a, b in docs:
        lead = _DOC_LEAD.match(simplified, a)
        a = lead.end() if lead else a
        out.append((a, b, "doc_number", doc_number_value(simplified[a:b])))
    for rx in PROPOSAL_RES:
        for m in rx.finditer(simplified):
            if not any(a <= m.start() < b for a, b in docs):
                out.append((m.start(), m.end(), "proposal_number", number_value(m.group(0))))
    return out


def _years_sessions(simplified: str) -> list[tuple[int, int, str, str]]:
    out = []
    for m in YEAR_RE.finditer(simplified):
        year = m.group(1) or "".join(str(DIGITS[c]) for c in m.group(2))
        out.append((m.start(), m.end(), "year", year))
    for m in SESSION_RE.finditer(simplified):
        term, sitting = cn_number(m.group(1)), cn_number(m.group(3))
        if term and sitting:
            out.append((m.start(), m.end(), "session", f"{term}-{sitting}"))
    return out


def _bodies(simplified: str) -> list[tuple[int, int, str, str]]:
    return [(m.start(), m.end(), "body", body) for rx, body in BODY_RES for m in rx.finditer(simplified)]


def _ordinal(word: str) -> int:
    word = word.lower()
    return ORDINALS.get(word) or int(re.match(r"\d+", word).group(0))


def _english(text: str, names: NameLookup | None) -> list[tuple[int, int, str, str]]:
    out = []
    glossed = []
    for m in EN_GLOSS_RE.finditer(text):
        kind = _gloss_kind(text[:m.start()], m.group(2))
        out.append((m.start(1), m.end(1), kind, m.group(2)))  # the Chinese beside it is the name itself
        glossed.append(m.span(1))
    for m in EN_PLACE_RE.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in glossed):
            continue
        start, name = _without_function_word(m.start(1), m.group(1))
        key = latin_key(name)
        known = [v for k, v in names.by_pinyin(key) if k == "place"] if names else []
        if len(known) > 1:  # "Zhenkang County" is the county, should a town share its name
            known = [v for v in known if v.endswith(EN_PLACE_WORDS[m.group(2).lower()])]
        out.append((start, m.end(), "place", known[0] if len(known) == 1 else key))
    for m in EN_PERSON_RE.finditer(text):
        key = latin_key(m.group(1))
        known = [v for k, v in names.by_pinyin(key) if k == "person"] if names else []
        out.append((m.start(1), m.end(1), "person", known[0] if len(known) == 1 else key))
    for m in EN_OFFICE_RE.finditer(text):
        phrase = m.group(1)
        while EN_NOT_OFFICE.match(phrase):
            phrase = EN_NOT_OFFICE.sub("", phrase, count=1)
        if " " in phrase:  # "department" alone names no office
            out.append((m.end(1) - len(phrase), m.end(1), "office", phrase.lower()))
    for m in EN_PROPOSAL_RE.finditer(text):
        if EN_DOC_YEAR.search(text, 0, m.start()):
            continue  # "Qianjiaofa [2020] No. 25" numbers a document, not a proposal
        out.append((m.start(), m.end(), "proposal_number", str(int(m.group(1) or m.group(2)))))
    for i, rx in enumerate(EN_SESSION_RES):
        for m in rx.finditer(text):
            sitting, term = (m.group(1), m.group(2)) if i == 0 else (m.group(2), m.group(1))
            out.append((m.start(), m.end(), "session", f"{_ordinal(term)}-{_ordinal(sitting)}"))
    out += [(m.start(1), m.end(1), "year", m.group(1)) for m in EN_YEAR_RE.finditer(text)]
    out += [(m.start(), m.end(), "body", body) for rx, body in EN_BODY_RES for m in rx.finditer(text)]
    if names is not None:
        out += _english_bare(text, names)
    return out


def _without_function_word(start: int, name: str) -> tuple[int, str]:
    """A two-word name without a capitalised function word leading it ("In Yueyang", "Does Qiandongnan" at the
    start of a sentence): where the name starts, and the name."""
    first, _, rest = name.partition(" ")
    if rest and first.lower() in FUNCTION_WORDS | EN_LEADING_WORDS:
        return start + len(first) + 1, rest
    return start, name


def _gloss_kind(before: str, chinese: str) -> str:
    """A Latin name glossed in Chinese ("Liu Quan (刘权)", "Xinmi (新密)"): a person after a role word or when
    the name is a surname and one or two characters, a place otherwise."""
    if chinese[-1] in PLACE_SUFFIXES:
        return "place"
    if re.search(r"(?:deputy|member|representative)\s*$", before, re.I):
        return "person"
    return "person" if len(chinese) <= 3 and chinese[0] in SURNAMES else "place"


def _english_bare(text: str, names: NameLookup) -> list[tuple[int, int, str, str]]:
    """Capitalised words whose pinyin key names exactly one place or person of the archive ("Gaoping's reply")."""
    out = []
    for m in re.finditer(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?", text):
        start, name = _without_function_word(m.start(), m.group(0))
        known = {(k, v) for k, v in names.by_pinyin(latin_key(name)) if k in ("place", "person")}
        if len(known) == 1:
            kind, value = known.pop()
            out.append((start, m.end(), kind, value))
    return out
