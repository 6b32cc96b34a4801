"""A contributed article in a Word file → one more article in an issue file.

Reads the .docx with python-docx: the title (the paragraph in a Title/Heading/标题 style, else the
first paragraph; a line break in it starts a new title line), the paragraphs, the attribution (a
paragraph wholly in half- or full-width brackets, stored without them) and the bold lead
sentence that opens a paragraph ("一是…。" set in bold). A lead that `find_lead` would find by
itself is left to it (the paragraph stays a plain string); any other bold opening is written as
`lead:`. The article is inserted into the issue file as text, after the last article of its
column (or as a new column at the end), so every other line of the editor's file, comments
included, stays as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bulletin_print.importers.writer import Review, article_lines
from bulletin_print.model import find_lead

ATTRIBUTION = re.compile(r"^[（(]\s*([^（）()。]{1,80}?)\s*[）)]$")
COLUMN_LINE = re.compile(r"^栏目\s*[：:]\s*(\S+)$")
TITLE_STYLES = ("title", "heading", "标题")


class ImportProblem(Exception):
    """The Word file or the issue file cannot take the article; said in an editor's terms."""


@dataclass
class Contribution:
    article: dict[str, Any]
    column: str | None = None  # a "栏目：…" line in the file, if any
    reviews: list[Review] = field(default_factory=list)  # paths relative to the article


def _clean(s: str) -> str:
    """A paragraph's text: no indentation or trailing spaces, manual line breaks removed."""
    s = s.replace("\u3000", " ").replace("\t", " ")
    s = re.sub(r" *\n *", "", s)
    return s.strip()


def _runs(paragraph) -> list[tuple[str, bool]]:
    """(text, bold) of each run, hyperlinks' runs included."""
    out = []
    items = paragraph.iter_inner_content() if hasattr(paragraph, "iter_inner_content") else paragraph.runs
    for item in items:
        for run in getattr(item, "runs", None) or [item]:
            bold = run.bold
            if bold is None:  # inherited: the character style, then the paragraph style
                bold = bool((run.style is not None and run.style.font.bold)
                            or (paragraph.style is not None and paragraph.style.font.bold))
            out.append((run.text, bool(bold)))
    return out


def _bold_lead(paragraph, text: str) -> tuple[str, bool]:
    """The bold text that opens the paragraph (as it stands in `text`), and whether bold appears
    anywhere after it."""
    runs = _runs(paragraph)
    lead, k = "", 0
    while k < len(runs):
        t, bold = runs[k]
        if bold:
            lead += t
        elif t.strip() or lead:
            break
        k += 1
    lead = _clean(lead)
    more = any(b and t.strip() for t, b in runs[k:])
    if lead and not text.startswith(lead):
        return "", True
    return lead, more


def read_docx(path: Path) -> Contribution:
    try:
        import docx  # python-docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as e:  # pragma: no cover - a dependency of the package
        raise ImportProblem(f"需要 python-docx (python-docx is needed): {e}") from None
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as e:
        raise ImportProblem(f"{path}: 不是可读的 Word 文件 (not a readable .docx): {e}") from None
    except Exception as e:  # a damaged zip or XML: python-docx raises many kinds
        raise ImportProblem(f"{path}: 不是可读的 Word 文件 (not a readable .docx): {e}") from None

    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    reviews: list[Review] = []
    column = None
    if paragraphs and COLUMN_LINE.match(_clean(paragraphs[0].text)):
        column = COLUMN_LINE.match(_clean(paragraphs[0].text)).group(1)
        paragraphs = paragraphs[1:]
    if not paragraphs:
        raise ImportProblem(f"{path}: 文件中没有文字 (no text in the file)")

    def styled(p) -> bool:
        name = (p.style.name if p.style is not None else "") or ""
        return name.lower().startswith(TITLE_STYLES)

    title_at = next((i for i, p in enumerate(paragraphs) if styled(p)), None)
    if title_at is None:
        title_at = 0
        first = _clean(paragraphs[0].text)
        if len(first) > 60 or first.endswith(("。", "！", "？")):
            reviews.append(Review(("title",), "没有标题样式，第一段当作标题 (no title style: the first paragraph "
                                              "taken as the title)"))
    elif title_at > 0:
        skipped = "；".join(_clean(p.text)[:20] for p in paragraphs[:title_at])
        reviews.append(Review(("title",), f"标题之前的文字未导入 (text before the title left out): {skipped}"))
    title_paragraphs = [paragraphs[title_at]]
    k = title_at + 1
    while k < len(paragraphs) and styled(paragraphs[k]) and styled(paragraphs[title_at]):
        title_paragraphs.append(paragraphs[k])  # a title set as two heading paragraphs
        k += 1
    title = [re.sub(r"[ \u3000\t]+", " ", line).strip()
             for p in title_paragraphs for line in p.text.split("\n") if line.strip()]

    body = paragraphs[k:]
    attribution = ""
    for i in range(len(body) - 1, -1, -1):
        m = ATTRIBUTION.match(_clean(body[i].text))
        if m:
            attribution = re.sub(r"[\s\u3000]+", " ", m.group(1)).strip()
            if i != len(body) - 1:
                reviews.append(Review(("attribution",), "署名之后还有文字，已作为正文 (text after the attribution "
                                                        "kept as paragraphs)"))
            del body[i]
            break
    out: list[Any] = []
    for p in body:
        text = _clean(p.text)
        lead, more = _bold_lead(p, text)
        where = ("paragraphs", len(out))
        if more:
            reviews.append(Review(where, "段中的加粗文字未保留 (bold text inside the paragraph is not kept)"))
        if lead and lead == text:
            reviews.append(Review(where, "整段加粗：是小标题吗？(a wholly bold paragraph: a subheading?)"))
            lead = ""
        if lead and lead != find_lead(text):
            out.append({"text": text, "lead": lead})
        else:
            out.append(text)
    if not out:
        raise ImportProblem(f"{path}: 只有标题，没有正文 (a title but no paragraphs)")
    article: dict[str, Any] = {"title": title, "paragraphs": out}
    if attribution:
        article["attribution"] = attribution
    else:
        reviews.append(Review(("paragraphs",), "没有找到署名 (no attribution found)"))
    return Contribution(article, column, reviews)


# ---- into the issue file -------------------------------------------------------------------


def _last_line(node: yaml.Node) -> int:
    """The 0-based line on which the node's last scalar ends."""
    if isinstance(node, yaml.ScalarNode):
        end = node.end_mark
        return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line
    children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
    return max((_last_line(c) for c in children), default=node.start_mark.line)


def _get(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for k, v in mapping.value:
        if k.value == key:
            return v
    return None


def _same(a: str, b: str) -> bool:
    import unicodedata

    def n(s: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))

    return n(a) == n(b)


@dataclass
class Inserted:
    text: str
    column: str
    new_column: bool
    reviews: list[Review]  # with the lines they stand on in the new text


def insert_article(issue_text: str, contribution: Contribution, column: str | None) -> Inserted:
    """`issue_text` with the article added to `column` (default: the file's 栏目 line, else the
    issue's last column); a column the issue lacks is added after the last one."""
    try:
        root = yaml.compose(issue_text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        raise ImportProblem(f"YAML 格式错误 (malformed YAML): {e}") from None
    columns = _get(root, "columns") if isinstance(root, yaml.MappingNode) else None
    if not isinstance(columns, yaml.SequenceNode) or not columns.value or columns.flow_style:
        raise ImportProblem("期刊文件中没有 columns 列表 (the issue has no block list of columns)")
    lines = issue_text.splitlines()
    reviews = list(contribution.reviews)
    name = column or contribution.column
    if name is None:
        name = _get(columns.value[-1], "name").value
        reviews.insert(0, Review(("title",), f"未指定栏目，放入最后一栏「{name}」(no --column: put in the last column)"))
    target = next((c for c in columns.value if isinstance(c, yaml.MappingNode)
                   and (n := _get(c, "name")) is not None and _same(str(n.value), name)), None)
    if target is not None:
        articles = _get(target, "articles")
        if not isinstance(articles, yaml.SequenceNode) or not articles.value or articles.flow_style:
            raise ImportProblem(f"栏目「{name}」没有文章列表 (the column has no block list of articles)")
        indent = articles.value[0].start_mark.column - 2
        after = _last_line(articles)
        head: list[str] = []
        name = str(_get(target, "name").value)
    else:
        dash = columns.value[0].start_mark.column - 2
        indent = dash + 4
        after = _last_line(columns)
        from bulletin_print.importers.writer import scalar

        head = [f"{' ' * dash}- name: {scalar(name)}", f"{' ' * (dash + 2)}articles:"]
    body = article_lines(contribution.article, indent, (), reviews)
    new_lines = head + body
    for r in reviews:
        r.line += after + 1 + len(head) if r.line else 0
    text = "\n".join(lines[: after + 1] + new_lines + lines[after + 1:]) + "\n"
    return Inserted(text, name, target is None, reviews)
