"""The editor (`bulletin-print serve`) driven in a real browser: Debian's headless Chromium with
chromium-driver, through Selenium. One server and one browser for the whole module, on a copy of
the sample issue; the tests run in order, each going on from where the last one left the form.

scripts/setup.sh installs chromium and chromium-driver, so CI runs these; they are skipped only
where the browser is truly missing.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip(f"no {CHROMIUM} or {CHROMEDRIVER}: install Debian's chromium and chromium-driver "
                "(scripts/setup.sh does)", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

from bulletin_print import editdoc  # noqa: E402

WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta name=Generator content="Microsoft Word 15"><style><!-- p.MsoNormal {margin:0cm; font-family:仿宋;} --></style>
<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View></w:WordDocument></xml><![endif]--></head>
<body lang=ZH-CN><!--StartFragment-->
<p class=MsoNormal style='text-indent:32.0pt'><span style='font-size:16.0pt;font-family:仿宋'>西湖区人大常委会聚焦民生实事,
推动代表建议落地见效。<o:p></o:p></span></p>
<p class=MsoNormal style='text-indent:32.0pt'><b><span style='font-family:黑体'>一是健全机制。</span></b><span
style='font-family:仿宋'>建立“交办—督办—反馈”闭环(全程留痕)。<o:p></o:p></span></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<!--EndFragment--></body></html>"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A copy of the sample's publication, the server on it and a headless Chromium."""
    home = tmp_path_factory.mktemp("serve")
    issues = home / "issues"
    (issues / "2024").mkdir(parents=True)
    shutil.copy(ROOT / "issues" / "publication.yaml", issues)
    shutil.copy(ROOT / "issues" / "2024" / "12.yaml", issues / "2024" / "12.yaml")
    proc = subprocess.Popen([sys.executable, "-m", "bulletin_print", "serve", str(home)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, cwd=home)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    url = None
    deadline = time.monotonic() + 60
    while url is None and time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            assert proc.poll() is None, "serve stopped"
            continue
        m = re.search(r"http://127\.0\.0\.1:\d+/", line)
        url = m.group(0) if m else None
    assert url, "serve printed no address"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1500,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_script_timeout(60)
    try:
        yield {"url": url, "driver": driver, "issue": issues / "2024" / "12.yaml", "home": home,
               "original": (issues / "2024" / "12.yaml").read_text(encoding="utf-8")}
    finally:
        driver.quit()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def sequence(driver) -> int:
    return int(driver.execute_script("return document.body.dataset.previewSequence || 0"))


def wait_for(predicate, timeout: float = 60, what: str = "") -> None:
    """Until `predicate()`; an element it reads while the form is drawn again (after a paste's
    answer, a drop) is not there yet, not a failure."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (StaleElementReferenceException, NoSuchElementException):
            pass
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def wait_preview(driver, after: int) -> dict:
    try:
        wait_for(lambda: sequence(driver) > after, what="the preview")
    except AssertionError:
        raise AssertionError(f"no preview: {driver.find_element(By.ID, 'preview-state').text}; "
                             f"{driver.execute_script('return window.bulletinPreview')}") from None
    return driver.execute_script("return window.bulletinPreview")


def field(driver, name: str):
    return driver.find_element(By.CSS_SELECTOR, f'[data-field="{name}"]')


def type_into(element, text: str) -> None:
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.DELETE)
    element.send_keys(text)


def titles(driver, column: int) -> list[str]:
    return [e.get_attribute("value") for e in
            driver.find_elements(By.CSS_SELECTOR, f'.articles[data-col="{column}"] textarea.title')]


def test_open_the_sample(site):
    d = site["driver"]
    d.get(site["url"])
    assert "期刊档案" in d.title
    row = d.find_element(By.CSS_SELECTOR, 'tr[data-file="2024/12.yaml"]')
    assert "第12期" in row.text and "总第700期" in row.text and "检查通过" in row.text
    row.find_element(By.CSS_SELECTOR, "a.open").click()
    shown = wait_preview(d, 0)
    assert len(shown["pages"]) == 15
    pages = d.find_elements(By.CSS_SELECTOR, "#pages img.page")
    assert len(pages) == 15 and all(d.execute_script("return arguments[0].naturalWidth", p) > 0 for p in pages)
    assert field(d, "number").get_attribute("value") == "12"
    assert titles(d, 0) == ["市人大常委会持续推动\n“人大+审计”协同机制走深走实"]
    # the lead sentences load finds are shown at their paragraphs
    lead = d.find_element(By.CSS_SELECTOR, '[data-lead="columns[0].articles[0].paragraphs[1]"]')
    assert lead.text.startswith("引导句：一是聚焦监督计划强化共商协同")


def test_a_title_changed_changes_the_preview(site):
    d = site["driver"]
    before = d.execute_script("return window.bulletinPreview")
    seq = sequence(d)
    title = field(d, "columns[2].articles[0].title")
    type_into(title, "余杭区：鸬鸟镇“围鸬议事”工作法\n深化基层民主监督")
    after = wait_preview(d, seq)
    changed = [i for i, (a, b) in enumerate(zip(before["pages"], after["pages"])) if a != b]
    assert changed, "no page image changed"
    assert 0 in changed  # the 目录 lists the title
    assert after["changed"] == len(changed)  # only the changed pages were fetched again
    assert "有未保存的修改" in d.find_element(By.ID, "status").text


def test_two_articles_reordered_by_dragging(site):
    d = site["driver"]
    first, second = titles(d, 3)[:2]
    handle = d.find_elements(By.CSS_SELECTOR, '.articles[data-col="3"] .article .handle')[0]
    target = d.find_elements(By.CSS_SELECTOR, '.articles[data-col="3"] .article')[1]
    d.execute_script("arguments[0].scrollIntoView({block: 'start'})", handle)
    seq = sequence(d)
    # held, every card shows only its title: past the middle of the second card is after it
    ActionChains(d).click_and_hold(handle).move_to_element(target).move_by_offset(0, 3).release().perform()
    assert titles(d, 3)[:2] == [second, first]
    wait_preview(d, seq)
    # and across 栏目: the first article of 情况交流 (column 4) to the end of 代表工作 (column 3)
    moved = titles(d, 4)[0]
    handle = d.find_elements(By.CSS_SELECTOR, '.articles[data-col="4"] .article .handle')[0]
    cards = d.find_elements(By.CSS_SELECTOR, '.articles[data-col="3"] .article')
    last = cards[-1]
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", handle)
    actions = ActionChains(d).click_and_hold(handle)
    for _ in range(6):  # the form scrolls while the card is held near its edge
        actions.move_to_element(last).pause(0.1)
    actions.move_by_offset(0, 3).release().perform()
    assert titles(d, 3) == [second, first, moved] and moved not in titles(d, 4)


def test_word_html_pasted_into_a_new_article(site):
    d = site["driver"]
    seq = sequence(d)
    buttons = lambda: d.find_elements(By.CSS_SELECTOR, 'button.add-article[data-col="0"]')  # noqa: E731
    wait_for(buttons, 10, "the form after the drop")
    button = buttons()[0]
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    card = d.find_elements(By.CSS_SELECTOR, '.articles[data-col="0"] .article')[-1]
    type_into(card.find_element(By.CSS_SELECTOR, "textarea.title"), "西湖区：代表建议办理见实效")
    area = card.find_element(By.CSS_SELECTOR, "textarea.para")
    d.execute_script("""
        const dt = new DataTransfer();
        dt.setData('text/html', arguments[1]);
        dt.setData('text/plain', 'ignored');
        arguments[0].focus();
        arguments[0].dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
    """, area, WORD_HTML)
    paragraphs = lambda: [e.get_attribute("value") for e in  # noqa: E731
                          d.find_elements(By.CSS_SELECTOR, '.articles[data-col="0"] .article:last-child textarea.para')]
    wait_for(lambda: len(paragraphs()) == 2, 20, "the pasted paragraphs")
    assert paragraphs() == ["西湖区人大常委会聚焦民生实事,推动代表建议落地见效。",
                            "一是健全机制。建立“交办—督办—反馈”闭环(全程留痕)。"]
    card = d.find_elements(By.CSS_SELECTOR, '.articles[data-col="0"] .article')[-1]
    offer = card.find_element(By.CSS_SELECTOR, ".paste-offer")
    assert "已粘贴 2 段" in offer.text and "找到 1 个引导句" in offer.text
    offer.find_element(By.CSS_SELECTOR, "button.apply-fixes").click()
    wait_for(lambda: paragraphs()[0] == "西湖区人大常委会聚焦民生实事，推动代表建议落地见效。", 10, "full-width punctuation")
    assert paragraphs()[1] == "一是健全机制。建立“交办—督办—反馈”闭环（全程留痕）。"
    type_into(d.find_elements(By.CSS_SELECTOR, '.articles[data-col="0"] .article')[-1]
              .find_element(By.CSS_SELECTOR, "input.attribution"), "西湖区人大常委会 张三")
    wait_preview(d, seq)
    wait_for(lambda: d.find_elements(By.CSS_SELECTOR, '[data-lead="columns[0].articles[1].paragraphs[1]"]')
             and d.find_element(By.CSS_SELECTOR, '[data-lead="columns[0].articles[1].paragraphs[1]"]').text
             == "引导句：一是健全机制。", 20, "the pasted paragraph's lead sentence")


def test_a_subtitle_a_note_a_photo_and_a_table_through_the_form(site):
    d = site["driver"]
    base = "columns[1].articles[0]"
    seq = sequence(d)
    type_into(field(d, base + ".subtitle"), "立足职责定位　助力新质生产力")
    type_into(field(d, base + ".note"), "滨江区的做法值得各地借鉴。")
    d.find_elements(By.CSS_SELECTOR, '.articles[data-col="1"] .article')[0].find_element(
        By.CSS_SELECTOR, "button.add-image").click()
    # a photo not named yet: the preview's checks say so at its field
    wait_for(lambda: any(p["field"] == base + ".paragraphs[4].image" and p["severity"] == "error"
                         for p in (d.execute_script("return window.bulletinPreview") or {}).get("problems", [])),
             60, "the missing photo's error")
    assert "has-problem" in field(d, base + ".paragraphs[4].image").get_attribute("class")
    d.find_element(By.CSS_SELECTOR, ".figure-item button.remove-para").click()
    d.find_elements(By.CSS_SELECTOR, '.articles[data-col="1"] .article')[0].find_element(
        By.CSS_SELECTOR, "button.add-table").click()
    type_into(field(d, base + ".paragraphs[4].table"), "项目 | 数量\n调研报告 | 2")
    type_into(field(d, base + ".paragraphs[4].caption"), "调研成果")
    seq = sequence(d)
    shown = wait_preview(d, seq)
    assert shown["ok"], shown["problems"]
    assert not [p for p in shown["problems"] if p["severity"] == "error"]


def test_saved_yaml_keeps_comments_and_holds_the_edits(site):
    d = site["driver"]
    original = site["original"]
    d.find_element(By.ID, "save").click()
    wait_for(lambda: "已保存" in d.find_element(By.ID, "status").text, 30, "the save")
    text = site["issue"].read_text(encoding="utf-8")
    comments = [line.split("#", 1)[1] for line in original.splitlines() if "#" in line and "“" not in line]
    assert comments and all(c in text for c in comments), "a comment was lost"
    assert (site["issue"].with_name("12.yaml.bak")).read_text(encoding="utf-8") == original
    data = editdoc.plain(editdoc.parse(text))
    before = editdoc.plain(editdoc.parse(original))
    assert list(data) == list(before)  # key order
    cols = data["columns"]
    assert cols[0]["articles"][-1] == {
        "title": "西湖区：代表建议办理见实效",
        "paragraphs": ["西湖区人大常委会聚焦民生实事，推动代表建议落地见效。", "一是健全机制。建立“交办—督办—反馈”闭环（全程留痕）。"],
        "attribution": "西湖区人大常委会 张三"}
    old = before["columns"]
    assert cols[3]["articles"] == [old[3]["articles"][1], old[3]["articles"][0], old[4]["articles"][0]]
    assert cols[4]["articles"] == old[4]["articles"][1:]
    assert cols[2]["articles"][0]["paragraphs"] == old[2]["articles"][0]["paragraphs"]
    assert cols[2]["articles"][0]["title"] == ["余杭区：鸬鸟镇“围鸬议事”工作法", "深化基层民主监督"]
    binjiang = cols[1]["articles"][0]
    assert binjiang["subtitle"] == "立足职责定位　助力新质生产力" and binjiang["note"] == "滨江区的做法值得各地借鉴。"
    assert binjiang["paragraphs"][4] == {"table": [["项目", "数量"], ["调研报告", 2]], "header": True, "caption": "调研成果"}
    assert "- [调研报告, 2]" in text  # a table row as the format writes it
    # what the form did not touch is as it was, quoting and all
    assert 'phone' not in data and '- title: "滨江区:多措并举助力推动新质生产力发展"' in text
    assert [line for line in text.splitlines() if line.startswith("number:")] == ["number: 12          # 期: counts within the year"]
    # the file still builds, and the archive page says so
    subprocess.run([sys.executable, "-m", "bulletin_print", "check", str(site["issue"])], check=True,
                   capture_output=True, timeout=120)


def test_a_file_changed_on_disk_is_not_overwritten(site):
    d = site["driver"]
    theirs = site["issue"].read_text(encoding="utf-8") + "# 另一位编辑在文本编辑器中加的注释\n"
    site["issue"].write_text(theirs, encoding="utf-8")
    type_into(field(d, "editor"), "王五")
    d.find_element(By.ID, "save").click()
    wait_for(lambda: "未保存" in d.find_element(By.ID, "status").text, 30, "the refusal")
    assert "在打开之后已在磁盘上被改动" in d.find_element(By.ID, "notice").text
    assert site["issue"].read_text(encoding="utf-8") == theirs
    # the unsaved input is kept in the browser, and said to be, across a reload of the page
    assert "有未保存的修改" in d.find_element(By.ID, "status").text or "未保存" in d.find_element(By.ID, "status").text
    stored = d.execute_script("return localStorage.getItem('bulletin-print:draft:2024/12.yaml')")
    assert stored and json.loads(stored)["issue"]["editor"] == "王五"


def request(site, path: str, *, method: str = "GET", headers: dict | None = None, data: bytes | None = None):
    req = urllib.request.Request(site["url"].rstrip("/") + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_a_foreign_origin_is_refused(site):
    d = site["driver"]
    token = d.find_element(By.CSS_SELECTOR, 'meta[name="token"]').get_attribute("content")
    body = json.dumps({"file": "2024/12.yaml", "version": "x", "issue": {}}).encode()
    write = {"Content-Type": "application/json", "X-Bulletin-Token": token}
    status, answer = request(site, "/api/save", method="POST", data=body,
                             headers={**write, "Origin": "http://evil.example"})
    assert status == 403 and "Origin" in json.loads(answer)["error"]
    status, _ = request(site, "/", headers={"Host": "evil.example"})  # DNS rebinding
    assert status == 403
    status, _ = request(site, "/api/save", method="POST", data=body, headers={"Content-Type": "application/json"})
    assert status == 403  # no token
    status, _ = request(site, "/edit?file=../publication.yaml")
    assert status == 404  # outside the archive's issue files
    status, _ = request(site, "/edit?file=2024/12.yaml")
    assert status == 200
    # the file on disk is as the other editor left it
    assert site["issue"].read_text(encoding="utf-8").endswith("# 另一位编辑在文本编辑器中加的注释\n")
