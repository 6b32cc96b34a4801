"""An issue laid out again after an edit: only from the first page the edit can reach, and only
until a page starts where it started before (the editor's preview, `serve`).

The editor lays the same issue out after every pause in typing, and most edits change a paragraph
or two. WeasyPrint lays a document out page by page, each page from a recorded state (where it
starts in the box tree, its counters: its `page_maker`), and makes a page again only when that
state says so. `Memo` keeps what a layout leaves: those states, the pages, and which block of
the document lay on which page. The next layout of the same document (the same stylesheets, the
same structure, only the markup of some blocks changed) then starts at the page where the block
before the first changed one ends (a page before it never looked that far), makes every page
that held a changed block again, and stops as soon as a page starts in the state it started in
before: from there on the blocks are the same, and so are the pages.

What it cannot show to be the same is laid out whole, as `HTML.render` would lay it out: another
structure (a block added, removed or moved), a change on a page that shows other pages' numbers
(the 目录), another number of pages, a heading that moves to another page, a last page without
the 版记, stylesheets that carry text from page to page (string-set, running elements, fixed
boxes). The pages equal a whole layout's (tests/test_relayout.py compares them pixel by pixel).
This reads WeasyPrint's own layout steps, so it is tied to the WeasyPrint version pyproject pins.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree

from weasyprint import DEFAULT_OPTIONS, HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.document import Document, Page
from weasyprint.formatting_structure import boxes
from weasyprint.formatting_structure.build import build_formatting_structure
from weasyprint.html import get_html_metadata
from weasyprint.layout import layout_document, layout_fixed_boxes, make_margin_boxes
from weasyprint.layout.background import layout_backgrounds
from weasyprint.layout.page import make_all_pages
from weasyprint.pdf.metadata import DocumentMetadata

AVOID = {"avoid", "avoid-page"}
BY_CLASS = "data-by-class"  # a <style> whose rules each follow from its class's name (issue.html.j2)


@dataclass
class Block:
    """A block of the box tree that holds no other block: a paragraph, a title, a 目录 entry, a
    table. `before`/`after`: a page break before or after it is to be avoided, by its own style
    or an ancestor's that it begins or ends; `inside`: per ancestor (by depth), whether a break
    inside that ancestor is to be avoided."""

    path: tuple[int, ...]
    box: boxes.Box
    markup: str
    before: bool
    after: bool
    inside: tuple[bool, ...]


@dataclass
class Memo:
    """What the last layout of a document left for the next: empty until one is made."""

    key: tuple = ()
    skeleton: list[tuple] = field(default_factory=list)
    markup: list[str] = field(default_factory=list)
    maker: list = field(default_factory=list)  # WeasyPrint's page_maker, copied
    pages: list = field(default_factory=list)  # the page boxes
    blocks_on: list[set[int]] = field(default_factory=list)  # per page, the blocks laid out on it
    anchors_on: list[list[str]] = field(default_factory=list)  # per page, the anchors laid out on it
    fixed: int = 0  # the last page that shows other pages' numbers (target-counter); -1: none
    findings: list = field(default_factory=list)  # per page, what the preflight found (typeset.py)

    def clear(self) -> None:
        self.__init__()


@dataclass
class Laid:
    document: Document
    fresh: list[int] | None  # the pages of `document` among all; None: it holds every page
    total: int


def render(source: HTML, memo: Memo, key: tuple, **render_options: object) -> Laid:
    """`source` laid out as `source.render(**render_options)` would, from `memo`'s last layout
    where it can be, and `memo` updated. `key`: what besides the document decides its layout
    (its stylesheets, fonts, options)."""
    options = DEFAULT_OPTIONS | render_options
    font_config, color_profiles = options.pop("font_config"), options.pop("color_profiles", None) or {}
    key = (key, _head(source))
    context, root = _start(source, font_config, color_profiles, options)
    skeleton, blocks = _blocks(root)
    if memo.pages and memo.key == key and skeleton == memo.skeleton:
        changed = [k for k, b in enumerate(blocks) if b.markup != memo.markup[k]]
        remake = _reach(memo, blocks, changed)
        if not changed:
            return Laid(_document(source, [], font_config, color_profiles, options), [], len(memo.pages))
        if remake:
            laid = _again(source, memo, context, root, blocks, changed, remake, font_config, color_profiles, options)
            if laid is not None:
                return laid
            context, root = _start(source, font_config, color_profiles, options)  # that one is used up
            skeleton, blocks = _blocks(root)
    return _whole(source, memo, key, context, root, skeleton, blocks, font_config, color_profiles, options)


def _start(source: HTML, font_config, color_profiles: dict, options: dict):
    counter_style = CounterStyle()
    context = Document._build_layout_context(source, font_config, counter_style, color_profiles, options)
    root = build_formatting_structure(source.etree_element, context.style_for, context.get_image_from_uri,
                                      source.base_url, context.target_collector, counter_style, context.footnotes)
    return context, root


def _document(source: HTML, page_boxes: list, font_config, color_profiles: dict, options: dict) -> Document:
    return Document([Page(box) for box in page_boxes], DocumentMetadata(**get_html_metadata(source)),
                    source.url_fetcher, font_config, color_profiles, options["output_intent"])


def _whole(source: HTML, memo: Memo, key: tuple, context, root, skeleton: list[tuple], blocks: list[Block],
           font_config, color_profiles: dict, options: dict) -> Laid:
    pages = list(layout_document(source, root, context))
    memo.clear()
    maker = context.page_maker
    running = any(any(on_pages.values()) for on_pages in context.running_elements.values())
    carried = (context.string_set or running or any(p.fixed_boxes for p in pages)
               or any(state["pages_wanted"] for *_, state in maker))
    if not carried:
        owners = _owners(blocks)
        seen = [_seen(page, owners) for page in pages]
        looked = [i for i, (*_, state) in enumerate(maker) if state["content_lookups"]]
        memo.key, memo.skeleton, memo.markup = key, skeleton, [b.markup for b in blocks]
        memo.maker, memo.pages = _copied(maker), pages
        memo.blocks_on = [on for on, _ in seen]
        memo.anchors_on = [names for _, names in seen]
        memo.fixed = max(looked, default=-1)
    return Laid(_document(source, pages, font_config, color_profiles, options), None, len(pages))


def _reach(memo: Memo, blocks: list[Block], changed: list[int]) -> set[int]:
    """The pages to make again for the changed blocks: from the page where the block before each
    ends (it looked no further: a page ends at the first block that does not fit, or earlier,
    with the blocks tied to it by break avoidance) to the last page the block was on. Empty when
    a changed block cannot be placed."""
    pages_of: dict[int, list[int]] = {}
    for i, on in enumerate(memo.blocks_on):
        for k in on:
            pages_of.setdefault(k, []).append(i)
    remake: set[int] = set()
    for k in changed:
        first = k
        while first > 0 and _joined(blocks[first - 1], blocks[first]):
            first -= 1
        if first == 0 or first - 1 not in pages_of or k not in pages_of:
            return set()
        remake.update(range(max(pages_of[first - 1]), max(pages_of[k]) + 1))
    return remake


def _again(source: HTML, memo: Memo, context, root, blocks: list[Block], changed: list[int], remake: set[int],
           font_config, color_profiles: dict, options: dict) -> Laid | None:
    """The pages from the first the edit can reach, or None where that cannot be shown to equal
    a whole layout."""
    maker = _copied(memo.maker)
    for i, (resume_at, next_page, right_page, page_state, state) in enumerate(maker):
        fresh_state = {"content_changed": i in remake, "pages_wanted": False,
                       "anchors": state["anchors"], "content_lookups": []}
        maker[i] = (resume_at, next_page, right_page, page_state, fresh_state)
    context.page_maker = maker
    pages = list(make_all_pages(context, root, source, memo.pages))
    if len(pages) != len(memo.pages):
        return None
    owners = _owners(blocks)
    seen = {i: _seen(page, owners) for i, page in enumerate(pages) if page is not memo.pages[i]}
    edited = set(changed)
    for i, (on, _) in list(seen.items()):
        # made again, but starting and ending where it did, with none of the changed blocks: the
        # page it was (a page that only looked at the next page's first block to know its end)
        if (not on & edited and not memo.blocks_on[i] & edited
                and context.page_maker[i][:4] == memo.maker[i][:4]
                and context.page_maker[i + 1][:4] == memo.maker[i + 1][:4]):
            pages[i] = memo.pages[i]
            del seen[i]
    flagged = [i for i, (*_, s) in enumerate(context.page_maker) if s["content_changed"] or s["pages_wanted"]]
    if any(i <= memo.fixed for i in seen) or any(i > memo.fixed or i in seen for i in flagged):
        return None  # the 目录 (or another page showing page numbers) would change
    fresh = sorted(seen)
    anchors_on = [seen[i][1] if i in seen else names for i, names in enumerate(memo.anchors_on)]
    if _first_pages(anchors_on) != _first_pages(memo.anchors_on):
        return None  # a heading on another page: the 目录's numbers change
    _finish_pages(context, pages, fresh)
    memo.markup = [b.markup for b in blocks]
    memo.maker, memo.pages = _copied(context.page_maker), pages
    for i, (on, _) in seen.items():
        memo.blocks_on[i] = on
    memo.anchors_on = anchors_on
    return Laid(_document(source, [pages[i] for i in fresh], font_config, color_profiles, options), fresh, len(pages))


def _finish_pages(context, pages: list, fresh: list[int]) -> None:
    """The margin boxes (the page numbers) and backgrounds of the pages made again, as
    `layout_document` adds them once the pagination is done."""
    for *_, page_state, _ in context.page_maker:
        page_state[1]["pages"] = [len(pages)]
    for i in fresh:
        page = pages[i]
        root, footnote_area, note_area = page.children
        root.children = [*layout_fixed_boxes(context, pages[:i], page), *root.children,
                         *layout_fixed_boxes(context, pages[i + 1:], page)]
        context.current_page = i + 1
        state = context.page_maker[i + 1][3]
        children = [root, *([footnote_area] if footnote_area.children else []),
                    *([note_area] if note_area.children else [])]
        children.extend(make_margin_boxes(context, page, state))
        page.children = tuple(children)
        layout_backgrounds(page, context.get_image_from_uri)


def _copied(maker: list) -> list:
    """The page_maker without what points into one layout (the ids of its counter lookups)."""
    return [(copy.deepcopy(resume_at), copy.deepcopy(next_page), right, copy.deepcopy(page_state),
             {**state, "anchors": list(state["anchors"]), "content_lookups": list(state["content_lookups"])})
            for resume_at, next_page, right, page_state, state in maker]


def _head(source: HTML) -> str:
    """The document's head, but for the rules that each follow from their class's name: a rule
    added or gone there changes no block the two layouts share."""
    head = source.etree_element.find("head")
    if head is None:
        return ""
    return "".join(ElementTree.tostring(child, encoding="unicode") for child in head if child.get(BY_CLASS) is None)


def _blocks(root: boxes.Box) -> tuple[list[tuple], list[Block]]:
    """The box tree's structure above its blocks (each box's place, kind, element and
    attributes), and its blocks in document order."""
    skeleton: list[tuple] = []
    blocks: list[Block] = []

    def walk(box: boxes.Box, path: tuple[int, ...], before: bool, after: bool, inside: tuple[bool, ...]) -> None:
        style = box.style
        before = before or style["break_before"] in AVOID
        after = after or style["break_after"] in AVOID
        children = getattr(box, "children", None)
        element = box.element
        if (type(box) is boxes.BlockBox and children
                and all(isinstance(child, boxes.BlockLevelBox) for child in children)):
            attributes = tuple(sorted(element.attrib.items())) if element is not None else ()
            skeleton.append((path, type(box).__name__, box.element_tag, attributes))
            inside = (*inside, style["break_inside"] in AVOID)
            last = len(children) - 1
            for i, child in enumerate(children):
                walk(child, (*path, i), before and i == 0, after and i == last, inside)
            return
        markup = ElementTree.tostring(element, encoding="unicode") if element is not None else ""
        skeleton.append((path, type(box).__name__, box.element_tag))
        blocks.append(Block(path, box, markup, before, after, inside))

    walk(root, (), False, False, ())
    return skeleton, blocks


def _joined(a: Block, b: Block) -> bool:
    """Whether no page break may fall between two blocks in a row."""
    common = 0
    while common < min(len(a.path), len(b.path)) and a.path[common] == b.path[common]:
        common += 1
    return a.after or b.before or any(a.inside[:common + 1])


def _owners(blocks: list[Block]) -> dict[int, list[int]]:
    """For each element a block was made for, that block (for an anonymous block, its parent's
    element, which stands for every such block of the parent)."""
    owners: dict[int, list[int]] = {}
    for k, block in enumerate(blocks):
        if block.box.element is not None:
            owners.setdefault(id(block.box.element), []).append(k)
    return owners


def _seen(page, owners: dict[int, list[int]]) -> tuple[set[int], list[str]]:
    """The blocks laid out on a page, and its anchors."""
    on: set[int] = set()
    anchors: list[str] = []
    for box in _descendants(page):
        if box.element is not None:
            on.update(owners.get(id(box.element), ()))
        anchor = box.style["anchor"]
        if anchor:
            anchors.append(anchor)
    return on, anchors


def _first_pages(anchors_on: list[list[str]]) -> dict[str, int]:
    """Each anchor's first page: the number a target-counter() shows."""
    first: dict[str, int] = {}
    for i, names in enumerate(anchors_on):
        for name in names:
            first.setdefault(name, i)
    return first


def _descendants(box) -> Iterator:
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)
