"""The editor's parts that need no browser: the round trip of an issue file through the form's
JSON, pasting Word's HTML, the paths a request may name, and the preview's pages against a full
build's."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from bulletin_print import editdoc, finish, newissue, paste, pipeline, serve

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2024" / "12.yaml"


def form_of(text: str) -> dict:
    return json.loads(json.dumps(editdoc.to_json(editdoc.parse(text)), ensure_ascii=False))


def saved(text: str, form: dict) -> str:
    return editdoc.dump(editdoc.apply(editdoc.parse(text), form))


@pytest.mark.parametrize("path", [SAMPLE, ROOT / "issues" / "publication.yaml"])
def test_an_untouched_form_writes_the_file_back_byte_for_byte(path):
    text = path.read_text(encoding="utf-8")
    assert saved(text, form_of(text)) == text


def test_unknown_keys_and_comments_survive_an_edit_and_a_move():
    text = (
        "# 头注释\n"
        "edition: 普刊\n"
        "number: 12          # 期\n"
        "columns:\n"
        "  - name: 甲\n"
        "    articles:\n"
        "      - title: '单引号标题'   # 标题注释\n"
        "        note: 按语，本表单不认识的新字段\n"
        "        paragraphs:\n"
        "          - 第一段。   # 段注释\n"
        "          - 第二段。\n"
        "        attribution: 某单位 某人\n"
        "      - title: 第二篇\n"
        "        paragraphs: [只一段。]\n"
        "  - name: 乙\n"
        "    articles:\n"
        "      - title: 第三篇\n"
        "        paragraphs:\n"
        "          - 段。\n"
    )
    form = form_of(text)
    first = form["columns"][0]["articles"].pop(0)
    first["paragraphs"][1] = "第二段，改过。"
    form["columns"][1]["articles"].insert(0, first)
    out = saved(text, form)
    assert "# 头注释" in out and "number: 12          # 期" in out
    assert "- title: '单引号标题'   # 标题注释" in out  # quoting and comment kept, in its new place
    assert "note: 按语，本表单不认识的新字段" in out
    assert "- 第一段。   # 段注释" in out
    data = editdoc.plain(editdoc.parse(out))
    assert [a["title"] for a in data["columns"][1]["articles"]] == ["单引号标题", "第三篇"]
    assert data["columns"][1]["articles"][0]["paragraphs"] == ["第一段。", "第二段，改过。"]
    assert list(data["columns"][1]["articles"][0]) == ["title", "note", "paragraphs", "attribution"]


def test_word_html_becomes_clean_paragraphs_with_fixes_offered_and_leads_found():
    html = ("<html><head><style>p{margin:0}</style><!--[if gte mso 9]><xml>x</xml><![endif]--></head><body>"
            "<p class=MsoNormal>&nbsp;&nbsp;一是加强领导,压实责任。全区\n上下<span lang=EN-US>2024</span>年<o:p></o:p></p>"
            "<p><o:p>&nbsp;</o:p></p><p>Hello\nworld (英文) 与<b>粗体</b>。</p><script>alert(1)</script></body></html>")
    found = paste.pasted(html)
    assert [p["text"] for p in found] == ["一是加强领导,压实责任。全区上下2024年", "Hello world (英文) 与粗体。"]
    assert found[0]["fixed"] == "一是加强领导，压实责任。全区上下2024年"
    assert found[0]["lead"] == "一是加强领导，压实责任。" and found[0]["notes"]
    assert found[1]["fixed"] == "Hello world （英文） 与粗体。" and found[1]["notes"]
    assert paste.pasted("", "第一段\n\n第二段\n") == [
        {"text": "第一段", "fixed": "第一段", "notes": [], "lead": ""},
        {"text": "第二段", "fixed": "第二段", "notes": [], "lead": ""}]


def test_requests_name_only_the_archives_issue_files(tmp_path):
    issues = tmp_path / "issues"
    (issues / "2024").mkdir(parents=True)
    shutil.copy(ROOT / "issues" / "publication.yaml", issues)
    shutil.copy(SAMPLE, issues / "2024" / "12.yaml")
    (tmp_path / "secret.yaml").write_text("x: 1\n")
    (issues / "2024" / "13.yaml").symlink_to(tmp_path / "secret.yaml")
    archive = serve.archive_of(tmp_path)
    assert archive == issues.resolve()
    assert serve.issue_path(archive, "2024/12.yaml") == (issues / "2024" / "12.yaml").resolve()
    for name in ["../secret.yaml", "/etc/passwd", "2024/../../secret.yaml", "publication.yaml", "2024/13.yaml",
                 "2024/12.yaml\x00", "", "2024"]:
        assert serve.issue_path(archive, name) is None, name


def test_new_makes_the_next_issue_once(tmp_path):
    import datetime as dt

    issues = tmp_path / "issues"
    (issues / "2024").mkdir(parents=True)
    shutil.copy(ROOT / "issues" / "publication.yaml", issues)
    shutil.copy(SAMPLE, issues / "2024" / "12.yaml")
    target, label = newissue.create(issues, "普刊", dt.date(2024, 8, 30))
    assert target == issues / "2024" / "13.yaml" and label == "普刊2024年第13期（总第701期）"
    with pytest.raises(newissue.Refused) as refused:
        newissue.create(issues, "号外", dt.date(2024, 8, 30))
    assert refused.value.code == 2


def page_hashes(pdf: bytes) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    out = []
    for i in range(len(document)):
        image = document[i].render(scale=serve.PREVIEW_DPI / 72).to_pil()
        out.append(hashlib.sha256(image.tobytes()).hexdigest()[:24])
    document.close()
    return out


def test_the_preview_is_a_full_builds_pages(tmp_path):
    """The form's edit previewed, then saved and built as `build` builds it: the same pages."""
    issues = tmp_path / "issues"
    (issues / "2024").mkdir(parents=True)
    shutil.copy(ROOT / "issues" / "publication.yaml", issues)
    issue = issues / "2024" / "12.yaml"
    shutil.copy(SAMPLE, issue)
    text = issue.read_text(encoding="utf-8")
    form = form_of(text)
    form["columns"][0]["articles"][0]["paragraphs"][0] = form["columns"][0]["articles"][0]["paragraphs"][0].replace("逐步", "逐渐")
    previewer = serve.Previewer()
    try:
        shown = previewer.build(issue, saved(text, form), form)
    finally:
        previewer.close()
    assert shown.ok and len(shown.pages) == 15
    assert shown.leads["columns[0].articles[0].paragraphs[1]"].startswith("一是聚焦监督计划")
    issue.write_text(saved(text, form), encoding="utf-8")
    built = pipeline.run(issue, finish.Options("screen"))
    assert page_hashes(built.pdf) == shown.pages


def asgi_get(app, path: str, query: str, host: str) -> tuple[int, bytes]:
    """One GET through the app as uvicorn would hand it over."""
    import asyncio

    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(b"host", host.encode())], "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8765)}
    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def test_an_issue_file_the_tool_cannot_read_is_said_not_a_server_error(tmp_path):
    """A file that is not UTF-8 (saved by another program in GBK) opens to a message with its place."""
    issues = tmp_path / "issues"
    (issues / "2024").mkdir(parents=True)
    shutil.copy(ROOT / "issues" / "publication.yaml", issues)
    (issues / "2024" / "12.yaml").write_bytes(SAMPLE.read_text(encoding="utf-8").encode("gbk", errors="replace"))
    editor = serve.Editor(tmp_path, 8765)
    try:
        status, body = asgi_get(serve.make_app(editor), "/edit", "file=2024/12.yaml", "127.0.0.1:8765")
    finally:
        editor.previewer.close()
    assert status == 422
    assert "12.yaml" in body.decode() and "UTF-8" in body.decode()
