"""The plain text of a printed issue → an issue file.

Reads the layout of a text dump of the printed bulletin (tests/fixtures/hangzhou-renda-2024-12.txt),
blocks separated by blank lines:

  masthead   刊名, (普 刊), 第 12 期(总第 700 期), 编印单位, 2024 年 8 月 16 日
  目 录      "- 要闻速递** title" lines give the columns and their articles; a line without "- " is
             another article of the same column; "- 信息摘登** 2 则" gives the briefs' count
  articles   the title (one block, with a space where the printed title breaks its line, or two
             blocks), paragraphs (a paragraph that a page break split in two arrives as two blocks,
             the first not ending a sentence: they are joined), the attribution in half- or
             full-width brackets on its own
  briefs     after the last article: paragraph + attribution, no titles
  版记       送：…, an unlabelled line (the 发 line), 本期责任编辑：…, 电话：…

The 目录 is what makes the titles certain: a title is the block (or blocks) whose text is the
目录's entry, compared without spaces and with full- and half-width forms alike. What the reader
cannot place with confidence is still written, with a `# review:` comment, and reported. A text in
which it finds no article at all, or a 期 or 总第 of more than MAX_DIGITS digits, is refused
(IssueError, located at its line): that is not the text of an issue.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulletin_print.files import Unreadable, read_text
from bulletin_print.importers.writer import Review
from bulletin_print.model import IssueError, Problem

SENTENCE_END = re.compile(r"[。！？!?…：:；;][”’」』）)]*$")
ATTRIBUTION = re.compile(r"^[（(]\s*([^（）()。]{1,80}?)\s*[）)]$")
EDITION = re.compile(r"^[（(]\s*([^（）()]{1,12})\s*[）)]$")
NUMBERS = re.compile(r"第\s*(\d+)\s*期\s*[（(]\s*总第\s*(\d+)\s*期\s*[）)]")
DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
TOC_HEAD = re.compile(r"^目\s*录$")
TOC_ENTRY = re.compile(r"^[-*•·]\s*(?:\*\*)?\s*(.+?)\s*\*\*\s*(.*)$")
TOC_BRACKET = re.compile(r"^【\s*([^【】]{1,12}?)\s*】\s*(.*)$")  # 【要闻速递】市人大常委会……
LEADER = re.compile(r"\s*[.·…．_\-—]{2,}\s*\d{1,3}\s*$|\s{2,}\d{1,3}\s*$")  # a 目录 entry's leader and page number
SEPARATOR = re.compile(r"^[-—_*=·~～]{3,}$")  # a rule between parts: a break, never text
BRIEFS_HEADS = ("信息摘登", "简讯", "信息快递", "动态简讯", "工作简讯")
DEFAULT_COLUMN = "工作动态"  # the 栏目 of articles a text names none for
BRIEFS_COUNT = re.compile(r"^(\d+)\s*则$")
DISTRIBUTION = re.compile(r"^(送|发|报|抄送|印发|分送)\s*[：:]\s*(.+)$")
EDITOR = re.compile(r"本期责任编辑\s*[：:]\s*(\S+)")
PHONE = re.compile(r"电话\s*[：:]\s*(\S+)")
ASCII_WORD = re.compile(r"[0-9A-Za-z%]")
MAX_DIGITS = 6  # a 期, 总第 or count of 信息摘登 longer than this is no issue's


def norm(s: str) -> str:
    """For comparing a title with its 目录 entry: NFKC (：→:), no spaces, no markdown stars."""
    return re.sub(r"[\s*]+", "", unicodedata.normalize("NFKC", s))


def spaces(s: str) -> str:
    """Runs of spaces (full-width ones too) as one ASCII space, none at the ends."""
    return re.sub(r"[\s\u3000]+", " ", s).strip()


@dataclass
class Block:
    lines: list[str]
    line: int  # where it starts in the text file (1-based)

    @property
    def text(self) -> str:
        return "".join(self.lines)


@dataclass
class Entry:
    column: str
    title: str  # as the 目录 prints it


@dataclass
class Imported:
    data: dict[str, Any]
    reviews: list[Review] = field(default_factory=list)


def blocks_of(text: str) -> list[Block]:
    out: list[Block] = []
    current: Block | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().strip("\ufeff")
        if not line or SEPARATOR.match(line):  # a rule (---) ends a block as a blank line does
            current = None
            continue
        if current is None:
            current = Block([], n)
            out.append(current)
        current.lines.append(line)
    return out


def parse(text: str, source: str = "") -> Imported:
    """The issue's data (publication keys included) and the places to review; IssueError (in
    `source`) for a text that is not an issue's."""
    blocks = blocks_of(text)
    reviews: list[Review] = []
    data: dict[str, Any] = {}
    raw = text.splitlines()

    def number(digits: str, line: int) -> int:
        """A number of the text; one too long to be a 期 or a count is refused where it stands."""
        if len(digits) > MAX_DIGITS:
            column = raw[line - 1].find(digits) + 1
            raise IssueError([Problem(source, line, column, "", f"数字过长：{len(digits)} 位，不是期号或则数 "
                                                             f"(a number of {len(digits)} digits: not an issue's)")])
        return int(digits)

    def review(path: tuple, message: str) -> None:
        reviews.append(Review(path, message))

    toc_at = next((i for i, b in enumerate(blocks) if TOC_HEAD.match(spaces(b.lines[0]))), None)
    if toc_at is None:
        review(("columns",), "没有找到目录 (no 目录 found): the columns and titles are guessed")
    if toc_at is not None:
        masthead = blocks[:toc_at]
    else:  # a bare list of articles has none: only the blocks up to its 期 or date line, if any
        marked = [i for i, b in enumerate(blocks[:6]) if any(NUMBERS.search(l) or DATE.match(spaces(l)) for l in b.lines)]
        masthead = blocks[:marked[-1] + 1] if marked else []
    _masthead([(b.line + k, l) for b in masthead for k, l in enumerate(b.lines)], data, review, number)

    # the 目录: its entries, and where the body begins
    entries: list[Entry] = []
    briefs_column, briefs_count = None, None
    body_at = len(masthead) if toc_at is None else toc_at + 1

    def toc_entry(line: str) -> re.Match | None:
        return TOC_ENTRY.match(line) or TOC_BRACKET.match(line)

    if toc_at is not None:
        toc_lines = [(blocks[toc_at].line + k, l) for k, l in enumerate(blocks[toc_at].lines)][1:]
        while body_at < len(blocks) and toc_entry(blocks[body_at].lines[0]):
            toc_lines += [(blocks[body_at].line + k, l) for k, l in enumerate(blocks[body_at].lines)]
            body_at += 1
        column = None
        for at, line in toc_lines:
            line = LEADER.sub("", line)
            m = toc_entry(line)
            if m:
                column, title = m.group(1).strip(), m.group(2).strip()
                count = BRIEFS_COUNT.match(title)
                if count:
                    briefs_column, briefs_count = column, number(count.group(1), at)
                    column = None
                    continue
                if title:
                    entries.append(Entry(column, title))
            elif column is not None:
                entries.append(Entry(column, line))
            else:
                review(("columns",), f"目录中无法归栏的一行 (a 目录 line with no column): {line}")

    # the 版记 at the end
    colophon_at = len(blocks)
    for i in range(body_at, len(blocks)):
        if DISTRIBUTION.match(blocks[i].lines[0]) or EDITOR.search(blocks[i].lines[0]):
            colophon_at = i
            break
    _colophon([l for b in blocks[colophon_at:] for l in b.lines], data, review)

    body = blocks[body_at:colophon_at]
    columns: list[dict[str, Any]] = []
    briefs: list[dict[str, Any]] = []
    # a 信息摘登 section known by its heading: the briefs are what follows it, never an article's
    heads = {norm(h) for h in (*BRIEFS_HEADS, *([briefs_column] if briefs_column else []))}
    head_at = next((i for i, b in enumerate(body) if len(b.lines) == 1 and norm(b.text) in heads), None)
    briefs_blocks: list[Block] | None = None
    if head_at is not None:
        briefs_column = briefs_column or spaces(body[head_at].text).replace(" ", "")
        body, briefs_blocks = body[:head_at], body[head_at + 1:]
    if not entries:  # no 目录 to go by: a bare list of articles, each a title, its paragraphs, its attribution
        entries = _bare_titles(body)
        if entries:
            review(("columns", 0, "name"), f"原文没有目录和栏目，文章都放在「{DEFAULT_COLUMN}」栏，请核对 "
                                           f"(no 目录: the articles are put in one column)")
    # where each 目录 entry's title stands in the body
    found: list[tuple[int, int, list[str], Entry]] = []  # (block index, blocks taken, title lines, entry)
    title_reviews: list[tuple[int, str]] = []
    pos = 0
    for e, entry in enumerate(entries):
        hit = _find_title(body, pos, len(body), entry.title, _title_at)
        fuzzy = False
        if hit is None:  # a title printed unlike its 目录 entry: the closest short block before the next title
            following = [_find_title(body, pos, len(body), later.title, _title_at) for later in entries[e + 1:e + 2]]
            limit = following[0][0] if following and following[0] else len(body)
            hit, fuzzy = _find_title(body, pos, limit, entry.title, _title_like), True
        if hit is None:
            review(("columns",), f"正文中没有找到目录的标题 (title not found in the text): {entry.title}")
            continue
        start, taken = hit
        lines = [part for b in body[start:start + taken] for line in b.lines for part in spaces(line).split(" ")]
        found.append((start, taken, lines, entry))
        if fuzzy:
            title_reviews.append((len(found) - 1, f"标题与目录不同，请核对 (the title differs from the 目录's): {entry.title}"))
        pos = start + taken
    if found and found[0][0] > 0:
        review(("columns", 0, "articles", 0, "title"),
               f"第一篇文章之前有 {found[0][0]} 段无法归属的文字，未导入 (text before the first title left out): "
               f"{body[0].text[:30]}…")

    for k, (start, taken, title_lines, entry) in enumerate(found):
        end = found[k + 1][0] if k + 1 < len(found) else len(body)
        last = k + 1 == len(found)
        if not columns or columns[-1]["name"] != entry.column:
            columns.append({"name": entry.column, "articles": []})
        ci, ai = len(columns) - 1, len(columns[-1]["articles"])
        path = ("columns", ci, "articles", ai)
        # one line: the tool breaks it; lines the print shows are kept as they are
        article: dict[str, Any] = {"title": title_lines if len(title_lines) > 1 else title_lines[0]}
        for _, message in (t for t in title_reviews if t[0] == k):
            review(path + ("title",), message)
        if len(title_lines) > 1 and re.search(r"\s", entry.title):
            review(path + ("title",), "标题中的空格是换行还是空格？(is the space in the title a line break?)")
        rest = body[start + taken:end]
        attribution_at = next((i for i, b in enumerate(rest) if i > 0 and ATTRIBUTION.match(b.text)), None)
        paragraph_blocks = rest if attribution_at is None else rest[:attribution_at]
        article["paragraphs"] = _paragraphs(paragraph_blocks, path + ("paragraphs",), review)
        if not article["paragraphs"]:
            article["paragraphs"] = ["（正文）"]
            review(path + ("paragraphs",), "没有找到正文 (no paragraphs found)")
        if attribution_at is not None:
            article["attribution"] = spaces(ATTRIBUTION.match(rest[attribution_at].text).group(1))
            after = rest[attribution_at + 1:]
        else:
            review(path + ("title",), "没有找到署名 (no attribution found)")
            after = []
        if last and briefs_blocks is None:
            briefs = _briefs(after, review)
        elif after:
            review(path + ("attribution",), f"署名之后还有 {len(after)} 段文字，已作为正文 (text after the attribution "
                                           f"kept as paragraphs): {after[0].text[:30]}…")
            article["paragraphs"] += _paragraphs(after, path + ("paragraphs",), review,
                                                 first=len(article["paragraphs"]))
        columns[-1]["articles"].append(article)
    if briefs_blocks is not None:
        briefs = _briefs(briefs_blocks, review)
    seen: dict[str, tuple] = {}
    for ci, column_data in enumerate(columns):
        for ai, article in enumerate(column_data["articles"]):
            title = "".join(article["title"]) if isinstance(article["title"], list) else article["title"]
            if norm(title) in seen:
                review(("columns", ci, "articles", ai, "title"), "这篇文章在本期中出现了两次，请删去其一 "
                                                              "(the same article twice in the issue)")
            seen.setdefault(norm(title), (ci, ai))
    if not columns:
        raise IssueError([Problem(source, 0, 0, "", "没有找到文章：这不像一期简报的文字，未写出文件 "
                                                    "(no article found: not the text of an issue; nothing written)")])
    data["columns"] = columns
    if briefs or briefs_count:
        data["briefs"] = {"column": briefs_column or "信息摘登", "items": briefs}
        if briefs_column is None:
            review(("briefs", "column"), "目录中没有信息摘登一栏 (no briefs column in the 目录)")
        if briefs_count is not None and briefs_count != len(briefs):
            review(("briefs", "items"), f"目录说有 {briefs_count} 则，找到 {len(briefs)} 则 "
                                        f"(the 目录 says {briefs_count} items, {len(briefs)} found)")
        if not briefs:
            data.pop("briefs")
    return Imported(data, reviews)


def _bare_titles(body: list[Block]) -> list[Entry]:
    """The titles of a bare list of articles: the short line, not a sentence, that begins the
    text or follows an attribution (title, blank line, paragraphs, （单位 姓名）), and is followed
    by a paragraph that ends a sentence: two words on lines of their own are no article."""
    out = []
    for i, b in enumerate(body):
        starts = i == 0 or ATTRIBUTION.match(body[i - 1].text)
        text = spaces(b.text)
        followed = i + 1 < len(body) and SENTENCE_END.search(body[i + 1].text.strip()) \
            and not ATTRIBUTION.match(body[i + 1].text)
        if starts and followed and len(text) <= 60 and not SENTENCE_END.search(text) and not ATTRIBUTION.match(text):
            out.append(Entry(DEFAULT_COLUMN, text))
    return out


def _title_at(body: list[Block], start: int, title: str) -> int:
    """How many blocks from `start` spell the 目录 title `title` (0 when they do not)."""
    target, acc = norm(title), ""
    for k in range(start, min(start + 3, len(body))):
        acc += norm(body[k].text)
        if acc == target:
            return k - start + 1
        if not target.startswith(acc):
            return 0
    return 0


def _find_title(body: list[Block], start: int, stop: int, title: str, at) -> tuple[int, int] | None:
    for k in range(start, stop):
        taken = at(body, k, title)
        if taken:
            return k, taken
    return None


def _title_like(body: list[Block], start: int, title: str) -> int:
    """Blocks from `start` (one or two, none ending a sentence) that read nearly as `title` does."""
    target, best, taken = norm(title), 0.0, 0
    for k in (1, 2):
        if start + k > len(body) or any(SENTENCE_END.search(b.text) or ATTRIBUTION.match(b.text)
                                        for b in body[start:start + k]):
            break
        ratio = difflib.SequenceMatcher(None, "".join(norm(b.text) for b in body[start:start + k]), target).ratio()
        if ratio > best:
            best, taken = ratio, k
    return taken if best >= 0.8 else 0


def _paragraphs(blocks: list[Block], path: tuple, review, first: int = 0) -> list[str]:
    """The blocks as paragraphs, a paragraph that a page break split in two joined again."""
    out: list[str] = []
    joined_at: list[int] = []
    for b in blocks:
        text = b.text.strip()
        if out and not SENTENCE_END.search(out[-1]):
            prev = out[-1]
            if ASCII_WORD.match(prev[-1]) or ASCII_WORD.match(text[0]) or prev[-1] == " ":
                joined_at.append(len(out) - 1)
            out[-1] = prev + text
        else:
            out.append(text)
    for k in joined_at:
        review(path + (first + k,), "分页处接合，请核对空格 (joined across a page break: check the spacing)")
    return out


def _briefs(blocks: list[Block], review) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    pending: list[Block] = []
    for b in blocks:
        m = ATTRIBUTION.match(b.text)
        if m and pending:
            k = len(items)
            text = "".join(_paragraphs(pending, ("briefs", "items", k), review))
            if len(_paragraphs(pending, (), lambda *a: None)) > 1:
                review(("briefs", "items", k), "一则信息有多段，已合为一段 (a brief of several paragraphs, joined)")
            items.append({"text": text, "attribution": spaces(m.group(1))})
            pending = []
        else:
            pending.append(b)
    for text in _paragraphs(pending, ("briefs", "items", len(items)), review):
        review(("briefs", "items", len(items)), "没有署名的一则 (a brief without attribution)")
        items.append({"text": text})
    return items


def _masthead(lines: list[tuple[int, str]], data: dict[str, Any], review, number) -> None:
    left: list[str] = []
    for at, line in lines:
        compact = re.sub(r"\s+", "", line)
        if (m := NUMBERS.search(line)) is not None:
            data["number"], data["total"] = number(m.group(1), at), number(m.group(2), at)
        elif (m := DATE.match(line)) is not None:
            data["date"] = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
        elif (m := EDITION.match(line)) is not None:
            data["edition"] = re.sub(r"\s+", "", m.group(1))
        elif compact.endswith("编") or "编印" in compact or "主办" in compact:
            data["compiler"] = compact
        else:
            left.append(compact)
    if left:
        data["title"] = left[0]
        for extra in left[1:]:
            review(("title",), f"刊头中无法归类的一行，未导入 (a masthead line left out): {extra}")
    for key, placeholder in (("title", None), ("compiler", None), ("edition", "普刊"), ("number", 1),
                             ("total", 1), ("date", "2000-01-01")):
        if key not in data:
            if placeholder is None:
                review((key,), "刊头中没有找到，用 publication.yaml 的 (not in the masthead: the publication's)")
                continue
            data[key] = placeholder
            review((key,), "刊头中没有找到，请填写 (not found in the masthead: fill in)")
    # the order an issue file has
    for key in ("title", "compiler", "edition", "number", "total", "date"):
        if key in data:
            data[key] = data.pop(key)


def _colophon(lines: list[str], data: dict[str, Any], review) -> None:
    distribution: list[dict[str, str]] = []
    for line in lines:
        editor, phone = EDITOR.search(line), PHONE.search(line)
        if editor or phone:  # on lines of their own, or both on one
            if editor:
                data["editor"] = editor.group(1)
            if phone:
                data["phone"] = phone.group(1)
            continue
        if (d := DISTRIBUTION.match(line)) is not None:
            distribution.append({"label": d.group(1), "text": d.group(2).strip()})
        elif distribution and distribution[-1]["label"] == "送" and len(distribution) == 1:
            distribution.append({"label": "发", "text": line})  # printed without its label
        else:
            distribution.append({"label": "发", "text": line})
            review(("distribution", len(distribution) - 1), f"版记中无标签的一行，当作“发” (an unlabelled line "
                                                            f"taken as 发): {line}")
    if "editor" not in data:
        data["editor"] = "（责任编辑）"
        review(("editor",), "没有找到本期责任编辑 (no 本期责任编辑 found)")
    if distribution:
        data["distribution"] = distribution
    else:
        review(("distribution",), "没有找到版记的送/发 (no 送/发 lines): the publication's")
    if "phone" not in data:
        review(("phone",), "没有找到电话 (no phone): the publication's")
    for key in ("editor", "distribution", "phone"):  # the order an issue file has
        if key in data:
            data[key] = data.pop(key)


def read(source: Path) -> Imported:
    """The issue in the plain text at `source`; IssueError for a file that cannot be read (read
    as every input is: a regular file, within the issue files' size limit, UTF-8) or that is not
    an issue's text."""
    from bulletin_print import load

    try:
        text = read_text(source, load.MAX_FILE_BYTES)
    except Unreadable as e:
        raise IssueError([Problem(e.path, e.line, e.column, "", e.message)]) from None
    return parse(text, str(source))
