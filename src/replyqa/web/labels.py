"""Interface strings in Chinese (the default) and English."""
from __future__ import annotations

LANG_CHOICES = [("中文", "zh"), ("English", "en")]

LABELS: dict[str, tuple[str, str]] = {
    "app_title": ("提案建议答复问答", "Answers from replies to proposals and suggestions"),
    "app_sub": ("回答引用政府答复原文，每个答案都注明出处。",
                "Every answer quotes the government replies it rests on, with its sources."),
    "tab_chat": ("问答", "Chat"),
    "tab_desk": ("先例查询", "Precedent desk"),
    "tab_archive": ("档案", "Archive"),
    "tab_admin": ("管理", "Administration"),
    "tab_ledger": ("承诺台账", "Commitments"),
    "language": ("界面语言", "Language"),
    # chat
    "chatbot": ("对话", "Conversation"),
    "question": ("问题", "Question"),
    "question_ph": ("输入问题，例如：每年需要完成多少学分？", "Ask a question, e.g. How many training credits are required per year?"),
    "send": ("提问", "Ask"),
    "new_chat": ("新对话", "New conversation"),
    "export": ("导出对话 (Markdown)", "Export conversation (Markdown)"),
    "sources": ("来源", "Sources"),
    "view_reply": ("查看答复原文", "View reply"),
    "related": ("可参阅的相关答复：", "Related replies worth reading:"),
    "viewer": ("答复原文", "Full reply"),
    "viewer_hint": ("点击答案中的引用编号或来源卡片，在这里查看答复原文，引用的句子会高亮显示。",
                    "Click a citation marker or a source card to read the full reply here, with the quoted sentence highlighted."),
    "reply_missing": ("档案中没有这份答复。", "This reply is not in the archive."),
    "too_long": ("问题太长（{n} 字）。请把问题缩短到 {limit} 字以内。",
                 "The question is too long ({n} characters). Please keep it under {limit} characters."),
    "empty": ("请输入一个问题。", "Please type a question."),
    "error": ("出错了：{msg}", "Something went wrong: {msg}"),
    "thanks": ("感谢反馈！", "Thanks for the feedback!"),
    "searching": ("正在检索答复……", "Searching the replies…"),
    "examples": ("示例问题", "Example questions"),
    # desk
    "desk_intro": ("粘贴一个议题或一份新提案、建议的全文，查找过去类似的答复。",
                   "Paste a topic or the full text of a new proposal to find similar past replies."),
    "topic": ("议题或提案全文", "Topic or proposal text"),
    "topic_ph": ("例如：关于解决老旧小区停车难问题的建议……", "e.g. A proposal on easing parking in old residential areas…"),
    "find": ("查找先例", "Find precedents"),
    "year_from": ("起始年份", "From year"),
    "year_to": ("截止年份", "To year"),
    "body": ("提出机关", "Body"),
    "level": ("层级", "Level"),
    "office": ("承办单位", "Office"),
    "reply_class": ("办复类别", "Reply class"),
    "lead_unit": ("主办单位", "Lead unit"),
    "result_grade": ("办理结果", "Result grade"),
    "any": ("全部", "Any"),
    "results": ("类似答复（点击一行查看全文）", "Similar replies (click a row to read it)"),
    "no_results": ("没有找到符合条件的答复。", "No replies match."),
    "no_results_chips": ("没有找到符合条件的答复。可以移除上方从问题中读出的筛选条件。",
                         "No replies match. Remove a filter read from your text (above) to widen the search."),
    "from_question": ("按文中提到的年份、提出机关、承办单位筛选", "Narrow by the year, body and office the text names"),
    "chips_head": ("根据您的问题自动添加的筛选：", "Filters read from your text:"),
    "chips_hint": ("点 × 移除，结果随之放宽", "click × to remove one and widen the results"),
    "chips_hint_restore": ("点 × 移除，结果随之放宽；点 ↺ 恢复", "click × to remove one and widen the results, ↺ to restore it"),
    "chip_remove": ("移除此筛选并重新查找", "Remove this filter and search again"),
    "chip_restore": ("恢复此筛选并重新查找", "Restore this filter and search again"),
    "truncated": ("文本较长，只使用了前 {limit} 字。", "The text is long; only its first {limit} characters were used."),
    "outline": ("目录", "Outline"),
    # archive
    "search_titles": ("按标题、文号或单位筛选", "Filter by title, number or office"),
    "filter": ("筛选", "Filter"),
    "by_year": ("各年份答复数", "Replies per year"),
    "by_office": ("各承办单位答复数（前 15）", "Replies per office (top 15)"),
    "by_grade": ("各办理结果答复数", "Replies per result grade"),
    "grade": ("办理结果", "Result grade"),
    "no_grade": ("未注明", "not stated"),
    "count": ("数量", "Count"),
    "year": ("年份", "Year"),
    "archive_count": ("共 {n} 份答复", "{n} replies"),
    "archive_no_date": ("另有 {n} 份未写明日期，未计入", "{n} more state no date and are not counted"),
    "archive_no_office": ("另有 {n} 份未写明答复单位，未计入", "{n} more state no office and are not counted"),
    "archive_shown": ("表中列出最新的 {n} 份，请用筛选缩小范围", "the table lists the newest {n}; filter to narrow it down"),
    # the ledger of commitments
    "ledger_intro": ("答复中作出的承诺：做什么、何时完成、以什么为条件。期限按答复自身的日期推算（如“年底前”即答复当年12月31日）；"
                     "点击一行查看答复原文，承诺处高亮显示。",
                     "What the replies promised: what, by when, on what condition. Due days are resolved against each "
                     "reply's own date (年底前 is 31 December of the reply's year); click a row to read the reply with the "
                     "promise highlighted."),
    "status_pick": ("状态", "Status"),
    "st_open": ("未到期", "open"), "st_overdue": ("逾期", "overdue"), "st_undated": ("未写期限", "undated"),
    "due_after": ("期限不早于", "Due on or after"),
    "due_before": ("期限不晚于", "Due on or before"),
    "condition": ("附加条件", "Condition"),
    "with_condition": ("有条件", "with a condition"),
    "without_condition": ("无条件", "without a condition"),
    "sort_by": ("排序", "Sort by"),
    "sort_due": ("按期限", "due day"), "sort_office": ("按单位", "office"), "sort_status": ("按状态", "status"),
    "sort_reply_date": ("按答复日期（新在前）", "reply date (newest first)"),
    "today": ("判断日期（默认今天）", "Judged on (default today)"),
    "export_csv": ("导出 CSV", "Export CSV"),
    "by_due_month": ("各月到期的承诺", "Promises by due month"),
    "due_month": ("到期月份", "Due month"),
    "ledger_count": ("共 {n} 项承诺（截至 {day}）：逾期 {overdue}，未到期 {open}，未写期限 {undated}",
                     "{n} promises as of {day}: {overdue} overdue, {open} open, {undated} undated"),
    "f_n": ("序号", "#"), "f_due": ("期限", "Due"), "f_status": ("状态", "Status"), "f_quote": ("承诺原文", "Promise"),
    "f_condition": ("条件", "Condition"), "f_due_text": ("时间表述", "Time as stated"),
    # admin
    "admin_disabled": ("管理功能未启用：服务器没有设置 REPLYQA_ADMIN_PASSWORD。",
                       "Administration is disabled: the server has no REPLYQA_ADMIN_PASSWORD set."),
    "admin_intro": ("上传、删除和重建都需要管理员密码。", "Uploading, removing and rebuilding all need the administrator password."),
    "password": ("管理员密码", "Administrator password"),
    "upload": ("上传答复文件（.txt .md .html .docx .pdf 或 .zip）", "Upload reply files (.txt .md .html .docx .pdf or .zip)"),
    "ingest": ("导入", "Ingest"),
    "remove_pick": ("要删除的答复", "Reply to remove"),
    "remove": ("删除", "Remove"),
    "rebuild": ("重建索引", "Rebuild the index"),
    "status": ("状态", "Status"),
    "bad_password": ("密码错误。", "Wrong password."),
    "ingested": ("新增 {added}，更新 {updated}，未变 {unchanged}，失败 {failed}。",
                 "{added} added, {updated} updated, {unchanged} unchanged, {failed} failed."),
    "removed": ("已删除 {rid}。", "Removed {rid}."),
    "not_removed": ("档案中没有这份答复。", "No such reply in the archive."),
    "rebuilt": ("已重建：{n} 份答复。", "Rebuilt: {n} replies."),
    "no_files": ("请先选择文件。", "Choose some files first."),
    # template parts of a reply (section names given by the parser)
    "part_header": ("文首信息", "Header"), "part_salutation": ("称呼", "Salutation"), "part_opening": ("开头", "Opening"),
    "part_closing": ("结尾", "Closing"), "part_signature": ("落款", "Signature"), "part_contact": ("联系方式", "Contact"),
    "part_body": ("正文", "Body"),
    # metadata fields
    "f_title": ("标题", "Title"), "f_office": ("承办单位", "Office"), "f_doc_number": ("文号", "Document number"),
    "f_reply_class": ("办复类别", "Reply class"), "f_body": ("提出机关", "Body"), "f_level": ("层级", "Level"),
    "f_session": ("届次", "Session"), "f_proposal_number": ("提案/建议号", "Proposal number"),
    "f_proposal_title": ("提案/建议标题", "Proposal title"), "f_role": ("办理角色", "Role"),
    "f_addressees": ("收件人", "Addressees"), "f_signed": ("签发日期", "Signed"), "f_published": ("发布日期", "Published"),
    "f_disclosure": ("公开方式", "Disclosure"), "f_contact": ("联系人", "Contact"), "f_source": ("来源文件", "Source file"),
    "f_reply_id": ("答复编号", "Reply id"), "f_date": ("日期", "Date"), "f_score": ("相似度", "Score"),
    "f_passage": ("最相关段落", "Best passage"),
    "f_lead_unit": ("主办单位", "Lead unit"), "f_co_units": ("协办单位", "Co-handling units"),
    "f_result_grade": ("办理结果", "Result grade"),
}


def t(key: str, lang: str = "zh", **values) -> str:
    """The string for ``key`` in ``lang`` (Chinese unless "en"), formatted with ``values``."""
    zh, en = LABELS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def section_name(name: str, lang: str = "zh") -> str:
    """A section heading as shown: the parser's template-part names become words."""
    key = "part_" + name
    return t(key, lang) if key in LABELS else name
