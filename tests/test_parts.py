"""The parts of a real 简报 besides the sample's (issue 13), on the stress case that carries them all
(tests/stress/parts/parts.yaml): 编者按 and 按语, 副题, 密级, the notice, a 专刊's topic, a photo and a
chart with captions, a table, the 签发 line and 共印N份; numbered copies, pre-printed paper, the
photos in the print and archive variants, and what an image the issue names can get wrong.
(tests/test_stress.py measures the case with pdfcheck as it measures the others.)"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from bulletin_print import finish, load, pipeline
from bulletin_print.model import IssueError

from conftest import run_cli

CASE = Path(__file__).parent / "stress" / "parts"
ISSUE = CASE / "parts.yaml"
MM = 72 / 25.4
BLOCK = (28 * MM, 37 * MM, (28 + 156) * MM, (37 + 225) * MM)  # x0, top, x1, bottom (pt, from the top left)
RED = re.compile(rb"0 0\.8 0\.8 0 (?:k|K|scn|SCN)\b|/SpotRed")


def build(tmp_path: Path, name: str, **options) -> Path:
    result = pipeline.run(ISSUE, finish.Options(**options))
    assert result.ok, "\n".join(map(str, result.errors))
    out = tmp_path / f"{name}.pdf"
    out.write_bytes(result.pdf)
    return out


@pytest.fixture(scope="module")
def screen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("parts"), "screen")


def text_of(pdf: Path) -> list[str]:
    with pdfplumber.open(pdf) as doc:
        return [re.sub(r"\s+", "", page.extract_text() or "") for page in doc.pages]


def test_every_new_part_is_in_the_pdf_text(screen: Path) -> None:
    text = "".join(text_of(screen))
    issue = load.load_issue(ISSUE)
    for part in ("编者按：本期专刊", "秘密★1年", "内部资料注意保存", "人大+审计专刊", "聚焦问题整改推动监督落地见效",
                 "编者按：专题询问", "专题询问会现场", "各区县系统接入数据量示意", "审计查出问题整改情况",
                 "签发：王建国", "核稿：陈丽", "共印120份"):
        assert part in text, part
    table = next(p for a in issue.articles for p in a.paragraphs if hasattr(p, "rows"))
    assert "".join(cell for row in table.rows for cell in row) in text  # every cell, row by row
    page1 = text_of(screen)[0]
    assert page1.index("秘密★1年") < page1.index("人大工作简报") and page1.index("内部资料") < page1.index("人大工作简报")
    assert page1.index("（专刊）") < page1.index("人大+审计专刊") < page1.index("第3期")


def test_the_photos_are_images_inside_the_block_on_the_grid(screen: Path) -> None:
    pitch = 225 * MM / 22
    with pdfplumber.open(screen) as doc:
        images = [(n, im) for n, page in enumerate(doc.pages, 1) for im in page.images]
    assert len(images) == 2
    for _, im in images:
        assert BLOCK[0] - 0.5 <= im["x0"] and im["x1"] <= BLOCK[2] + 0.5
        assert BLOCK[1] - 0.5 <= im["top"] and im["bottom"] <= BLOCK[3] + 0.5
        for length in (im["bottom"] - im["top"], im["top"] - BLOCK[1]):  # its height and its top: whole lines
            assert abs(length / pitch - round(length / pitch)) < 0.01
    widths = sorted(im["x1"] - im["x0"] for _, im in images)
    assert widths[0] <= 156 * MM / 2 + 0.5 < widths[1] <= 156 * MM + 0.5


def test_numbered_copies_are_one_pdf_each_copy_numbered_on_page_1(tmp_path: Path, screen: Path) -> None:
    pdf = tmp_path / "copies.pdf"
    result = run_cli("build", str(ISSUE), "--for", "print", "--copies", "1-3", "-o", str(pdf))
    assert result.returncode == 0, result.stderr
    pages = text_of(pdf)
    per_copy = len(text_of(screen))
    assert len(pages) == 3 * per_copy
    for k in range(3):
        first = pages[k * per_copy]
        assert first.startswith(f"00000{k + 1}"), first[:20]
        assert all("00000" not in p for p in pages[k * per_copy + 1:(k + 1) * per_copy])


@pytest.mark.parametrize("text", ["0-3", "3-1", "a-b", "1-99999"])
def test_copies_that_are_no_range_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        finish.Options("print", copies=finish.parse_copies(text))


def test_copies_are_for_print() -> None:
    with pytest.raises(ValueError):
        finish.Options("screen", copies=(1, 3))


def test_preprinted_paper_has_no_red_on_page_1_and_the_same_text_positions(tmp_path: Path, screen: Path) -> None:
    pre = build(tmp_path, "pre", preprinted=True)
    first = pypdf.PdfReader(pre).pages[0].get_contents().get_data()
    assert not RED.search(first)
    assert RED.search(pypdf.PdfReader(screen).pages[0].get_contents().get_data())  # the plain build has it

    def positions(pdf: Path) -> list[tuple]:
        with pdfplumber.open(pdf) as doc:
            return [[(c["text"], round(c["x0"], 2), round(c["top"], 2)) for c in page.chars] for page in doc.pages]

    plain, printed = positions(screen), positions(pre)
    name = set("人大工作简报")
    assert [c for c in plain[0] if not (c[0] in name and c[2] < 200)] == printed[0]
    assert plain[1:] == printed[1:]


def test_print_converts_the_photos_to_cmyk_or_keeps_them_grey(tmp_path: Path) -> None:
    pdf = build(tmp_path, "print", variant="print", preprinted=True)
    spaces = set()
    for page in pypdf.PdfReader(pdf).pages:
        for ref in (page["/Resources"].get("/XObject") or {}).values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                spaces.add(str(obj["/ColorSpace"]))
    assert spaces == {"/DeviceCMYK", "/DeviceGray"}
    assert not RED.search(pypdf.PdfReader(pdf).pages[0].get_contents().get_data())


def test_the_archive_keeps_the_photos_and_extract_gives_them_back(tmp_path: Path) -> None:
    pdf = build(tmp_path, "archive", variant="archive")
    out = tmp_path / "out"
    result = run_cli("extract", str(pdf), "-o", str(out))
    assert result.returncode == 0, result.stderr
    for name in ("hall.jpg", "chart.png"):
        assert (out / name).read_bytes() == (CASE / name).read_bytes()
    rebuilt = pipeline.run(out / "parts.yaml", finish.Options("archive"))
    assert rebuilt.pdf == pdf.read_bytes()  # the same bytes, built from another folder


# --- what an image can get wrong: each an error at the image's line, naming the field -------------

def copy_case(tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    shutil.copytree(CASE, folder)
    return folder / "parts.yaml"


def image_problem(issue: Path) -> str:
    with pytest.raises(IssueError) as caught:
        load.load_issue(issue)
    (problem,) = caught.value.problems
    line = next(n for n, text in enumerate(issue.read_text(encoding="utf-8").splitlines(), 1) if "image:" in text)
    assert problem.line == line and problem.field == "columns[0].articles[0].paragraphs[1].image"
    return str(problem)


def test_a_missing_image(tmp_path: Path) -> None:
    issue = copy_case(tmp_path)
    (issue.parent / "hall.jpg").unlink()
    assert "不存在 (image file not found)" in image_problem(issue)


def test_an_unreadable_image(tmp_path: Path) -> None:
    issue = copy_case(tmp_path)
    (issue.parent / "hall.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a jpeg at all")
    assert "无法读取" in image_problem(issue)


def test_an_over_large_image(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    issue = copy_case(tmp_path)
    monkeypatch.setattr(load, "MAX_IMAGE_BYTES", 5000)  # the photo is 30 KB, the chart 1 KB
    assert "过大" in image_problem(issue)


def test_too_many_pixels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    issue = copy_case(tmp_path)
    monkeypatch.setattr(load, "MAX_IMAGE_PIXELS", 500_000)  # 1200×750 and 640×640
    assert "像素过多" in image_problem(issue)


@pytest.mark.parametrize("name", ["../hall.jpg", "/etc/hostname", "C:/x.jpg"])
def test_an_image_outside_the_issue_folder(tmp_path: Path, name: str) -> None:
    issue = copy_case(tmp_path)
    issue.write_text(issue.read_text(encoding="utf-8").replace("image: hall.jpg", f"image: {name}"), encoding="utf-8")
    assert "文件夹之内" in image_problem(issue)


def test_a_link_that_leads_out_of_the_folder(tmp_path: Path) -> None:
    issue = copy_case(tmp_path)
    outside = tmp_path / "elsewhere.jpg"
    shutil.copy(issue.parent / "hall.jpg", outside)
    (issue.parent / "hall.jpg").unlink()
    (issue.parent / "hall.jpg").symlink_to(outside)
    assert "文件夹之内" in image_problem(issue)


def test_the_preflight_finds_a_photo_off_the_grid() -> None:
    from bulletin_print import render, typeset

    issue = load.load_issue(ISSUE)
    html = render.render(issue).html.replace("height: ", "height: 1", 1)  # 10 lines → 1xx pt: off the grid
    done = typeset.typeset(html, ISSUE.parent)
    assert any("图片不在版心网格上" in f.message for f in done.faults)


def test_the_preflight_finds_a_table_row_off_the_grid() -> None:
    from bulletin_print import render, typeset

    html = render.render(load.load_issue(ISSUE)).html
    done = typeset.typeset(html, ISSUE.parent, stylesheets=[".table .cell { padding-top: 3pt !important; }"])
    assert any("表格行高不是整行" in f.message for f in done.faults)


def test_secrecy_notice_and_signoff_may_come_from_the_publication(tmp_path: Path) -> None:
    issue = copy_case(tmp_path)
    text = issue.read_text(encoding="utf-8")
    moved = {"secrecy": "secrecy: 秘密★1年\n", "notice": "notice: 内部资料　注意保存\n"}
    for line in moved.values():
        text = text.replace(line, "")
    signoff = text[text.index("signoff:"):text.index("note:")]
    issue.write_text(text.replace(signoff, ""), encoding="utf-8")
    (issue.parent / "publication.yaml").write_text("".join(moved.values()) + signoff, encoding="utf-8")
    data = load.load_issue(issue)
    assert (data.secrecy, data.notice, data.signoff[0].text) == ("秘密★1年", "内部资料　注意保存", "王建国")


@pytest.mark.parametrize("item, where, said", [
    ('{image: ""}', ".image", "不能为空"),  # a photo not named yet, as the editor's 加图片 leaves it
    ("{image: hall.jpg, widht: half}", ".widht", "是不是 width?"),
    ("{table: [[a, b]], captoin: 表}", ".captoin", "是不是 caption?"),
])
def test_a_photo_or_table_item_is_told_in_its_own_terms(tmp_path: Path, item: str, where: str, said: str) -> None:
    """Not「unknown field image (known: lead, text)」: the item is a photo's or a table's."""
    issue = copy_case(tmp_path)
    text = issue.read_text(encoding="utf-8")
    issue.write_text(text.replace("          - image: hall.jpg\n            caption: 专题询问会现场\n",
                                  f"          - {item}\n", 1), encoding="utf-8")
    result = pipeline.run(issue, finish.Options("screen"))
    assert [p.message for p in result.errors if p.field == "columns[0].articles[0].paragraphs[1]" + where
            and said in p.message], [(p.field, p.message) for p in result.errors]
    assert not [p for p in result.errors if "可用字段 (known): lead, text" in p.message]
