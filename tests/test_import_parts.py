"""What the importers used to lose without a word (issue 13): a Word file's table, picture with its
caption and footnote come in, and whatever cannot is listed, one line each; a .doc gets the command
that converts it; the plain text of a bare article list, a 目录 in 【栏目】 and a 信息摘登 section are
read, an article already in the issue is a warning, and no article is never exit 0."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from bulletin_print import finish, pipeline
from bulletin_print.load import load_issue
from bulletin_print.model import Figure, Table

from conftest import run_cli

docx = pytest.importorskip("docx")

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTE = "数据来源于市审计局2024年度审计工作报告"


def picture() -> io.BytesIO:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 500), (150, 190, 230))
    ImageDraw.Draw(image).rectangle([100, 200, 700, 480], fill=(200, 80, 60))
    out = io.BytesIO()
    image.save(out, "PNG")
    out.seek(0)
    return out


def add_footnote(document, paragraph, text: str) -> None:
    """A footnote as Word writes it: word/footnotes.xml, related from the document, and a
    w:footnoteReference run where it is cited (python-docx has no call for it)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    xml = (f'<w:footnotes xmlns:w="{W}">'
           '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
           '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
           f'<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:footnote>'
           '</w:footnotes>')
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                xml.encode(), document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)
    paragraph._p.append(parse_xml(f'<w:r xmlns:w="{W}"><w:footnoteReference w:id="1"/></w:r>'))


def make_word(path: Path) -> Path:
    """A contributed article as offices write one: heading, body, a bold 一是 lead, a 3×3 table with
    its caption, a picture with its caption, a footnote, the attribution."""
    document = docx.Document()
    document.add_heading("市审计局推进审计整改“回头看”", level=1)
    first = document.add_paragraph("今年以来，市审计局对近三年审计查出问题的整改情况开展“回头看”，推动整改见底清零。")
    add_footnote(document, first, FOOTNOTE)
    p = document.add_paragraph()
    p.add_run("一是建立整改台账。").bold = True
    p.add_run("对问题逐项登记，明确责任单位和整改时限，实行销号管理。")
    document.add_paragraph("表1 整改情况")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["类别", "问题数", "已整改"], ["预算执行", "8", "7"], ["国有资产", "5", "5"]]):
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            cell.text = text
            if r == 0:
                cell.paragraphs[0].runs[0].bold = True
    document.add_paragraph("二是强化跟踪督办。对整改不到位的问题，及时约谈提醒，确保整改落到实处。")
    document.add_picture(picture())
    document.add_paragraph("图为整改工作推进会现场", style="Caption")
    document.add_paragraph("（市审计局 李华）")
    document.save(str(path))
    return path


def test_a_word_file_keeps_its_table_picture_caption_and_footnote(sample_copy: Path, tmp_path: Path) -> None:
    source = make_word(tmp_path / "来稿.docx")
    result = run_cli("import", "docx", str(source), "--column", "工作动态", "--into", str(sample_copy))
    assert result.returncode == 0, result.stderr
    issue = load_issue(sample_copy)
    article = issue.articles[-1]
    assert article.title_text == "市审计局推进审计整改“回头看”" and article.attribution == "市审计局 李华"
    kinds = [type(p).__name__ for p in article.paragraphs]
    assert kinds == ["Paragraph", "Paragraph", "Table", "Paragraph", "Figure", "Paragraph"], kinds
    first, lead, table, _, figure, note = article.paragraphs
    assert first.text.endswith("①") and lead.lead == "一是建立整改台账。"
    assert isinstance(table, Table) and table.header and table.caption == "表1 整改情况"
    assert table.rows == (("类别", "问题数", "已整改"), ("预算执行", "8", "7"), ("国有资产", "5", "5"))
    assert isinstance(figure, Figure) and figure.caption == "图为整改工作推进会现场"
    copied = sample_copy.parent / figure.name
    assert copied.is_file() and copied.parent == sample_copy.parent and figure.name == f"{sample_copy.stem}-1.png"
    assert note.text == f"注：①{FOOTNOTE}。"  # the footnote kept, as a note paragraph
    assert "脚注" in sample_copy.read_text(encoding="utf-8")  # … and the editor told, in a review comment
    built = pipeline.run(sample_copy, finish.Options())
    assert built.ok, "\n".join(map(str, built.errors))


def test_what_cannot_come_in_is_listed_one_line_each(sample_copy: Path, tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("一篇带有不能导入内容的来稿", level=1)
    document.add_paragraph("正文第一段，说明情况。")
    emf = document.part.package  # a picture in a format no PDF press takes (EMF)
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    part = Part(PackURI("/word/media/drawing.emf"), "image/x-emf", b"\x01\x00\x00\x00" * 20, emf)
    rid = document.part.relate_to(part, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image")
    p = document.add_paragraph("图前的文字。")
    p._p.append(parse_xml(
        f'<w:r xmlns:w="{W}" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:drawing><a:blip r:embed="{rid}"/></w:drawing></w:r>'))
    document.add_paragraph("（某单位 某人）")
    source = tmp_path / "emf.docx"
    document.save(str(source))
    result = run_cli("import", "docx", str(source), "--column", "工作动态", "--into", str(sample_copy))
    dropped = [line for line in result.stderr.splitlines() if "未导入 (not brought in)" in line]
    assert len(dropped) == 1 and "image/x-emf" in dropped[0] and str(source) in dropped[0]


def test_importing_an_article_twice_is_a_warning(sample_copy: Path, tmp_path: Path) -> None:
    source = make_word(tmp_path / "来稿.docx")
    run_cli("import", "docx", str(source), "--column", "工作动态", "--into", str(sample_copy))
    again = run_cli("import", "docx", str(source), "--column", "工作动态", "--into", str(sample_copy))
    assert "提醒 (warning)" in again.stderr and "已在本期中" in again.stderr


def test_a_doc_file_gets_the_command_that_converts_it(sample_copy: Path, tmp_path: Path) -> None:
    source = tmp_path / "来稿.doc"
    source.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600)
    result = run_cli("import", "docx", str(source), "--into", str(sample_copy))
    assert result.returncode == 1 and "soffice --headless --convert-to docx" in result.stderr


# --- import text ------------------------------------------------------------------------------

from bulletin_print.importers import text as text_import  # noqa: E402

BARE = """\
市人大常委会召开审计整改专题询问会

九月十八日，市人大常委会召开审计查出问题整改情况专题询问会，常委会组成人员围绕预算执行等问题提出询问。

询问会上，市政府有关负责人表示，将以这次专题询问为契机，举一反三、建章立制。

（预算工委 吴颖）

区县人大预算联网监督系统实现全覆盖

截至八月底，全市十三个区、县（市）人大预算联网监督系统全部建成投用。

（预算工委 张明）
"""


def articles(data: dict) -> list[dict]:
    return [a for c in data["columns"] for a in c["articles"]]


def test_a_bare_list_of_articles(tmp_path: Path) -> None:
    data = text_import.parse(BARE).data
    found = articles(data)
    assert [a["title"] for a in found] == ["市人大常委会召开审计整改专题询问会", "区县人大预算联网监督系统实现全覆盖"]
    assert [len(a["paragraphs"]) for a in found] == [2, 1]
    assert [a["attribution"] for a in found] == ["预算工委 吴颖", "预算工委 张明"]
    source = tmp_path / "bare.txt"
    source.write_text(BARE, encoding="utf-8")
    result = run_cli("import", "text", str(source), "-o", str(tmp_path / "out.yaml"))
    assert "待核对 (review)" in result.stderr  # the column, the 期 and date no masthead gave
    written = yaml.safe_load((tmp_path / "out.yaml").read_text(encoding="utf-8"))
    assert len(articles(written)) == 2


def test_a_contents_written_with_brackets(tmp_path: Path) -> None:
    text = ("简报\n\n第 3 期（总第 58 期）\n\n某市人大常委会办公厅编\n\n2024 年 9 月 20 日\n\n目　录\n\n"
            "【工作动态】市人大常委会召开审计整改专题询问会……2\n"
            "【代表工作】区县人大预算联网监督系统实现全覆盖 ·········· 3\n\n") + BARE
    data = text_import.parse(text).data
    assert [(c["name"], len(c["articles"])) for c in data["columns"]] == [("工作动态", 1), ("代表工作", 1)]
    assert data["number"] == 3 and data["date"] == "2024-09-20"


def test_a_briefs_section_known_by_its_heading_is_not_swallowed_by_an_article() -> None:
    text = BARE.replace("\n（预算工委 张明）\n", "\n") + """
信息摘登

淳安县人大常委会开展司法工作专项监督，有效助力司法质效提升。

（淳安县人大常委会 方亚平）

临安区人大常委会围绕国有房产土地底数清查开展专题调研。

（临安区人大常委会办公室 诸葛徐扬）
"""
    data = text_import.parse(text).data
    last = articles(data)[-1]
    assert len(last["paragraphs"]) == 1 and "attribution" not in last
    assert data["briefs"]["column"] == "信息摘登"
    assert [b["attribution"] for b in data["briefs"]["items"]] == ["淳安县人大常委会 方亚平", "临安区人大常委会办公室 诸葛徐扬"]


def test_a_rule_line_is_not_glued_to_the_next_paragraph() -> None:
    text = BARE.replace("\n询问会上", "\n---\n询问会上")
    first = articles(text_import.parse(text).data)[0]
    assert first["paragraphs"][1].startswith("询问会上") and not any("---" in p for p in first["paragraphs"])


def test_the_same_article_twice_is_a_warning() -> None:
    imported = text_import.parse(BARE + "\n" + BARE.split("\n\n区县")[0] + "\n")
    assert any("两次" in r.message for r in imported.reviews)


def test_no_article_is_never_exit_0(tmp_path: Path) -> None:
    source = tmp_path / "empty.txt"
    source.write_text("只是一句话，不是一期简报。\n", encoding="utf-8")
    result = run_cli("import", "text", str(source), "-o", str(tmp_path / "x.yaml"))
    assert result.returncode == 1 and not (tmp_path / "x.yaml").exists()
