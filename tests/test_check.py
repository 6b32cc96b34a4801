"""`bulletin-print check`, and the checks `build` runs first: every error class of docs/errors.md fed
through the CLI (exit code, file:line message, no PDF), the archive ledger, glyph coverage, the
punctuation lint and its --fix, `new` and `fonts`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, run_cli, make_archive

SAMPLE_TEXT = SAMPLE.read_text(encoding="utf-8")


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A copy of the archive (publication file and sample issue) to spoil."""
    return make_archive(tmp_path / "issues").parents[1]


def sample(**changes: str) -> str:
    text = SAMPLE_TEXT
    for old, new in changes.items():
        text = text.replace(old.replace("_", " "), new, 1)
    return text


def next_issues(root: Path, *specs: tuple[str, int, int, str]) -> None:
    """Write issues after the sample: (file, 期, 总第, date)."""
    for name, number, total, date in specs:
        text = SAMPLE_TEXT.replace("number: 12", f"number: {number}").replace("total: 700", f"total: {total}")
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text.replace("date: 2024-08-16", f"date: {date}"), encoding="utf-8")


# (id, how the sample is spoiled (old → new in the file's text), message, the line it names)
BIG_PARAGRAPH = "          - " + "字" * 200_001 + "\n"
CASES = [
    ("yaml", {"date: 2024-08-16": "date: [2024-08-16"}, "YAML 格式错误 (malformed YAML)", 7),
    ("alias", {"editor: 杨青青": "editor: &e 杨青青\ncompiler: *e"}, "compiler: 不支持 YAML 锚点和别名 (anchors and aliases are not allowed)", 7),  # at the anchor
    ("duplicate-key", {"editor: 杨青青": "editor: 杨青青\neditor: 张三"}, "editor: 重复的字段 (duplicate key)", 8),
    ("unknown-key", {"editor: 杨青青": "editor: 杨青青\ntitel: 杭州人大信息"}, "titel: 未知字段 (unknown field)；是不是 title? (did you mean title?)", 8),
    ("missing", {"editor: 杨青青       # 本期责任编辑\n": ""}, ": 缺少必填字段 (missing field) editor", 0),
    ("empty", {"editor: 杨青青": 'editor: " "'}, "editor: 不能为空 (must not be empty)", 7),
    ("type", {"number: 12": "number: 十二"}, "number: 应为正整数 (a whole number)", 4),
    ("not-positive", {"number: 12": "number: 0"}, "number: 应为不小于 1 的数 (must be ≥ 1)", 4),
    ("date", {"date: 2024-08-16": "date: 2024-13-01"}, "date: 「2024-13-01」不是有效日期，应写作 2024-08-16 (not a date: write YYYY-MM-DD)", 6),
    ("edition", {"edition: 普刊": "edition: 月刊"}, "edition: 刊别应为 普刊、增刊、专刊 之一 (edition must be one of them)", 3),
    ("no-glyph", {"editor: 杨青青": "editor: 杨青青😀"}, "editor: 「😀」(U+1F600) 所有字体都没有，无法排印；请换一种写法"
     "（如改用文字说明、通用规范汉字表中的字），或把有此字的字体放进刊物的 fonts/ 文件夹 (no font has this character:"
     " write it another way, or put a font that has it in the publication's fonts/)", 7),
    ("private-use", {"editor: 杨青青": 'editor: "杨青\\ue000青"'}, "editor: 「\ue000」(U+E000) 是私用区字符（多由造字程序造出，"
     "换一台电脑、换一种字体就变样），无法排印；请改用这个字在 Unicode 中的标准编码（生僻字多在扩展 B 区及以后），或换一种写法，"
     "或把造出此字的字体放进刊物的 fonts/ 文件夹 (a private-use character: use the character's standard code point, write it"
     " another way, or put the font that made it in the publication's fonts/)", 7),
    ("private-use-in-a-font", {"一是聚焦监督计划": "一是聚焦\ue78d监督计划"}, "第1篇《市人大常委会持续推动“人大+审计”协同机制走深走实》"
     "第2段：「\ue78d」(U+E78D) 是私用区字符", 16),
    ("control", {"editor: 杨青青": 'editor: "杨青\\a青"'}, "editor: 含有看不见的控制字符 U+0007，请删去 (control character)", 7),
    ("too-many-paragraphs", {"        attribution: 预算工委 吴颖\n": "          - 补充一段。\n" * 1000 + "        attribution: 预算工委 吴颖\n"},
     "columns: 段落过多：共 1037 段，上限为 1000 段，请分成几期 (too many paragraphs)", 9),
    ("too-long", {"        attribution: 预算工委 吴颖\n": BIG_PARAGRAPH + "        attribution: 预算工委 吴颖\n"},
     "columns: 正文过长：共 ", 9),
    ("path-number", {"number: 12": "number: 11", "total: 700": "total: 699"},
     "number: 普刊第11期的文件名应为 2024/11.yaml，而不是 2024/12.yaml (path disagrees with the number)", 4),
    ("path-year", {"date: 2024-08-16": "date: 2025-01-16"},
     "date: 日期在 2025 年，文件却在 2024 文件夹；应为 2025/12.yaml (path disagrees with the date)", 6),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_error_classes_refuse_the_build(case, archive: Path, tmp_path: Path) -> None:
    _, changes, message, line = case
    issue = archive / "2024" / "12.yaml"
    text = SAMPLE_TEXT
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new, 1)
    issue.write_text(text, encoding="utf-8")
    out = tmp_path / "out.pdf"
    result = run_cli("build", str(issue), "-o", str(out))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    where = f"{issue}:{line}:" if line else f"{issue}:"
    assert any(l.startswith(where) and message in l for l in result.stderr.splitlines()), result.stderr
    assert "未生成 PDF (no PDF written)" in result.stderr
    assert not out.exists() and not list(tmp_path.glob("*.pdf*"))


@pytest.mark.parametrize("bad", ["missing", "undecodable", "too-large"])
def test_file_level_errors(bad: str, archive: Path, tmp_path: Path) -> None:
    issue = archive / "2024" / "12.yaml"
    if bad == "missing":
        issue.unlink()
        message = "文件不存在 (file not found)"
    elif bad == "undecodable":
        issue.write_bytes(SAMPLE_TEXT.encode("gbk"))  # line 2 is "# 《杭州人大信息》…"
        message = "不是 UTF-8 编码的文字，请另存为 UTF-8 (not UTF-8 text: save it as UTF-8)"
    else:
        issue.write_text(SAMPLE_TEXT + ("# " + "x" * 1000 + "\n") * 2200, encoding="utf-8")
        message = "文件过大：2.1 MB，上限为 2 MB (file too large)"
    out = tmp_path / "out.pdf"
    result = run_cli("build", str(issue), "-o", str(out))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    where = f"{issue}:2:3:" if bad == "undecodable" else f"{issue}:"
    assert f"{where} {message}" in result.stderr, result.stderr
    assert not out.exists()


def test_all_problems_at_once(archive: Path) -> None:
    issue = archive / "2024" / "12.yaml"
    issue.write_text(sample(**{"number: 12": "number: 0", "editor: 杨青青": "editor: ''\ntitel: x"}), encoding="utf-8")
    result = run_cli("check", str(issue))
    assert result.returncode == 1
    errors = [l for l in result.stdout.splitlines() if "提醒" not in l]
    assert len(errors) == 3, result.stdout
    assert "3 个错误 (errors)" in result.stderr


# ------------------------------------------------------------------------------------ ledger


def ledger_errors(root: Path) -> list[str]:
    """The errors `check` finds under root, less the placeholders `new` writes on purpose."""
    result = run_cli("check", "-q", str(root))
    assert "Traceback" not in result.stderr
    errors = result.stdout.splitlines()
    assert (result.returncode == 0) == (errors == []), (result.returncode, errors)
    return [e for e in errors if "(placeholder text: write the real one)" not in e]


def test_check_passes_on_the_repository() -> None:
    result = run_cli("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 个错误 (errors)" in result.stderr
    # the sample keeps its half-width commas as published: warnings, not errors
    assert "提醒 (warning)" in result.stdout and "半角逗号" in result.stdout


def test_a_good_archive_across_years_and_editions(archive: Path) -> None:
    next_issues(archive, ("2024/13.yaml", 13, 701, "2024-08-30"), ("2025/1.yaml", 1, 702, "2025-01-10"),
                ("2025/2.yaml", 2, 703, "2025-01-10"))
    (archive / "2024" / "zengkan-1.yaml").write_text(
        sample(**{"edition: 普刊": "edition: 增刊", "number: 12": "number: 1", "total: 700": "total: 1"}), encoding="utf-8")
    assert ledger_errors(archive) == []


def test_total_skips_a_number(archive: Path) -> None:
    next_issues(archive, ("2024/13.yaml", 13, 701, "2024-08-30"), ("2024/14.yaml", 14, 703, "2024-09-13"))
    assert ledger_errors(archive) == [
        f"{archive}/2024/14.yaml:5:8: total: 总第703期接在 2024/13.yaml（总第701期）之后，应为总第702期 (总第 must go up by one)"]


def test_duplicated_issue(archive: Path) -> None:
    next_issues(archive, ("2024/13.yaml", 13, 701, "2024-08-30"))
    shutil.copy(archive / "2024" / "13.yaml", archive / "2024" / "14.yaml")  # copied, numbers left as they were
    assert ledger_errors(archive) == [
        f"{archive}/2024/14.yaml:4:9: number: 与 2024/13.yaml 重复：同为普刊2024年第13期（总第701期） (duplicate issue)"]


def test_date_goes_backwards(archive: Path) -> None:
    next_issues(archive, ("2024/13.yaml", 13, 701, "2024-08-01"), ("2024/14.yaml", 14, 702, "2024-09-13"))
    assert ledger_errors(archive) == [
        f"{archive}/2024/13.yaml:6:7: date: 日期 2024-08-01 早于上一期 2024/12.yaml 的 2024-08-16 (date goes backwards)"]


def test_number_gap_and_new_year(archive: Path) -> None:
    next_issues(archive, ("2024/14.yaml", 14, 701, "2024-08-30"), ("2025/2.yaml", 2, 702, "2025-01-10"))
    assert ledger_errors(archive) == [
        f"{archive}/2024/14.yaml:4:9: number: 第14期接在 2024/12.yaml（第12期）之后，应为第13期 (期 must go up by one within a year)",
        f"{archive}/2025/2.yaml:4:9: number: 2025年的第一期普刊应为第1期，而不是第2期 (the first issue of a year is 1)"]


def test_build_refuses_an_issue_that_breaks_the_ledger(archive: Path, tmp_path: Path) -> None:
    next_issues(archive, ("2024/13.yaml", 13, 702, "2024-08-30"))
    out = tmp_path / "13.pdf"
    result = run_cli("build", str(archive / "2024" / "13.yaml"), "-o", str(out))
    assert result.returncode == 1 and "总第 must go up by one" in result.stderr and not out.exists()


def test_other_issues_numbering_is_remembered_by_content(archive: Path, tmp_path: Path, monkeypatch) -> None:
    """Checking one issue reads the numbering of the archive's other issues from the store for as
    long as their bytes (and the tool) are the same; an edited or unreadable one is read again."""
    import json

    from bulletin_print import check, ledger

    store = tmp_path / "numbering.json"
    monkeypatch.setattr(ledger, "NUMBERING_STORE", store)
    next_issues(archive, ("2024/13.yaml", 13, 701, "2024-08-30"), ("2024/14.yaml", 14, 702, "2024-09-13"))
    target, before = archive / "2024" / "14.yaml", archive / "2024" / "13.yaml"
    read: list[str] = []  # every file read: the one checked, and the others the ledger reads afresh
    check_file, read_member = check.check_file, ledger._read
    monkeypatch.setattr(check, "check_file", lambda path, **kw: read.append(path.name) or check_file(path, **kw))
    monkeypatch.setattr(ledger, "_read", lambda path: read.append(path.name) or read_member(path))

    def ledger_of_14() -> list[str]:
        read.clear()
        return [p.message for p in check.errors(check.check_paths([target]))]

    assert ledger_of_14() == [] and sorted(read) == ["12.yaml", "13.yaml", "14.yaml"]
    assert ledger_of_14() == [] and read == ["14.yaml"]  # the others remembered
    before.write_text(before.read_text(encoding="utf-8").replace("total: 701", "total: 703"), encoding="utf-8")
    assert "总第702期接在 2024/12.yaml（总第700期）之后，应为总第701期 (总第 must go up by one)" in ledger_of_14()
    # the edited one read again; the refusal confirmed by reading afresh the one the store spoke for
    assert read == ["14.yaml", "13.yaml", "12.yaml"]
    before.write_text(before.read_text(encoding="utf-8").replace("number: 13", "number: 十三"), encoding="utf-8")
    assert "总第702期接在 2024/12.yaml（总第700期）之后，应为总第701期 (总第 must go up by one)" in ledger_of_14()
    data = json.loads(store.read_text(encoding="utf-8"))
    assert sum(entry is None for entry in data["entries"].values()) == 1  # one that cannot be read, remembered as such
    store.write_text(json.dumps({**data, "code": "another version of the tool"}), encoding="utf-8")
    ledger_of_14()
    assert sorted(read) == ["12.yaml", "13.yaml", "14.yaml"]  # another tool's store is not trusted


# ------------------------------------------------------------------------- glyphs, punctuation


def test_rare_characters_are_fallback_warnings(archive: Path) -> None:
    issue = archive / "2024" / "12.yaml"
    issue.write_text(sample(**{"attribution: 预算工委 吴颖": "attribution: 预算工委 吴𬌗", "一是聚焦监督计划": "一是聚焦䶮监督计划"}),
                     encoding="utf-8")
    result = run_cli("check", str(issue))
    assert result.returncode == 0, result.stdout
    assert (f"{issue}:19:22: 提醒 (warning): columns[0].articles[0].attribution: 第1篇《市人大常委会持续推动“人大+审计”协同机制走深走实》"
            "署名：「𬌗」(U+2C317) 楷体署名字体没有，将用备用字体 Bulletin Fallback 排印 (only in a fallback font)") in result.stdout
    assert re.search(r":16:\d+: 提醒 \(warning\): columns\[0\]\.articles\[0\]\.paragraphs\[1\]: 第1篇《.*》第2段：「䶮」\(U\+4DAE\) 正文", result.stdout)


def test_punctuation_lint_and_fix(archive: Path) -> None:
    issue = archive / "2024" / "12.yaml"
    text = SAMPLE_TEXT.replace("editor: 杨青青       # 本期责任编辑",
                               "editor: 杨青青       # 本期责任编辑\n# a comment the fix must keep") + (
        "    - text: 会议(扩大)于5-6日召开,听取汇报 审议 \"报告\" 与“决定”  # 行尾注释\n"
        "    - text: \"多行文字,\n        不能自动改\"\n")
    issue.write_text(text, encoding="utf-8")
    result = run_cli("check", str(issue))
    assert result.returncode == 0
    brief = [l for l in result.stdout.splitlines() if "briefs.items[2].text" in l]
    assert [l.split(": ", 3)[-1] for l in brief] == [  # in the order of their columns
        "半角括号「(…)」括着中文，应为全角「（…）」 (half-width brackets around Chinese text)",
        "数字范围「5-6」用了半角连字符，应为浪纹线「～」 (ASCII hyphen in a number range)",
        "半角逗号「,」夹在汉字之间，应为全角「，」 (half-width punctuation in Chinese text)",
        "汉字之间多了空格 (stray space inside Chinese text)",
        "引号混用：直引号「\"」与中文引号「“”」并用，应统一为「“”」 (mixed quote styles)",
    ]
    line = line_of(text, "会议(扩大)")
    assert all(l.startswith(f"{issue}:{line}:") for l in brief)
    assert f"{issue}:{line}:26: 提醒 (warning): briefs.items[2].text: 半角逗号" in result.stdout  # the comma, to the column

    fixed = run_cli("check", "--fix", str(issue))
    assert fixed.returncode == 0
    assert (archive / "2024" / "12.yaml.bak").read_text(encoding="utf-8") == text
    after = issue.read_text(encoding="utf-8")
    assert "    - text: 会议（扩大）于5～6日召开，听取汇报审议 “报告” 与“决定”  # 行尾注释\n" in after
    assert "# a comment the fix must keep\n" in after and "# 本期责任编辑" in after
    assert "\"多行文字,\n" in after  # left for the editor, and said so
    # the key order and every other line are as they were
    keys = lambda t: [l.split(":")[0] for l in t.splitlines() if re.match(r"^\s*[a-z]+:", l)]
    assert keys(after) == keys(text)
    assert len(after.splitlines()) == len(text.splitlines())
    assert "半角逗号" not in [l for l in fixed.stdout.splitlines() if "paragraphs[0]" in l and "columns[0]" in l]
    assert run_cli("check", "-q", str(issue)).returncode == 0


# ------------------------------------------------------------------------------- new, fonts


def test_new_writes_the_next_issue(archive: Path) -> None:
    result = run_cli("new", "--date", "2024-08-30", "--archive", str(archive))
    assert result.returncode == 0, result.stderr
    created = archive / "2024" / "13.yaml"
    text = created.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    schema = text.splitlines()[0].split("=", 1)[1]
    assert (created.parent / schema).resolve() == (ROOT / "schema" / "issue.schema.json").resolve()
    assert "number: 13" in text and "total: 701" in text and "date: 2024-08-30" in text and "editor: 杨青青" in text
    assert ledger_errors(archive) == []
    # its stand-ins are errors until the editor writes the issue: they must never be printed
    placeholders = run_cli("check", "-q", str(created)).stdout.splitlines()
    assert [line.split(": ")[1] for line in placeholders] == [
        "columns[0].articles[0].title", "columns[0].articles[0].paragraphs[0]", "columns[0].articles[0].attribution"]
    assert run_cli("build", str(created), "-o", str(archive / "new.pdf")).returncode == 1
    assert not (archive / "new.pdf").exists()
    # a new year starts at 1; 总第 goes on
    result = run_cli("new", "--date", "2025-01-09", "--archive", str(archive))
    assert result.returncode == 0 and "2025年第1期（总第702期）" in result.stdout
    assert ledger_errors(archive) == []
    # a 增刊 has its own sequence and file name
    result = run_cli("new", "--date", "2025-01-10", "--edition", "增刊", "--archive", str(archive))
    assert result.returncode == 0 and (archive / "2025" / "zengkan-1.yaml").is_file()
    assert ledger_errors(archive) == []
    # refusals
    assert run_cli("new", "--date", "2024-01-01", "--archive", str(archive)).returncode == 1
    assert run_cli("new", "--date", "2025-13-01", "--archive", str(archive)).returncode == 2
    assert run_cli("new", "--edition", "月刊", "--archive", str(archive)).returncode == 2


def test_fonts_lists_roles_licences_and_coverage() -> None:
    result = run_cli("fonts")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^body +Bulletin Body  \(\S+\.(otf|ttf)\)$", result.stdout, re.MULTILINE)
    assert "      GB 2312: 7445/7445 (100.0%)\n      通用规范汉字表: 8105/8105 (100.0%)\n" in result.stdout  # the title fonts
    assert "OFL-1.1" in result.stdout and "Hanazono" in result.stdout


def test_character_lists() -> None:
    from bulletin_print.fonts import charset

    gb, tygf = charset("gb2312"), charset("tygf8105")
    assert len(gb) == len(set(gb)) == 7445 and len(tygf) == len(set(tygf)) == 8105
    assert tygf.startswith("一乙二十丁") and "䶮" in tygf and "𬌗" in tygf
    assert gb.startswith("　、。") and "啊" in gb


def test_help_of_the_new_commands() -> None:
    for command in ("check", "new", "fonts"):
        result = run_cli(command, "--help")
        assert result.returncode == 0 and "Usage:" in result.stdout
