"""Hostile and broken issue and publication files (issue 15), one named case each: a located
message on one line and exit 1, never a traceback, a hang or a wrong PDF.

Most cases run the command in this process (click's runner, exceptions not caught, so a
traceback fails the test); those that depend on the real terminal (a lone surrogate printed to
stdout) or on wall time run it in a fresh process, as an editor would."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bulletin_print import load
from bulletin_print.cli import main
from conftest import ROOT, SAMPLE, make_archive, run_cli

SAMPLE_TEXT = SAMPLE.read_text(encoding="utf-8")
PUBLICATION_TEXT = (ROOT / "issues" / "publication.yaml").read_text(encoding="utf-8")


def cli(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def spoil(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def issue(tmp_path: Path) -> Path:
    """The sample issue in a throw-away archive at tmp_path/issues/."""
    return make_archive(tmp_path / "issues")


@pytest.fixture
def publication(issue: Path) -> Path:
    return issue.parents[1] / "publication.yaml"


def refused(output: str, where: str, message: str) -> None:
    """`message` on a line of its own that begins at `where` (file:line:column: field:)."""
    assert "Traceback" not in output
    assert any(line.startswith(where) and message in line for line in output.splitlines()), output[-3000:]


def check_and_build_refuse(issue: Path, where: str, message: str, tmp_path: Path) -> None:
    """`check` and `build` both refuse the issue with the message, exit 1, and no PDF."""
    checked = cli("check", "-q", issue)
    assert checked.exit_code == 1
    refused(checked.output, where, message)
    out = tmp_path / "out.pdf"
    built = cli("build", issue, "-o", out)
    assert built.exit_code == 1
    refused(built.output, where, message)
    assert not out.exists()


# ----------------------------------------------------- lone surrogates, control characters, nesting

SURROGATE = "含有不成对的代理字符 U+D800（如转义 \\ud800），无法存为 UTF-8，请删去 (lone surrogate)"


@pytest.mark.parametrize("old, new, where", [
    ("editor: 杨青青", '"k\\ud800": 1', "7:1: k\\ud800:"),
    ("date: 2024-08-16", 'date: "2024-08-1\\ud800"', "6:7: date:"),
    ("- 市人大常委会持续推动", '- "市人大\\ud800"', "12:13: columns[0].articles[0].title[0]:"),
    ("editor: 杨青青", 'editor: "杨\\ud800"', "7:9: editor:"),
], ids=["key", "date", "title", "value"])
def test_lone_surrogate_is_a_located_problem(issue: Path, tmp_path: Path, old: str, new: str, where: str) -> None:
    """A YAML escape such as "\\ud800" makes a lone surrogate, which cannot be printed or
    written as UTF-8: it used to end `check` in a UnicodeEncodeError when the message was printed."""
    spoil(issue, old, new)
    for args in (["check", "-q", str(issue)], ["build", str(issue), "-o", str(tmp_path / "out.pdf")]):
        result = run_cli(*args)
        assert result.returncode == 1, result.stderr
        refused(result.stdout + result.stderr, f"{issue}:{where}", SURROGATE)
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize("char", ["\x01", "\x1b", "\x7f", "\x85", "\u2028", "\ufffe"])
def test_control_character_in_the_file_is_located(issue: Path, tmp_path: Path, char: str) -> None:
    """YAML refuses most control characters without saying where, and reads U+0085, U+2028 and
    U+2029 as line breaks, which put every later message on the wrong line."""
    spoil(issue, "editor: 杨青青", f"editor: 杨{char}青")
    check_and_build_refuse(issue, f"{issue}:7:10:", f"含有看不见的控制字符 U+{ord(char):04X}，请删去 (control character)",
                           tmp_path)


@pytest.mark.parametrize("text, where", [
    ("columns: " + "[" * 50_000 + "]" * 50_000 + "\n", "1:30:"),  # PyYAML's parser: too deep for libyaml
    ("columns: " + "{a: " * 1_200 + "1" + "}" * 1_200 + "\n", "1:87:"),  # the 20th mapping's key
    ("columns:\n" + "".join(" " * i + "-\n" for i in range(1, 1_500)), "22:22:"),
    ("columns: " + "[" * 400 + "]" * 400 + "\n", "1:30:"),  # libyaml's parser
], ids=["flow-50000", "flow-mapping-1200", "block-1500", "flow-400"])
def test_deep_nesting_is_located(issue: Path, tmp_path: Path, text: str, where: str) -> None:
    """The 21st level is where the file goes too deep (the document's mapping is level 0)."""
    issue.write_text(text, encoding="utf-8")
    check_and_build_refuse(issue, f"{issue}:{where}", "嵌套层数过多，超过 20 层 (nested too deeply)", tmp_path)


# ------------------------------------------------------------------- paths that are not issue files


def test_a_symlink_loop_as_the_issue_file(issue: Path, tmp_path: Path) -> None:
    loop = issue.with_name("13.yaml")
    loop.symlink_to(loop.name)
    check_and_build_refuse(loop, f"{loop}:", "符号链接形成循环 (symlink loop)", tmp_path)


def test_a_folder_named_like_an_issue_file(issue: Path, tmp_path: Path) -> None:
    """It used to be searched as a folder of issues: "0 errors", "0 built", exit 0."""
    folder = issue.with_name("13.yaml")
    folder.mkdir()
    check_and_build_refuse(folder, f"{folder}:", "是文件夹，不是文件 (a folder, not a file)", tmp_path)
    checked = cli("check", "-q", issue.parents[1])  # and found in an archive, it is said too
    assert checked.exit_code == 1
    refused(checked.output, f"{folder}:", "是文件夹，不是文件 (a folder, not a file)")


def test_a_fifo_in_an_archive_is_reported_not_waited_on(issue: Path) -> None:
    fifo = issue.with_name("13.yaml")
    os.mkfifo(fifo)
    checked = cli("check", "-q", issue.parents[1])
    assert checked.exit_code == 1
    refused(checked.output, f"{fifo}:", "不是普通文件（管道、设备或套接字），不能读取 (not a regular file)")


@pytest.mark.parametrize("command", [
    ["check"], ["build"], ["preview"], ["watch"], ["import", "text"], ["extract", "-o", "out"],
    ["import", "docx", "--into", "{issue}"], ["import", "docx", "{issue}", "--into"],
], ids=["check", "build", "preview", "watch", "import-text", "extract", "import-docx", "import-docx-into"])
@pytest.mark.parametrize("bad", ["missing", "folder"])
def test_an_unreadable_file_is_a_problem_not_a_usage_error(issue: Path, tmp_path: Path, command: list[str],
                                                           bad: str) -> None:
    """Exit 1 with the project's message in Chinese and English, as for any problem of the input;
    click's English usage error (exit 2) is for mistakes in the command line itself."""
    path = tmp_path / ("nope.yaml" if bad == "missing" else "folder.yaml")
    if bad == "folder":
        path.mkdir()
    args = [a.replace("{issue}", str(issue)) for a in command] + [str(path)]
    result = cli(*args)
    assert result.exit_code == 1, result.output
    message = "文件不存在 (file not found)" if bad == "missing" else "是文件夹，不是文件 (a folder, not a file)"
    refused(result.output, f"{path}:", message)


@pytest.mark.parametrize("args", [["build", "--nope", "x.yaml"], ["build", "x.yaml", "--for", "paper"],
                                  ["preview", "x.yaml", "--dpi", "5"], ["check", "--nope"]])
def test_usage_mistakes_stay_exit_2(args: list[str]) -> None:
    assert cli(*args).exit_code == 2


# ------------------------------------------------------------------------------------ lengths

# (file, text in the sample, its replacement, where (line:column: field), the message)
LONG = [
    ("publication", "title: 杭州人大信息", "title: " + "杭" * 13, "2:8: title:", "过长：共 13 字，上限为 12 字"),
    ("publication", "title: 杭州人大信息", "title: 杭", "2:8: title:", "过短：至少 2 个字 (too short: at least 2 characters)"),
    ("publication", "compiler: 杭州市人大常委会研究室编", "compiler: " + "编" * 21, "3:11: compiler:", "过长：共 21 字，上限为 20 字"),
    ("publication", "[普刊, 增刊, 专刊]", "[普刊, 增刊, 专刊专刊专刊专刊专]", "4:20: editions[2]:", "过长：共 9 字，上限为 8 字"),
    ("publication", "  - label: 送", "  - label: 送送送送送", "8:12: distribution[0].label:", "过长：共 5 字，上限为 4 字"),
    ("publication", "text: 省人大常委会办公厅、研究室", "text: " + "厅" * 301, "9:11: distribution[0].text:", "过长：共 301 字，上限为 300 字"),
    ("publication", 'phone: "(0571)85250657"', "phone: '" + "5" * 33 + "'", "12:8: phone:", "过长：共 33 字，上限为 32 字"),
    ("issue", "editor: 杨青青", "editor: " + "杨" * 17, "7:9: editor:", "过长：共 17 字，上限为 16 字"),
    ("issue", "  - name: 要闻速递", "  - name: 要闻速递要闻速递要", "9:11: columns[0].name:", "过长：共 9 字，上限为 8 字"),
    ("issue", "          - 市人大常委会持续推动\n", "          - " + "题" * 121 + "\n", "12:13: columns[0].articles[0].title[0]:",
     "过长：共 121 字，上限为 120 字"),
    ("issue", "          - 市人大常委会持续推动\n", "          - " + "题" * 106 + "\n", "12:11: columns[0].articles[0].title:",
     "过长：共 121 字，上限为 120 字"),  # 106 + the second line's 15: the lines together
    ("issue", "attribution: 预算工委 吴颖", "attribution: " + "工" * 101, "19:22: columns[0].articles[0].attribution:",
     "过长：共 101 字，上限为 100 字"),
    ("issue", "  column: 信息摘登", "  column: 信息摘登信息摘登信", "91:11: briefs.column:", "过长：共 9 字，上限为 8 字"),
    ("issue", "attribution: 淳安县监察和法制司法工委 方亚平", "attribution: " + "县" * 101, "94:20: briefs.items[0].attribution:",
     "过长：共 101 字，上限为 100 字"),
]


@pytest.mark.parametrize("case", LONG, ids=[f"{c[3].split()[-1][:-1]}{'-short' if '过短' in c[4] else ''}" for c in LONG])
def test_every_text_field_has_a_length_limit(issue: Path, publication: Path, tmp_path: Path, case) -> None:
    which, old, new, where, message = case
    path = publication if which == "publication" else issue
    spoil(path, old, new)
    check_and_build_refuse(issue, f"{path}:{where}", message, tmp_path)


def test_fields_at_their_limits_pass(issue: Path, publication: Path) -> None:
    """Each limit is a bound, not one character short of it."""
    spoil(publication, "title: 杭州人大信息", "title: " + "杭" * 12)
    spoil(publication, "compiler: 杭州市人大常委会研究室编", "compiler: " + "编" * 20)
    spoil(publication, "text: 省人大常委会办公厅、研究室", "text: " + "厅" * 300)
    spoil(issue, "  - name: 要闻速递", "  - name: 要闻速递要闻速递")
    spoil(issue, "          - 市人大常委会持续推动\n", "          - " + "题" * 105 + "\n")  # + 15: 120
    spoil(issue, "attribution: 预算工委 吴颖", "attribution: " + "工" * 100)
    spoil(issue, "  column: 信息摘登", "  column: 信息摘登信息摘登")
    checked = cli("check", "-q", issue)
    assert checked.exit_code == 0, checked.output


def test_editor_and_phone_too_long_for_one_line_take_two(issue: Path, publication: Path, tmp_path: Path) -> None:
    """本期责任编辑：X and 电话：Y share the 版记's last line; at their longest (16 and 32
    characters) they do not fit one, and the phone goes to the next line, at the right."""
    import pdfplumber

    spoil(issue, "editor: 杨青青", "editor: " + "杨" * 16)
    spoil(publication, 'phone: "(0571)85250657"', 'phone: "(0571)85250657（传真 85250658，值班 1）"')
    out = tmp_path / "long.pdf"
    assert cli("build", issue, "-o", out).exit_code == 0  # the preflight found nothing on the pages
    with pdfplumber.open(out) as pdf:
        words = pdf.pages[-1].extract_words()
    editor = next(w for w in words if w["text"].startswith("本期责任编辑"))
    phone = next(w for w in words if w["text"].startswith("电话"))
    assert phone["top"] > editor["bottom"]  # a line below
    assert abs(max(w["x1"] for w in words if abs(w["top"] - phone["top"]) < 2) - (28 + 156) * 72 / 25.4) < 1


@pytest.mark.parametrize("which, old, new, where", [
    ("publication", "compiler: 杭州市人大常委会研究室编", "compiler: " + "编" * 20_000, "3:11: compiler:"),
    ("publication", 'phone: "(0571)85250657"', 'phone: "' + ("(0571)85250657，" * 1400)[:20_000] + '"', "12:8: phone:"),
    ("issue", "editor: 杨青青", "editor: " + "杨" * 20_000, "7:9: editor:"),
    ("issue", "  column: 信息摘登", "  column: " + "摘" * 350_000, "91:11: briefs.column:"),
    ("publication", "text: 省人大常委会办公厅、研究室", "text: " + "厅" * 20_000, "9:11: distribution[0].text:"),
], ids=["compiler", "phone", "editor", "briefs-column", "distribution"])
def test_hostile_lengths_are_refused_quickly(issue: Path, publication: Path, tmp_path: Path,
                                             which: str, old: str, new: str, where: str) -> None:
    """These kept WeasyPrint busy for 40 s to more than 150 s (a 20,000-character 编印单位 or 责任编辑
    never finished); now the schema refuses them before anything is laid out."""
    path = publication if which == "publication" else issue
    spoil(path, old, new)
    out = tmp_path / "out.pdf"
    start = time.monotonic()
    result = run_cli("build", str(issue), "-o", str(out))
    elapsed = time.monotonic() - start
    assert result.returncode == 1 and not out.exists()
    refused(result.stderr, f"{path}:{where}", "过长：共 ")
    assert elapsed < 2, elapsed


# ------------------------------------------------------------------------------------ numbers


NUMBERS = [  # (as written, the message)
    ("12.0", "「12.0」应写作不带小数点、前导零、正号或其他记法的整数，如 12 (write a plain whole number such as 12)"),
    ("700.0", "「700.0」应写作"), ("012", "「012」应写作"), ("1:0", "「1:0」应写作"), ("1_000", "「1_000」应写作"),
    ("+12", "「+12」应写作"), ("0x1F", "「0x1F」应写作"), ('!!int "700"', "「700」应写作"),
    ("0o12", "应为正整数 (a whole number)"), ("1e3", "应为正整数 (a whole number)"),  # text to YAML 1.1
    ('"700"', "应为正整数 (a whole number)"),
    ("1" * 19, "数字过大：19 位 (number too large)"), ("100000", "应为不大于 99999 的数 (must be ≤ 99999)"),
]


@pytest.mark.parametrize("written, message", NUMBERS, ids=[f"{len(w)}-digits" if len(w) > 10 and w.isdigit() else w for w, _ in NUMBERS])
def test_total_must_be_a_plain_whole_number(issue: Path, tmp_path: Path, written: str, message: str) -> None:
    """YAML 1.1 reads 012 as 10 (octal) and 1:0 as 60 (sexagesimal): they printed 总第10期 and
    总第60期, and 700.0 printed 总第700.0期, all with exit 0."""
    spoil(issue, "total: 700", f"total: {written}")
    check_and_build_refuse(issue, f"{issue}:5:8: total:", message, tmp_path)


def test_number_must_be_a_plain_whole_number(issue: Path, tmp_path: Path) -> None:
    spoil(issue, "number: 12", "number: 12.0")
    check_and_build_refuse(issue, f"{issue}:4:9: number:", "「12.0」应写作", tmp_path)
    spoil(issue, "number: 12.0", "number: 1000")
    check_and_build_refuse(issue, f"{issue}:4:9: number:", "应为不大于 999 的数 (must be ≤ 999)", tmp_path)


@pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.inf"])
def test_colours_must_be_finite(publication: Path, issue: Path, tmp_path: Path, value: str) -> None:
    """jsonschema's minimum and maximum let NaN through: the masthead printed black."""
    spoil(publication, "red: [0, 0.8, 0.8, 0]", f"red: [0, {value}, 0.8, 0]")
    check_and_build_refuse(issue, f"{publication}:6:12: colours.red[1]:", f"「{value}」应为有限的数 (must be a finite number)",
                           tmp_path)


# ---------------------------------------------------------------------------- one line each


@pytest.mark.parametrize("old, new, shown", [
    ("editor: 杨青青", '"edi\\ntor": x', "edi\\ntor: 未知字段"),
    ("editor: 杨青青", '"\\e[31mred": x', "\\x1b[31mred: 未知字段"),
    ("date: 2024-08-16", 'date: "2024-08-16\\n"', "date: 「2024-08-16\\n」不是有效日期"),
    ("date: 2024-08-16", 'date: "2024-08-16\\u2028"', "date: 「2024-08-16\\u2028」不是有效日期"),
], ids=["newline-in-key", "escape-code-in-key", "newline-in-value", "line-separator-in-value"])
def test_every_problem_prints_on_one_line(issue: Path, old: str, new: str, shown: str) -> None:
    spoil(issue, old, new)
    checked = cli("check", "-q", issue)
    assert checked.exit_code == 1
    lines = checked.output.splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"{issue}:") and shown in lines[0], lines
    assert lines[1].startswith("1 个错误 (errors)")


def test_a_file_name_with_a_newline_prints_on_one_line(tmp_path: Path) -> None:
    checked = cli("check", tmp_path / "a\nb.yaml")
    assert checked.exit_code == 1
    assert checked.output.splitlines()[0] == f"{tmp_path}/a\\nb.yaml: 文件不存在 (file not found)"


def test_a_long_key_is_cut_short_in_the_message(issue: Path) -> None:
    spoil(issue, "editor: 杨青青", "editor: 杨青青\n? " + "k" * 100_000 + "\n: 1")  # an explicit key: any length
    checked = cli("check", "-q", issue)
    assert checked.exit_code == 1
    line = checked.output.splitlines()[0]
    # the key cut short; the line then lists the known keys (more since issue 13's note, secrecy …)
    assert line.startswith(f"{issue}:8:3: {'k' * 30}…: 未知字段 (unknown field)") and len(line) < 400


# ---------------------------------------------------------------------------------------- new


@pytest.mark.parametrize("edition", ["../../x", "{tmp}/outside"], ids=["climbing", "absolute"])
def test_new_writes_only_inside_the_archive(issue: Path, publication: Path, tmp_path: Path, edition: str) -> None:
    """An edition is part of a file name; one that climbs out of the archive, or an absolute
    path, used to be written there (x-1.yaml two folders up, or {tmp}/outside-1.yaml)."""
    edition = edition.replace("{tmp}", str(tmp_path))
    spoil(publication, "editions: [普刊, 增刊, 专刊]", f'editions: [普刊, 增刊, 专刊, "{edition}"]')
    before = set(tmp_path.rglob("*"))
    result = cli("new", "--date", "2024-08-30", "--edition", edition, "--archive", issue.parents[1])
    assert result.exit_code == 1
    refused(result.output, f"{publication}:4:", "editions[3]: 刊别是文件名的一部分，不能含有 /、\\ 或控制字符，也不能以 . 开头")
    assert set(tmp_path.rglob("*")) == before


def test_new_checks_the_target_lies_inside_the_archive(issue: Path, tmp_path: Path) -> None:
    """A year folder that is a link out of the archive is not written through."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (issue.parents[1] / "2025").symlink_to(outside)
    result = cli("new", "--date", "2025-01-09", "--archive", issue.parents[1])
    assert result.exit_code == 1
    refused(result.output, f"{issue.parents[1]}/2025/1.yaml:", "不在档案文件夹")
    assert list(outside.iterdir()) == []


def test_new_copies_values_through_the_yaml_emitter(issue: Path) -> None:
    """editor: "no" and a 栏目 "要闻: 速递" were copied unquoted (editor: no is false in YAML, and
    name: 要闻: 速递 is not YAML at all): the new file failed `check`."""
    spoil(issue, "editor: 杨青青", 'editor: "no"')
    spoil(issue, "  - name: 要闻速递", '  - name: "要闻: 速递"')
    assert cli("check", "-q", issue).exit_code == 0
    result = cli("new", "--date", "2024-08-30", "--archive", issue.parents[1])
    assert result.exit_code == 0, result.output
    created = issue.with_name("13.yaml")
    data = yaml.safe_load(created.read_text(encoding="utf-8"))
    assert data["editor"] == "no" and data["columns"][0]["name"] == "要闻: 速递"
    checked = cli("check", "-q", created)  # nothing is wrong but the stand-ins, which must be written
    assert all("(placeholder text: write the real one)" in line for line in checked.output.splitlines()[:-1])
    assert len(checked.output.splitlines()) == 4, checked.output


def test_new_does_not_write_through_a_dangling_link(issue: Path) -> None:
    target = issue.with_name("written-through-the-link.yaml")
    issue.with_name("13.yaml").symlink_to(target)
    result = cli("new", "--date", "2024-08-30", "--archive", issue.parents[1])
    assert result.exit_code == 1
    refused(result.output, f"{issue.with_name('13.yaml')}:", "文件已存在，未改动 (file exists, left as it was)")
    assert not target.exists()


# --------------------------------------------------------------------------- publication.yaml


def planted(root: Path) -> Path:
    """A publication.yaml that belongs to no publication, where anyone may write (like /tmp)."""
    path = root / "publication.yaml"
    path.write_text(PUBLICATION_TEXT.replace("title: 杭州人大信息", "title: 植入的刊名"), encoding="utf-8")
    return path


def test_publication_file_is_looked_up_only_inside_the_publication(tmp_path: Path) -> None:
    planted(tmp_path)
    for archive in (tmp_path / "a" / "archive", tmp_path / "a" / "issues", tmp_path / "a" / "b" / "issues"):
        issue = archive / "2024" / "12.yaml"
        issue.parent.mkdir(parents=True)
        issue.write_text(SAMPLE_TEXT, encoding="utf-8")
        assert load.publication_file(issue) is None, archive
        checked = cli("check", "-q", issue)
        assert checked.exit_code == 1
        refused(checked.output, f"{issue}:", "缺少必填字段 (missing field) compiler")
    # where it is looked for: beside the issue, in the archive, beside an archive named issues
    home = tmp_path / "a" / "issues" / "2024" / "12.yaml"
    for folder in (tmp_path / "a", tmp_path / "a" / "issues", tmp_path / "a" / "issues" / "2024"):
        (folder / "publication.yaml").write_text(PUBLICATION_TEXT, encoding="utf-8")
        assert load.publication_file(home) == folder / "publication.yaml"


def test_a_linked_issue_takes_the_publication_file_of_its_archive(issue: Path, tmp_path: Path) -> None:
    """Not the one beside the link's target."""
    other = tmp_path / "other" / "2024" / "13.yaml"
    other.parent.mkdir(parents=True)
    other.write_text(SAMPLE_TEXT.replace("number: 12", "number: 13").replace("total: 700", "total: 701"), encoding="utf-8")
    planted(tmp_path / "other")
    link = issue.with_name("13.yaml")
    link.symlink_to(other)
    assert load.publication_file(link) == issue.parents[1] / "publication.yaml"
    assert load.load_issue(link).title == "杭州人大信息"


def test_a_planted_publication_file_is_not_embedded_in_an_archive_pdf(tmp_path: Path) -> None:
    from bulletin_print import extract

    planted(tmp_path)
    issue = tmp_path / "a" / "archive" / "2024" / "12.yaml"
    issue.parent.mkdir(parents=True)
    own = "".join(line + "\n" for line in PUBLICATION_TEXT.splitlines() if not line.startswith(("#", "editions")))
    issue.write_text(SAMPLE_TEXT + own, encoding="utf-8")  # everything the publication file would give
    out = tmp_path / "out.pdf"
    result = cli("build", issue, "--for", "archive", "-o", out)
    assert result.exit_code == 0, result.output
    embedded = extract.attachments(out)
    assert sorted(embedded) == ["12.yaml", "manifest.json"]  # no publication.yaml: the issue is whole
    assert "植入的刊名".encode("utf-8") not in b"".join(embedded.values())


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_folder_build_fails_what_check_refuses_as_no_issue_file(issue: Path, tmp_path: Path, kind: str) -> None:
    """A FIFO or a folder under an issue's name in the archive: `check` refused it, and a folder
    build skipped it in silence and exited 0 (keying a FIFO would have blocked it)."""
    odd = issue.with_name("13.yaml")
    os.mkfifo(odd) if kind == "fifo" else odd.mkdir()
    archive = issue.parents[1]
    result = cli("build", archive, "-o", tmp_path / "out", "--jobs", "1")
    assert result.exit_code == 1
    assert f"{odd}: " in result.output and "1 期失败 (failed)" in result.output
    assert (tmp_path / "out" / "2024-12.pdf").exists() and not (tmp_path / "out" / "2024-13.pdf").exists()
