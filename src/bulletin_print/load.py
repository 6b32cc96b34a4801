"""Issue files → the model. The only place that reads YAML.

Every value keeps the line and column it came from, so that each problem can be told where
an editor will find it. The files are checked against `schema/issue.schema.json` (the same
schema that gives editors completion in their editor), and all problems are reported at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from bulletin_print.files import Unreadable, read_text
from bulletin_print.model import (
    Article,
    Brief,
    Column,
    DistributionLine,
    Issue,
    IssueError,
    Paragraph,
    Problem,
    field_name,
    find_lead,
)
from bulletin_print.paths import SCHEMA_FILE

PUBLICATION_FILE = "publication.yaml"
# A real issue file is 10–30 KB; beyond this it is refused before it is parsed.
MAX_FILE_BYTES = 2 * 1024 * 1024
Path_ = tuple[str | int, ...]

# The keys an issue needs once it is merged with its publication file.
REQUIRED = ("title", "compiler", "edition", "number", "total", "date", "columns", "distribution", "editor", "phone")


@dataclass
class Document:
    """A YAML file's data with the position of every value and every mapping key."""

    file: str
    data: Any = None
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def problem(self, path: Path_, message: str, *, key: bool = False) -> Problem:
        line, column = (self.keys if key else self.values).get(path) or self.values.get(path, (0, 0))
        return Problem(self.file, line, column, field_name(path), message)


def read(path: Path) -> Document:
    """Parse one YAML file into plain data, refusing what an issue file never needs."""
    doc = Document(str(path))
    try:
        text = read_text(path, MAX_FILE_BYTES)
    except Unreadable as e:
        raise IssueError([Problem(str(path), e.line, e.column, "", e.message)]) from None
    try:
        node = compose(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        reason = getattr(e, "problem", None) or str(e)
        raise IssueError([Problem(str(path), line, column, "", f"YAML 格式错误 (malformed YAML): {reason}")]) from None
    except RecursionError:  # PyYAML composes recursively: thousands of nested [[[…]]] end here
        raise IssueError([Problem(str(path), 0, 0, "", TOO_DEEP)]) from None
    deep = _too_deep(node)
    if deep is not None:
        raise IssueError([Problem(str(path), deep.start_mark.line + 1, deep.start_mark.column + 1, "", TOO_DEEP)])
    problems: list[Problem] = []
    doc.data = _value(node, (), doc, problems, set()) if node is not None else {}
    if problems:
        raise IssueError(problems)
    return doc


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
            return yaml.compose(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


# An issue file nests at most 7 levels (columns → articles → paragraphs → text); deeper is refused
# before the schema check, whose recursion it could otherwise exhaust.
MAX_DEPTH = 20
TOO_DEEP = f"嵌套层数过多，超过 {MAX_DEPTH} 层 (nested too deeply)"


def _too_deep(node: yaml.Node | None) -> yaml.Node | None:
    """The first node nested deeper than MAX_DEPTH, or None (iterative: no recursion to exhaust)."""
    stack = [(node, 0)] if node is not None else []
    seen: set[int] = set()
    while stack:
        n, depth = stack.pop()
        if depth > MAX_DEPTH:
            return n
        if id(n) in seen:  # an alias: refused later, not followed
            continue
        seen.add(id(n))
        if isinstance(n, yaml.MappingNode):
            stack.extend((child, depth + 1) for pair in n.value for child in pair)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in n.value)
    return None


def _value(node: yaml.Node, path: Path_, doc: Document, problems: list[Problem], seen: set[int]) -> Any:
    """Turn a node into data, recording positions; aliases are refused (they can blow up memory)."""
    doc.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if id(node) in seen:
        problems.append(doc.problem(path, "不支持 YAML 锚点和别名 (anchors and aliases are not allowed)"))
        return None
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            where = path + (key,)
            doc.keys[where] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in out:
                problems.append(doc.problem(where, "重复的字段 (duplicate key)", key=True))
            out[key] = _value(value_node, where, doc, problems, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_value(item, path + (i,), doc, problems, seen) for i, item in enumerate(node.value)]
    try:
        value = yaml.SafeLoader(" ").construct_object(node)
    except (ValueError, yaml.YAMLError):
        value = node.value  # e.g. a date like 2024-13-01: left as text for the schema to refuse
    return value.isoformat() if isinstance(value, dt.date) else value


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
    if kind == "oneOf":  # explain the alternative that got furthest
        best = jsonschema.exceptions.best_match(error.context) if error.context else None
        if best is not None and tuple(best.absolute_path) != path:
            return _explain(doc, best)
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
    messages = {
        "type": _expected(error.schema),
        "minLength": "不能为空 (must not be empty)",
        "pattern": "不能为空 (must not be empty)",
        "minItems": "至少要有一项 (needs at least one entry)",
        "maxItems": f"最多 {error.validator_value} 项 (at most {error.validator_value} entries)",
        "maxLength": f"最多 {error.validator_value} 个字符 (at most {error.validator_value} characters)",
        "not": f"「{value}」是保留名，不能用作专色名 (a reserved name, not a spot ink)",
        "minimum": f"应为不小于 {error.validator_value} 的数 (must be ≥ {error.validator_value})",
        "maximum": f"应为不大于 {error.validator_value} 的数 (must be ≤ {error.validator_value})",
        "format": f"「{value}」不是有效日期，应写作 2024-08-16 (not a date: write YYYY-MM-DD)",
        "const": _expected(error.schema),
    }
    return [doc.problem(path, messages.get(kind, error.message))]


def _expected(schema: dict[str, Any]) -> str:
    kinds = {"string": "文字 (text)", "integer": "正整数 (a whole number)", "number": "数字 (a number)",
             "array": "列表 (a list)", "object": "字段表 (a mapping of fields)"}
    if "$ref" in schema or "oneOf" in schema:
        return "应为文字或文字列表 (must be text or a list of text)"
    if "const" in schema:
        return f"应为 {schema['const']} (must be {schema['const']})"
    return f"应为{kinds.get(schema.get('type', ''), schema.get('type', '?'))}"


def publication_file(issue_path: Path) -> Path | None:
    """The nearest `publication.yaml` in the issue's folder or above it."""
    for folder in issue_path.resolve().parents:
        candidate = folder / PUBLICATION_FILE
        if candidate.is_file():
            return candidate
    return None


def issue_files(folder: Path) -> list[Path]:
    """Every issue file under `folder`, in order: YAML files, less publication files and
    anything in a hidden folder."""
    found = [p for pattern in ("*.yaml", "*.yml") for p in folder.rglob(pattern)]
    return sorted(p for p in found if p.is_file() and p.name != PUBLICATION_FILE
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


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
    if "columns" in merged:
        problems += _lead_problems(origin["columns"], merged["columns"])
    if problems:
        raise IssueError(problems)
    return _issue(str(path), merged), issue, docs[0] if len(docs) > 1 else None


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


def _issue(source: str, d: dict[str, Any]) -> Issue:
    columns = []
    count = 0
    for c, column in enumerate(d["columns"]):
        articles = []
        for i, a in enumerate(column["articles"]):
            count += 1
            given = not isinstance(a["title"], str)
            title = tuple(a["title"]) if given else (a["title"],)
            articles.append(Article(title, tuple(map(_paragraph, a["paragraphs"])), a.get("attribution", ""),
                                    f"a{count}", given, ("columns", c, "articles", i)))
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
    )


def _paragraph(p: str | dict[str, Any]) -> Paragraph:
    if isinstance(p, str):
        return Paragraph(p, find_lead(p))
    lead = p.get("lead")
    return Paragraph(p["text"], find_lead(p["text"]) if lead is None else (lead or ""))
