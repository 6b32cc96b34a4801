"""The laid-out pages checked before the PDF is written, as a print shop's preflight would.

WeasyPrint has laid the issue out; its page and box tree says where every piece of text went.
This step looks for what an editor must hear about before anyone prints: text outside the text
block or off the paper, text printed over other text, a body line off the grid, a title left at
the foot of a page, an empty page, a 版记 that is not at the foot of the last page. Each fault
names the field whose text caused it (the `data-field` of the HTML the templates write) and what
the editor can do. It reads boxes only, so it costs a few milliseconds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from weasyprint.formatting_structure import boxes

from bulletin_print import fonts
from bulletin_print.model import Fault, field_path

PX = 0.75  # pt per CSS px: WeasyPrint lays out in px
PITCH = 225 / 25.4 * 96 / 22  # the grid's line pitch in px (22 lines in 225 mm)
GRID_CLASSES = {"para", "attribution", "entry", "title", "briefs-head",
                "subtitle", "caption", "cell"}  # blocks set on the grid
TITLE_CLASSES = {"title", "briefs-head", "subtitle"}
COLOPHON_CLASS = "colophon"
TOLERANCE = 1.0 / PX  # 1 pt, in px: what the composer's lines may overhang by design
ASCENT, DESCENT = 0.88, 0.12  # of a CJK glyph's em box, above and below the baseline


@dataclass
class _Text:
    """One piece of laid-out text: its glyphs' box (px), size, line and field."""

    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    line: int
    field: str
    text: str


@dataclass
class _Picture:
    """A photo as laid out (px): its box and field."""

    x0: float
    y0: float
    x1: float
    y1: float
    field: str


@dataclass
class _Page:
    number: int
    texts: list[_Text]
    lines: list[tuple[boxes.LineBox, str, set[str]]]  # grid lines in the main flow: (box, field, classes)
    colophon: bool
    pictures: list[_Picture] = None  # photos
    rows: list[tuple[float, float, str]] = None  # table rows: (top, height, field) in px


@dataclass
class Findings:
    """What one page holds of faults, each under its kind and field, and whether the 版记 is on it."""

    faults: list[tuple[tuple[str, str], Fault]]
    colophon: bool


def merge(pages: list[Findings]) -> list[Fault]:
    """The faults of the pages in order, at most one per kind and field (its first page's), and
    the 版记's: it belongs at the foot of the last page, and on no other."""
    faults: dict[tuple, Fault] = {}
    for page in pages:
        for key, found in page.faults:
            faults.setdefault(key, found)
    if not pages[-1].colophon or any(p.colophon for p in pages[:-1]):
        faults.setdefault(("colophon", "distribution"), Fault(field_path("distribution"),
                          "版记（送、发、责任编辑、电话）放不进最后一页的页脚，请缩短送发名单 "
                          "(the 版记 does not fit at the foot of the last page: shorten the lists)"))
    return list(faults.values())


def page_findings(pagebox: boxes.PageBox, number: int, last: bool) -> Findings:
    """The faults of one laid-out page (page `number`; `last`: the document's last)."""
    page = _read(pagebox, number)
    faults: dict[tuple, Fault] = {}

    def fault(kind: str, field: str, message: str) -> None:
        faults.setdefault((kind, field), Fault(field_path(field), message))

    x0, y0 = pagebox.content_box_x(), pagebox.content_box_y()
    x1, y1 = x0 + pagebox.width, y0 + pagebox.height
    for t in page.texts:
        past = max(x0 - t.x0, t.x1 - x1, y0 - t.y0, t.y1 - y1)
        if past > TOLERANCE:
            off = t.x0 < 0 or t.x1 > pagebox.margin_width() or t.y0 < 0 or t.y1 > pagebox.margin_height()
            where = "超出纸张" if off else "超出版心"
            fault("outside", t.field, f"第{page.number}页「{t.text[:12]}」{where} {past * PX / 72 * 25.4:.1f} mm，"
                                      f"请缩短或改写 (text runs {'off the paper' if off else 'outside the text block'}: "
                                      f"shorten it)")
    for pic in page.pictures:
        past = max(x0 - pic.x0, pic.x1 - x1, y0 - pic.y0, pic.y1 - y1)
        if past > TOLERANCE:
            fault("outside", pic.field, f"第{page.number}页的图片超出版心 {past * PX / 72 * 25.4:.1f} mm "
                                        f"(a photo runs outside the text block)")
        if not (_on_grid(pic.y0 - y0) and _on_grid(pic.y1 - pic.y0)):
            fault("grid", pic.field, f"第{page.number}页的图片不在版心网格上，其后的正文会偏离网格 "
                                     f"(a photo off the grid: the lines after it would be too)")
    for top, height, field in page.rows:
        if not (_on_grid(top - y0) and _on_grid(height)):
            fault("grid", field, f"第{page.number}页的表格行高不是整行，其后的正文会偏离网格 "
                                 f"(a table row off the grid: shorten its cells)")
    for a, b in _overlaps(page.texts):
        fault("overlap", b.field, f"第{page.number}页「{a.text[:8]}」与「{b.text[:8]}」重叠，请缩短其中之一"
                                  f" (text printed over other text: shorten one of them)")
    for line, field, classes in page.lines:
        rows = (line.position_y - y0) / PITCH
        tall = line.height / PITCH
        if abs(rows - round(rows)) > 0.05 / PITCH / PX or abs(tall - round(tall)) > 0.05 / PITCH / PX:
            fault("grid", field, f"第{page.number}页有一行偏离版心网格 (a line off the grid)：请检查其中的生僻字或符号"
                                 f" (look for a rare character or symbol in it)")
    if page.lines and page.lines[-1][2] & TITLE_CLASSES:
        fault("title-foot", page.lines[-1][1], f"第{page.number}页以标题结尾，正文在下一页，请增删前文 "
                                               f"(a page ends with a title: add or cut text before it)")
    lost = last and not page.colophon  # the 版记 overflowed its own page: said by `merge`
    if not page.texts and not pagebox.page_type.blank and not lost:
        fault("empty", "", f"第{page.number}页是空白页 (page {page.number} is empty)")
    return Findings(list(faults.items()), page.colophon)


def _on_grid(length: float) -> bool:
    """Whether a length (px) is a whole number of grid lines, within 0.05 pt."""
    rows = length / PITCH
    return abs(rows - round(rows)) <= 0.05 / PITCH / PX


def _read(page: boxes.PageBox, number: int) -> _Page:
    texts: list[_Text] = []
    pictures: list[_Picture] = []
    rows: list[tuple[float, float, str]] = []
    lines: list[tuple[boxes.LineBox, str, set[str]]] = []
    colophon = False
    line_ids = 0

    def walk(box: boxes.Box, field: str, classes: set[str], line: int, in_flow: bool, nested: bool) -> None:
        """`in_flow`: not in the footnote area (the 版记); `nested`: inside an inline block, whose
        lines are part of the line around it."""
        nonlocal colophon, line_ids
        if isinstance(box, boxes.MarginBox):
            return  # the page number
        if isinstance(box, boxes.FootnoteAreaBox):
            in_flow = False
        element = box.element
        if element is not None and box.element_tag is not None and not isinstance(box, boxes.TextBox):
            field = element.get("data-field", field)
            own = set((element.get("class") or "").split())
            if isinstance(box, boxes.BlockContainerBox) and not isinstance(box, boxes.InlineBlockBox):
                classes = own
            colophon |= COLOPHON_CLASS in own and not in_flow  # laid out in the footnote area
        if isinstance(box, boxes.ReplacedBox):
            x, y = box.border_box_x(), box.border_box_y()
            pictures.append(_Picture(x, y, x + box.border_width(), y + box.border_height(),
                                     element.get("data-field", field) if element is not None else field))
        if isinstance(box, boxes.TableRowBox) and in_flow:
            rows.append((box.position_y, box.height, field))
        if isinstance(box, boxes.LineBox) and not nested:
            line_ids += 1
            line = line_ids
            if in_flow and classes & GRID_CLASSES:
                lines.append((box, field, classes))
        if isinstance(box, boxes.TextBox) and box.text.strip():
            size = box.style["font_size"]
            baseline = box.position_y + box.baseline
            x0 = box.content_box_x()
            texts.append(_Text(x0, baseline - ASCENT * size, x0 + _inked_width(box), baseline + DESCENT * size,
                               size, line, field, box.text))
        nested |= isinstance(box, boxes.InlineBlockBox)
        for child in getattr(box, "children", ()):
            walk(child, field, classes, line, in_flow, nested)

    walk(page, "", set(), 0, True, False)
    return _Page(number, texts, lines, colophon, pictures, rows)


def _inked_width(box: boxes.TextBox) -> float:
    """Where the text's last glyph ends: the box's width less the letter-spacing after its last
    character and any spaces it ends with (a space the composer hangs past the measure)."""
    spacing = box.style["letter_spacing"]
    spacing = spacing if isinstance(spacing, (int, float)) else 0.0
    trailing = len(box.text) - len(box.text.rstrip())
    space = _advance(box.style["font_family"], " ") * box.style["font_size"]
    return box.width - spacing - trailing * (space + spacing)


def _advance(families: tuple[str, ...], ch: str) -> float:
    """The advance (em) of `ch` in the first of `families` that is a shipped font."""
    roles = fonts.roles_by_family()
    for family in families:
        if family in roles:
            return fonts.metrics(roles[family]).advance(ch)
    return 0.5


def _overlaps(texts: list[_Text]) -> list[tuple[_Text, _Text]]:
    """Pairs of pieces of text whose glyphs print over one another (a quarter of the smaller
    size across, a third of it down), found through a coarse grid of cells."""
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, t in enumerate(texts):
        for gx in range(int(t.x0 // 32), int(t.x1 // 32) + 1):
            for gy in range(int(t.y0 // 32), int(t.y1 // 32) + 1):
                cells[gx, gy].append(i)
    found, seen = [], set()
    for members in cells.values():
        for k, i in enumerate(members):
            for j in members[k + 1:]:
                a, b = texts[i], texts[j]
                if (i, j) in seen or a is b:
                    continue
                seen.add((i, j))
                small = min(a.size, b.size)
                across = min(a.x1, b.x1) - max(a.x0, b.x0)
                down = min(a.y1, b.y1) - max(a.y0, b.y0)
                if across > 0.25 * small and down > 0.3 * small:
                    found.append((a, b))
    return found
