"""A contributed article in a Word file → one more article in an issue file.

Reads the .docx with python-docx: the title (the paragraph in a Title/Heading/标题 style, else the
first paragraph; a line break in it starts a new title line), the paragraphs, the attribution (a
paragraph wholly in half- or full-width brackets, stored without them) and the bold lead
sentence that opens a paragraph ("一是…。" set in bold). A lead that `find_lead` would find by
itself is left to it (the paragraph stays a plain string); any other bold opening is written as
`lead:`. The article is inserted into the issue file as text, after the last article of its
column (or as a new column at the end), so every other line of the editor's file, comments
included, stays as it was.

A Word file is a zip package, and python-docx reads every part it links to whole into memory. So
the package's directory is checked first, and the file refused before python-docx reads it, when
it breaks one of the limits below (a contributed article is well under a megabyte of XML and a
few images): a zip bomb (3 MB that inflate to gigabytes) or a 2 GB image never gets unpacked.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bulletin_print.files import Unreadable, megabytes, read_bytes, shorten
from bulletin_print.importers.writer import Review, article_lines
from bulletin_print.model import find_lead

ATTRIBUTION = re.compile(r"^[（(]\s*([^（）()。]{1,80}?)\s*[）)]$")
COLUMN_LINE = re.compile(r"^栏目\s*[：:]\s*(\S+)$")
TITLE_STYLES = ("title", "heading", "标题")


MAX_FILE_BYTES = 50 * 1024 * 1024  # the .docx itself
MAX_PARTS = 1000  # files in the package (a Word article has 10–30)
MAX_PART_BYTES = 10 * 1024 * 1024  # one XML or other part, unpacked (python-docx parses XML whole)
MAX_IMAGE_BYTES = 20 * 1024 * 1024  # one image (word/media/…), unpacked
MAX_TOTAL_BYTES = 100 * 1024 * 1024  # every part together, unpacked
MAX_RATIO = 100  # unpacked ÷ packed size of a part over 1 MB (Word's XML: 3–35; a zip bomb: ~1000)
RATIO_FROM = 1024 * 1024
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # a .doc (Word 97–2003) and other OLE files
W_DOCUMENT = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}document"


class ImportProblem(Exception):
    """The Word file or the issue file cannot take the article; said in an editor's terms."""


def convert_hint(path: Path) -> str:
    return (f"请用 Word 另存为 .docx，或用 LibreOffice 转换：soffice --headless --convert-to docx {path.name} "
            f"(save it as .docx, or convert it with LibreOffice)")


def check_package(path: Path, data: bytes) -> None:
    """Refuse a Word file that is not a zip package, or whose directory breaks the limits above."""
    if data.startswith(OLE_MAGIC):
        raise ImportProblem(f"{path}: 这是旧版 Word 文件（.doc），不是 .docx (a .doc file, not .docx)；{convert_hint(path)}")
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as e:
        raise ImportProblem(f"{path}: 不是 Word 文件：.docx 是 zip 包，这个不是 (not a .docx: not a zip package: "
                            f"{shorten(e)})；{convert_hint(path)}") from None

    def refuse(why: str) -> ImportProblem:
        return ImportProblem(f"{path}: 拒绝读取 (refused): {why}")

    if len(parts) > MAX_PARTS:
        raise refuse(f"zip 包中有 {len(parts)} 个部件，上限为 {MAX_PARTS} 个 (too many parts)")
    if len({p.filename for p in parts}) != len(parts):
        raise refuse("zip 包中有重名的部件 (two parts of one name)")
    total = 0
    for part in parts:
        image = part.filename.startswith("word/media/")
        limit = MAX_IMAGE_BYTES if image else MAX_PART_BYTES
        if part.file_size > limit:
            what = "图片 (image)" if image else "部件 (part)"
            raise refuse(f"{what} {part.filename!r} 解压后 {megabytes(part.file_size)}，上限为 {megabytes(limit)} "
                         f"(too large unpacked)")
        if part.file_size > RATIO_FROM and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise refuse(f"部件 {part.filename!r} 压缩比 {part.file_size // max(part.compress_size, 1)}:1，"
                         f"上限为 {MAX_RATIO}:1，像是 zip 炸弹 (compressed too well: a zip bomb?)")
        total += part.file_size
    if total > MAX_TOTAL_BYTES:
        raise refuse(f"全部部件解压后共 {megabytes(total)}，上限为 {megabytes(MAX_TOTAL_BYTES)} "
                     f"(the parts together are too large unpacked)")


@dataclass
class Contribution:
    article: dict[str, Any]
    column: str | None = None  # a "栏目：…" line in the file, if any
    reviews: list[Review] = field(default_factory=list)  # paths relative to the article
    # the pictures to copy next to the issue file: (the paragraph item that names it, bytes, suffix)
    images: list[tuple[dict[str, Any], bytes, str]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # one line for each thing not brought in


# What a Word file can hold that an issue cannot, found in the XML (namespaces as Word writes them).
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
MATH = "http://schemas.openxmlformats.org/officeDocument/2006/math"
IMAGE_TYPES = {"image/jpeg": ".jpg", "image/png": ".png"}
CONVERTIBLE = {"image/gif", "image/bmp", "image/tiff", "image/x-ms-bmp", "image/webp"}  # saved as PNG
MARKS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
CAPTION_STYLES = ("caption", "题注")
MAX_ROWS, MAX_CELLS = 40, 8  # as the schema allows a table


def _footnotes(document, kind: str = "footnotes") -> dict[str, str]:
    """The text of each footnote (or endnote) by its id, from word/footnotes.xml (endnotes.xml)."""
    from lxml import etree

    for rel in document.part.rels.values():
        if rel.reltype.endswith("/" + kind) and not rel.is_external:
            root = etree.fromstring(rel.target_part.blob)
            notes = {}
            for note in root.iter(f"{{{W}}}{kind[:-1]}"):
                text = "".join(t.text or "" for t in note.iter(f"{{{W}}}t")).strip()
                if text and note.get(f"{{{W}}}type") in (None, "normal"):
                    notes[note.get(f"{{{W}}}id")] = text
            return notes
    return {}


def _text(paragraph, marks: dict[str, str]) -> str:
    """The paragraph's text as Word shows it, a footnote's mark (①) where its reference stands."""
    out = []
    for el in paragraph._p.iter(f"{{{W}}}t", f"{{{W}}}tab", f"{{{W}}}br", f"{{{W}}}cr",
                                f"{{{W}}}footnoteReference", f"{{{W}}}endnoteReference"):
        if any(a.tag == f"{{{W}}}txbxContent" for a in el.iterancestors()):
            continue  # a text box's: reported as dropped
        tag = el.tag.rsplit("}", 1)[1]
        if tag == "t":
            out.append(el.text or "")
        elif tag == "tab":
            out.append("\t")
        elif tag in ("br", "cr"):
            out.append("\n")
        else:
            key = tag[:-9] + ":" + (el.get(f"{{{W}}}id") or "")
            if key not in marks:
                marks[key] = MARKS[len(marks)] if len(marks) < len(MARKS) else f"[{len(marks) + 1}]"
            out.append(marks[key])
    return "".join(out)


def _pictures(paragraph) -> list[str]:
    """The relationship ids of the pictures drawn in the paragraph, in order."""
    return [blip.get(f"{{{R}}}embed") for blip in paragraph._p.iter(f"{{{A}}}blip") if blip.get(f"{{{R}}}embed")]


def _is_caption(paragraph, text: str, prefix: str) -> bool:
    """A caption: in a Caption (题注) style, or short, not a sentence, and starting 图/表 (prefix)."""
    name = ((paragraph.style.name if paragraph.style is not None else "") or "").lower()
    if name.startswith(CAPTION_STYLES):
        return True
    return bool(text) and len(text) <= 40 and not text.endswith(("。", "！", "？")) and text.startswith(prefix)


def _all_bold(row) -> bool:
    runs = [(t, b) for cell in row.cells for p in cell.paragraphs for t, b in _runs(p) if t.strip()]
    return bool(runs) and all(b for _, b in runs)


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
    except ImportError as e:  # pragma: no cover - a dependency of the package
        raise ImportProblem(f"需要 python-docx (python-docx is needed): {e}") from None
    try:
        data = read_bytes(path, MAX_FILE_BYTES)
    except Unreadable as e:
        raise ImportProblem(str(e)) from None
    check_package(path, data)
    try:
        document = docx.Document(io.BytesIO(data))
        if document.element.tag != W_DOCUMENT or document.element.body is None:
            raise ImportProblem(f"{path}: word/document.xml 不是 Word 正文：根元素应为 w:document "
                                f"(not a Word document: its root element is not w:document)")
        items = [b for b in document.iter_inner_content()
                 if not hasattr(b, "text") or b.text.strip() or _pictures(b)]  # tables, and paragraphs with something
        footnotes = {f"footnote:{k}": v for k, v in _footnotes(document).items()}
        footnotes.update({f"endnote:{k}": v for k, v in _footnotes(document, "endnotes").items()})
    except ImportProblem:
        raise
    except Exception as e:  # a damaged package or XML: python-docx and lxml raise many kinds
        raise ImportProblem(f"{path}: 不是可读的 Word 文件 (not a readable .docx): {shorten(e)}") from None
    reviews: list[Review] = []
    dropped: list[str] = []
    column = None
    is_table = lambda item: not hasattr(item, "text")  # noqa: E731
    if items and not is_table(items[0]) and COLUMN_LINE.match(_clean(items[0].text)):
        column = COLUMN_LINE.match(_clean(items[0].text)).group(1)
        items = items[1:]
    paragraphs = [p for p in items if not is_table(p) and p.text.strip()]
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

    body = items[items.index(paragraphs[k - 1]) + 1:]
    attribution = ""
    for i in range(len(body) - 1, -1, -1):
        m = None if is_table(body[i]) else ATTRIBUTION.match(_clean(body[i].text))
        if m:
            attribution = re.sub(r"[\s\u3000]+", " ", m.group(1)).strip()
            if i != len(body) - 1:
                reviews.append(Review(("attribution",), "署名之后还有文字，已作为正文 (text after the attribution "
                                                        "kept as paragraphs)"))
            del body[i]
            break
    out: list[Any] = []
    images: list[tuple[dict[str, Any], bytes, str]] = []
    marks: dict[str, str] = {}
    caption_for: dict[str, Any] | None = None  # the picture the next paragraph may be the caption of
    table_caption = ""
    for n, p in enumerate(body):
        if is_table(p):
            out.append(_table(p, table_caption, dropped))
            caption_for, table_caption = None, ""
            continue
        for kind, found in (("文本框 (a text box)", p._p.iter(f"{{{W}}}txbxContent")),
                            ("图表 (a chart)", p._p.iter(f"{{{CHART}}}chart")),
                            ("公式 (an equation)", p._p.iter(f"{{{MATH}}}oMath"))):
            for _ in found:
                dropped.append(f"{kind}: 在「{_clean(p.text)[:16] or '（空段）'}」一段中 (in the paragraph)")
        text = _clean(_text(p, marks))
        if caption_for is not None and text and _is_caption(p, text, "图"):
            caption_for["caption"] = text[:100]
            caption_for = None
            continue
        caption_for = None
        for rid in _pictures(p):
            item = _picture(document, rid, images, dropped)
            if item is not None:
                out.append(item)
                caption_for = item
        if not text:
            continue
        if _is_caption(p, text, "表") and n + 1 < len(body) and is_table(body[n + 1]):
            table_caption = text[:100]  # the caption of the table after it
            continue
        where = ("paragraphs", len(out))
        lead, more = _bold_lead(p, text)
        if more:
            reviews.append(Review(where, "段中的加粗文字未保留 (bold text inside the paragraph is not kept)"))
        if lead and lead == text:
            reviews.append(Review(where, "整段加粗：是小标题吗？(a wholly bold paragraph: a subheading?)"))
            lead = ""
        if lead and lead != find_lead(text):
            out.append({"text": text, "lead": lead})
        else:
            out.append(text)
    used = {key: footnotes[key] for key in marks if key in footnotes}
    if used:  # the footnotes become a note paragraph at the article's end, their marks kept in the text
        out.append("注：" + "；".join(f"{marks[key]}{text.rstrip('。；;')}" for key, text in used.items()) + "。")
        reviews.append(Review(("paragraphs", len(out) - 1), f"原文的 {len(used)} 条脚注已改为文末的「注」段落 "
                                                           f"(the footnotes are a note paragraph at the end)"))
    for key in footnotes.keys() - marks.keys():
        dropped.append(f"脚注 (a footnote) 「{footnotes[key][:20]}」: 正文中找不到它的引用 (its reference is not in the text)")
    if not [x for x in out if isinstance(x, str) or "text" in x]:
        raise ImportProblem(f"{path}: 只有标题，没有正文 (a title but no paragraphs)")
    # one line: the tool breaks it; the lines a break or two heading paragraphs show are kept
    article: dict[str, Any] = {"title": title if len(title) > 1 else title[0], "paragraphs": out}
    if attribution:
        article["attribution"] = attribution
    else:
        reviews.append(Review(("paragraphs",), "没有找到署名 (no attribution found)"))
    return Contribution(article, column, reviews, images, dropped)


def _picture(document, rid: str, images: list, dropped: list[str]) -> dict[str, Any] | None:
    """The paragraph item of a picture (its file to be copied next to the issue), or None when
    its kind cannot be printed (a drawing in EMF or WMF): said in `dropped`."""
    try:
        part = document.part.related_parts[rid]
    except KeyError:
        dropped.append(f"图片 (a picture): 链接的外部图片 {rid} 不在文件中 (a linked picture, not in the file)")
        return None
    kind, blob = part.content_type, part.blob
    suffix = IMAGE_TYPES.get(kind)
    if suffix is None and kind in CONVERTIBLE:
        from PIL import Image

        try:
            with Image.open(io.BytesIO(blob)) as image:
                buffer = io.BytesIO()
                image.convert("RGBA" if "A" in image.mode or "transparency" in image.info else "RGB").save(buffer, "PNG")
            blob, suffix = buffer.getvalue(), ".png"
        except Exception:
            suffix = None
    if suffix is None:
        dropped.append(f"图片 (a picture) {part.partname.rsplit('/', 1)[-1]}: {kind} 格式无法排印，请另存为 JPEG 或 PNG "
                       f"后用 image: 加入 (not JPEG or PNG)")
        return None
    item: dict[str, Any] = {"image": f"image{len(images) + 1}{suffix}"}
    images.append((item, blob, suffix))
    return item


def _table(table, caption: str, dropped: list[str]) -> dict[str, Any]:
    """A Word table as a table item: each row's cells as text (a merged cell once), the first row
    its head when it is bold or marked to repeat; what does not fit the format said in `dropped`."""
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            if any(True for _ in cell._tc.iter(f"{{{A}}}blip")):
                dropped.append(f"表格中的图片 (a picture in a table cell): 第{len(rows) + 1}行")
            cells.append(re.sub(r"\s+", " ", _clean(cell.text))[:60])
        rows.append(cells)
    if len(rows) > MAX_ROWS or any(len(r) > MAX_CELLS for r in rows):
        dropped.append(f"表格 (a table) 超过 {MAX_ROWS} 行或 {MAX_CELLS} 列的部分 (the rows or cells beyond the limit)")
        rows = [r[:MAX_CELLS] for r in rows[:MAX_ROWS]]
    head = table.rows[0]._tr.find(f"{{{W}}}trPr")
    repeat = head is not None and head.find(f"{{{W}}}tblHeader") is not None
    item: dict[str, Any] = {"table": rows}
    if len(rows) > 1 and (repeat or _all_bold(table.rows[0])):
        item["header"] = True
    if caption:
        item["caption"] = caption
    return item


# ---- into the issue file -------------------------------------------------------------------


def _last_line(node: yaml.Node) -> int:
    """The 0-based line on which the node's last scalar ends."""
    if isinstance(node, yaml.ScalarNode):
        end = node.end_mark
        return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line
    children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
    return max((_last_line(c) for c in children), default=node.start_mark.line)


def _get(mapping: yaml.Node, key: str) -> yaml.Node | None:
    """The value of `key` in a mapping node (None for a missing key, or a node of another kind)."""
    if not isinstance(mapping, yaml.MappingNode):
        return None
    for k, v in mapping.value:
        if k.value == key:
            return v
    return None


def _name(column: yaml.Node) -> str | None:
    """A column's name, when it has one written as text."""
    node = _get(column, "name")
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


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
        name = _name(columns.value[-1])
        if name is None:
            raise ImportProblem("期刊文件的最后一栏没有栏目名，请用 --column 指定 (the last column has no name: give --column)")
        reviews.insert(0, Review(("title",), f"未指定栏目，放入最后一栏「{name}」(no --column: put in the last column)"))
    target = next((c for c in columns.value if (n := _name(c)) is not None and _same(n, name)), None)
    if target is not None:
        articles = _get(target, "articles")
        if not isinstance(articles, yaml.SequenceNode) or not articles.value or articles.flow_style:
            raise ImportProblem(f"栏目「{name}」没有文章列表 (the column has no block list of articles)")
        indent = articles.value[0].start_mark.column - 2
        after = _last_line(articles)
        head: list[str] = []
        name = _name(target)
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
    try:  # an issue file laid out unlike a hand-written one may not take the lines where they go
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        raise ImportProblem("文章放进去后文件不再是正确的 YAML，未改动 (the article does not fit the file's layout: "
                            "left as it was)") from None
    return Inserted(text, name, target is None, reviews)
