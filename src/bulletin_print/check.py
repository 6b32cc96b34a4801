"""Checks an editor can trust, run by `bulletin-print check` and before every `build`.

Everything is reported at once, as `Problem`s that name file, line, column and field:

- the file itself: readable, not too large, valid YAML without aliases, valid against
  `schema/issue.schema.json` (all of that is `load.py`), within the size limits below;
- the archive's numbering (the ledger): 期 within a year, 总第 across years, dates, the path;
- glyph coverage: every character against the fonts of the role that sets it;
- punctuation: half-width marks between Chinese characters and similar slips (warnings only;
  `check --fix` rewrites them, keeping comments and key order).

Errors stop a build; warnings do not. See docs/errors.md for every message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any, Iterator

import yaml

from bulletin_print import load
from bulletin_print.model import Issue, IssueError, Problem, find_lead
from bulletin_print.files import CACHE_DIR, Unreadable, read_bytes, read_store, regular_file, write_store
from bulletin_print.paths import code_sha256

# Limits: beyond them an issue is refused before any layout, so that a build always ends in
# bounded time. A real issue is 10–30 KB, 20–60 paragraphs and 5,000–20,000 characters.
MAX_PARAGRAPHS = 1000  # paragraphs of all articles plus the 信息摘登 items
MAX_CHARACTERS = 200_000  # characters of text in the whole issue (about 120 pages)
MAX_TITLE = 120  # characters of an article's title, its lines together: six lines of 2号

WARNING = "warning"
ERROR = "error"

# The file names of an issue in the archive, by edition: issues/YYYY/<prefix>N.yaml.
EDITION_PREFIX = {"普刊": "", "增刊": "zengkan-", "专刊": "zhuankan-"}


def prefix_of(edition: str) -> str:
    """"" for 普刊 (12.yaml), "zengkan-" for 增刊 (zengkan-1.yaml); any other edition uses its own name."""
    return EDITION_PREFIX.get(edition, f"{edition}-")


def warn(problem: Problem) -> Problem:
    return replace(problem, severity=WARNING)


def describe(problem: Problem) -> str:
    """One line for an editor: errors as they are, warnings marked 提醒 (see Problem)."""
    return str(problem)


@dataclass
class Checked:
    """One issue file as far as it could be read."""

    path: Path
    issue: Issue | None = None
    doc: load.Document | None = None
    pub: load.Document | None = None  # its publication file's, when it has one
    problems: list[Problem] = field(default_factory=list)


# ---------------------------------------------------------------------------------- one file


def check_file(path: Path, *, fonts: bool = True, lint: bool = True) -> Checked:
    """Everything that can be said about one issue file on its own."""
    out = Checked(path)
    try:
        out.issue, out.doc, out.pub = load.load_documents(path)
    except IssueError as e:
        out.problems.extend(e.problems)
        return out
    out.problems.extend(limits(out.issue, out.doc, out.pub))
    out.problems.extend(placeholder_problems(out.doc, out.pub))
    if any(p.severity == ERROR for p in out.problems):
        return out
    if fonts:
        out.problems.extend(glyph_problems(out.doc, out.pub))
    if lint:
        out.problems.extend(punctuation_problems(out.doc))
    return out


def limits(issue: Issue, doc: load.Document, pub: load.Document | None = None) -> list[Problem]:
    """What the schema cannot say: limits on the whole issue, and an article's title with its lines
    together (each field's own length is in the schema)."""
    def origin(key: str) -> load.Document:  # the file a merged value came from
        return doc if pub is None or key in doc.data else pub

    paragraphs = sum(len(a.paragraphs) for a in issue.articles) + len(issue.briefs)
    out = []
    if paragraphs > MAX_PARAGRAPHS:
        out.append(doc.problem(("columns",), f"段落过多：共 {paragraphs} 段，上限为 {MAX_PARAGRAPHS} 段"
                                             f"，请分成几期 (too many paragraphs)"))
    characters = sum(len(p.text) for a in issue.articles for p in a.paragraphs) + sum(len(b.text) for b in issue.briefs)
    if characters > MAX_CHARACTERS:
        out.append(doc.problem(("columns",), f"正文过长：共 {characters} 字，上限为 {MAX_CHARACTERS} 字"
                                             f" (text too long)"))
    for c, column in enumerate(issue.columns):
        for a, article in enumerate(column.articles):
            if len(article.title_text) > MAX_TITLE:
                out.append(origin("columns").problem(("columns", c, "articles", a, "title"),
                                                     load.too_long(len(article.title_text), MAX_TITLE)))
    return out


# The stand-ins that `new` and `import text` write where the editor has still to write something.
PLACEHOLDERS = frozenset({"（标题）", "（正文）", "（单位 姓名）", "（责任编辑）", "（栏目）"})


def placeholder_problems(doc: load.Document, pub: load.Document | None = None) -> list[Problem]:
    """A stand-in left in place would be printed: an error, so that it never is."""
    return [d.problem(t.path, f"「{t.text.strip()}」是占位文字，请换成实际内容 (placeholder text: write the real one)")
            for d in (pub, doc) if d is not None for t in texts(d) if t.text.strip() in PLACEHOLDERS]


# ------------------------------------------------------------------------------- text fields


@dataclass(frozen=True)
class Text:
    """One text value of a file, where it is, and the font roles that set it."""

    path: load.Path_
    text: str
    roles: tuple[str, ...]
    where: str = ""  # "第2篇《标题》第3段" when the value is part of an article


def texts(doc: load.Document) -> Iterator[Text]:
    """Every text value an editor wrote, with the fonts that will set it (see layout/bulletin.css)."""
    d = doc.data if isinstance(doc.data, dict) else {}
    simple = {"title": ("masthead",), "compiler": ("body",), "edition": ("body",), "editor": ("body",),
              "phone": ("body",)}
    for key, roles in simple.items():
        if isinstance(d.get(key), str):
            yield Text((key,), d[key], roles)
    for i, line in enumerate(d.get("distribution") or []):
        for key in ("label", "text"):
            if isinstance(line, dict) and isinstance(line.get(key), str):
                yield Text(("distribution", i, key), line[key], ("body",))
    count = 0
    for c, column in enumerate(d.get("columns") or []):
        if not isinstance(column, dict):
            continue
        if isinstance(column.get("name"), str):
            yield Text(("columns", c, "name"), column["name"], ("hei",))
        for a, article in enumerate(column.get("articles") or []):
            if not isinstance(article, dict):
                continue
            count += 1
            base = ("columns", c, "articles", a)
            title = article.get("title")
            lines = [title] if isinstance(title, str) else [t for t in title or [] if isinstance(t, str)]
            name = f"第{count}篇《{''.join(lines)}》"
            if isinstance(title, str):
                yield Text(base + ("title",), title, ("title", "body"), name + "标题")
            else:
                for t, line in enumerate(title or []):
                    if isinstance(line, str):
                        yield Text(base + ("title", t), line, ("title", "body"), name + "标题")
            for p, para in enumerate(article.get("paragraphs") or []):
                where = f"{name}第{p + 1}段"
                if isinstance(para, str):
                    yield Text(base + ("paragraphs", p), para, ("body",), where)
                    if find_lead(para):
                        yield Text(base + ("paragraphs", p), find_lead(para), ("hei",), where)
                elif isinstance(para, dict) and isinstance(para.get("text"), str):
                    yield Text(base + ("paragraphs", p, "text"), para["text"], ("body",), where)
                    lead = para.get("lead")
                    if isinstance(lead, str):
                        yield Text(base + ("paragraphs", p, "lead"), lead, ("hei",), where)
                    elif lead is None and find_lead(para["text"]):
                        yield Text(base + ("paragraphs", p, "text"), find_lead(para["text"]), ("hei",), where)
            if isinstance(article.get("attribution"), str):
                yield Text(base + ("attribution",), article["attribution"], ("kai",), name + "署名")
    briefs = d.get("briefs")
    if isinstance(briefs, dict):
        if isinstance(briefs.get("column"), str):
            yield Text(("briefs", "column"), briefs["column"], ("hei",))
        for i, item in enumerate(briefs.get("items") or []):
            if isinstance(item, dict):
                for key, roles in (("text", ("body",)), ("attribution", ("kai",))):
                    if isinstance(item.get(key), str):
                        yield Text(("briefs", "items", i, key), item[key], roles, f"信息摘登第{i + 1}则")


# ---------------------------------------------------------------------------- glyph coverage

ROLE_NAMES = {"body": "正文", "kai": "楷体署名", "title": "标题", "masthead": "刊头", "hei": "黑体"}


NO_GLYPH = ("所有字体都没有，无法排印；请换一种写法（如改用文字说明、通用规范汉字表中的字），或请维护者把有此字的字体"
            "加入 fonts/ (no shipped font has this character: write it another way, or have a font with it added to fonts/)")
# A private-use character means whatever the font that draws it says: a 造字 program's rare name
# character here, a vertical comma in FandolFang there. It is never set, whichever font has it.
PRIVATE_USE = ("是私用区字符（多由造字程序造出，换一台电脑、换一种字体就变样），无法排印；请改用这个字在 Unicode 中的标准"
               "编码（生僻字多在扩展 B 区及以后），或换一种写法 (a private-use character: use the character's standard"
               " code point, or write it another way)")


def glyph_problems(doc: load.Document, pub: load.Document | None = None) -> list[Problem]:
    """Characters that only a fallback font has (warning) or that no shipped font has (error)."""
    from bulletin_print import fonts

    out: list[Problem] = []
    for d in (pub, doc):
        if d is None:
            continue
        for t in texts(d):
            seen: set[tuple[str, str]] = set()
            where = f"{t.where}：" if t.where else ""
            for ch in t.text:
                code = ord(ch)
                if ch in " \n\t\u3000":
                    continue
                cat = unicodedata.category(ch)
                if cat in ("Cc", "Cs") or (cat == "Cf" and ch not in "\u200b\u2060"):
                    if ("ctl", ch) not in seen:
                        seen.add(("ctl", ch))
                        out.append(d.problem(t.path, load.CONTROL.format(code)))
                    continue
                if cat == "Co":
                    if ("pua", ch) not in seen:
                        seen.add(("pua", ch))
                        out.append(d.problem(t.path, f"{where}「{ch}」(U+{code:04X}) {PRIVATE_USE}"))
                    continue
                for role in t.roles:
                    if (role, ch) in seen or fonts.covers(role, ch):
                        continue
                    seen.add((role, ch))
                    fallback = fonts.face(role, ch)
                    if fallback is None:
                        out.append(d.problem(t.path, f"{where}「{ch}」(U+{code:04X}) {NO_GLYPH}"))
                        break
                    family = fonts.font_for(fallback).family
                    out.append(warn(d.problem(t.path, f"{where}「{ch}」(U+{code:04X}) {ROLE_NAMES.get(role, role)}"
                                                      f"字体没有，将用备用字体 {family} 排印 (only in a fallback font)")))
    return out


# ------------------------------------------------------------------------- punctuation lint

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
        found, fixed = lint_text(value, curly, spaces=where[-1] != "attribution")
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


# ----------------------------------------------------------------------------------- ledger


def archive_files(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("*/*.yaml") if load.YEAR_FOLDER.fullmatch(p.parent.name) and p.is_file())


@dataclass(frozen=True)
class Member:
    """An archive file as the ledger reads it: its numbering and, for a file being checked, the
    document that puts each problem on its line (the other members' problems are not reported)."""

    path: Path
    edition: str
    number: int
    total: int
    date: dt.date
    doc: load.Document | None = None

    @classmethod
    def of(cls, checked: Checked) -> Member | None:
        """None for a file that could not be read: its own check says why."""
        issue = checked.issue
        if issue is None or checked.doc is None:
            return None
        return cls(checked.path, issue.edition, issue.number, issue.total, issue.date, checked.doc)

    @property
    def file(self) -> str:
        return self.doc.file if self.doc is not None else str(self.path)

    def problem(self, field_: str, message: str) -> Problem:
        if self.doc is None:
            return Problem(str(self.path), 0, 0, field_, message)
        return self.doc.problem((field_,), message)


def expected_name(issue: Issue | Member) -> str:
    return f"{issue.date.year}/{prefix_of(issue.edition)}{issue.number}.yaml"


def _number_of_name(path: Path, edition: str) -> int | None:
    prefix = prefix_of(edition)
    stem = path.stem
    if not stem.startswith(prefix) or not stem[len(prefix):].isdigit():
        return None
    return int(stem[len(prefix):])


def short(path: Path) -> str:
    """2024/12.yaml: a file as the archive names it."""
    return f"{path.parent.name}/{path.name}"


def ledger(members: list[Member]) -> list[Problem]:
    """The archive's numbering: each edition counted on its own (see docs/issue-format.md)."""
    out: list[Problem] = []
    duplicates: set[int] = set()
    for m in members:  # the path
        year_dir = Path(os.path.abspath(m.path)).parent.name
        if year_dir != str(m.date.year):
            out.append(m.problem("date", f"日期在 {m.date.year} 年，文件却在 {year_dir} 文件夹；应为 "
                                         f"{expected_name(m)} (path disagrees with the date)"))
        elif _number_of_name(m.path, m.edition) != m.number:
            out.append(m.problem("number", f"{m.edition}第{m.number}期的文件名应为 "
                                           f"{expected_name(m)}，而不是 {year_dir}/{m.path.name}"
                                           f" (path disagrees with the number)"))
    by_edition: dict[str, list[Member]] = defaultdict(list)
    for m in members:
        by_edition[m.edition].append(m)
    for edition, items in by_edition.items():
        items.sort(key=lambda m: (m.total, m.date, m.number, str(m.path)))
        seen_total: dict[int, Member] = {}
        seen_number: dict[tuple[int, int], Member] = {}
        for m in sorted(items, key=lambda m: str(m.path)):
            first = seen_total.get(m.total) or seen_number.get((m.date.year, m.number))
            if first is not None:
                duplicates.add(id(m))
                out.append(m.problem("number", f"与 {short(first.path)} 重复：同为{edition}"
                                               f"{m.date.year}年第{m.number}期（总第{m.total}期）"
                                               f" (duplicate issue)"))
                continue
            seen_total[m.total] = m
            seen_number[(m.date.year, m.number)] = m
        sequence = [m for m in items if id(m) not in duplicates]
        for p, m in pairwise(sequence):
            if m.total != p.total + 1:
                out.append(m.problem("total", f"总第{m.total}期接在 {short(p.path)}（总第{p.total}期）之后，"
                                              f"应为总第{p.total + 1}期 (总第 must go up by one)"))
            if m.date.year == p.date.year and m.number != p.number + 1:
                out.append(m.problem("number", f"第{m.number}期接在 {short(p.path)}（第{p.number}期）之后，"
                                               f"应为第{p.number + 1}期 (期 must go up by one within a year)"))
            elif m.date.year > p.date.year and m.number != 1:
                out.append(m.problem("number", f"{m.date.year}年的第一期{edition}应为第1期，而不是第{m.number}期"
                                               f" (the first issue of a year is 1)"))
            if m.date < p.date:
                out.append(m.problem("date", f"日期 {m.date} 早于上一期 {short(p.path)} 的 {p.date}"
                                             f" (date goes backwards)"))
    # an edited path rule is reported once per duplicate file, not twice
    return [p for p in out if not any(id(m) in duplicates and p.file == m.file and "path disagrees" in p.message
                                      for m in members)]


# The numbering of archive files that are not themselves being checked, remembered by content:
# checking or building one issue would otherwise load and validate every issue of the archive
# (0.7 s for 100 issues, measured). An entry stands for one file at one path, with its bytes and
# those of its publication file, read with the tool's code of the time; anything else is read
# afresh. The store only ever saves time: an entry of another shape is ignored, and a refusal
# found with remembered numbering is confirmed by reading the archive afresh (archive_ledger).
NUMBERING_STORE = CACHE_DIR / "numbering.json"
NUMBERING_KEPT = 5000  # entries: a few archives' worth; the oldest go first


def _numbering_entry(entry: Any) -> bool:
    """None (a file that could not be read) or [edition, 期, 总第, ISO date], as written below."""
    if entry is None:
        return True
    if not (isinstance(entry, list) and len(entry) == 4):
        return False
    edition, number, total, date = entry
    if not (isinstance(edition, str) and type(number) is int and type(total) is int and isinstance(date, str)
            and 0 < number < 10**6 and 0 < total < 10**7 and len(date) == 10):
        return False
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        return False
    return True


def archive_members(files: list[Path], checked: dict[Path, Checked],
                    distrust: frozenset[Path] = frozenset()) -> tuple[list[Member], frozenset[Path]]:
    """The ledger's view of `files`: the checked ones (keyed by resolved path) from their checks,
    the others from the store or, when it does not know them (or they are in `distrust`), from a
    check of their own, which the store then remembers. Also says which came from the store."""
    code = code_sha256()
    store = read_store(NUMBERING_STORE)
    entries = store.get("entries") if store.get("code") == code else None
    known: dict[str, Any] = entries if isinstance(entries, dict) else {}
    publications: dict[Path | None, bytes] = {}
    learned: dict[str, list | None] = {}
    out = []
    remembered: set[Path] = set()
    for f in files:
        c = checked.get(f.resolve())
        if c is not None:
            member = Member.of(c)
        else:
            try:
                pub = load.publication_file(f)
                if pub not in publications:
                    publications[pub] = (str(pub).encode() + b"\0" + read_bytes(pub, load.MAX_FILE_BYTES)
                                         if pub is not None else b"")
                key = hashlib.sha256(str(f.resolve()).encode("utf-8", "surrogateescape") + b"\0"
                                     + read_bytes(f, load.MAX_FILE_BYTES) + b"\0" + publications[pub]).hexdigest()
            except (Unreadable, OSError):
                key = None  # unreadable: its own check says so
            entry = known.get(key, False) if key is not None and f not in distrust else False  # None: unreadable
            if entry is not False and _numbering_entry(entry):
                member = None if entry is None else Member(f, entry[0], entry[1], entry[2], dt.date.fromisoformat(entry[3]))
                remembered.add(f)
            else:
                member = Member.of(check_file(f, fonts=False, lint=False))
                if key is not None:
                    learned[key] = None if member is None else [member.edition, member.number, member.total,
                                                                 member.date.isoformat()]
        if member is not None:
            out.append(member)
    if learned:
        entries = {**known, **learned}
        write_store(NUMBERING_STORE, {"code": code, "entries": dict(list(entries.items())[-NUMBERING_KEPT:])})
    return out, frozenset(remembered)


def archive_ledger(root: Path, checked: dict[Path, Checked], concern: set[Path]) -> list[Problem]:
    """The ledger's problems of the archive at `root` that concern the files in `concern`
    (resolved). Should it find an error, the files whose numbering came from the store are read
    afresh and the ledger asked again: a stale or forged entry can never refuse an issue."""
    files = archive_files(root)
    members, remembered = archive_members(files, checked)
    problems = [p for p in ledger(members) if Path(p.file).resolve() in concern]
    if errors(problems) and remembered:
        members, _ = archive_members(files, checked, distrust=remembered)
        problems = [p for p in ledger(members) if Path(p.file).resolve() in concern]
    return problems


# ------------------------------------------------------------------------------ entry points


def issue_files(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """The issue files named, and those in the folders named; and a problem for each path that
    is not a file the tool can read (missing, a folder named like an issue file, a FIFO, a
    device, a symlink loop), whether named or found in a folder under an issue file's name."""
    files: list[Path] = []
    problems: list[Problem] = []
    for p in paths:
        for f in load.issue_candidates(p) if load.is_issue_folder(p) else [p]:
            try:
                regular_file(f)
            except Unreadable as e:
                problems.append(Problem(str(f), 0, 0, "", e.message))
            else:
                files.append(f)
    return files, problems


def check_paths(paths: list[Path], *, fonts: bool = True, lint: bool = True) -> list[Problem]:
    """Every problem of the named files and folders, and of the archives they belong to."""
    return examine(paths, fonts=fonts, lint=lint)[1]


def examine(paths: list[Path], *, fonts: bool = True, lint: bool = True) -> tuple[list[Checked], list[Problem]]:
    """Each named file (and each file of the named folders) as far as it could be read, and every
    problem of them and of the archives they belong to, in the order an editor reads them."""
    files, problems = issue_files(paths)
    named = {f.resolve() for f in files}
    checked = {f.resolve(): check_file(f, fonts=fonts, lint=lint) for f in files}
    for p in checked.values():
        problems.extend(p.problems)
    roots = {r for f in files if (r := load.archive_folder(f)) is not None}
    for root in sorted(roots):
        problems.extend(archive_ledger(root, checked, named))
    unique = list(dict.fromkeys(problems))
    return list(checked.values()), sorted(unique, key=lambda p: (p.file, p.line, p.column, p.severity != ERROR))


def numbering_refused(files: list[Path]) -> set[Path]:
    """The files (resolved) among `files` whose numbering the ledger refuses: a folder build must
    not skip them as current, since `build FILE` would refuse them."""
    roots = {r for f in files if (r := load.archive_folder(f)) is not None}
    concern = {f.resolve() for f in files}
    return {Path(p.file).resolve() for root in sorted(roots) for p in errors(archive_ledger(root, {}, concern))}


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity != WARNING]


# --------------------------------------------------------------------------------- new issue


def next_issue(root: Path, edition: str, date: dt.date) -> tuple[Path, int, int, Issue | None]:
    """Where the next issue of `edition` goes, its 期 and 总第, and the issue before it."""
    same = [m for m in archive_members(archive_files(root), {})[0] if m.edition == edition]
    last = load.load_issue(max(same, key=lambda m: m.total).path) if same else None
    if last is None:
        number, total = 1, 1
    else:
        number = last.number + 1 if last.date.year == date.year else 1
        total = last.total + 1
    return root / str(date.year) / f"{prefix_of(edition)}{number}.yaml", number, total, last


def new_issue_text(target: Path, edition: str, number: int, total: int, date: dt.date, last: Issue | None,
                   title: str) -> str:
    """The new issue's file. Every value taken from elsewhere (the last issue's editor and 栏目,
    the edition) is written by the YAML emitter, so that it reads back as the same text."""
    schema = os.path.relpath(load.SCHEMA_FILE, target.parent.resolve())
    column = last.columns[0].name if last and last.columns else "要闻速递"
    editor = last.editor if last else "（责任编辑）"
    label = " ".join(f"《{title}》{date.year}年第{number}期（总第{total}期）".split())  # a comment is one line
    return (
        f"# yaml-language-server: $schema={Path(schema).as_posix()}\n"
        f"# {label}\n"
        f"edition: {yaml_scalar(edition)}\n"
        f"number: {number}          # 期: counts within the year\n"
        f"total: {total}         # 总第: counts across all years\n"
        f"date: {date.isoformat()}\n"
        f"editor: {yaml_scalar(editor)}       # 本期责任编辑\n"
        f"columns:\n"
        f"  - name: {yaml_scalar(column)}\n"
        f"    articles:\n"
        f"      - title: （标题）\n"
        f"        paragraphs:\n"
        f"          - （正文）\n"
        f"        attribution: （单位 姓名）\n"
    )


def yaml_scalar(value: str) -> str:
    """`value` as the YAML emitter writes it, on one line: plain where YAML reads that back as the
    same text, quoted where it would not ('no', '要闻: 速递', '12'), escaped in double quotes
    where it holds a line break or a character the tool does not read in a file (load.NOT_IN_YAML)."""
    text = yaml.safe_dump(value, allow_unicode=True, width=1 << 30).removesuffix("\n...\n").removesuffix("\n")
    if "\n" in text or load.NOT_IN_YAML.search(text):
        text = yaml.safe_dump(value, allow_unicode=True, width=1 << 30, default_style='"').removesuffix("\n")
    return text


# ------------------------------------------------------------------------------ font report


def coverage(have: set[int] | frozenset[int]) -> list[str]:
    """One row per character set of the report: how many of its characters `have` holds, as a
    count and a floored percentage (7444/7445 is 99.9 %, never 100.0 %), and the first missing."""
    from bulletin_print import fonts

    sets = (("GB 2312", fonts.charset("gb2312")), ("通用规范汉字表", fonts.charset("tygf8105")),
            ("CJK 基本区 U+4E00–9FFF", "".join(map(chr, range(0x4E00, 0xA000)))),
            ("CJK 扩展 A U+3400–4DBF", "".join(map(chr, range(0x3400, 0x4DC0)))),
            ("常用符号 (symbols)", fonts.SYMBOLS))
    rows = []
    for name, chars in sets:
        missing = [c for c in chars if ord(c) not in have]
        n, total = len(chars) - len(missing), len(chars)
        permille = 1000 * n // total
        row = f"{name}: {n}/{total} ({permille // 10}.{permille % 10}%)"
        if missing:
            row += f"，缺 {len(missing)} 字 (missing)：「{''.join(missing[:12])}{'…' if len(missing) > 12 else ''}」"
        rows.append(row)
    return rows


def font_report() -> list[str]:
    """What `bulletin-print fonts` prints: one block per shipped font, then what each role's font
    and its fallbacks (as layout/bulletin.css lists them) set together."""
    from bulletin_print import fonts

    rows = []
    for f in fonts.manifest():
        have = fonts.metrics(f.role).codepoints()
        rows.append(f"{f.role:<13} {f.family}  ({f.file})")
        rows.append(f"    版本 (version): {f.version}    许可 (licence): {f.licence}  [fonts/{f.licence_file}]")
        rows.append(f"    覆盖 (coverage): 共 {len(have)} 个字符 (characters)")
        rows += [f"      {row}" for row in coverage(have)]
    rows.append("各角色连同备用字体 (each role with its fallbacks):")
    for role in (*fonts.TEXT_ROLES, "fallback"):
        chain = fonts.stack(role)
        rows.append(f"{role:<13} " + " → ".join(fonts.font_for(r).family for r in chain))
        have = set().union(*(fonts.metrics(r).codepoints() for r in chain))
        rows.append("      " + "；".join(coverage(have)))
    return rows
