"""The punctuation lint: half-width marks between Chinese characters and similar slips, said as
warnings at their line and column; `check --fix` mends them in place, keeping comments and key
order (a copy of the file kept as FILE.bak)."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from bulletin_print import load
from bulletin_print.model import Problem, warn


HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"


CJK = HAN + r"\u3000-\u303f\uff01-\uff5e\u201c\u201d\u2018\u2019\u2014\u2026"


FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}


NAMES = {",": "逗号", ":": "冒号", ";": "分号", "?": "问号", "!": "叹号"}


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    message: str  # with {mark} for the offending text
    fix: Any  # a replacement string or function for re.sub


def _paren(m: re.Match[str]) -> str:
    return f"（{m.group(1)}）"


RULES = (
    Rule(re.compile(rf"(?<=[{CJK}])([,:;?!])(?=\s*[{CJK}])"),
         "半角{name}「{mark}」夹在汉字之间，应为全角「{full}」|half-width punctuation in Chinese text",
         lambda m: FULL[m.group(1)]),
    Rule(re.compile(rf"\(([^()]*[{HAN}][^()]*)\)"),
         "半角括号「(…)」括着中文，应为全角「（…）」|half-width brackets around Chinese text", _paren),
    Rule(re.compile(rf"(?<=[{HAN}，。；：、“”])[ \t\u3000]+(?=[{HAN}“”])"),
         "汉字之间多了空格|stray space inside Chinese text", ""),
    Rule(re.compile(r"(?<![\d\-.])([1-9]\d*(?:\.\d+)?)-([1-9]\d*(?:\.\d+)?)(?![\d\-])"),
         "数字范围「{mark}」用了半角连字符，应为浪纹线「～」|ASCII hyphen in a number range",
         lambda m: f"{m.group(1)}～{m.group(2)}"),
)


SPACE_RULE = RULES[2]


STRAIGHT_QUOTES = re.compile(r'"([^"]*)"')


NO_LINT = {"phone", "date", "number", "total"}
# Fields whose words a space parts by design: a 署名's unit and name (预算工委 吴颖), and the notice,
# 副题 and topic, whose phrases a full-width space parts (内部资料　注意保存).
SPACED = {"attribution", "notice", "subtitle", "topic", "secrecy"}


def lint_text(text: str, curly: bool, spaces: bool = True) -> tuple[list[tuple[int, str]], str]:
    """The slips in `text` as (offset, message), and the text with them mended.

    `curly`: whether the file quotes with “ ” elsewhere; straight " " then are a mixed style.
    """
    found: list[tuple[int, str]] = []
    fixed = text
    for rule in RULES:
        if rule is SPACE_RULE and not spaces:
            continue
        hits = list(rule.pattern.finditer(fixed))
        if not hits:
            continue
        m = hits[0]
        mark = m.group(1) if m.groups() else m.group(0)
        chinese, english = rule.message.format(mark=m.group(0), name=NAMES.get(mark, ""), full=FULL.get(mark, "")).split("|")
        many = len(hits) > 1
        message = f"{chinese}{f'，共 {len(hits)} 处' if many else ''} ({english}{f', {len(hits)} times' if many else ''})"
        found.append((text.find(m.group(0)) if fixed == text else m.start(), message))
        fixed = rule.pattern.sub(rule.fix, fixed)
    has_straight = '"' in fixed and re.search(f"[{HAN}]", fixed)
    if has_straight and (curly or "“" in fixed):
        found.append((text.find('"'), "引号混用：直引号「\"」与中文引号「“”」并用，应统一为「“”」 (mixed quote styles)"))
        if fixed.count('"') % 2 == 0:
            fixed = STRAIGHT_QUOTES.sub(lambda m: f"“{m.group(1)}”", fixed)
    return found, fixed


def _lintable(doc: load.Document) -> Iterator[tuple[load.Path_, str]]:
    def walk(value: Any, path: load.Path_) -> Iterator[tuple[load.Path_, str]]:
        if isinstance(value, dict):
            for k, v in value.items():
                if not (len(path) == 0 and k in NO_LINT) and k != "colours":
                    yield from walk(v, path + (k,))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from walk(v, path + (i,))
        elif isinstance(value, str):
            yield path, value
    yield from walk(doc.data, ())


def _verbatim(lines: list[str], doc: load.Document, path: load.Path_, value: str) -> tuple[int, int, str] | None:
    """(line index, start column, quote) when the value is written on one line exactly as it reads."""
    line_no, col = doc.values.get(path, (0, 0))
    if not line_no or line_no > len(lines):
        return None
    line, start = lines[line_no - 1], col - 1
    quote = line[start:start + 1]
    if quote in ("'", '"'):
        if line[start + 1:start + 1 + len(value)] == value and line[start + 1 + len(value):start + 2 + len(value)] == quote \
                and "\\" not in value and quote not in value:
            return line_no - 1, start + 1, quote
        return None
    rest = line[start:]
    if rest.startswith(value) and (rest[len(value):].strip() == "" or rest[len(value):].lstrip().startswith("#")
                                   and rest[len(value):len(value) + 1].isspace()):
        return line_no - 1, start, ""
    return None


def punctuation_problems(doc: load.Document, *, fix: bool = False) -> list[Problem]:
    """Warnings for punctuation slips; with `fix`, the file rewritten with them mended (backup: FILE.bak)."""
    path = Path(doc.file)
    source = path.read_text(encoding="utf-8")
    lines = source.split("\n")
    values = list(_lintable(doc))
    curly = any("“" in v for _, v in values)
    out: list[Problem] = []
    edits: list[tuple[int, int, str, str]] = []
    for where, value in values:
        # an attribution parts unit and name with a space: 预算工委 吴颖
        found, fixed = lint_text(value, curly, spaces=where[-1] not in SPACED)
        if not found:
            continue
        spot = _verbatim(lines, doc, where, value)
        for offset, message in found:
            p = doc.problem(where, message)
            if spot is not None and offset >= 0:
                p = Problem(p.file, spot[0] + 1, spot[1] + offset + 1, p.field, p.message)
            out.append(warn(p))
        if fix:
            if spot is None:
                out.append(warn(doc.problem(where, "这一项不能自动修改，请手工修改 (cannot fix automatically)")))
                continue
            edits.append((spot[0], spot[1], value, fixed))
    if fix and edits:
        for line_index, start, value, fixed in sorted(edits, reverse=True):
            line = lines[line_index]
            lines[line_index] = line[:start] + fixed + line[start + len(value):]
        shutil.copy2(path, path.with_name(path.name + ".bak"))
        tmp = path.with_name(f".{path.name}.fix")
        tmp.write_text("\n".join(lines), encoding="utf-8")
        os.replace(tmp, path)
    return out


def fix_file(path: Path) -> list[Problem]:
    """Mend the punctuation of one issue file in place (a copy kept as FILE.bak); what could not be mended."""
    doc = load.read(path)
    punctuation_problems(doc, fix=True)
    return punctuation_problems(load.read(path))
