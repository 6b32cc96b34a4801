"""An Issue-shaped dict → YAML text, written the way an editor writes issues/2024/12.yaml by hand.

Block style throughout; `title:` as one string (the tool breaks it) or, where the source shows
the breaks, a list of its lines; one paragraph per item; the attribution
without brackets; a scalar in double quotes only where it needs them (it opens with a quotation
mark or holds an ASCII colon, as the hand-written files do, or plain YAML would read it as
something else); the schema line and the 《刊名》…期 comment on top. A place the importer could not
settle with confidence gets a `# review: …` comment on the line above it, and is reported.

Nothing here reads YAML back with comments: the text is made line by line, so the style is exact.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bulletin_print import load
from bulletin_print.model import field_name

Path_ = tuple[str | int, ...]

# Characters that may not open a plain scalar, or that a hand-written file quotes anyway.
QUOTE_FIRST = set("-?:,[]{}#&*!|>'\"%@`“‘")
ISSUE_KEYS = ("edition", "number", "total", "date", "editor", "columns", "briefs")
PUBLICATION_KEYS = ("title", "compiler", "editions", "colours", "distribution", "phone")


@dataclass
class Review:
    """A place to look at: the field's path, and what the importer was unsure of."""

    path: Path_
    message: str
    line: int = 0  # the line of the written file the comment stands on (1-based), once written

    def __str__(self) -> str:
        return f"{field_name(self.path) or '(file)'}: {self.message}"


@dataclass
class Written:
    text: str
    reviews: list[Review] = field(default_factory=list)


def scalar(value: Any) -> str:
    """One value as the hand-written files spell it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    s = str(value)
    if needs_quotes(s):
        return json.dumps(s, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    return s


def flow_scalar(value: Any) -> str:
    """A table cell inside [ ]: quoted as well when it holds what a flow list reads as its own."""
    s = scalar(value)
    return json.dumps(str(value), ensure_ascii=False) if s == str(value) and re.search(r"[,\[\]{}]", s) else s


def needs_quotes(s: str) -> bool:
    if not s or s[0] in QUOTE_FIRST or s != s.strip() or ":" in s or " #" in s or "\n" in s or "\t" in s:
        return True
    try:
        return yaml.safe_load(s) != s  # 12, true, null, 2024-08-16 … would not come back as text
    except yaml.YAMLError:
        return True


def schema_line(target: Path) -> str:
    """The yaml-language-server line: the nearest schema/issue.schema.json above the file (a
    checkout of the project), else the installed package's."""
    schema = load.SCHEMA_FILE
    for folder in target.resolve().parents:
        candidate = folder / "schema" / "issue.schema.json"
        if candidate.is_file():
            schema = candidate
            break
    rel = os.path.relpath(schema, target.resolve().parent)
    return f"# yaml-language-server: $schema={Path(rel).as_posix()}"


def publication_defaults(target: Path) -> dict[str, Any]:
    """The publication file that will apply to `target` (the nearest above it), as data."""
    pub = load.publication_file(target)
    if pub is None:
        return {}
    try:
        return load.read(pub).data or {}
    except Exception:  # a broken publication file: nothing is left out, check will say what is wrong
        return {}


def drop_defaults(data: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """The issue's keys less those whose value the publication file already gives."""
    return {k: v for k, v in data.items() if not (k in defaults and defaults[k] == v)}


class _Out:
    def __init__(self, reviews: list[Review]) -> None:
        self.lines: list[str] = []
        self.pending = {r.path: [] for r in reviews}
        for r in reviews:
            self.pending[r.path].append(r)

    def line(self, text: str, path: Path_ | None = None, indent: int = 0) -> None:
        if path is not None:
            for r in self.pending.pop(path, []):
                self.lines.append(" " * indent + f"# review: {r.message}")
                r.line = len(self.lines)
        self.lines.append(text)


def article_lines(article: dict[str, Any], indent: int, path: Path_ = (), reviews: list[Review] | None = None,
                  out: _Out | None = None) -> list[str]:
    """One article as a list item whose dash stands at `indent` spaces."""
    out = out or _Out(reviews or [])
    pad, inner = " " * indent, " " * (indent + 2)
    title = article["title"]
    if isinstance(title, str):  # the tool breaks it (balanced, between words)
        out.line(f"{pad}- title: {scalar(title)}", path + ("title",), indent)
    else:  # the lines the source shows
        out.line(f"{pad}- title:", path + ("title",), indent)
        for k, t in enumerate(title):
            out.line(f"{inner}  - {scalar(t)}", path + ("title", k), indent + 4)
    for key in ("subtitle", "note"):
        if article.get(key):
            out.line(f"{inner}{key}: {scalar(article[key])}", path + (key,), indent + 2)
    out.line(f"{inner}paragraphs:", path + ("paragraphs",), indent + 2)
    for k, p in enumerate(article["paragraphs"]):
        where = path + ("paragraphs", k)
        if isinstance(p, str):
            out.line(f"{inner}  - {scalar(p)}", where, indent + 4)
        elif "image" in p:
            out.line(f"{inner}  - image: {scalar(p['image'])}", where, indent + 4)
            for key in ("width", "caption"):
                if key in p:
                    out.line(f"{inner}    {key}: {scalar(p[key])}", where + (key,), indent + 6)
        elif "table" in p:
            out.line(f"{inner}  - table:", where, indent + 4)
            for row in p["table"]:
                out.line(f"{inner}      - [{', '.join(flow_scalar(cell) for cell in row)}]", None, indent + 8)
            for key in ("header", "caption"):
                if key in p:
                    out.line(f"{inner}    {key}: {scalar(p[key])}", where + (key,), indent + 6)
        else:
            out.line(f"{inner}  - text: {scalar(p['text'])}", where, indent + 4)
            if "lead" in p:
                out.line(f"{inner}    lead: {scalar(p['lead'])}", where + ("lead",), indent + 6)
    if article.get("attribution"):
        out.line(f"{inner}attribution: {scalar(article['attribution'])}", path + ("attribution",), indent + 2)
    return out.lines


def dump_issue(data: dict[str, Any], target: Path, reviews: list[Review] = (), *,
               defaults: dict[str, Any] | None = None) -> Written:
    """The issue file's text for `data` (an Issue-shaped dict, publication keys included), to be
    written at `target`: keys that equal the publication file's are left out."""
    reviews = list(reviews)
    defaults = publication_defaults(target) if defaults is None else defaults
    full = data
    data = drop_defaults(data, defaults)
    out = _Out(reviews)
    out.line(schema_line(target))
    title = full.get("title") or defaults.get("title", "")
    if title and "number" in full and "date" in full:
        out.line(f"# 《{title}》{str(full['date'])[:4]}年第{full['number']}期（总第{full['total']}期）")
    for key in PUBLICATION_KEYS[:2]:  # 刊名 and 编印单位 when they differ from the publication's
        if key in data:
            out.line(f"{key}: {scalar(data[key])}", (key,))
    if "edition" in data:
        out.line(f"edition: {scalar(data['edition'])}", ("edition",))
    if "number" in data:
        out.line(f"{'number: ' + scalar(data['number']):<18}  # 期: counts within the year", ("number",))
    if "total" in data:
        out.line(f"{'total: ' + scalar(data['total']):<18}  # 总第: counts across all years", ("total",))
    if "date" in data:
        out.line(f"date: {data['date']}", ("date",))
    if "editor" in data:
        out.line(f"editor: {scalar(data['editor'])}       # 本期责任编辑", ("editor",))
    out.line("columns:", ("columns",))
    for i, column in enumerate(data.get("columns", [])):
        out.line(f"  - name: {scalar(column['name'])}", ("columns", i), 2)
        out.line("    articles:", ("columns", i, "articles"), 4)
        for j, article in enumerate(column["articles"]):
            article_lines(article, 6, ("columns", i, "articles", j), out=out)
    briefs = data.get("briefs")
    if briefs and briefs.get("items"):
        out.line("briefs:", ("briefs",))
        out.line(f"  column: {scalar(briefs.get('column', '信息摘登'))}", ("briefs", "column"), 2)
        out.line("  items:", ("briefs", "items"), 2)
        for k, item in enumerate(briefs["items"]):
            out.line(f"    - text: {scalar(item['text'])}", ("briefs", "items", k), 4)
            if item.get("attribution"):
                out.line(f"      attribution: {scalar(item['attribution'])}", ("briefs", "items", k, "attribution"), 6)
    if "distribution" in data:
        out.line("distribution:", ("distribution",))
        for k, d in enumerate(data["distribution"]):
            out.line(f"  - label: {scalar(d['label'])}", ("distribution", k), 2)
            out.line(f"    text: {scalar(d['text'])}", ("distribution", k, "text"), 4)
    if "phone" in data:
        out.line(f"phone: {scalar(data['phone'])}", ("phone",))
    for key in ("editions", "colours"):
        if key in data:
            out.line(f"{key}: {json.dumps(data[key], ensure_ascii=False)}", (key,))
    # reviews whose field was left out or never written go at the end, so that none is lost
    for rest in list(out.pending.values()):
        for r in rest:
            out.lines.append(f"# review: {r}")
            r.line = len(out.lines)
    return Written("\n".join(out.lines) + "\n", reviews)
