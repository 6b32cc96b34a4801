"""The archive PDF's tags (PDF/A-3a): what WeasyPrint 70's tagging leaves to do.

WeasyPrint (`pdf_variant="pdf/a-3a"`, which turns on `pdf_tags`) writes the structure tree from
the HTML: the masthead's 刊名 as H1, the 目录's and each article's title as H2 (the h2 elements),
paragraphs as P, the 目录's entries as Links, an <img alt> as a Figure with /Alt, all in reading
order, with /MarkInfo << /Marked true >> and /Lang from <html lang>. Page-margin content, the
page numbers, it marks with MCIDs and structure elements that hang from nothing: a reader would
find content that is neither in the structure nor declared an artifact. Here it becomes a
pagination artifact (/Artifact << /Type /Pagination >>), which assistive technology skips.
"""

from __future__ import annotations

import re

import pydyf

from bulletin_print.press import pages

MARKED = re.compile(rb"/(\w+)\s*<</MCID (\d+)>>\s*BDC")
ARTIFACT = b"/Artifact <</Type /Pagination>> BDC"


def _number(reference: bytes | str) -> int:
    return int((reference.decode() if isinstance(reference, bytes) else reference).split()[0])


def _in_tree(pdf: pydyf.PDF) -> set[int]:
    """The object numbers of every structure element reachable from the StructTreeRoot."""
    root = pdf.objects[_number(pdf.catalog["StructTreeRoot"])]
    seen: set[int] = set()
    todo = [_number(kid) for kid in root["K"]]
    while todo:
        number = todo.pop()
        if number in seen:
            continue
        seen.add(number)
        element = pdf.objects[number]
        if isinstance(element, dict) and element.get("Type") == "/StructElem":
            todo.extend(_number(kid) for kid in element["K"] if isinstance(kid, (bytes, str)))
    return seen


def page_margins_as_artifacts(pdf: pydyf.PDF) -> None:
    """Content marked for structure elements outside the tree becomes pagination artifacts;
    the parent tree forgets it and the stray elements are emptied."""
    root = pdf.objects[_number(pdf.catalog["StructTreeRoot"])]
    parents = pdf.objects[_number(root["ParentTree"])]["Nums"]
    in_tree = _in_tree(pdf)
    to_bytes = getattr(pydyf, "_to_bytes")
    for index, page in enumerate(pages(pdf)):
        assert parents[2 * index] == index, "the parent tree lists the pages first, in order"
        elements = parents[2 * index + 1]
        stray = {mcid for mcid, reference in enumerate(elements) if _number(reference) not in in_tree}
        if not stray:
            continue
        for mcid in stray:
            elements[mcid] = "null"
        stream = pdf.objects[_number(page["Contents"])]
        data = b"\n".join(to_bytes(item) for item in stream.stream)
        stream.stream = [MARKED.sub(lambda m: ARTIFACT if int(m[2]) in stray else m[0], data)]
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Type") == "/StructElem" and obj.number not in in_tree:
            obj.clear()
