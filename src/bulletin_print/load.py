"""Issue files → the model. The only place that reads YAML.

Every value keeps the line and column it came from, so that each problem can be told where
an editor will find it. The files are checked against `schema/issue.schema.json` (the same
schema that gives editors completion in their editor), and all problems are reported at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import os
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from collections.abc import Iterator
from typing import Any

import jsonschema
import yaml

from bulletin_print.files import Unreadable, read_text
from bulletin_print.model import (
    Article,
    Brief,
    Column,
    DistributionLine,
    Figure,
    Issue,
    IssueError,
    Paragraph,
    Table,
    Problem,
    field_name,
    find_lead,
    lead_of,
    shown,
)
from bulletin_print.paths import SCHEMA_FILE
from bulletin_print.publication import PUBLICATION_FILE, look, publication_of_archive

# A real issue file is 10–30 KB; beyond this it is refused before it is parsed.
MAX_FILE_BYTES = 2 * 1024 * 1024
Path_ = tuple[str | int, ...]

# What only the publication decides: where its numbering starts, its layout and its fonts.
PUBLICATION_ONLY = ("first_number", "first_total", "fonts")
# The keys an issue needs once it is merged with its publication file.
REQUIRED = ("title", "compiler", "edition", "number", "total", "date", "columns", "distribution", "editor", "phone")


@dataclass
class Document:
    """A YAML file's data with the position of every value and every mapping key."""

    file: str
    data: Any = None
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    text: str = ""  # the file's text, for what only the raw lines show (a text cut by " #")
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def problem(self, path: Path_, message: str, *, key: bool = False) -> Problem:
        line, column = (self.keys if key else self.values).get(path) or self.values.get(path, (0, 0))
        return Problem(self.file, line, column, field_name(path), message)


def _position(text: str, index: int) -> tuple[int, int]:
    """The 1-based line and column of text[index]."""
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


# What YAML refuses to read (controls other than tab and line ends, U+FFFE/U+FFFF) or reads as a
# line break where an editor sees none (U+0085, U+2028, U+2029, which would put every later
# position on the wrong line).
NOT_IN_YAML = re.compile("[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
CONTROL = "含有看不见的控制字符 U+{:04X}，请删去 (control character)"


def read(path: Path) -> Document:
    """Parse one YAML file into plain data, refusing what an issue file never needs."""
    doc = Document(str(path))
    try:
        text = read_text(path, MAX_FILE_BYTES)
    except Unreadable as e:
        raise IssueError([Problem(str(path), e.line, e.column, "", e.message)]) from None
    bad = NOT_IN_YAML.search(text)
    if bad is not None:
        count = len(NOT_IN_YAML.findall(text))
        more = f"，共 {count} 处 ({count} times)" if count > 1 else ""
        raise IssueError([Problem(str(path), *_position(text, bad.start()), "", CONTROL.format(ord(bad.group())) + more)])
    doc.text = text
    try:
        node = compose(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        reason = getattr(e, "problem", None) or str(e).splitlines()[0]
        trap = yaml_trap(text, line, reason)
        if trap is not None:
            raise IssueError([Problem(str(path), *trap)]) from None
        raise IssueError([Problem(str(path), line, column, "", malformed(reason))]) from None
    except TooDeep as e:
        raise IssueError([Problem(str(path), e.mark.line + 1, e.mark.column + 1, "", TOO_DEEP)]) from None
    problems: list[Problem] = []
    doc.data = _value(node, (), doc, problems, set()) if node is not None else {}
    if problems:
        raise IssueError(problems)
    return doc


# The traps a hand-edited file falls into, each said where it is and how to mend it.
# A key written with a full-width colon (editor：杨青青) is text to YAML, and the parser stumbles a
# line later; a tab is refused with a message in English; a " #" in unquoted text starts a comment
# and silently cuts the text (see _cut_by_comment).
FULL_WIDTH_KEY = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_]*)\s*：")
FULL_WIDTH_COLON = ("字段名 {key} 后面用了全角冒号「：」，请改为半角冒号加空格，写作「{key}: …」"
                    " (a full-width colon after the key {key}: write '{key}: ' with an ASCII colon and a space)")
TAB = ("此处有制表符（Tab 键），YAML 不允许用它缩进或分隔，请改为空格"
       " (a tab: YAML does not allow tabs here; use spaces)")
CUT_BY_COMMENT = ("文字在「 #」处被截断：「#{rest}」被 YAML 当作注释删去了。请给整段文字加上引号（\"…\"）；"
                  "若确是注释，请在 # 前留两个空格"
                  " (the text is cut at ' #': what follows was read as a comment; put the whole text in quotes)")
# PyYAML's messages, given a Chinese lead-in that says what to look at.
YAML_HINTS = {
    "could not find expected ':'": "缺少冒号「: 」，或上一行的字段没写完",
    "mapping values are not allowed here": "此处不能有「: 」：文字中含冒号加空格时，请给整段文字加上引号",
    "did not find expected key": "缩进不齐，或列表项「- 」与字段混在同一层",
    "did not find expected '-' indicator": "列表项的缩进不齐",
    "found unexpected end of stream": "引号或括号没有配对",
    "found unknown escape character": "双引号中的反斜杠「\\」须写作「\\\\」，或改用单引号",
    "expected <block end>, but found": "缩进不齐",
    "found undefined alias": "「*」开头的文字须加引号",
    "while scanning a quoted scalar": "引号没有配对",
}


def malformed(reason: str) -> str:
    """PyYAML's message, after a Chinese lead-in (and what to look at, for the usual ones)."""
    hint = next((h for start, h in YAML_HINTS.items() if reason.startswith(start)), "请检查缩进、冒号和引号")
    return f"YAML 格式错误 (malformed YAML)：{hint}: {reason}"


def yaml_trap(text: str, line: int, reason: str) -> tuple[int, int, str, str] | None:
    """(line, column, field, message) of the trap that made the parser fail at `line`: a key with
    a full-width colon on that line or before it, or a tab; None for any other mistake."""
    lines = text.splitlines()
    for number in range(min(line, len(lines)), 0, -1):  # the nearest before the parser stumbled
        match = FULL_WIDTH_KEY.match(lines[number - 1])
        if match and match[2] in known_keys():
            return number, match.end(), match[2], FULL_WIDTH_COLON.format(key=match[2])
        if number < line - 2:
            break
    if "'\\t'" in reason or "\t" in reason:
        for number in range(min(line, len(lines)), 0, -1):
            if "\t" in lines[number - 1]:
                return number, lines[number - 1].index("\t") + 1, "", TAB
    return None


@cache
def known_keys() -> frozenset[str]:
    """Every key the schema names, anywhere."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            found.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema_validator().schema)
    return frozenset(found)


def _prose(path: Path_) -> bool:
    """Whether a value is the text of articles, briefs or notes, where pasted text carries a " #"
    (a short value such as `editor: 杨青青 # 责任编辑` may carry an editor's comment instead)."""
    return (len(path) > 1 and path[0] in ("columns", "briefs")) or path == ("note",)


def _cut_by_comment(node: yaml.ScalarNode, doc: Document) -> str | None:
    """The comment that cut a plain (unquoted; style "" in libyaml, None in PyYAML) text, found by comparing the raw line with the
    parsed value: after the value, on its last line, " #" glued to it (one space before #, or
    none after it), which reads as the rest of a sentence, not as an editor's note."""
    if node.style or not doc.text or node.tag != "tag:yaml.org,2002:str":
        return None
    end = node.end_mark.index
    rest = doc.text[end:doc.text.find("\n", end) if "\n" in doc.text[end:] else len(doc.text)]
    match = re.match(r"( +)#(.*)", rest)
    if match is None or not match[2].strip():
        return None
    if len(match[1]) == 1 or not match[2].startswith(" "):
        return match[2].rstrip()
    return None


# libyaml's parser (PyYAML's C extension) reads an issue file ten times faster than PyYAML's own,
# which matters when the numbering check reads a whole archive. It recurses in C, so a text that
# might nest deeper than this is left to PyYAML's parser, which refuses it cleanly.
C_PARSER_DEPTH = 1000


def nesting_bound(text: str) -> int:
    """A number no smaller than the deepest nesting the text can hold: two levels per column of
    indentation and per block indicator on a line, plus every flow bracket."""
    block = max((2 * (len(line) - len(line.lstrip(" ")) + line.count("-") + line.count(":") + line.count("?") + 1)
                 for line in text.splitlines()), default=0)
    return block + text.count("[") + text.count("{")


def compose(text: str) -> yaml.Node | None:
    """The YAML node tree of `text`, with the positions of its values. Malformed YAML is always
    reported by PyYAML's own parser, so that the message is the same whichever parsed it."""
    if yaml.__with_libyaml__ and nesting_bound(text) <= C_PARSER_DEPTH:
        try:
            node = yaml.compose(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            pass
        else:
            _refuse_deep(node)
            return node
    return yaml.compose(text, Loader=_ShallowLoader)


# An issue file nests at most 7 levels (columns → articles → paragraphs → text); deeper is refused
# before the schema check, whose recursion it could otherwise exhaust.
MAX_DEPTH = 20
TOO_DEEP = f"嵌套层数过多，超过 {MAX_DEPTH} 层 (nested too deeply)"


class TooDeep(Exception):
    """Nesting deeper than MAX_DEPTH, at `mark`."""

    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__(TOO_DEEP)
        self.mark = mark


class _ShallowLoader(yaml.SafeLoader):
    """PyYAML's loader, stopping at the first node nested deeper than MAX_DEPTH: its composer
    recurses once per level, so thousands of nested [[[…]]] would otherwise exhaust Python's
    stack, and the node that goes too deep is the place to report."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = -1  # the document's root is at depth 0, as in _refuse_deep

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise TooDeep(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _refuse_deep(node: yaml.Node | None) -> None:
    """Raise TooDeep at the first node nested deeper than MAX_DEPTH (iterative: no recursion to exhaust)."""
    stack = [(node, 0)] if node is not None else []
    seen: set[int] = set()
    while stack:
        n, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise TooDeep(n.start_mark)
        if id(n) in seen:  # an alias: refused later, not followed
            continue
        seen.add(id(n))
        if isinstance(n, yaml.MappingNode):
            stack.extend((child, depth + 1) for pair in n.value for child in pair)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in n.value)


SURROGATE = re.compile("[\ud800-\udfff]")
# 期 and 总第 as an editor reads them: YAML 1.1 also reads 012 as 10 (octal), 1:0 as 60
# (sexagesimal), 1_000, +12, 0x1F and 12.0 as numbers, which would print 第10期 or 第12.0期.
WHOLE_NUMBERS = {("number",), ("total",)}
PLAIN_WHOLE = re.compile(r"-?(0|[1-9][0-9]*)")
INT_TAG, FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
MAX_DIGITS = 18


def _value(node: yaml.Node, path: Path_, doc: Document, problems: list[Problem], seen: set[int]) -> Any:
    """Turn a node into data, recording positions; aliases are refused (they can blow up memory),
    and so is what no issue file can mean: a lone surrogate (from an escape such as "\\ud800",
    which cannot be written out as UTF-8), a key that is not text, a 期 or 总第 not written as
    a plain whole number, a number that is not finite (.nan, .inf)."""
    doc.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if id(node) in seen:
        problems.append(doc.problem(path, "不支持 YAML 锚点和别名 (anchors and aliases are not allowed)"))
        return None
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                at = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                problems.append(Problem(doc.file, *at, field_name(path), "字段名应为文字 (a key must be text)"))
                continue
            key = key_node.value
            where = path + (key,)
            doc.keys[where] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if SURROGATE.search(key):
                problems.append(doc.problem(where, _surrogate(key), key=True))
            elif key in out:
                problems.append(doc.problem(where, "重复的字段 (duplicate key)", key=True))
            out[key] = _value(value_node, where, doc, problems, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_value(item, path + (i,), doc, problems, seen) for i, item in enumerate(node.value)]
    if SURROGATE.search(node.value):
        problems.append(doc.problem(path, _surrogate(node.value)))
        return None
    cut = _cut_by_comment(node, doc) if _prose(path) else None
    if cut is not None:
        problems.append(doc.problem(path, CUT_BY_COMMENT.format(rest=shown(cut, 16))))
    if not node.style and (match := FULL_WIDTH_KEY.match(node.value)) and match[2] in known_keys() \
            and path and isinstance(path[-1], int):
        problems.append(doc.problem(path, FULL_WIDTH_COLON.format(key=match[2])))
    if path in WHOLE_NUMBERS and node.tag in (INT_TAG, FLOAT_TAG):
        if node.tag != INT_TAG or node.style or not PLAIN_WHOLE.fullmatch(node.value):  # style: quoted or block
            problems.append(doc.problem(path, f"「{shown(node.value)}」应写作不带小数点、前导零、正号或其他记法的整数，"
                                              f"如 12 (write a plain whole number such as 12)"))
            return None
        if len(node.value) > MAX_DIGITS:
            problems.append(doc.problem(path, f"数字过大：{len(node.value)} 位 (number too large)"))
            return None
    if len(path) >= 3 and path[-3] == "table" and node.tag in (INT_TAG, FLOAT_TAG):
        return node.value  # a table's figure printed as written: 3.50 stays 3.50, 1,200 stays 1,200
    try:
        value = yaml.SafeLoader(" ").construct_object(node)
    except (ValueError, yaml.YAMLError):
        value = node.value  # e.g. a date like 2024-13-01: left as text for the schema to refuse
    if isinstance(value, float) and not math.isfinite(value):
        problems.append(doc.problem(path, f"「{shown(node.value)}」应为有限的数 (must be a finite number)"))
        return None
    return value.isoformat() if isinstance(value, dt.date) else value


def _surrogate(text: str) -> str:
    code = ord(SURROGATE.search(text).group())
    return f"含有不成对的代理字符 U+{code:04X}（如转义 \\u{code:04x}），无法存为 UTF-8，请删去 (lone surrogate)"


@cache
def schema_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def validate(doc: Document) -> list[Problem]:
    """Every way the file departs from the schema, in terms an editor can act on."""
    problems = []
    for error in schema_validator().iter_errors(doc.data):
        problems.extend(_explain(doc, error))
    return sorted(set(problems), key=lambda p: (p.line, p.column, p.message))


def _explain(doc: Document, error: jsonschema.ValidationError) -> list[Problem]:
    path: Path_ = tuple(error.absolute_path)
    kind, value = error.validator, error.instance
    if kind == "oneOf":  # explain the alternative the value is of the kind of (a list's item, a string's length)
        branches: dict[Any, list[jsonschema.ValidationError]] = {}
        for e in error.context:
            branches.setdefault(e.relative_schema_path[0], []).append(e)
        for wrong in (("type", "const", "required", "additionalProperties"), ("type", "const", "required")):
            shaped = [errors for errors in branches.values()  # e.g. {image: ""}: the photo's, not a paragraph's
                      if not any(tuple(e.absolute_path) == path and e.validator in wrong for e in errors)]
            if len(shaped) == 1:
                return [p for e in shaped[0] for p in _explain(doc, e)]
        fitting = [e for e in error.context if tuple(e.absolute_path) != path or e.validator not in ("type", "const")]
        if fitting:
            return _explain(doc, jsonschema.exceptions.best_match(fitting))
        return [doc.problem(path, _expected(error.schema))]
    if kind == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        out = []
        for key in value:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                hint = f"；是不是 {close[0]}? (did you mean {close[0]}?)" if close else f"；可用字段 (known): {', '.join(known)}"
                out.append(doc.problem(path + (key,), f"未知字段 (unknown field){hint}", key=True))
        return out
    if kind == "required":
        missing = error.message.split("'")[1]
        return [doc.problem(path, f"缺少必填字段 (missing field) {missing}")]
    return [doc.problem(path, _message(kind, error.validator_value, value, error.schema) or error.message)]


# What the schema's one "not" refuses: an edition's name that cannot be part of a file name ($defs/name).
EDITION_NAME = ("刊别是文件名的一部分，不能含有 /、\\ 或控制字符，也不能以 . 开头"
                " (an edition names files: no /, \\ or control characters, no leading .)")
FILE_NAME = ("应为刊物 fonts/ 文件夹内的文件名，不能以 / 开头、含有 .. 或控制字符"
             " (a file in the publication's fonts/: no leading /, no .., no control characters)")
SPOT_NAME = "「{}」是保留名，不能用作专色名 (a reserved name, not a spot ink)"


def _message(kind: str, limit: Any, value: Any, schema: dict[str, Any]) -> str | None:
    """What the schema's keyword `kind` (with its value `limit`) says of `value`, for an editor."""
    if kind in ("type", "const"):
        return _expected(schema)
    if kind == "minLength":
        return "不能为空 (must not be empty)" if limit <= 1 else f"过短：至少 {limit} 个字 (too short: at least {limit} characters)"
    if kind == "maxLength":
        return too_long(len(value), limit)
    if kind == "pattern":  # the one pattern: "\\S", some text
        return "不能为空 (must not be empty)"
    if kind == "not":  # an edition's name, a spot ink named as PDF's own inks are, or a file outside
        if schema == schema_validator().schema["$defs"]["file"]:
            return FILE_NAME
        return SPOT_NAME.format(shown(str(value))) if "enum" in schema.get("not", {}) else EDITION_NAME
    if kind == "minItems":
        return "至少要有一项 (needs at least one entry)"
    if kind == "maxItems":
        return f"最多 {limit} 项 (at most {limit} entries)"
    if kind == "minimum":
        return f"应为不小于 {limit} 的数 (must be ≥ {limit})"
    if kind == "maximum":
        return f"应为不大于 {limit} 的数 (must be ≤ {limit})"
    if kind == "format":
        return f"「{shown(str(value))}」不是有效日期，应写作 2024-08-16 (not a date: write YYYY-MM-DD)"
    return None


def too_long(length: int, limit: int) -> str:
    return f"过长：共 {length} 字，上限为 {limit} 字 (too long: at most {limit} characters)"


def _expected(schema: dict[str, Any]) -> str:
    kinds = {"string": "文字 (text)", "integer": "正整数 (a whole number)", "number": "数字 (a number)",
             "array": "列表 (a list)", "object": "字段表 (a mapping of fields)"}
    if "$ref" in schema or "oneOf" in schema:
        return "应为文字或文字列表 (must be text or a list of text)"
    if "const" in schema:
        return f"应为 {schema['const']} (must be {schema['const']})"
    return f"应为{kinds.get(schema.get('type', ''), schema.get('type', '?'))}"


YEAR_FOLDER = re.compile(r"\d{4}")


def archive_folder(issue_path: Path) -> Path | None:
    """The archive folder (issues/) of a file at issues/YYYY/N.yaml, or None outside an archive.
    The path is taken as given (made absolute, not resolved): an issue linked into an archive
    belongs to that archive, not to the folder of the link's target."""
    folder = Path(os.path.abspath(issue_path)).parent
    return folder.parent if YEAR_FOLDER.fullmatch(folder.name) else None


def publication_file(issue_path: Path) -> Path | None:
    """The issue's `publication.yaml`, looked for only inside its publication: in the issue's own
    folder; then, for issues/YYYY/N.yaml, in the archive folder; then, when that folder is named
    issues, in the folder that holds it (publication.yaml beside issues/). Never higher up, where
    a file that belongs to no publication (a planted /tmp/publication.yaml) would be taken in."""
    own = Path(os.path.abspath(issue_path)).parent / PUBLICATION_FILE
    if own.is_file():
        return own
    archive = archive_folder(issue_path)
    return None if archive is None else publication_of_archive(archive)


ISSUE_SUFFIXES = (".yaml", ".yml")


def is_issue_folder(path: Path) -> bool:
    """Whether a path given on the command line is a folder to search for issue files. A folder
    named like an issue file (13.yaml/) is not: it is an issue file that is not a file."""
    return path.suffix not in ISSUE_SUFFIXES and path.is_dir()


def issue_candidates(folder: Path) -> list[Path]:
    """Every path named like an issue file under `folder`, in order, less publication files and
    anything in a hidden folder: regular files, and whatever else carries such a name."""
    found = [p for suffix in ISSUE_SUFFIXES for p in folder.rglob(f"*{suffix}")]
    return sorted(p for p in found if p.name != PUBLICATION_FILE
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def issue_files(folder: Path) -> list[Path]:
    """The issue files under `folder` (see issue_candidates) that are regular files: what a folder
    build keys and builds, for a FIFO among them would block it (`check` reports the others)."""
    return [p for p in issue_candidates(folder) if p.is_file()]


def load_issue(path: Path) -> Issue:
    """Read an issue file and its publication file into an Issue, or raise IssueError."""
    return load_documents(path)[0]


def load_documents(path: Path) -> tuple[Issue, Document, Document | None]:
    """The Issue, with the issue file's and the publication file's documents it was made from
    (for checks that need every value's position), or raise IssueError."""
    issue = read(path)
    docs = [issue]
    pub_path = publication_file(path)
    if pub_path is not None and pub_path.resolve() != path.resolve():
        docs.insert(0, read(pub_path))
    problems = [p for d in docs for p in validate(d)]
    if problems:
        raise IssueError(problems)
    merged: dict[str, Any] = {}
    origin: dict[str, Document] = {}
    for doc in docs:  # the issue overrides its publication, key by key
        for key, value in doc.data.items():
            merged[key] = {**merged.get(key, {}), **value} if isinstance(value, dict) else value
            origin[key] = doc
    for key in REQUIRED:
        if key not in merged:
            problems.append(issue.problem((), f"缺少必填字段 (missing field) {key}"))
    editions = merged.get("editions", ["普刊", "增刊", "专刊"])
    if "edition" in merged and merged["edition"] not in editions:
        problems.append(origin["edition"].problem(("edition",), f"刊别应为 {'、'.join(editions)} 之一 (edition must be one of them)"))
    figures: dict[Path_, Figure] = {}
    if "columns" in merged:
        problems += _lead_problems(origin["columns"], merged["columns"])
        problems += _image_problems(origin["columns"], merged["columns"], path, figures)
    if len(docs) > 1:
        problems += [issue.problem((key,), f"只能写在 {PUBLICATION_FILE} 中 (belongs in {PUBLICATION_FILE})", key=True)
                     for key in PUBLICATION_ONLY if key in issue.data]
    own, found = look(Path(docs[0].file).parent, docs[0].data, docs[0].problem)
    problems += found
    if problems:
        raise IssueError(problems)
    return replace(_issue(str(path), merged, figures), look=own), issue, docs[0] if len(docs) > 1 else None


# A photo in a bulletin is a few hundred KB to a few MB; beyond these it is refused before layout.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
MIN_IMAGE_PIXELS = 16  # on each side
IMAGE_FORMATS = frozenset({"JPEG", "PNG"})


def image_file(issue_path: Path, name: str) -> Path | None:
    """The image `name` (as the issue file writes it) in the issue's folder, or None when it
    would lie outside it (an absolute path, .., a link that leads out)."""
    if not name or name.startswith(("/", "\\")) or ":" in name or ".." in re.split(r"[/\\]", name):
        return None
    folder = Path(os.path.abspath(issue_path)).parent
    target = folder / name
    try:
        if not target.resolve().is_relative_to(folder.resolve()):
            return None
    except (OSError, RuntimeError):
        return None
    return target


def raw_articles(data: Any) -> Iterator[tuple[Path_, dict[str, Any]]]:
    """Each article of an issue file's data as read, not yet checked (a file being edited, an
    archive's others), with its place: what is not of the right shape is passed over."""
    columns = data.get("columns") if isinstance(data, dict) else None
    for c, column in enumerate(columns if isinstance(columns, list) else []):
        articles = column.get("articles") if isinstance(column, dict) else None
        for a, article in enumerate(articles if isinstance(articles, list) else []):
            if isinstance(article, dict):
                yield ("columns", c, "articles", a), article


def raw_paragraphs(article: dict[str, Any]) -> list[Any]:
    paragraphs = article.get("paragraphs")
    return paragraphs if isinstance(paragraphs, list) else []


def image_names(data: Any) -> list[str]:
    """Every image an issue's data names, in order (what the archive PDF carries with it)."""
    return [item["image"] for _, article in raw_articles(data) for item in raw_paragraphs(article)
            if isinstance(item, dict) and isinstance(item.get("image"), str)]


def _image_problems(doc: Document, columns: list[dict[str, Any]], issue_path: Path,
                    figures: dict[Path_, Figure]) -> list[Problem]:
    """Each photo must be a JPEG or PNG file in the issue's folder that opens, of a sane size;
    the ones that are go into `figures`, by their place."""
    from PIL import Image, UnidentifiedImageError

    problems = []
    for c, column in enumerate(columns):
        for a, article in enumerate(column["articles"]):
            for p, item in enumerate(article["paragraphs"]):
                if not (isinstance(item, dict) and "image" in item):
                    continue
                where = ("columns", c, "articles", a, "paragraphs", p, "image")
                name = item["image"]
                target = image_file(issue_path, name)
                if target is None:
                    problems.append(doc.problem(where, f"图片「{shown(name)}」须在该期文件所在的文件夹之内，请写相对路径，"
                                                       f"如 photo.jpg (the image must be in the issue's folder)"))
                    continue
                if not target.is_file():
                    problems.append(doc.problem(where, f"图片文件「{shown(name)}」不存在 (image file not found)"))
                    continue
                size = target.stat().st_size
                if size > MAX_IMAGE_BYTES:
                    problems.append(doc.problem(where, f"图片文件过大：{size / 2**20:.1f} MB，上限为 "
                                                       f"{MAX_IMAGE_BYTES // 2**20} MB，请缩小后再用 (image file too large)"))
                    continue
                try:
                    with Image.open(target) as image:
                        kind, pixels = image.format, image.size
                        if pixels[0] * pixels[1] <= MAX_IMAGE_PIXELS:
                            image.load()  # a truncated or damaged file fails here
                except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as e:
                    problems.append(doc.problem(where, f"图片「{shown(name)}」无法读取，请另存为 JPEG 或 PNG "
                                                       f"(unreadable image: {type(e).__name__})"))
                    continue
                if kind not in IMAGE_FORMATS:
                    problems.append(doc.problem(where, f"图片「{shown(name)}」是 {kind} 格式，请另存为 JPEG 或 PNG "
                                                       f"(only JPEG and PNG images)"))
                elif pixels[0] * pixels[1] > MAX_IMAGE_PIXELS:
                    problems.append(doc.problem(where, f"图片像素过多：{pixels[0]}×{pixels[1]}，上限为 4000 万像素，请缩小后再用 "
                                                       f"(image too large: at most 40 megapixels)"))
                elif min(pixels) < MIN_IMAGE_PIXELS:
                    problems.append(doc.problem(where, f"图片过小：{pixels[0]}×{pixels[1]} 像素 (image too small to print)"))
                else:
                    figures[where[:-1]] = Figure(str(target.resolve()), name, pixels, item.get("caption", ""),
                                                 item.get("width") == "half")
    return problems


def _lead_problems(doc: Document, columns: list[dict[str, Any]]) -> list[Problem]:
    """A lead sentence given in the data must be where the paragraph begins."""
    problems = []
    for c, column in enumerate(columns):
        for a, article in enumerate(column["articles"]):
            for p, paragraph in enumerate(article["paragraphs"]):
                lead = paragraph.get("lead") if isinstance(paragraph, dict) else None
                if isinstance(lead, str) and not paragraph["text"].startswith(lead):
                    path = ("columns", c, "articles", a, "paragraphs", p, "lead")
                    problems.append(doc.problem(path, "引导句须是该段开头的原文 (the lead must be how the paragraph begins)"))
    return problems


def _issue(source: str, d: dict[str, Any], figures: dict[Path_, Figure] | None = None) -> Issue:
    columns = []
    count = 0
    figures = figures or {}
    for c, column in enumerate(d["columns"]):
        articles = []
        for i, a in enumerate(column["articles"]):
            count += 1
            given = not isinstance(a["title"], str)
            title = tuple(a["title"]) if given else (a["title"],)
            where = ("columns", c, "articles", i)
            items = tuple(figures[where + ("paragraphs", k)] if isinstance(p, dict) and "image" in p else _paragraph(p)
                          for k, p in enumerate(a["paragraphs"]))
            articles.append(Article(title, items, a.get("attribution", ""), f"a{count}", given, where,
                                    a.get("subtitle", ""), a.get("note", "")))
        columns.append(Column(column["name"], tuple(articles), ("columns", c)))
    briefs = d.get("briefs", {})
    return Issue(
        source=source,
        title=d["title"],
        compiler=d["compiler"],
        edition=d["edition"],
        number=d["number"],
        total=d["total"],
        date=dt.date.fromisoformat(d["date"]),
        columns=tuple(columns),
        briefs_column=briefs.get("column", "信息摘登"),
        briefs=tuple(Brief(b["text"], b.get("attribution", ""), ("briefs", "items", i))
                     for i, b in enumerate(briefs.get("items", []))),
        distribution=tuple(DistributionLine(x["label"], x["text"]) for x in d["distribution"]),
        editor=d["editor"],
        phone=d["phone"],
        red=tuple(d.get("colours", {}).get("red", (0, 0.8, 0.8, 0))),
        red_spot=d.get("colours", {}).get("red_spot"),
        note=d.get("note", ""),
        secrecy=d.get("secrecy", ""),
        notice=d.get("notice", ""),
        topic=d.get("topic", ""),
        print_run=d.get("print_run", 0),
        signoff=tuple(DistributionLine(x["label"], x["text"]) for x in d.get("signoff", [])),
    )


def _paragraph(p: str | dict[str, Any]) -> Paragraph | Table:
    if isinstance(p, str):
        return Paragraph(p, find_lead(p))
    if "table" in p:
        return Table(tuple(tuple(str(cell) for cell in row) for row in p["table"]), bool(p.get("header", False)),
                     p.get("caption", ""))
    return Paragraph(p["text"], lead_of(p["text"], p.get("lead")))
