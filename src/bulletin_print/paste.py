"""Text pasted into the browser editor from Word or WPS (the clipboard's HTML) → clean paragraphs.

Word's clipboard HTML carries styles, conditional comments, <o:p> marks, spans in every run and
line breaks inside paragraphs. What an issue file wants is the text of each paragraph on its own:
block elements (p, div, li, h1–h6, tr) and <br><br> end a paragraph; everything else is dropped,
only its text kept. Each paragraph then gets what the tool already knows how to say of it: the
punctuation lint's mended text (lint.lint_text, the same as `check --fix`), offered, and the lead
sentence that `load` will find in it (model.find_lead).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from bulletin_print.lint import lint_text
from bulletin_print.model import find_lead

BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "section", "article", "table"}
SKIP = {"style", "script", "head", "title", "xml", "template"}
MAX_HTML = 2 * 1024 * 1024


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.skip = 0
        self.breaks = 0

    def end_paragraph(self) -> None:
        text = "".join(self.current)
        self.current = []
        if text.strip():
            self.paragraphs.append(text)

    def handle_starttag(self, tag: str, attrs) -> None:
        tag = tag.lower()
        if tag in SKIP:
            self.skip += 1
        elif tag in BLOCKS:
            self.end_paragraph()
        elif tag == "br":
            self.breaks += 1
            if self.breaks >= 2:
                self.end_paragraph()
            return
        self.breaks = 0

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() in SKIP:
            self.skip -= 1

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if tag in SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCKS:
            self.end_paragraph()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            if data.strip():
                self.breaks = 0
            self.current.append(data)

    def handle_comment(self, data: str) -> None:
        pass  # Word's <!--[if gte mso 9]>…<![endif]--> and the like


def _line_end(m: re.Match[str]) -> str:
    """A line end inside a paragraph (Word wraps its HTML at 76 columns): nothing between two
    Chinese characters, a space between two words."""
    before, after = m.string[m.start() - 1:m.start()], m.string[m.end():m.end() + 1]
    return " " if before.isascii() and after.isascii() else ""


def clean(text: str) -> str:
    """One paragraph's text: HTML's white space (line ends inside a paragraph, non-breaking and
    ideographic spaces used for indentation) gone, runs of spaces made one."""
    text = text.replace("\u00a0", " ").replace("\u3000", " ").replace("\t", " ")
    text = re.sub(r"[ \t]*\n\s*", _line_end, text)
    text = re.sub(r" {2,}", " ", text)
    text = "".join(ch for ch in text if ch >= " " or ch == "\n")
    return text.strip()


def paragraphs_of_html(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html[:MAX_HTML])
    parser.close()
    parser.end_paragraph()
    return [p for p in (clean(t) for t in parser.paragraphs) if p]


def paragraphs_of_text(text: str) -> list[str]:
    """Plain text pasted: a paragraph per line."""
    return [p for p in (clean(line) for line in text[:MAX_HTML].splitlines()) if p]


def pasted(html: str = "", text: str = "") -> list[dict]:
    """Each paragraph of what was pasted: its text, the lint's mended text (the same when there is
    nothing to mend), what the lint said, and the lead sentence found in the mended text."""
    found = paragraphs_of_html(html) if html.strip() else paragraphs_of_text(text)
    out = []
    for p in found:
        notes, fixed = lint_text(p, curly=True, spaces=True)
        out.append({"text": p, "fixed": fixed, "notes": [m for _, m in notes], "lead": find_lead(fixed)})
    return out
