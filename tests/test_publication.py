"""A publication of its own: `init`, finding it from the current folder, `new` numbering its first
issue, and its own layout/ and fonts/ in the PDF, the manifest and the cache key."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pdfplumber
import pytest
import yaml
from conftest import ROOT, SAMPLE, run_cli
from fontmaker import CHARACTERS, make_font

from bulletin_print import manifest, publication
from bulletin_print.finish import Options

TITLE, COMPILER = "西湖区政协信息", "政协杭州市西湖区委员会办公室编"
ISSUE = """\
edition: 普刊
number: {number}
total: {total}
date: 2025-03-10
editor: 王{editor}明
columns:
  - name: 要闻速递
    articles:
      - title: 区政协召开十一届三次会议筹备工作会议
        paragraphs:
          - 3月6日，区政协召开十一届三次会议筹备工作会议，听取大会筹备情况汇报，部署下一阶段工作。
          - 一是提高站位抓筹备。会议要求各工作组对标对表，确保大会各项工作有序推进。
        attribution: 办公室 李{attribution}
"""


def init(folder: Path, *more: str) -> Path:
    result = run_cli("init", str(folder), "--title", TITLE, "--compiler", COMPILER, *more)
    assert result.returncode == 0, result.stderr
    pub = folder / "publication.yaml"  # what the editors fill in before the first issue
    text = pub.read_text(encoding="utf-8")
    pub.write_text(text.replace("（送达单位）", "区委办公室").replace("（发至单位）", "各位区政协委员")
                   .replace("（电话）", '"(0571)87654321"'), encoding="utf-8")
    return folder


def issue_at(folder: Path, number: int = 5, total: int = 120, editor: str = "", attribution: str = "") -> Path:
    path = folder / "issues" / "2025" / f"{number}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ISSUE.format(number=number, total=total, editor=editor, attribution=attribution), encoding="utf-8")
    return path


@pytest.fixture
def xihu(tmp_path: Path) -> Path:
    return init(tmp_path / "xihu", "--first-number", "5", "--first-total", "120")


def test_init_makes_a_publication_that_new_numbers_from_its_first_issue(tmp_path: Path) -> None:
    folder = tmp_path / "xihu"
    result = run_cli("init", str(folder), "--title", TITLE, "--compiler", COMPILER, "--first-number", "5",
                     "--first-total", "120")
    assert result.returncode == 0, result.stderr
    assert {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} == {
        "publication.yaml", "README.md", ".gitignore", "schema/issue.schema.json", "issues/.keep"}
    data = yaml.safe_load((folder / "publication.yaml").read_text(encoding="utf-8"))
    assert (data["title"], data["compiler"], data["first_number"], data["first_total"]) == (TITLE, COMPILER, 5, 120)
    assert "build/" in (folder / ".gitignore").read_text(encoding="utf-8").split()
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "bulletin-print new" in readme and "bulletin-print build" in readme and "build/" in readme
    made = run_cli("new", "--date", "2025-03-10", cwd=folder / "issues")  # found upward, from inside it
    assert made.returncode == 0, made.stderr
    first = folder / "issues" / "2025" / "5.yaml"
    text = first.read_text(encoding="utf-8")
    assert "number: 5 " in text and "total: 120 " in text
    schema_line = text.splitlines()[0].split("$schema=")[1]
    assert (first.parent / schema_line).resolve() == (folder / "schema" / "issue.schema.json").resolve()
    # the bracketed stand-ins of publication.yaml are never printed: check refuses them
    checked = run_cli("check", cwd=folder)
    assert checked.returncode == 1
    assert len([line for line in checked.stdout.splitlines() if "publication.yaml:" in line and "占位文字" in line]) == 3
    first.write_text(ISSUE.format(number=5, total=120, editor="", attribution=""), encoding="utf-8")
    second = run_cli("new", "--date", "2025-03-20", cwd=folder)
    assert second.returncode == 0, second.stderr
    assert "第6期（总第121期）" in second.stdout


@pytest.mark.parametrize("args, message", [
    (["--title", "一二三四五六七八九十一二三"], "--title: 过长"),
    (["--first-number", "5", "--first-total", "3"], "--first-total"),
])
def test_init_refuses_what_publication_yaml_cannot_hold(tmp_path: Path, args: list[str], message: str) -> None:
    given = {"--title": TITLE, "--compiler": COMPILER}
    for i in range(0, len(args), 2):
        given[args[i]] = args[i + 1]
    result = run_cli("init", str(tmp_path / "p"), *[x for pair in given.items() for x in pair])
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "p").exists()


def test_init_leaves_a_folder_with_files_alone(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "notes.txt").write_text("keep", encoding="utf-8")
    result = run_cli("init", str(tmp_path / "p"), "--title", TITLE, "--compiler", COMPILER)
    assert result.returncode == 1 and "未改动" in result.stderr
    assert [p.name for p in (tmp_path / "p").iterdir()] == ["notes.txt"]


def test_new_without_a_publication_names_publication_yaml_and_init(tmp_path: Path) -> None:
    (tmp_path / "issues").mkdir()
    result = run_cli("new", "--date", "2025-01-10", cwd=tmp_path)
    assert result.returncode == 1
    assert "publication.yaml" in result.stderr and "bulletin-print init" in result.stderr
    assert list((tmp_path / "issues").iterdir()) == []


def test_the_publication_is_found_upward_and_nowhere_else(tmp_path: Path, xihu: Path) -> None:
    deep = xihu / "issues" / "2025"
    deep.mkdir(parents=True)
    assert publication.find(deep) == xihu / "issues"
    assert publication.find(ROOT / "src") == ROOT / "issues"  # the tool's own sample: issues/publication.yaml
    (tmp_path / "alone").mkdir()
    (tmp_path / "alone" / "publication.yaml").write_text("title: 杭州人大信息\n", encoding="utf-8")
    assert publication.find(tmp_path / "alone") is None  # a publication.yaml with no issues/ is none


def test_check_defaults_to_the_publication_found(xihu: Path) -> None:
    issue_at(xihu)
    result = run_cli("check", cwd=xihu / "issues")
    assert result.returncode == 0, result.stdout + result.stderr
    issue_at(xihu, number=6, total=122)  # 总第 skips one: the archive's numbering is checked too
    result = run_cli("check", cwd=xihu)
    assert result.returncode == 1 and "应为总第121期" in result.stdout


def test_publication_only_keys_are_refused_in_an_issue(xihu: Path) -> None:
    path = issue_at(xihu)
    path.write_text(path.read_text(encoding="utf-8") + "first_number: 3\n", encoding="utf-8")
    result = run_cli("check", str(path))
    assert result.returncode == 1 and "first_number" in result.stdout and "publication.yaml" in result.stdout


def masthead_colours(pdf: Path) -> set[tuple[float, ...]]:
    with pdfplumber.open(pdf) as doc:
        return {tuple(c["non_stroking_color"]) for c in doc.pages[0].chars if c["size"] > 30}


def test_a_publications_stylesheet_and_template_win_over_the_tools(xihu: Path) -> None:
    path = issue_at(xihu)
    plain = xihu / "plain.pdf"
    assert run_cli("build", str(path), "-o", str(plain)).returncode == 0
    (xihu / "layout").mkdir()
    (xihu / "layout" / "extra.css").write_text(".masthead .name { color: device-cmyk(1 0 0 0); }\n", encoding="utf-8")
    template = (ROOT / "layout" / "issue.html.j2").read_text(encoding="utf-8")
    assert "<title>{{ issue.label }}</title>" in template
    (xihu / "layout" / "issue.html.j2").write_text(
        template.replace("<title>{{ issue.label }}</title>", "<title>本刊 {{ issue.label }}</title>"), encoding="utf-8")
    own = xihu / "own.pdf"
    result = run_cli("build", str(path), "-o", str(own))
    assert result.returncode == 0, result.stderr
    assert masthead_colours(plain) == {(0, 0.8, 0.8, 0)}
    assert masthead_colours(own) == {(1, 0, 0, 0)}
    with pdfplumber.open(own) as doc:
        assert doc.metadata["Title"].startswith("本刊 西湖区政协信息")


def test_a_publications_font_draws_a_private_use_character(xihu: Path) -> None:
    path = issue_at(xihu, editor=CHARACTERS[0], attribution=CHARACTERS[1])
    refused = run_cli("check", str(path))
    assert refused.returncode == 1 and "私用区" in refused.stdout  # no shipped font means it
    (xihu / "fonts").mkdir()
    make_font(xihu / "fonts" / "zaozi.ttf")
    assert run_cli("check", str(path)).returncode == 0
    pdf = xihu / "pua.pdf"
    result = run_cli("build", str(path), "-o", str(pdf))
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(pdf) as doc:
        drawn = {c["text"]: c["fontname"].split("+")[-1] for page in doc.pages for c in page.chars if c["text"] in CHARACTERS}
    assert drawn == {CHARACTERS[0]: "Bulletin-Publication", CHARACTERS[1]: "Bulletin-Publication"}


def test_a_role_named_in_publication_yaml_takes_the_publications_font(xihu: Path) -> None:
    path = issue_at(xihu, attribution=CHARACTERS[1])
    (xihu / "fonts").mkdir()
    make_font(xihu / "fonts" / "zaozi.ttf")
    pub = xihu / "publication.yaml"
    pub.write_text(pub.read_text(encoding="utf-8") + "fonts:\n  kai: zaozi.ttf\n", encoding="utf-8")
    pdf = xihu / "kai.pdf"
    result = run_cli("build", str(path), "-o", str(pdf))
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(pdf) as doc:
        drawn = {c["fontname"].split("+")[-1] for page in doc.pages for c in page.chars if c["text"] == CHARACTERS[1]}
    assert drawn == {"Bulletin-Kai"}


@pytest.mark.parametrize("fonts, message", [
    ("{title: missing.ttf}", "不存在"),
    ("{title: ../publication.yaml}", "fonts/ 文件夹内"),
    ("{title: outside.ttf}", "刊物文件夹之外"),
    ("{title: broken.ttf}", "不是可用的"),
])
def test_a_font_that_cannot_serve_is_refused_at_its_line(xihu: Path, fonts: str, message: str) -> None:
    path = issue_at(xihu)
    (xihu / "fonts").mkdir()
    (xihu / "fonts" / "broken.ttf").write_text("not a font", encoding="utf-8")
    (xihu / "fonts" / "outside.ttf").symlink_to(ROOT / "fonts" / "FandolKai-Regular.otf")
    pub = xihu / "publication.yaml"
    lines = pub.read_text(encoding="utf-8").splitlines()
    pub.write_text("\n".join([*lines, f"fonts: {fonts}"]) + "\n", encoding="utf-8")
    result = run_cli("check", str(path))
    assert result.returncode == 1, result.stdout
    assert f"publication.yaml:{len(lines) + 1}:" in result.stdout and message in result.stdout
    assert "Traceback" not in result.stderr


def test_a_link_out_of_the_publications_folder_brings_nothing_in(xihu: Path, tmp_path: Path) -> None:
    """Fonts only from the tool's fonts/ and the publication's own: a link to a font elsewhere
    (a system font) or to a stylesheet elsewhere is refused, not followed."""
    path = issue_at(xihu)
    (xihu / "fonts").mkdir()
    (xihu / "fonts" / "system.ttf").symlink_to(ROOT / "fonts" / "FandolKai-Regular.otf")
    (xihu / "layout").mkdir()
    (tmp_path / "far.css").write_text("p { color: red; }\n", encoding="utf-8")
    (xihu / "layout" / "extra.css").symlink_to(tmp_path / "far.css")
    result = run_cli("check", str(path))
    assert result.returncode == 1
    assert "fonts/system.ttf: 链接到刊物文件夹之外" in result.stdout and "layout/extra.css: 链接到刊物文件夹之外" in result.stdout


def test_the_publications_look_is_in_the_manifest_and_the_cache_key(xihu: Path) -> None:
    path = issue_at(xihu)
    sources = manifest.Sources.of(path)
    before = manifest.cache_key(sources, Options())
    assert "publication_files" not in manifest.manifest(sources, Options())
    (xihu / "layout").mkdir()
    css = xihu / "layout" / "extra.css"
    css.write_text(".masthead .name { color: device-cmyk(1 0 0 0); }\n", encoding="utf-8")
    recorded = manifest.manifest(sources, Options())["publication_files"]
    assert [entry["path"] for entry in recorded] == ["layout/extra.css"]
    assert manifest.cache_key(sources, Options()) != before
    keyed = manifest.cache_key(sources, Options())
    css.write_text(".masthead .name { color: device-cmyk(0 1 0 0); }\n", encoding="utf-8")
    os.utime(css, ns=(1, 1))  # a new hash, not a new time, changes the key
    assert manifest.cache_key(sources, Options()) != keyed


def test_a_rebuilt_archive_issue_says_what_changed_since(tmp_path: Path) -> None:
    archive_pdf = tmp_path / "12.archive.pdf"
    assert run_cli("build", str(SAMPLE), "--for", "archive", "-o", str(archive_pdf)).returncode == 0
    out = tmp_path / "back"
    assert run_cli("extract", str(archive_pdf), "-o", str(out)).returncode == 0
    again = run_cli("build", str(out / "2024" / "12.yaml"), "--for", "archive", "-o", str(tmp_path / "again.pdf"))
    assert again.returncode == 0 and "不同" not in again.stderr
    assert (tmp_path / "again.pdf").read_bytes() == archive_pdf.read_bytes()
    recorded = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    recorded["layout"][0]["sha256"] = "0" * 64
    (out / "manifest.json").write_text(json.dumps(recorded), encoding="utf-8")
    told = run_cli("build", str(out / "2024" / "12.yaml"), "-o", str(tmp_path / "told.pdf"))
    assert told.returncode == 0
    assert f"{recorded['layout'][0]['path']}: 已改动 (changed)" in told.stderr


def test_a_copy_of_the_tools_layout_folder_is_no_override(tmp_path: Path) -> None:
    """The sample's publication.yaml lives in issues/, so the tool's own layout/ beside issues/
    is the default, not an override: its manifest records no publication files."""
    archive = tmp_path / "issues"
    shutil.copytree(ROOT / "issues", archive)
    sources = manifest.Sources.of(archive / "2024" / "12.yaml")
    assert sources.root == archive and sources.look_files() == []
