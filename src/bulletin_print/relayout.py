"""An issue laid out again after an edit: only the pages that depended on what changed, and the
pages after them until one starts where it started before (the editor's preview, `serve`).

The editor lays the same issue out after every pause in typing, and most edits change a paragraph
or two. WeasyPrint lays a document out page by page, each page from a recorded state (where it
starts in the box tree, its counters: its `page_maker`), and makes a page again only when that
state says so. A layout made here also records which blocks of the document each page's making
laid out: a page whose start and blocks are unchanged comes out the same. `Memo` keeps what a
layout leaves: the states, the pages, those records. The next layout of the same document (the
same stylesheets, the same structure, only the markup of some blocks changed) makes again the
pages that laid out a changed block, and the pages after them as long as they do not start where
they started before: from there on the blocks are the same, and so are the pages.

Styling and building the boxes of the whole document costs more than laying out a page or two:
the blocks far from the edit are styled empty, which changes no page made again; should a page
lay out one of them all the same, the layout is made again with every block whole.

What it cannot show to be the same is laid out whole, as `HTML.render` would lay it out: another
structure (a block added, removed or moved), a change on a page that shows other pages' numbers
(the 目录), another number of pages, a heading that moves to another page, stylesheets that carry
text from page to page (string-set, running elements, fixed boxes). The pages equal a whole
layout's (tests/test_relayout.py compares them pixel by pixel). This works with WeasyPrint's own
layout steps, so it is tied to the WeasyPrint version pyproject pins.
"""

from __future__ import annotations

import copy
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from xml.etree import ElementTree

from weasyprint import DEFAULT_OPTIONS, HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.document import Document, Page
from weasyprint.formatting_structure import boxes
from weasyprint.formatting_structure.build import build_formatting_structure
from weasyprint.html import get_html_metadata
from weasyprint.layout import block as block_layout
from weasyprint.layout import layout_document, layout_fixed_boxes, make_margin_boxes
from weasyprint.layout import page as page_layout
from weasyprint.layout.background import layout_backgrounds
from weasyprint.pdf.metadata import DocumentMetadata

BY_CLASS = "data-by-class"  # a <style> whose rules each follow from its class's name (issue.html.j2)
BEYOND = "beyond"  # a page laid out a block that was styled empty: lay out with every block whole
PAGE_STYLE = ("break_before", "break_after", "break_inside", "page")  # what a page read of a box unlaid
_RECORDING = threading.Lock()  # one recording layout at a time: each puts its recorder in WeasyPrint's place


@dataclass
class Block:
    """A block of the box tree that holds no other block: a paragraph, a title, a 目录 entry, a
    table. `where`: its element's place in the document's element tree; `own`: the element is
    the block's alone (not an anonymous block's, which stands for its parent's)."""

    box: boxes.Box
    markup: str
    where: tuple[int, ...]
    own: bool = True


@dataclass
class Memo:
    """What the last layout of a document left for the next: empty until one is made."""

    key: tuple = ()
    skeleton: list[tuple] = field(default_factory=list)
    wheres: list[tuple[int, ...]] = field(default_factory=list)  # per block: Block.where
    own: list[bool] = field(default_factory=list)  # per block: Block.own
    markup: list[str] = field(default_factory=list)
    maker: list = field(default_factory=list)  # WeasyPrint's page_maker, copied
    pages: list = field(default_factory=list)  # the page boxes
    blocks_on: list[set[int]] = field(default_factory=list)  # per page, the blocks on it
    read_on: list[set[int]] = field(default_factory=list)  # per page, the blocks its making laid out
    anchors_on: list[list[str]] = field(default_factory=list)  # per page, the anchors on it
    fixed: int = 0  # the last page that shows other pages' numbers (target-counter); -1: none
    findings: list = field(default_factory=list)  # per page, what the preflight found (typeset.py)

    def clear(self) -> None:
        self.__init__()


@dataclass
class Laid:
    document: Document
    fresh: list[int] | None  # the pages of `document` among all; None: it holds every page
    total: int


def render(parse: Callable[[], HTML], memo: Memo, key: tuple, **render_options: object) -> Laid:
    """The document `parse` gives laid out as its `render(**render_options)` would, from `memo`'s
    last layout where it can be, and `memo` updated. `key`: what besides the document decides its
    layout (its stylesheets, fonts, options)."""
    options = DEFAULT_OPTIONS | render_options
    font_config, color_profiles = options.pop("font_config"), options.pop("color_profiles", None) or {}
    settings = (font_config, color_profiles, options)
    with _RECORDING:
        source = parse()
        key = (key, _head(source))
        if memo.pages and memo.key == key:
            laid = _from_memo(parse, source, memo, settings)
            if laid is not None:
                return laid
            source = parse()  # the attempt changed or used up the one it had
        return _whole(source, memo, key, settings)


def _start(source: HTML, settings: tuple):
    font_config, color_profiles, options = settings
    counter_style = CounterStyle()
    context = Document._build_layout_context(source, font_config, counter_style, color_profiles, options)
    root = build_formatting_structure(source.etree_element, context.style_for, context.get_image_from_uri,
                                      source.base_url, context.target_collector, counter_style, context.footnotes)
    return context, root


def _document(source: HTML, page_boxes: list, settings: tuple) -> Document:
    font_config, color_profiles, options = settings
    return Document([Page(box) for box in page_boxes], DocumentMetadata(**get_html_metadata(source)),
                    source.url_fetcher, font_config, color_profiles, options["output_intent"])


def _whole(source: HTML, memo: Memo, key: tuple, settings: tuple) -> Laid:
    context, root = _start(source, settings)
    with _reads(context) as read:
        pages = list(layout_document(source, root, context))
    memo.clear()
    maker = context.page_maker
    running = any(any(on_pages.values()) for on_pages in context.running_elements.values())
    carried = (context.string_set or running or any(p.fixed_boxes for p in pages)
               or any(state["pages_wanted"] for *_, state in maker))
    if not carried:
        skeleton, blocks = _blocks(root, _places(source))
        owners = _owners(blocks)
        seen = [_seen(page, owners) for page in pages]
        looked = [i for i, (*_, state) in enumerate(maker) if state["content_lookups"]]
        memo.key, memo.skeleton, memo.markup = key, skeleton, [b.markup for b in blocks]
        memo.wheres, memo.own = [b.where for b in blocks], [b.own for b in blocks]
        memo.maker, memo.pages = _copied(maker), pages
        memo.blocks_on = [on for on, _ in seen]
        memo.read_on = [_owned(read.get(i, ()), owners) for i in range(len(pages))]
        memo.anchors_on = [names for _, names in seen]
        memo.fixed = max(looked, default=-1)
    return Laid(_document(source, pages, settings), None, len(pages))


def _from_memo(parse: Callable[[], HTML], source: HTML, memo: Memo, settings: tuple) -> Laid | None:
    """The pages an edit changed, laid out from the memo's layout, or None where that cannot be
    shown to equal a whole layout."""
    markup = _markups(source, memo.wheres)
    if markup is None:
        return None  # another structure
    changed = {k for k, m in enumerate(markup) if m != memo.markup[k]}
    remake = {i for i, read in enumerate(memo.read_on) if read & changed}
    if not changed.issubset(set().union(*memo.read_on)):
        return None  # a block no page laid out
    far: set[int] = set()
    if remake:
        near = set().union(*memo.read_on[max(min(remake) - 1, 0):max(remake) + 3])
        far = {k for k, own in enumerate(memo.own) if own and k not in near}
        _empty(source, [memo.wheres[k] for k in far])
    for emptied in ((far, set()) if far else (set(),)):
        context, root = _start(source, settings)
        skeleton, blocks = _blocks(root, _places(source))
        if skeleton != memo.skeleton:
            return None
        if not changed:
            return Laid(_document(source, [], settings), [], len(memo.pages))
        laid = _again(source, memo, context, root, blocks, markup, changed, remake, emptied, settings)
        if laid != BEYOND:
            return laid
        source = parse()
    return None


def _again(source: HTML, memo: Memo, context, root, blocks: list[Block], markup: list[str], changed: set[int],
           remake: set[int], emptied: set[int], settings: tuple) -> Laid | str | None:
    """The pages that laid out a changed block made again, and the pages after them until one
    starts as it did; BEYOND when a page laid out an emptied block; None where the result cannot
    be shown to equal a whole layout."""
    maker = _copied(memo.maker)
    for i, (resume_at, next_page, right_page, page_state, state) in enumerate(maker):
        fresh_state = {"content_changed": i in remake, "pages_wanted": False,
                       "anchors": state["anchors"], "content_lookups": []}
        maker[i] = (resume_at, next_page, right_page, page_state, fresh_state)
    context.page_maker = maker
    owners = _owners(blocks)
    first = _first_pages(memo.anchors_on)
    pages: list = []
    seen: dict[int, tuple[set[int], list[str]]] = {}
    named: set[str] = set()  # the anchors of the pages so far
    with _reads(context) as read:
        made = page_layout.make_all_pages(context, root, source, memo.pages)
        try:
            for i, page in enumerate(made):
                if i >= len(memo.pages):
                    return None  # one page more
                if page is not memo.pages[i]:
                    if _owned(read.get(i, ()), owners) & emptied:
                        return BEYOND
                    seen[i] = _seen(page, owners)
                    if {n for n in seen[i][1] if n not in named} != {n for n, p in first.items() if p == i}:
                        return None  # a heading on another page: the 目录's numbers change
                named.update(seen[i][1] if i in seen else memo.anchors_on[i])
                pages.append(page)
        except IndexError:
            return None  # the 版记 pushed past the last page: WeasyPrint looks for a page it never made
    if len(pages) != len(memo.pages):
        return None
    for i, (on, _) in list(seen.items()):
        # made again, but starting and ending where it did, with none of the changed blocks on
        # it: the page it was (a page that laid out the next page's first block to find its end)
        if (not on & changed and not memo.blocks_on[i] & changed
                and context.page_maker[i][:4] == memo.maker[i][:4]
                and context.page_maker[i + 1][:4] == memo.maker[i + 1][:4]):
            pages[i] = memo.pages[i]
            del seen[i]
    flagged = [i for i, (*_, s) in enumerate(context.page_maker) if s["content_changed"] or s["pages_wanted"]]
    if any(i <= memo.fixed for i in seen) or any(i > memo.fixed or i in seen for i in flagged):
        return None  # the 目录 (or another page showing page numbers) would change
    fresh = sorted(seen)
    anchors_on = [seen[i][1] if i in seen else names for i, names in enumerate(memo.anchors_on)]
    if _first_pages(anchors_on) != first:
        return None
    _finish_pages(context, pages, fresh)
    memo.markup = markup
    memo.maker, memo.pages = _copied(context.page_maker), pages
    for i in read:
        memo.read_on[i] = memo.read_on[i] | _owned(read[i], owners)
    for i, (on, _) in seen.items():
        memo.blocks_on[i] = on
        memo.read_on[i] = _owned(read.get(i, ()), owners)
    memo.anchors_on = anchors_on
    return Laid(_document(source, [pages[i] for i in fresh], settings), fresh, len(pages))


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


@contextmanager
def _reads(context) -> Iterator[dict[int, set[int]]]:
    """The elements whose boxes each page's making laid out (by page index, by the element's id):
    what the page depended on besides where it started. Only `context`'s layout is recorded:
    another thread's passes through."""
    lay_out_block, remake_page = block_layout.block_level_layout, page_layout.remake_page
    read: dict[int, set[int]] = {}
    making: list[int] = []

    def recorded_remake_page(index, in_context, *args):
        if in_context is not context:
            return remake_page(index, in_context, *args)
        making.append(index)
        read.setdefault(index, set())
        try:
            return remake_page(index, in_context, *args)
        finally:
            making.pop()

    def recorded_block_level_layout(in_context, box, *args, **kwargs):
        if in_context is context and making:
            read[making[-1]].add(id(box.element))
        return lay_out_block(in_context, box, *args, **kwargs)

    block_layout.block_level_layout, page_layout.remake_page = recorded_block_level_layout, recorded_remake_page
    try:
        yield read
    finally:
        block_layout.block_level_layout, page_layout.remake_page = lay_out_block, remake_page


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


def _places(source: HTML) -> dict[int, tuple[int, ...]]:
    """Each element's place in the document's element tree, by the element's id."""
    places: dict[int, tuple[int, ...]] = {}

    def walk(element, where: tuple[int, ...]) -> None:
        places[id(element)] = where
        for i, child in enumerate(element):
            walk(child, (*where, i))

    walk(source.etree_element, ())
    return places


def _element(source: HTML, where: tuple[int, ...]):
    element = source.etree_element
    for i in where:
        element = element[i]
    return element


def _markups(source: HTML, wheres: list[tuple[int, ...]]) -> list[str] | None:
    """The markup of the elements at these places, or None where one is not there."""
    try:
        return [ElementTree.tostring(_element(source, where), encoding="unicode") for where in wheres]
    except IndexError:
        return None


def _empty(source: HTML, wheres: list[tuple[int, ...]]) -> None:
    """The elements at these places emptied of their text and children (their own attributes and
    the text after them kept): blocks laid out empty, for their styles to cost nothing."""
    for where in wheres:
        element = _element(source, where)
        element.text = None
        for child in list(element):
            element.remove(child)


def _blocks(root: boxes.Box, places: dict[int, tuple[int, ...]]) -> tuple[list[tuple], list[Block]]:
    """The box tree's structure (each box above the blocks and each block: its place, kind,
    element, the attributes of those above, and what a page reads of a box it does not lay out),
    and its blocks in document order."""
    skeleton: list[tuple] = []
    blocks: list[Block] = []
    containers: set[int] = set()

    def walk(box: boxes.Box, path: tuple[int, ...]) -> None:
        element = box.element
        read = tuple(box.style[name] for name in PAGE_STYLE)
        children = getattr(box, "children", None)
        if (type(box) is boxes.BlockBox and children
                and all(isinstance(child, boxes.BlockLevelBox) for child in children)):
            attributes = tuple(sorted(element.attrib.items())) if element is not None else ()
            skeleton.append((path, type(box).__name__, box.element_tag, read, attributes))
            containers.add(id(element))
            for i, child in enumerate(children):
                walk(child, (*path, i))
            return
        skeleton.append((path, type(box).__name__, box.element_tag, read))
        markup = ElementTree.tostring(element, encoding="unicode") if element is not None else ""
        blocks.append(Block(box, markup, places.get(id(element), ())))

    walk(root, ())
    count = Counter(id(b.box.element) for b in blocks)
    for b in blocks:
        b.own = b.box.element is not None and id(b.box.element) not in containers and count[id(b.box.element)] == 1
    return skeleton, blocks


def _owners(blocks: list[Block]) -> dict[int, list[int]]:
    """For each element a block was made for, that block (for an anonymous block, its parent's
    element, which stands for every such block of the parent)."""
    owners: dict[int, list[int]] = {}
    for k, block in enumerate(blocks):
        if block.box.element is not None:
            owners.setdefault(id(block.box.element), []).append(k)
    return owners


def _owned(elements, owners: dict[int, list[int]]) -> set[int]:
    """The blocks of these elements (by id)."""
    return {k for element in elements for k in owners.get(element, ())}


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
