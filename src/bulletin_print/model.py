"""The issue as plain data: what an editor wrote, merged with the publication's defaults.

Every later step (check, compose, render, typeset, finish) reads these classes and nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """Something wrong in an issue file, said where an editor can find it."""

    file: str
    line: int  # 1-based; 0 when the problem concerns the whole file
    column: int
    field: str  # the field's path, e.g. "columns[2].articles[0].title"
    message: str
    severity: str = "error"  # or "warning"
    code: str = ""  # what found it, where that matters: "layout" (composing, the preflight)
    hint: str = ""  # what to do about it, when the message alone does not say

    def __str__(self) -> str:
        """One line, whatever the file, key or value holds: FILE:LINE:COLUMN: FIELD: MESSAGE,
        with 提醒 (warning) before the field of a warning, and the hint after the message."""
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        mark = " 提醒 (warning):" if self.severity == "warning" else ""
        field = f" {self.field}:" if self.field else ""
        hint = f" — 提示 (hint): {self.hint}" if self.hint else ""
        return printable(f"{where}:{mark}{field} {self.message}{hint}")


# Characters that would break a message's line or hide in it: controls (newline, escape codes),
# line and paragraph separators, format characters (bidi overrides, zero-width) and surrogates.
UNPRINTABLE = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def printable(text: str) -> str:
    """`text` with every unprintable character written as a Python escape (\\n, \\x1b, \\ud800)."""
    return "".join(ch if unicodedata.category(ch) not in UNPRINTABLE else ascii(ch)[1:-1] for ch in text)


def shown(value: str, limit: int = 30) -> str:
    """A value quoted in a message: its first `limit` characters, then … when it is longer."""
    return value if len(value) <= limit else value[:limit] + "…"


FieldPath = tuple[str | int, ...]  # ("columns", 2, "articles", 0, "title")


def field_name(path: FieldPath) -> str:
    """("columns", 2, "articles", 0, "title") → "columns[2].articles[0].title" (a long key cut short)."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{shown(part)}" if out else shown(part))
    return out


def field_path(name: str) -> FieldPath:
    """"columns[2].articles[0].title" → ("columns", 2, "articles", 0, "title")."""
    return tuple(int(index) if index else key for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", name))


@dataclass(frozen=True)
class Fault:
    """Something a later step (composing, laying out the pages) could not do as the rules ask,
    said of the field that caused it; the pipeline puts it on that field's line in the file."""

    path: FieldPath
    message: str
    severity: str = "error"  # or "warning"


WARNING = "warning"  # a Problem's severity that does not stop a build


def warn(problem: Problem) -> Problem:
    return replace(problem, severity=WARNING)


def errors(problems: list[Problem]) -> list[Problem]:
    """The problems that stop a build."""
    return [p for p in problems if p.severity != WARNING]


class IssueError(Exception):
    """Raised with every problem found, so that an editor sees them all at once."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class Paragraph:
    text: str
    lead: str = ""  # the lead sentence ("一是…。") that opens the paragraph, set apart; "" for none


@dataclass(frozen=True)
class Figure:
    """A photo among an article's paragraphs: `{image: FILE, caption: …, width: half}`."""

    file: str  # the image file, an absolute path inside the issue's folder
    name: str  # as the issue file names it ("photo.jpg"), relative to the issue's folder
    pixels: tuple[int, int]  # its width and height in pixels
    caption: str = ""
    half: bool = False  # half the block's width (else the whole block)

    @property
    def text(self) -> str:  # what counts as text of the issue: its caption
        return self.caption


@dataclass(frozen=True)
class Table:
    """A table among an article's paragraphs: `{table: [[…], …], header: true, caption: …}`."""

    rows: tuple[tuple[str, ...], ...]
    header: bool = False  # the first row is the table's head (set in 黑体)
    caption: str = ""

    @property
    def text(self) -> str:
        return self.caption + "".join(cell for row in self.rows for cell in row)


@dataclass(frozen=True)
class Article:
    title: tuple[str, ...]  # the title's lines, or the whole title when it is left to break by itself
    paragraphs: tuple[Paragraph | Figure | Table, ...]
    attribution: str = ""  # "预算工委 吴颖", printed in brackets after the article
    anchor: str = ""  # the id that the 目录 and the PDF outline point to
    lines_given: bool = True  # whether the data gives the title's lines (a list) or one string
    path: FieldPath = ()  # where it is in the issue file: ("columns", 0, "articles", 1)
    subtitle: str = ""  # 副题, printed under the title after 「——」
    note: str = ""  # 按语, between the title and the body, after 「编者按：」

    @property
    def title_text(self) -> str:
        return "".join(self.title)


@dataclass(frozen=True)
class Column:
    name: str  # 栏目, e.g. 要闻速递
    articles: tuple[Article, ...]
    path: FieldPath = ()


@dataclass(frozen=True)
class Brief:
    text: str
    attribution: str = ""
    path: FieldPath = ()


@dataclass(frozen=True)
class DistributionLine:
    label: str  # 送 / 发 / 报 (or, in `signoff`, 签发 / 核稿 / 编校)
    text: str


@dataclass(frozen=True)
class Look:
    """What a publication changes of the tool's look, from its own folder (publication.yaml's)."""

    layout: Path | None = None  # its layout folder: templates and stylesheets named as the tool's replace them
    fonts: tuple[tuple[str, Path], ...] = ()  # (role, file): a role's font replaced, or "publication": added
    stylesheets: tuple[Path, ...] = ()  # its other stylesheets, applied after the tool's


@dataclass(frozen=True)
class Issue:
    source: str  # the issue file, as named on the command line
    title: str  # 刊名
    compiler: str  # 编印单位
    edition: str  # 普刊 / 增刊 / 专刊
    number: int  # 期, within the year
    total: int  # 总第, across all years
    date: dt.date
    columns: tuple[Column, ...]
    briefs_column: str
    briefs: tuple[Brief, ...]
    distribution: tuple[DistributionLine, ...]
    editor: str
    phone: str
    red: tuple[float, float, float, float]  # CMYK of the masthead and its rule
    red_spot: str | None = None  # the spot ink the print variant paints the red in (e.g. PANTONE 485 C)
    look: Look = Look()
    note: str = ""  # 编者按 of the whole issue: after the 目录, before the first article
    secrecy: str = ""  # 密级 and 保密期限, e.g. 秘密★1年: top left of page 1
    notice: str = ""  # e.g. 内部资料　注意保存: above the 刊名
    topic: str = ""  # a 专刊's or 增刊's topic, on its own line under the edition
    print_run: int = 0  # 共印N份 at the right of the 版记's last line; 0 for none
    signoff: tuple[DistributionLine, ...] = ()  # 签发 / 核稿 / 编校 lines of the 版记

    @property
    def articles(self) -> tuple[Article, ...]:
        return tuple(a for c in self.columns for a in c.articles)

    @property
    def label(self) -> str:
        """"杭州人大信息 2024年第12期（总第700期）": the document's title in the PDF."""
        return f"{self.title} {self.date.year}年第{self.number}期（总第{self.total}期）"


# "一是…。" to "十是…。": the ordinal lead phrases of bulletin paragraphs.
LEAD = re.compile(r"^[一二三四五六七八九十]{1,2}是[^。！？]*[。！？]")


def lead_of(text: str, given: object = None) -> str:
    """The lead sentence a paragraph opens with: the one its data gives (false or "" for none),
    else the one found (find_lead)."""
    return find_lead(text) if given is None else (given if isinstance(given, str) else "")


def find_lead(text: str) -> str:
    """The lead sentence that opens a paragraph ("一是聚焦…，夯实监督基础。"), or ""."""
    match = LEAD.match(text)
    return match.group(0) if match and match.end() < len(text) else ""
