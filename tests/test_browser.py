"""The web app in a real browser: Debian's chromium driven by playwright, over the sample replies.

Never run ``playwright install``: these tests use /usr/bin/chromium (apt: chromium fonts-noto-cjk).
Set REPLYQA_UPDATE_SCREENSHOT=1 to refresh docs/screenshot-chat.png from the chat test.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
PASSWORD = "correct horse battery staple"
ROOT = Path(__file__).resolve().parents[1]
EVIL = """关于<script>window.__pwned=1</script>停车泊位问题的答复
张三委员:
您提出的《关于<img src=x onerror="window.__pwned=2">解决地下停车场收费问题的建议》收悉。现答复如下:
一、地下停车场建设情况。我局今年在城区新建地下停车场<b>7</b>座，新增泊位1200个。
感谢您对我们工作的关心和支持。
某市住房和城乡建设局
2024年5月6日
"""

pytestmark = [pytest.mark.browser, pytest.mark.model,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt install chromium)")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(index, settings=None):
    """Serve the app exactly as ``replyqa serve`` does (queue, theme, styles), on a free port."""
    from dataclasses import replace

    from replyqa.web import build_app, serve

    settings = replace(settings or index.settings, host="127.0.0.1", port=free_port())
    app = build_app(index, settings)
    serve(app, settings, prevent_thread_lock=True, quiet=True)
    return app, f"http://127.0.0.1:{settings.port}/"


@pytest.fixture(scope="module")
def server(sample_index):
    """The app over the bundled sample replies and the real model (read only: no password, no writes)."""
    app, url = launch(sample_index)
    yield url, sample_index
    app.close()


@pytest.fixture(scope="module")
def evil_server(tmp_path_factory):
    """The app over a few replies, one full of markup, with administration enabled (fake embedder)."""
    from replyqa.embed import HashEmbedder
    from replyqa.ingest import ingest
    from replyqa.settings import Settings
    from replyqa.store import Index

    work = tmp_path_factory.mktemp("browser")
    corpus = work / "corpus"
    corpus.mkdir()
    for f in sorted((ROOT / "samples" / "replies").glob("*.txt"))[:3]:
        shutil.copy(f, corpus)
    (corpus / "zz_evil.txt").write_text(EVIL, encoding="utf-8")
    settings = Settings(index=str(work / "index"), embed_model="hash", admin_password=PASSWORD)
    index = Index(work / "index", HashEmbedder(dim=64), settings)
    ingest(index, [corpus], progress=False)
    app, url = launch(index, settings)
    yield url, index
    app.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def open_page(browser, url):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    pg.goto(url)
    pg.wait_for_selector("#rq-question textarea")
    return context, pg


@pytest.fixture
def page(browser, server):
    context, pg = open_page(browser, server[0])
    yield pg
    context.close()


@pytest.fixture
def evil_page(browser, evil_server):
    context, pg = open_page(browser, evil_server[0])
    yield pg
    context.close()


def ask(page, question: str) -> None:
    """Type a question, send it, and wait until its answer has replaced the searching line."""
    before = page.locator(".rq-answer.rq-done").count()
    page.fill("#rq-question textarea", question)
    page.click("#rq-send")
    page.wait_for_function("n => document.querySelectorAll('.rq-answer.rq-done').length > n", arg=before)


def last_answer(page):
    return page.locator(".rq-answer").last


def test_chat_answers_in_chinese_and_english_with_citations(page, tmp_path):
    ask(page, "中小学教师五年一周期内至少要获得多少培训学分？")
    answer = last_answer(page)
    assert "360" in answer.inner_text()
    assert answer.locator("a.rq-marker").first.inner_text() == "[1]"
    card = page.locator(".rq-card").last
    assert "嶽縣教體字〔2025〕23號" in card.inner_text()
    assert "360學分" in card.locator("mark.rq-mark").inner_text()
    # the answer's span (the figure asked for) is bold in the quote and on the card, through the sanitizer
    assert answer.locator("strong.rq-span").first.inner_text().endswith("360學分")
    assert card.locator("mark.rq-mark strong.rq-span").first.inner_text().endswith("360學分")
    page.wait_for_selector("#rq-chatbot .thought-group .title.expanded")  # the sources block starts open
    page.wait_for_timeout(500)
    page.evaluate("window.scrollTo(0, 0)")
    shot = ROOT / "docs" / "screenshot-chat.png" if os.environ.get("REPLYQA_UPDATE_SCREENSHOT") else \
        tmp_path / "chat.png"
    page.screenshot(path=str(shot))

    ask(page, "how many training credits are required per year")
    answer = last_answer(page)
    assert "60" in answer.inner_text() and answer.locator("a.rq-marker").count() >= 1
    assert page.locator(".rq-card").count() >= 2
    assert page.locator(".rq-pending").count() == 0  # the searching line gave way to the answer


def test_a_refusal_names_related_replies_by_label_never_by_path_or_id(page, server):
    index = server[1]
    ask(page, "夏邑县新建的环保公厕每座造价是多少？")
    assert "rq-refused" in last_answer(page).get_attribute("class")
    names = page.locator(".rq-related a.rq-open").all_inner_texts()
    assert names and all(n.strip() for n in names)
    for name in names:
        assert "/" not in name and ".txt" not in name and not any(r.reply_id in name for r in index.replies())


def test_citation_opens_the_reply_with_the_quote_highlighted(page, server):
    ask(page, "中小学教师五年一周期内至少要获得多少培训学分？")
    quote = page.locator(".rq-card mark.rq-mark").last.inner_text()
    ask(page, "高平市第71号建议答复的文号是什么？")  # the viewer now shows the Gaoping reply
    assert "高卫体发" in page.locator("#rq-viewer").inner_text()
    page.locator(".rq-answer").first.locator("a.rq-marker").first.click()
    page.wait_for_function("q => (document.querySelector('#rq-viewer mark.rq-hit') || {}).innerText === q", arg=quote)
    assert "嶽縣教體字〔2025〕23號" in page.locator("#rq-viewer table.rq-meta").inner_text()
    # the viewer scrolls smoothly: wait until the quote is in view (a fixed pause fails on a busy machine)
    page.wait_for_function("""() => { const m = document.querySelector('#rq-viewer mark.rq-hit');
        if (!m) return false;
        const r = m.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }""")


def test_follow_up_uses_the_conversation(page):
    ask(page, "中小学教师五年一周期内至少要获得多少培训学分？")
    ask(page, "那每年呢？")
    answers = page.locator(".rq-answer")
    assert answers.count() == 2
    assert "60" in answers.last.inner_text()
    assert "嶽縣教體字〔2025〕23號" in page.locator(".rq-card").last.inner_text()
    page.click("#rq-new")
    page.wait_for_function("document.querySelectorAll('.rq-answer').length === 0")


def cells(page, table: str, col: int) -> list[str]:
    """The rendered cells of one column of a Gradio dataframe."""
    return page.locator(f'{table} [role="gridcell"][data-col="{col}"]').all_inner_texts()


def test_precedent_desk_with_a_year_filter(page):
    page.get_by_role("tab", name="先例查询").click()
    page.fill("#rq-topic textarea", "农村道路硬化 公路建设")
    page.click("#rq-find")
    page.wait_for_selector('#rq-desk-table [data-testid="cell-1-0"]')
    assert any(d.strip() and d.strip() < "2020" for d in cells(page, "#rq-desk-table", 5))
    page.fill("#rq-desk-year-from textarea", "2020")
    page.click("#rq-find")
    page.wait_for_function("""() => {
        const d = [...document.querySelectorAll('#rq-desk-table [role="gridcell"][data-col="5"]')].map(c => c.innerText.trim());
        return d.length > 0 && d.every(x => x >= '2020'); }""")
    assert "平江县交通运输局" not in cells(page, "#rq-desk-table", 4)  # its 2017 reply is filtered out
    page.locator('#rq-desk-table [data-testid="cell-0-0"]').click()
    page.locator("#rq-desk-viewer .rq-outline a.rq-jump").first.wait_for()
    assert page.locator("#rq-desk-viewer mark.rq-hit").count() == 1


def test_precedent_desk_shows_the_filters_a_question_names_as_chips_that_can_be_removed(page, tmp_path):
    page.get_by_role("tab", name="先例查询").click()
    page.fill("#rq-topic textarea", "2021年政协关于全民健身的提案")
    page.click("#rq-find")
    page.wait_for_selector("#rq-desk-chips button.rq-chip")
    page.wait_for_selector('#rq-desk-table [data-testid="cell-0-0"]')
    row = page.locator("#rq-desk-chips .rq-chips")
    assert "根据您的问题自动添加的筛选" in row.inner_text()
    assert page.locator("#rq-desk-chips .rq-chip-label").all_inner_texts() == ["年份 2021", "政协"]
    narrowed = list(zip(cells(page, "#rq-desk-table", 5), cells(page, "#rq-desk-table", 1)))
    assert narrowed and all(d.startswith("2021") and b == "政协" for d, b in narrowed)
    shot = ROOT / "docs" / "screenshot-desk-chips.png" if os.environ.get("REPLYQA_UPDATE_SCREENSHOT") else \
        tmp_path / "desk-chips.png"
    page.screenshot(path=str(shot))

    page.locator("#rq-desk-chips button.rq-chip", has_text="年份 2021").click()  # take the year off
    page.wait_for_selector("#rq-desk-chips button.rq-chip-off")
    page.wait_for_function("n => document.querySelectorAll('#rq-desk-table [role=\"gridcell\"][data-col=\"0\"]')"
                           ".length > n", arg=len(narrowed))
    wider = list(zip(cells(page, "#rq-desk-table", 5), cells(page, "#rq-desk-table", 1)))
    assert set(narrowed) < set(wider) and {b for _, b in wider} == {"政协"}
    assert any(not d.startswith("2021") for d, _ in wider)
    # a click on the struck-through chip brings the year back (that a new search of the same question
    # keeps it off is tested on the desk's function, test_web.py: here it would change nothing to wait for)
    page.locator("#rq-desk-chips button.rq-chip-off").click()
    page.wait_for_function("n => document.querySelectorAll('#rq-desk-table [role=\"gridcell\"][data-col=\"0\"]')"
                           ".length === n", arg=len(narrowed))
    assert page.locator("#rq-desk-chips button.rq-chip-off").count() == 0


def test_commitments_tab_filters_plots_and_opens_a_promise_highlighted(page, tmp_path):
    page.get_by_role("tab", name="承诺台账").click()
    page.fill("#rq-ledger-today textarea", "2021-01-01")
    page.locator("#rq-ledger-status input").click()
    page.get_by_role("option", name="逾期").click()
    page.click("#rq-ledger-go")
    page.wait_for_function("() => (document.querySelector('#rq-ledger-summary') || {}).innerText?.includes('逾期 4')")
    assert set(cells(page, "#rq-ledger-table", 2)) == {"逾期"}
    assert page.locator("#rq-ledger-plot canvas, #rq-ledger-plot svg").count() >= 1
    page.locator('#rq-ledger-table [data-testid="cell-1-5"]').click()
    page.wait_for_selector("#rq-ledger-viewer mark.rq-hit")
    assert page.locator("#rq-ledger-viewer mark.rq-hit").inner_text() == "我局今年已经准备进行实施"
    shot = ROOT / "docs" / "screenshot-ledger.png" if os.environ.get("REPLYQA_UPDATE_SCREENSHOT") else \
        tmp_path / "ledger.png"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shot))


def test_the_chat_answers_which_promises_are_overdue_and_how_many_replies(page):
    ask(page, "县交通局有哪些承诺逾期了？")
    text = last_answer(page).inner_text()
    assert "县级交通部门的逾期承诺共" in text and last_answer(page).locator("a.rq-marker").count() >= 2
    ask(page, "2017年有几件答复？")
    assert last_answer(page).inner_text().startswith("共2件")


def test_markup_in_a_reply_and_in_a_question_stays_inert(evil_page):
    page = evil_page
    ask(page, "<img src=x onerror=\"window.__pwned=3\">新建地下停车场多少座？")
    assert "<img src=x" in page.locator(".rq-question").last.inner_text()
    page.get_by_role("tab", name="档案").click()
    page.fill("#rq-archive-text textarea", "停车泊位")
    page.click("#rq-archive-go")
    page.wait_for_function("""document.querySelectorAll('#rq-archive-table [role="gridcell"][data-col="0"]').length === 1""")
    page.locator('#rq-archive-table [data-testid="cell-0-0"]').click()
    viewer = page.locator("#rq-archive-viewer .rq-reply")
    viewer.wait_for()
    assert "<script>window.__pwned=1</script>" in viewer.inner_text()
    assert "<b>7</b>" in viewer.inner_text()
    assert page.locator("#rq-archive-viewer script, #rq-archive-viewer img, .rq-answer img").count() == 0
    assert page.evaluate("window.__pwned === undefined")


def test_administration_refuses_a_wrong_password(evil_page, evil_server):
    page, index = evil_page, evil_server[1]
    count = len(index.replies())
    page.get_by_role("tab", name="管理").click()
    page.fill("#rq-admin-password input", "not the password")
    page.click("#rq-admin-rebuild")
    page.wait_for_function("document.querySelector('#rq-admin-status').innerText.includes('密码错误')")
    assert len(index.replies()) == count


def test_reply_links_open_replies_by_id_only(browser, evil_server):
    url, index = evil_server
    evil = next(r for r in index.replies() if "zz_evil" in r.source)
    start = evil.text.index("新建地下停车场")
    context, pg = open_page(browser, f"{url}?reply={evil.reply_id}&s={start}&e={start + 7}")
    pg.wait_for_function("(document.querySelector('#rq-viewer mark.rq-hit') || {}).innerText === '新建地下停车场'")
    pg.goto(f"{url}?reply=../../../etc/passwd")
    pg.wait_for_function("(document.querySelector('#rq-viewer') || {innerText: ''}).innerText.includes('档案中没有这份答复')")
    assert "root:" not in pg.locator("#rq-viewer").inner_text()
    context.close()


@pytest.fixture(scope="module")
def scan_server(tmp_path_factory):
    """The app over two scanned replies (a photo with a seal, a clean PNG), administration enabled (fake embedder)."""
    from replyqa.embed import HashEmbedder
    from replyqa.evaluate.scans import scan_copy
    from replyqa.ingest import ingest
    from replyqa.settings import Settings
    from replyqa.store import Index

    work = tmp_path_factory.mktemp("scans")
    corpus = work / "corpus"
    corpus.mkdir()
    replies = ROOT / "samples" / "replies"
    scan_copy((replies / "016_xianjuxian-minzheng-rd005-baita-kangyang-fanti.txt").read_text(encoding="utf-8"),
              corpus / "016", "jpg", seed=7)
    scan_copy((replies / "040_pingjiangxian-jiaotong-rd82-cunji-gonglu.txt").read_text(encoding="utf-8"),
              corpus / "040", "png", seed=7)
    settings = Settings(index=str(work / "index"), embed_model="hash", admin_password=PASSWORD)
    index = Index(work / "index", HashEmbedder(dim=64), settings)
    ingest(index, [corpus], progress=False)
    app, url = launch(index, settings)
    yield url, index, work
    app.close()


@pytest.mark.ocr
def test_a_scanned_reply_s_card_and_viewer_show_the_quote_boxed_on_its_page(browser, scan_server):
    context, page = open_page(browser, scan_server[0])
    ask(page, "白塔镇医养中心改扩建项目有多少张养老床位？")
    assert "120" in last_answer(page).inner_text()
    card = page.locator(".rq-card").last
    page.wait_for_function("() => { const i = document.querySelector('.rq-card img.rq-scan-page');"
                           " return i && i.complete && i.naturalWidth > 0; }")
    assert "文字识别" in card.inner_text()
    page.locator(".rq-answer").last.locator("a.rq-marker").first.click()
    page.wait_for_function("() => { const i = document.querySelector('#rq-viewer img.rq-scan-page');"
                           " return i && i.complete && i.naturalWidth >= 1000; }")  # the whole page in the viewer
    assert "120張" in page.locator("#rq-viewer mark.rq-hit").inner_text()
    context.close()


@pytest.mark.ocr
def test_an_administrator_uploads_a_photo_of_a_reply_and_the_archive_shows_its_confidence(browser, scan_server):
    from replyqa.evaluate.scans import scan_copy

    url, index, work = scan_server
    photo = scan_copy((ROOT / "samples" / "replies" / "004_gaopingshi-weiti-rd71-shennong-weishengyuan.txt")
                      .read_text(encoding="utf-8"), work / "upload" / "gaoping", "jpg", seed=3)
    count = len(index.replies())
    context, page = open_page(browser, url)
    page.get_by_role("tab", name="管理").click()
    page.fill("#rq-admin-password input", PASSWORD)
    page.set_input_files("#rq-admin-files input[type=file]", str(photo))
    page.wait_for_selector("#rq-admin-files .file-preview, #rq-admin-files table")
    page.click("#rq-admin-ingest")
    page.wait_for_function("document.querySelector('#rq-admin-status').innerText.includes('✓')", timeout=180_000)
    assert len(index.replies()) == count + 1
    page.get_by_role("tab", name="档案").click()
    page.click("#rq-archive-go")
    page.wait_for_function("document.querySelector('#rq-archive-summary').innerText.includes('扫描件 3 件')")
    cells = re.findall(r"(?m)^(?:⚠ )?[01]\.\d\d$", page.locator("#rq-archive-table").inner_text())
    assert len(cells) == 3 and all(float(c.lstrip("⚠ ")) >= 0.9 for c in cells)  # one OCR confidence per scan
    context.close()
