"""The reply template: its parts, the patterns that find them and its fields, and its units.

A government reply to a proposal follows one genre: a header (site fields, title,
document number), a salutation, an opening, a numbered body, a closing, a signature
and date, and a contact block. Everything that describes that genre lives here, so
the parser (:mod:`replyqa.parse` and the modules it runs), the metadata finders
(:mod:`replyqa.metadata`) and the question reader (:mod:`replyqa.question`) share
one copy.

Patterns for the parser and metadata run on a unit's matching form (Simplified,
half-width, no glosses; see :mod:`replyqa.normalise`). The answer cues at the end
run on a passage's Simplified text.

Two rules look alike here and are kept apart on purpose:

- :data:`HEADER_DOC_NUMBER` reads the reply's own number from its header's matching
  form (brackets folded); :data:`DOC_NUMBER` spots any document number in an answer
  passage's Simplified text, so it lists the full-width brackets itself. They also
  differ in the year (19xx/20xx or any four digits), 第, digit count and prefix
  length; unifying them would change both the metadata and the answer scores.
- :data:`DATE` spots a time expression in a passage, fuzzy ones too (年底, 上半年,
  3月底), to score and list dates; :data:`replyqa.dates.DATE_RE` reads an exact
  calendar date, in Chinese numerals too, into ISO form. :data:`TRAILING_DATE` only
  says where a date ends a flattened line, so the signature date becomes its own unit.
"""
from __future__ import annotations

import re

# -- template parts --------------------------------------------------------------------------

HEADER, SALUTATION, OPENING, BODY = "header", "salutation", "opening", "body"
CLOSING, SIGNATURE, CONTACT = "closing", "signature", "contact"
TEMPLATE_PARTS = (HEADER, SALUTATION, OPENING, CLOSING, SIGNATURE, CONTACT)

# -- header, salutation and opening ---------------------------------------------------------

NUM = "一二三四五六七八九十"
LEAD_JUNK = re.compile(r"^[\s|•·●▪◆■□\-*#>]+")
OFFICE_SUFFIX = (r"(?:人民政府|政府办公室|办公室|委员会|管委会|中心|公司|集团|研究院|法院|检察院|"
                 r"[局厅委办部院署处所站馆社队会行])")
OFFICE_RE = re.compile(rf"^[(]?(?!关于|对|在|您|你)([\u4e00-\u9fff]{{2,30}}?{OFFICE_SUFFIX})[)]?$")
SALUTE_RE = re.compile(
    r"^(?:尊敬的)?(?P<who>[^:,。!?;\s|《》“”\"()]{1,80}?(?:委员们?|代表们?|同志们?|先生|女士|主席|主任|"
    r"局长|厅长|部长|市长|县长|区长|书记))\**[:](?P<rest>.*)$")
INSTITUTION_RE = re.compile(rf"^(?P<who>[\u4e00-\u9fff、]{{2,40}}?{OFFICE_SUFFIX})[:]$")
OPENING_HINT = re.compile(r"收悉|如下|您们?(?:提出|所提|在|领衔)|你们?(?:提出|所提|在|领衔)|提出的|已交|交由|转来|转交")
OPENING_END = re.compile(r"(?:如下[^。:]{0,12}[:]?|收悉[。.]?|办理(?:情况|结果)报告如下[:]?)$")

# Where a line holds several template parts, as a flattened table cell does. These run on the
# line's same-length folded form (see fold_width), where spaces still mark old line breaks.
SALUTE_CUT = re.compile(r"(?:^|(?<=[|]))\s*(?:尊敬的)?[^:,。!?;\s|]{1,40}?(?:委员|代表)们?\**[:]")
SPLIT_BEFORE = re.compile(
    r"(?<=[。!?;:])\s*(?=(?:再次|衷心|非常)?感谢|此致|以上答复|特此|[一二三四五六七八九十]{1,3}、|[(][一二三四五六七八九十]{1,3}[)])"
    r"|(?<=[。!?;\s|])\s*(?=[(]?(?:承办负责人|承办人|联\s*系\s*人|联系电话|经办人|签发人|签发领导|领导签发|邮政编码)[:])"
    r"|(?<=[|])\s*(?=(?:尊敬的)?[^:,。!?;\s|]{1,40}?(?:委员|代表)们?[:])"
    r"|(?<=[。!?])\s+(?=\S)")
OPENING_CUT = re.compile(r"如下[^。:,]{0,10}?[:]")
TRAILING_DATE = re.compile(r"(?<=[\s。!|])\s*(?=(?:(?:19|20)\d{2}年\d{1,2}月\d{1,2}日|[〇零○一二三四五六七八九0]{4}年[^\s]{1,3}月[^\s]{1,4}日)[\s|]*$)")

# -- the closing block ------------------------------------------------------------------------

# Closing words, the contact block's keys and the signer's line, read back from the end.
CLOSING_RE = re.compile(r"^(?:致|礼|致\s?礼|敬\s?礼)$|^(?:(?:再次|衷心|非常|最后|再一次)?感谢|此致|敬礼|致礼|致以|以上答复|特此|专此|如有(?:意见|疑问|不同意见)|"
                        r"对以上(?:答复|办理)|您对(?:以上|本)|欢迎|恳请|请予|希望您?(?:继续|以后|今后))")
CONTACT_RE = re.compile(r"^[(]?(?:承办|联系|经办|办理人|电话|手机|传真|邮政编码|邮编|地址|抄送|抄报|人:|注:|附件|"
                        r"[(]此件|此件|办复类别|答复类别|类别|[ABC]\d?类\s?[—-])")
SIGNER_RE = re.compile(r"^(?:签发人|签发领导|领导签发|领导签字|签字|签发|盖章)")

# -- body headings ---------------------------------------------------------------------------

HEADING_STYLES = (
    ("cn", re.compile(rf"^[{NUM}]{{1,3}}[、.]")),
    ("pcn", re.compile(rf"^[(][{NUM}]{{1,3}}[)]")),
    ("num", re.compile(r"^\d{1,2}[、.](?!\d)")),
    ("pnum", re.compile(r"^[(]\d{1,2}[)]")),
    ("circ", re.compile(r"^[\u2460-\u2473]")),
    ("di", re.compile(rf"^第[{NUM}]{{1,3}}[,、:]")),
    ("shi", re.compile(rf"^[{NUM}]是")),
    ("fm", re.compile(r"^(?:另)?一方面")),
)
NAMED_HEADING = re.compile(r"^(?:基本情况|办理情况|办理结果|有关情况|情况说明|存在(?:的)?问题|主要问题|原因分析|"
                           r"下一?步(?:工作)?(?:打算|计划|安排)?|工作措施|主要措施|主要做法|工作成效|取得(?:的)?成效|"
                           r"[\u4e00-\u9fff]{0,8}(?:情况|措施|打算|计划|做法|成效|举措))[:]?$")
SHI_BLOCK = "统唯之第同万单划专逐其合不归择纯守如任"
# Where a heading's label ends (matching form); a "一是" heading's and an inline item's at a comma too.
LABEL_END = "。!?;:"
ITEM_END = LABEL_END + ","
INLINE_RES = (
    ("shi", re.compile(rf"(?<![{SHI_BLOCK}{NUM}])([{NUM}])是")),
    ("fm", re.compile(r"(另)?一方面")),
    ("di", re.compile(rf"第([{NUM}])[,、]")),
)

# -- header keys -----------------------------------------------------------------------------

# The proposal's own fields, which some sites print in the header.
PROPOSAL_KEYS = ("建议标题", "提案标题", "建议名称", "提案名称", "案由")
# The key/value fields of a header block, as government sites print them.
SITE_KEYS = ("索引号", "发布机构", "发文机关", "发布机关", "来源", "文号", "发文字号", "发布日期", "发布时间", "成文日期",
             "生效日期", "日期", "公开方式", "公开属性", "公开形式", "标题", "信息名称", "主办单位", "协办单位", "会办单位",
             "承办单位", "主题分类", "信息分类", "公开目录", "所属主题", "废止日期", "是否有效", "浏览量", "访问次数",
             "有效性", "主题词", "体裁分类", "组配分类", "分类", "办复类别", "类别", "签发人", "提案人", "领衔代表", "提案号",
             "建议号", "编号", "公开时限", "点击数")
# Metadata reads the value of each of these keys (no key is a prefix of another, so order is free).
FIELD_KEYS = PROPOSAL_KEYS + SITE_KEYS + ("答复类别",)
KEY_RE = re.compile("|".join(FIELD_KEYS))
# A line that starts with one of these is a header line when no salutation or opening marks
# where the header ends. "政府信息公开" is a banner, not a field; the proposal keys and 答复类别
# were never header-line starts, and adding them would move the body's start in such replies.
HEADER_LINE_KEYS = SITE_KEYS + ("政府信息公开",)
HEADER_LINE_KEY = re.compile("^(?:" + "|".join(HEADER_LINE_KEYS) + ")")

# -- metadata fields -------------------------------------------------------------------------

TITLE_END = re.compile(r"(?:答复|复函|答复函|的函|回复|答复意见|会办意见|协办意见|办理意见|主办意见|答复书|办理情况报告|答复表)$")
SPLIT_TITLE = re.compile(r"^(?:的)?(?:答复|复函|答复函|回复|答复意见|会办意见|协办意见)$")
TITLE_TAIL = re.compile(r"[(](?:编号|第)[^()]*(?:[(][^()]*[)][^()]*)*[)]$")
# The reply's own number in its header (matching form): the strict form, so a keyed 文号
# value that is no document number is refused.
HEADER_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[(【]\s?(?:19|20)\d{2}\s?[〕\])】]\s?第?\s?\d{1,5}\s?号")
CLASS_KEYED = re.compile(r"(?:办复类别|答复类别|办理类别|类别|类型)[:|\s]*([ABC][1-9]?)(?:类)?(?![A-Za-z])")
CLASS_BARE = re.compile(r"(?<![A-Za-z0-9])([ABC][1-9]?)类(?!\s?[—-])")
DISCLOSURE = re.compile(r"同意公开|主动公开|依申请公开|不予公开|免予公开|不公开")
SESSION = re.compile(rf"第?([一二三四五六七八九十百〇零\d]{{1,4}})届([^\d,。:;!?()《》“”届]{{0,14}}?)第?([一二三四五六七八九十\d]{{1,3}})次"
                     r"(?:会议|全体会议|全会|大会)")
REGION_LEVEL = (("全国", "全国"), ("自治区", "省"), ("省", "省"), ("自治州", "市"), ("州", "市"), ("盟", "市"),
                ("市", "市"), ("旗", "县"), ("县", "县"), ("区", "区"), ("乡", "乡镇"), ("镇", "乡镇"))
BODY_WORDS = (("政协", "政协"), ("政治协商", "政协"), ("人大", "人大"), ("人民代表大会", "人大"))
NUMBER_KEYED = re.compile(r"(?:编号|提案号|建议号|案号)[:|\s]*((?:[A-Z]?[(\[〔]?(?:19|20)\d{2}[)\]〕])?第?[A-Z]?\d{1,16}号?)")
NUMBER_LETTER = re.compile(r"(?<![A-Za-z])[A-Z][(\[〔](?:19|20)\d{2}[)\]〕]\d{1,6}号")
NUMBER_DI = re.compile(r"第\s?([A-Z]?\d{1,16})\s?号")
ROLE_PATTERNS = (
    (re.compile(r"(主办|会办|协办)(?:意见|答复)"), None),
    (re.compile(r"我[局部委厅办院署会室处]?(?:为|是|作为|系)(主办|会办|协办)单位"), None),
    (re.compile(r"由我[局部委厅办院署会室处](?:会同|牵头)"), "主办"),
)
ROLE_UNIT = re.compile(r"(主办|会办|协办)单位[:|\s]*([\u4e00-\u9fff]{2,30})")
# The proposal's title in the opening: quoted after 您提出的, or bare "关于…的建议".
PROPOSAL_QUOTED = re.compile(r"(?:提出|所提|提交|领衔)(?:的)?[^《“\"「。]{0,40}?[《“\"「]([^》”\"」]{2,160})[》”\"」]")
PROPOSAL_BARE = re.compile(r"(?:提出|所提)(?:的)?(关于.{2,160}?(?:建议|提案|议案|意见))(?:的提案|的建议)?(?:[(][^()]{1,20}[)])?[,]?(?:已|业已)?"
                           r"(?:收悉|收到|交|转)")
# The contact block: a person after its key, and a phone number after 电话 or 手机.
PERSON = re.compile(r"(?:承办人及联系电话|承办人|联系人|经办人|办理人|^人)[:|\s]*([\u4e00-\u9fff·]{2,4}?)"
                    r"(?=联系|电话|手机|[\d\s,;|/]|$)")
PHONE = re.compile(r"(?<!\d)(?:\(?0\d{2,3}\)?[-—]{0,2})?\d{7,8}(?!\d)|(?<!\d)1[3-9]\d{9}(?!\d)")
PHONE_KEY = re.compile(r"电话|手机|联系方式")
# An office named at the start of a title: "XX局关于…的答复".
OFFICE_TITLE = re.compile(rf"^([\u4e00-\u9fff]{{2,30}}?{OFFICE_SUFFIX})(?:关于|对)")

# -- handling fields: who signed, handled, led, assisted, proposed; the result grade ------------

# The keys of the handling rows (matching form) and the field each fills. Rows come as
# "key:value", "| key | value |", or a key on its own line with its value on the next.
# "+phone" keys hold a name and a number, in either order.
HANDLING_KEYS = {
    "承办人及联系电话": "handler+phone", "承办人及电话": "handler+phone", "承办人及联系方式": "handler+phone",
    "联系人及联系电话": "handler+phone", "联系人及电话": "handler+phone", "经办人及联系电话": "handler+phone",
    "承办人": "handler", "承办联系人": "handler", "经办人": "handler", "办理人": "handler", "联系人": "handler",
    "签发人": "signer", "签发领导": "signer", "领导签发": "signer", "领导签字": "signer", "签发": "signer",
    "联系电话": "phone", "办公电话": "phone", "电话": "phone", "手机": "phone", "联系方式": "phone",
    "主办单位": "lead_unit", "牵头单位": "lead_unit",
    "协办单位": "co_units", "会办单位": "co_units", "分办单位": "co_units", "配合单位": "co_units",
    "提案单位": "proposer", "提出单位": "proposer", "领衔单位": "proposer", "提案人": "proposer",
    "领衔代表": "proposer", "提出人": "proposer", "领衔人": "proposer",
    "代表团": "delegation", "所属代表团": "delegation",
    "办理结果": "result", "办复类别": "result", "答复类别": "result", "办理类别": "result", "类别": "result",
    "办复结果": "result", "答复结果": "result", "结果类别": "result", "办理情况": "result",
}
# The same handler keys as replies write them joined to a contact word ("联系人、电话", "联系人/电话",
# "联系人和电话", "联系人及手机", "联系人(电话)") or to what the line asks for ("承办人姓名", "经办人(签字)").
_HANDLER_PEOPLE = ("承办人", "联系人", "经办人", "办理人")
_CONTACT_WORDS = ("联系电话", "电话", "手机号码", "手机", "联系方式")
for _p in _HANDLER_PEOPLE:
    for _c in _CONTACT_WORDS:
        for _key in (*(_p + j + _c for j in ("及", "和", "与", "、", "/")), f"{_p}({_c})"):
            HANDLING_KEYS.setdefault(_key, "handler+phone")
    for _suffix in ("姓名", "签字", "签名", "(签字)", "(签名)"):
        HANDLING_KEYS.setdefault(_p + _suffix, "handler")
HANDLING_KEYS.update({"联络人": "handler", "联络员": "handler"})
# Keys that only end the value before them (承办负责人 is the handling office's head, not its handler).
STOP_KEYS = ("承办负责人", "承办单位", "邮政编码", "邮编", "地址", "抄送", "抄报", "传真", "签发日期", "日期", "备注")
# Where the handler's name is looked for first: the handling form's own row before a bare contact.
HANDLER_KEY_ORDER = ("承办人", "经办人", "办理人", "联系人", "联络")
# A unit named before a handler's name ("联系人:县交通局李四", "承办人:规划股 李四", "经办人:办公室 王五").
UNIT_BEFORE_NAME = re.compile(r"[\u4e00-\u9fff]{0,12}(?:办公室|股室|科室|中心|股|科|室|局|处|站|队|所|办|委|组)")
# Lines of the web page around a reply, not of the reply: what follows them is the site's, not the office's
# (a site's own "联系电话" or "主办单位" is no handler's phone or lead unit).
PAGE_CHROME = re.compile(r"扫一扫|网站标识码|ICP备|公网安备|版权所有|技术支持|网站地图|责任编辑|上一篇|下一篇|关闭窗口|打印本页|"
                         r"foot_img|Copyright", re.I)
# A person's name: 2–4 characters, or a transcribed name with "·"; titles after it are dropped.
PERSON_NAME = re.compile(r"[\u4e00-\u9fff]{1,8}·[\u4e00-\u9fff·]{1,12}|[\u4e00-\u9fff]{2,4}")
TITLES = r"(?:副?(?:局长|主任|科长|处长|厅长|部长|县长|市长|区长|书记|镇长|乡长|股长|馆长|院长|站长)|同志|先生|女士)"
NAME_TITLE = re.compile(rf"^{TITLES}|{TITLES}$")
NOT_NAME = re.compile(r"联系|电话|手机|单位|部门|负责|办公|签发|签字|盖章|领导|科室|[局厅委办院处所站队室股组]$")
# A result grade: a letter class (A, B1 …) or a word grade, at the start of a result row's value.
GRADE_WORDS = ("解决采纳", "列入计划", "留作参考", "说明解释", "解释说明", "正在解决", "已经解决", "基本解决", "已解决",
               "部分采纳", "基本采纳", "不予采纳", "采纳")
GRADE_LETTER = r"[ABCD][1-9]?(?![A-Za-z0-9])"
# The grade must end where the value or a clause does ("A类", "B2 (…)", "解决采纳|"), so a body
# paragraph read after a 办理情况 heading ("已解决了…", "A级景区…") is no grade.
GRADE_AT_START = re.compile(rf"^({GRADE_LETTER}|{'|'.join(GRADE_WORDS)})(?:\s?类|(?=[\s(:|;。,—-]|$))")
# A word grade as a class of its own ("留作参考类"); it must stand apart from the words around it
# in the original (see replyqa.handling), as the matching form drops the spaces that show it.
GRADE_BARE_WORD = re.compile(rf"({'|'.join(GRADE_WORDS)})类")
# What a grade means, matched right after it ("A类(所提问题已经解决…)", "B类——…") or on a legend line.
GRADE_MEANING = re.compile(r"\s?(?:[(]([^()]{2,60})[)]|(?:[—-]+|:)\s?([^;。|]{2,60}))")
# Who proposes as a body: democratic parties, people's organisations and 政协 sectors (界别).
PROPOSER_BODIES = ("九三学社", "民革", "民盟", "民建", "民进", "农工党", "农工民主党", "致公党", "台盟", "工商联", "共青团",
                   "妇联", "总工会", "科协", "侨联", "青联", "台联", "文联", "社科联", "中国国民党革命委员会",
                   "中国民主同盟", "中国民主建国会", "中国民主促进会", "中国农工民主党", "中国致公党", "台湾民主自治同盟")
PROPOSER_ORG = re.compile(
    r"(?:[\u4e00-\u9fff]{0,8}?[省市县区州旗])?(?:" + "|".join(sorted(PROPOSER_BODIES, key=len, reverse=True)) + r")"
    r"(?:[\u4e00-\u9fff]{0,8}?(?:[省市县区州]?委员会|[省市县区州]委|支社|总支|支部|小组))?"
    r"|[\u4e00-\u9fff]{2,8}?界别(?:小组|联组|组)?")
# What follows a proposer body that proposes (matched where the body ends).
PROPOSES_AFTER = re.compile(r"(?:等)?(?:联名)?(?:提出|所提|提交|领衔|[:])")
# Co-handling units named in the opening: "由我部会同教育部和住房城乡建设部办理".
CO_UNITS_PROSE = re.compile(r"会同([\u4e00-\u9fff、]{2,60}?)(?:共同|认真|一起|进行|办理|研究|[,。;])")

# -- answer cues: what a passage holding each kind of fact says (run on its Simplified text) --

# Units as replies write them (Simplified; matching is done on Simplified text). 公尺 and 平方公尺 are the metre and
# square metre of Taiwan usage, which questions in Traditional script use.
UNITS = ("万平方米 平方米 平方公尺 平方公里 公里 千米 公尺 亿元 万元 元 学分 万人 人次 人 名 位 个 座 所 台 套 张 间 项 次 条 家 户 "
         "辆 亩 米 吨 床 期 批 处 栋 层 天 小时 分钟 周 年 月 日 倍 %").split()
UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
# A figure as replies write it, in digits or Chinese numerals, with "多"/"余" for "over": before a unit it is a quantity.
# A run of Chinese numerals is read whole, never from its middle; "十四五" names the 14th Five-Year Plan ("十四五期间"),
# not a figure.
NUMBER = (r"(?:\d[\d,.]*|(?<![一二两三四五六七八九十百千万])(?!十[一二三四五六七八九]五(?![十百千万]))"
          r"[一二两三四五六七八九十百千万]+)(?:多|余)?\s*")
# A measure word that begins a longer word is no unit: "五年一周期" (one cycle), "十周年" (an anniversary), "三年级" (a
# school grade), "一周边"… are not weeks or years.
NUMBER_UNIT = re.compile(NUMBER + r"(?:" + UNIT_RE + r")(?!(?<=周)[期边围转年]|(?<=年)级)")
DATE = re.compile(r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|底|初|年底|上半年|下半年|内)?"
                  r"|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}\s*月(?:底|初|份)|[上下]半年|年底|年初|\d{4}-\d{2}-\d{2}")
# The first year of a span of years ("2023—2030年"): a date, though only the span's end is marked as one.
YEAR_RANGE = re.compile(r"(?:19|20)\d{2}\s*[—–\-~至到]\s*(?:19|20)\d{2}")
DOC_NUMBER = re.compile(r"[\u3400-\u9fff]{1,8}[〔\[(（【﹝]\s*\d{4}\s*[〕\])）】﹞]\s*\d+\s*号")
WHO = re.compile(r"(?:局|厅|部|委|办|中心|政府|委员会|办公室|单位|公司|学校|医院|镇|乡|街道|代表|委员|主任|局长|负责人)"
                 r"|牵头|负责|由[\u3400-\u9fff]{2,}")
YES_NO = re.compile(r"不|没有|无法|暂无|暂不|尚未|未|同意|支持|可以|能够|已经|已|将")
CAUSE = re.compile(r"因|由于|导致|原因|造成")
PLACE = re.compile(r"位于|地处|坐落|在[\u3400-\u9fff]{2,}")
