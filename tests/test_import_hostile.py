"""`import docx` and `import text` on what is no Word file or no issue's text (issue 15): a wrong
root element, a .doc, a zip bomb, a 2 GB image, too many parts; `--into` a non-UTF-8 file, a FIFO
or 50,000-deep YAML; a 5,000-digit 期, /dev/zero, a text without articles. Each ends in a
located message and exit 1, in bounded time and memory, with nothing written."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

import containers
from conftest import ROOT
from containers import cli, command, finished, make_unreadable

FIXTURE_TEXT = ROOT / "tests" / "fixtures" / "hangzhou-renda-2024-12.txt"


# --- import docx ---------------------------------------------------------------------------------

@pytest.fixture
def into(sample_copy: Path) -> Path:
    return sample_copy


def import_docx(data: bytes, into: Path, tmp_path: Path) -> tuple[int, str, Path]:
    source = tmp_path / "来稿.docx"
    source.write_bytes(data)
    code, said = cli("import", "docx", source, "--into", into)
    return code, said, source


def test_the_good_word_file_goes_in(into: Path, tmp_path: Path) -> None:
    code, said, _ = import_docx(containers.good_docx(), into, tmp_path)
    assert code == 0, said
    assert "拱墅区：代表联络站提质增效" in into.read_text(encoding="utf-8")


WORD_CASES = [
    ("wrong-root", lambda: containers.replace_parts(containers.good_docx(), {"word/document.xml":
        f'<?xml version="1.0"?><w:body {containers.W}><w:p/></w:body>'.encode()}),
     "根元素应为 w:document (not a Word document: its root element is not w:document)"),
    ("doc", lambda: bytes.fromhex("D0CF11E0A1B11AE1") + bytes(4000),
     "这是旧版 Word 文件（.doc），不是 .docx (a .doc file, not .docx)；请用 Word 另存为 .docx，或用 LibreOffice 转换："
     "soffice --headless --convert-to docx 来稿.docx"),
    ("not-zip", lambda: "致各位代表：…".encode() * 100, "not a zip package"),
    ("empty", lambda: b"", "not a zip package"),
    ("zip-bomb", containers.zip_bomb, "部件 (part) 'word/document.xml' 解压后 3072 MB，上限为 10 MB (too large unpacked)"),
    ("ratio-bomb", lambda: containers.zip_bomb(9), "压缩比"),
    ("huge-image", lambda: containers.with_member(containers.good_docx(), "word/media/image1.png",
                                                  containers.zeros_deflated(2048), 2048 << 20),
     "图片 (image) 'word/media/image1.png' 解压后 2048 MB，上限为 20 MB (too large unpacked)"),
    ("too-many-parts", lambda: containers.replace_parts(containers.good_docx(), {f"x/{i}.xml": b"<x/>" for i in range(1001)}),
     "1018 个部件，上限为 1000 个 (too many parts)"),
    ("too-much-together", lambda: _many_large_parts(), "together are too large"),
    ("lying-size", lambda: containers.with_member(containers.good_docx(), "word/document.xml",
                                                  containers.zeros_deflated(50), 1000),
     "not a readable .docx"),
]


def _many_large_parts() -> bytes:
    """Eleven parts that each declare 10 MB (within the part limit, compressed 1:80)."""
    data = containers.good_docx()
    for i in range(11):
        data = containers.with_member(data, f"customXml/big{i}.xml", os.urandom(128 * 1024), 10 * 1024 * 1024)
    return data


@pytest.mark.parametrize("case", WORD_CASES, ids=[c[0] for c in WORD_CASES])
def test_import_docx_refuses_hostile_word_files(case, into: Path, tmp_path: Path) -> None:
    _, make, words = case
    before = into.read_bytes()
    start = time.perf_counter()
    code, said, source = import_docx(make(), into, tmp_path)
    assert code == 1 and said.startswith(f"{source}: ") and words in said, said
    assert time.perf_counter() - start < 5
    assert into.read_bytes() == before


PEAK_RSS = ("import atexit, re, sys\n"
            "atexit.register(lambda: print('peak RSS kB', re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read())[1],"
            " file=sys.stderr))")


def test_a_zip_bomb_is_refused_in_bounded_memory(into: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(containers.zip_bomb(3072))  # 3 MB that inflate to 3 GB
    assert bomb.stat().st_size < 4 * 1024 * 1024
    before = into.read_bytes()
    code, said = finished(command("import", "docx", bomb, "--into", into, prelude=PEAK_RSS))
    assert code == 1 and "refused" in said, said
    peak = int(said.rsplit("peak RSS kB ", 1)[1]) / 1024  # this process's own peak, not its parent's
    assert peak < 200, f"{peak:.0f} MiB"
    assert into.read_bytes() == before


INTO_CASES = [
    ("not-utf8", lambda p: p.write_bytes(b"edition: \xff\xfe\n"), ":1:10: 不是 UTF-8 编码的文字"),
    ("fifo", lambda p: os.mkfifo(p), "not a regular file"),
    ("deep", lambda p: p.write_text("a: " + "[" * 50_000 + "]" * 50_000 + "\n"), "nested too deeply"),
    ("missing", lambda p: None, "file not found"),
    ("folder", lambda p: p.mkdir(), "a folder, not a file"),
]


@pytest.mark.parametrize("case", INTO_CASES, ids=[c[0] for c in INTO_CASES])
def test_import_docx_into_what_is_no_issue_file(case, tmp_path: Path) -> None:
    _, make, words = case
    into = tmp_path / "13.yaml"
    make(into)
    source = tmp_path / "来稿.docx"
    source.write_bytes(containers.good_docx())
    start = time.perf_counter()
    code, said = cli("import", "docx", source, "--into", into)
    assert code == 1 and said.startswith(f"{into}") and words in said, said
    assert time.perf_counter() - start < 5
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["来稿.docx"] + ([into.name] if case[0] != "missing" else []))



# --- import text --------------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "issues").mkdir()
    shutil.copy(ROOT / "issues" / "publication.yaml", tmp_path / "issues")
    return tmp_path


def import_text(project: Path, source: Path, *extra: str) -> tuple[int, str]:
    cwd = os.getcwd()
    os.chdir(project)
    try:
        return cli("import", "text", source, *extra)
    finally:
        os.chdir(cwd)


def test_import_text_refuses_a_five_thousand_digit_number(project: Path) -> None:
    text = FIXTURE_TEXT.read_text(encoding="utf-8").replace("第 12 期", "第 " + "9" * 5000 + " 期", 1)
    source = project / "old.txt"
    source.write_text(text, encoding="utf-8")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "99999" in l)
    code, said = import_text(project, source)
    assert code == 1 and said == f"{source}:{line}:3: 数字过长：5000 位，不是期号或则数 (a number of 5000 digits: not an issue's)\n"
    assert sorted(p.name for p in (project / "issues").iterdir()) == ["publication.yaml"]


@pytest.mark.parametrize("kind, words", [("fifo", "not a regular file"), ("device", "not a regular file"),
                                         ("missing", "file not found"), ("folder", "a folder, not a file")])
def test_import_text_refuses_what_is_no_file(kind: str, words: str, project: Path) -> None:
    source = make_unreadable(kind, project)
    start = time.perf_counter()
    code, said = import_text(project, source)
    assert code == 1 and said.startswith(f"{source}: ") and words in said
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("text", ["", "你好\n\n世界\n", "\ufeff" + "第 1 期(总第 2 期)\n\n2024 年 8 月 16 日\n",
                                  "目 录\n\n- 要闻速递** 某标题\n"])
def test_import_text_refuses_a_text_without_articles(text: str, project: Path) -> None:
    source = project / "old.txt"
    source.write_text(text, encoding="utf-8")
    code, said = import_text(project, source)
    assert code == 1 and said == f"{source}: 没有找到文章：这不像一期简报的文字，未写出文件 (no article found: not the text of an issue; nothing written)\n"
    assert sorted(p.name for p in (project / "issues").iterdir()) == ["publication.yaml"]


def test_import_text_into_a_place_it_cannot_write(project: Path) -> None:
    source = project / "old.txt"
    shutil.copy(FIXTURE_TEXT, source)
    target = source / "12.yaml"  # under a file, not a folder
    code, said = import_text(project, source, "-o", str(target))
    assert code == 1 and said == (f"{target}: 无法写入 (cannot write): 路径中有一段不是文件夹 "
                                  f"(a part of the path is not a folder)\n"), said
