"""The issue, its paragraphs composed into lines → HTML, through the Jinja2 templates in `layout/`.

Templates and CSS live in `layout/` so that a designer changes the look without touching Python;
this module only prepares the data they show.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from functools import cache
from importlib.metadata import version

import jinja2

from bulletin_print import compose, fonts
from bulletin_print.model import Article, Issue, Paragraph
from bulletin_print.paths import LAYOUT_DIR

TEMPLATE = "issue.html.j2"
# The composer's styles and the font role that sets each; both fonts have half-width marks (ss01).
STYLE_ROLES = {"body": "body", "lead": "hei"}


@dataclass(frozen=True)
class Piece:
    """A stretch of one line set alike: a span in the HTML, or bare text (`bare`) when it is
    body text set with its paragraph's own letter-spacing."""

    text: str
    style: str
    spacing: float
    half: bool
    bare: bool = False
    gap: float = 0.0  # pt after its last character besides its spacing (compose.Run.gap)

    @property
    def classes(self) -> str:
        """Its span's classes: style, compression, letter-spacing and margin."""
        return " ".join([self.style, *(["half"] if self.half else []), spacing_class(self.spacing),
                         *([gap_class(self.gap)] if self.gap else [])])


def spacing_class(spacing: float) -> str:
    """The class that sets a letter-spacing (in pt), e.g. "ls-215" for -0.215 pt.

    Spacing goes by class, not by style attribute: WeasyPrint parses every style attribute
    anew, and a few dozen shared rules lay out faster than hundreds of inline declarations."""
    return f"ls{round(spacing * 1000)}"


def gap_class(gap: float) -> str:
    """The class that sets a margin after a piece (in pt), e.g. "gap1000" for 1 pt."""
    return f"gap{round(gap * 1000)}"


@dataclass(frozen=True)
class ComposedParagraph:
    spacing: float  # the paragraph's letter-spacing: the one most of its characters take
    lines: list[list[Piece]]

    @property
    def spacing_class(self) -> str:
        return spacing_class(self.spacing)


@dataclass(frozen=True)
class ComposedArticle:
    article: Article
    title: tuple[str, ...]  # the title's lines
    paragraphs: list[ComposedParagraph]


@dataclass(frozen=True)
class ComposedBrief:
    paragraph: ComposedParagraph
    attribution: str


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(LAYOUT_DIR),
        autoescape=True,  # issue text is text: markup in it is printed, never obeyed
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def pieces(line: compose.Line) -> list[Piece]:
    """The line's runs as pieces. The last character, which the composer sets alone with no
    spacing after it, joins the piece before it when set alike: the spacing it then carries
    lies past the measure, where the unbreakable line never looks. Fewer boxes, faster layout."""
    out: list[Piece] = []
    for k, run in enumerate(line.runs):
        last = k == len(line.runs) - 1
        if last and out and (out[-1].style, out[-1].half, out[-1].gap) == (run.style, run.half, 0.0):
            out[-1] = Piece(out[-1].text + run.text, run.style, out[-1].spacing, run.half)
        else:
            out.append(Piece(run.text, run.style, run.spacing, run.half, gap=run.gap))
    return out


def hang_space(before: list[Piece], line: list[Piece]) -> None:
    """Move the space a line starts with to the end of the line before, where it hangs past the
    measure unseen. WeasyPrint would drop its width at a line's start but keep its spacing, and
    pull the line into the margin; hung, it also keeps the copied text as the source has it."""
    first = line[0]
    if len(first.text) > 1:
        line[0] = replace(first, text=first.text[1:])
    else:
        del line[0]
    before[-1] = replace(before[-1], text=before[-1].text + " ")


def compose_paragraph(paragraph: Paragraph) -> ComposedParagraph:
    """The paragraph's lines, its lead sentence (if any) set in its own style.

    The letter-spacing most of its characters take becomes the paragraph's own, so that the
    pieces set with it need no span: every box costs WeasyPrint layout time.
    """
    segments = [(paragraph.lead, "lead"), (paragraph.text[len(paragraph.lead):], "body")]
    metrics = {style: fonts.metrics(role) for style, role in STYLE_ROLES.items()}
    composed = compose.compose([s for s in segments if s[0]], metrics, compress=STYLE_ROLES)
    if not composed:
        return ComposedParagraph(0.0, [])
    lines = [pieces(line) for line in composed]
    for before, line in zip(lines, lines[1:]):
        if line[0].text.startswith(" "):  # a break at a space: see hang_space
            hang_space(before, line)
    weight = Counter()
    for piece in (p for line in lines for p in line if p.style == "body" and not p.half):
        weight[piece.spacing] += len(piece.text)
    spacing = weight.most_common(1)[0][0] if weight else 0.0
    lines = [[replace(p, bare=p.style == "body" and not (p.half or p.gap) and p.spacing == spacing) for p in line]
             for line in lines]
    return ComposedParagraph(spacing, lines)


def title_lines(article: Article) -> tuple[str, ...]:
    """The lines the data gives; a title given as one string and too long for one line is
    broken into lines of similar length where it reads well."""
    if article.lines_given:
        return article.title
    return tuple(compose.balance_title(article.title[0], fonts.metrics("title")))


def render(issue: Issue, composed: dict[Paragraph, ComposedParagraph] | None = None) -> str:
    """The issue as one HTML document, ready for WeasyPrint (base URL: `layout/`).

    `composed` holds the paragraphs an earlier render composed (`watch` keeps it from one rebuild
    to the next): those unchanged are not composed again, and it is left holding this issue's.
    """
    earlier = composed if composed is not None else {}
    done: dict[Paragraph, ComposedParagraph] = {}

    def compose_once(p: Paragraph) -> ComposedParagraph:
        if p not in done:
            done[p] = earlier[p] if p in earlier else compose_paragraph(p)
        return done[p]

    articles = [ComposedArticle(a, title_lines(a), [compose_once(p) for p in a.paragraphs])
                for a in issue.articles]
    briefs = [ComposedBrief(compose_once(Paragraph(b.text)), b.attribution) for b in issue.briefs]
    if composed is not None:
        composed.clear()
        composed.update(done)
    font_faces = [{"family": f.family, "url": f.path.as_uri()} for f in fonts.manifest()]
    paragraphs = [p for a in articles for p in a.paragraphs] + [b.paragraph for b in briefs]
    all_pieces = [piece for p in paragraphs for line in p.lines for piece in line]
    spacings = sorted({round(x * 1000) for x in [*(p.spacing for p in paragraphs), *(p.spacing for p in all_pieces)]})
    gaps = sorted({round(p.gap * 1000) for p in all_pieces if p.gap})
    return environment().get_template(TEMPLATE).render(
        issue=issue, articles=articles, briefs=briefs, fonts=font_faces, version=version("bulletin-print"),
        spacings={spacing_class(m / 1000): m / 1000 for m in spacings},
        gaps={gap_class(m / 1000): m / 1000 for m in gaps},
    )
