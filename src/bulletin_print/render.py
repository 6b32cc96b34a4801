"""The issue, its paragraphs composed into lines → HTML, through the Jinja2 templates in `layout/`.

Templates and CSS live in `layout/` so that a designer changes the look without touching Python;
this module only prepares the data they show.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from functools import cache
from importlib.metadata import version
from pathlib import Path

import jinja2

from bulletin_print import compose, fonts, words
from bulletin_print.model import Article, Fault, FieldPath, Figure, Issue, Look, Paragraph, Table, field_name
from bulletin_print.paths import LAYOUT_DIR

TEMPLATE = "issue.html.j2"
# The composer's styles and the font role that sets each; both fonts have half-width marks (ss01).
STYLE_ROLES = {"body": "body", "lead": "hei"}

# Sizes as layout/bulletin.css sets them, which the lines measured here must match (pt).
PITCH = 225 * 72 / 25.4 / 22  # the grid's line pitch: 22 lines in 225 mm
TITLE_SIZE = 22.0  # 2号
ATTRIBUTION_SIZE = 16.0  # 3号, indented two characters (it never starts at the margin)
ENTRY_SIZE = 14.0  # 4号: a 目录 entry
IMPRINT_SIZE = 16.0  # 3号: the 编印单位 and date under the 刊名
MASTHEAD_SIZE = 3 * PITCH - 20  # the 刊名 at its largest: three grid lines less 20 pt of air
MASTHEAD_TRACKING = 6 / MASTHEAD_SIZE  # its letter-spacing, in em: 6 pt, for six characters
MASTHEAD_FILL = 0.98  # of the measure, at most, that a long 刊名 fills
SUBTITLE_SIZE = 16.0  # 3号 楷体, after a rule two characters long (「——」)
CAPTION_SIZE = 14.0  # 4号 楷体: a photo's or a table's caption
NOTE_LABEL = "编者按："  # what an 编者按 or 按语 starts with, in 黑体
FIGURE_LINES = (2, 16)  # a photo's height, in grid lines: at least, at most
COPY_DIGITS = 6  # 份号: 000001 (GB/T 9704 §7.2.1)


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
    bent: tuple[str, ...] = ()  # the rules it could not keep (compose.compose's `bent`)
    kind: str = "para"

    @property
    def spacing_class(self) -> str:
        return spacing_class(self.spacing)


@dataclass(frozen=True)
class ComposedFigure:
    """A photo sized to the grid: as wide as the block (or half), `lines` grid lines high."""

    uri: str
    width: float  # pt
    lines: int  # its height in grid lines
    caption: tuple[str, ...]  # the caption's lines
    kind: str = "figure"

    @property
    def height(self) -> float:
        return self.lines * PITCH


@dataclass(frozen=True)
class ComposedTable:
    rows: tuple[tuple[str, ...], ...]
    header: bool
    caption: tuple[str, ...]
    kind: str = "table"


@dataclass(frozen=True)
class ComposedArticle:
    article: Article
    title: tuple[str, ...]  # the title's lines
    paragraphs: list  # ComposedParagraph, ComposedFigure or ComposedTable, in order
    attribution: tuple[str, ...]  # its lines, brackets included; () for none
    subtitle: tuple[str, ...] = ()  # the 副题's lines (the rule before it is the layout's)
    note: ComposedParagraph | None = None  # the 按语, 「编者按：」 included

    @property
    def field(self) -> str:
        return field_name(self.article.path)


@dataclass(frozen=True)
class ComposedBrief:
    paragraph: ComposedParagraph
    attribution: tuple[str, ...]
    field: str


@dataclass(frozen=True)
class Entry:
    """One 目录 entry: its 栏目 (on a column's first entry), its title's lines, its target."""

    column: str
    lines: tuple[str, ...]
    href: str
    field: str


@dataclass(frozen=True)
class Contents:
    column_width: float  # pt: the 栏目 column, as wide as the longest 栏目 name and a space
    entries: list[Entry]


@dataclass(frozen=True)
class Masthead:
    size: float  # pt: the 刊名's type
    spacing: float  # pt after each of its characters
    imprint_size: float  # pt: the 编印单位 and date line's type


@dataclass(frozen=True)
class Rendered:
    html: str
    faults: list[Fault]  # what could not be set as the rules ask (warnings)


@cache
def environment(layout: Path | None = None) -> jinja2.Environment:
    """The templates: a publication's layout folder first, so that a template there named as
    one of the tool's replaces it (as a Hugo site's layouts/ replaces its theme's, file by file)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([layout, LAYOUT_DIR] if layout else [LAYOUT_DIR]),
        autoescape=True,  # issue text is text: markup in it is printed, never obeyed
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def layout_file(name: str, look: Look) -> Path:
    """A layout file (bulletin.css, draft.css …): the publication's of that name, else the tool's."""
    own = look.layout / name if look.layout else None
    return own if own is not None and own.is_file() else LAYOUT_DIR / name


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
    pieces set with it need no span: every box costs WeasyPrint layout time. A piece with a
    character from a fallback font keeps its span all the same: bare, the fallback's taller
    ascent and descent would make its line taller than the grid's pitch (spans have line-height 1).
    """
    segments = [(paragraph.lead, "lead"), (paragraph.text[len(paragraph.lead):], "body")]
    metrics = {style: fonts.metrics(role) for style, role in STYLE_ROLES.items()}
    bent: list[str] = []
    composed = compose.compose([s for s in segments if s[0]], metrics, compress=STYLE_ROLES, bent=bent)
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
    lines = [[replace(p, bare=p.style == "body" and not (p.half or p.gap) and p.spacing == spacing
                      and all(fonts.covers("body", ch) for ch in p.text)) for p in line]
             for line in lines]
    return ComposedParagraph(spacing, lines, tuple(bent))


def compose_note(text: str) -> ComposedParagraph:
    """An 编者按 or 按语: 「编者按：」 in 黑体, then the note in 楷体, composed to the measure like a
    body paragraph (楷体 has no half-width marks: its punctuation keeps its full cell)."""
    metrics = {"lead": fonts.metrics("hei"), "kai": fonts.metrics("kai")}
    bent: list[str] = []
    composed = compose.compose([(NOTE_LABEL, "lead"), (text, "kai")], metrics, compress=("lead",), bent=bent)
    lines = [pieces(line) for line in composed]
    for before, line in zip(lines, lines[1:]):
        if line[0].text.startswith(" "):
            hang_space(before, line)
    return ComposedParagraph(0.0, lines, tuple(bent))


def balanced(text: str, role: str, size: float, limit: float, ends: words.WordEnds) -> tuple[str, ...]:
    """`text` on one line, or in balanced lines no wider than `limit`, broken where it reads well."""
    if not text:
        return ()
    if width(text, role, size) <= limit:
        return (text,)
    widths = [fonts.metrics(role).advance(ch) * size for ch in text]
    return tuple(compose.break_lines(text, widths, compose.break_costs(text, ends[text]), limit))


def figure(f: Figure, ends: words.WordEnds) -> ComposedFigure:
    """A photo as wide as the block (or half of it), as high as the whole grid lines its shape
    allows (2 to 16), its width then taken back to keep that shape: no body line leaves the grid."""
    from pathlib import Path

    room = compose.MEASURE / 2 if f.half else compose.MEASURE
    w, h = f.pixels
    lines = max(FIGURE_LINES[0], min(FIGURE_LINES[1], int(room * h / w / PITCH)))
    drawn = min(room, lines * PITCH * w / h)
    return ComposedFigure(Path(f.file).as_uri(), drawn, lines, balanced(f.caption, "kai", CAPTION_SIZE, compose.MEASURE, ends))


def table(t: Table, ends: words.WordEnds) -> ComposedTable:
    return ComposedTable(t.rows, t.header, balanced(t.caption, "kai", CAPTION_SIZE, compose.MEASURE, ends))


def copy_number(copy: int) -> str:
    """份号: six digits, 000001 for the first copy."""
    return f"{copy:0{COPY_DIGITS}d}"


def width(text: str, role: str, size: float) -> float:
    """The natural width of `text` in the role's font at `size` pt (its advances, no kerning)."""
    advance = fonts.metrics(role).advance
    return sum(advance(ch) for ch in text) * size


def title_lines(article: Article, ends: words.WordEnds, faults: list[Fault]) -> tuple[str, ...]:
    """The lines the data gives, each broken further if it is too long for the measure (with a
    warning); a title given as one string is broken into balanced lines where it reads well."""
    out: list[str] = []
    for i, line in enumerate(article.title):
        if width(line, "title", TITLE_SIZE) <= compose.MEASURE:
            out.append(line)
            continue
        out.extend(compose.break_title(line, fonts.metrics("title"), ends[line], size=TITLE_SIZE))
        if article.lines_given:
            faults.append(Fault(article.path + ("title", i), f"标题第{i + 1}行「{line[:12]}…」一行放不下，已自动断行"
                                f" (a title line too long for the measure was broken further)", "warning"))
    return tuple(out)


def attribution_lines(text: str, ends: words.WordEnds) -> tuple[str, ...]:
    """"（预算工委 吴颖）" on one line; a long one in balanced lines broken where it reads well
    (WeasyPrint, left to it, leaves a lone last character as often as not)."""
    if not text:
        return ()
    shown = f"（{text}）"
    limit = compose.MEASURE - 2 * ATTRIBUTION_SIZE
    if width(shown, "kai", ATTRIBUTION_SIZE) <= limit:
        return (shown,)
    widths = [fonts.metrics("kai").advance(ch) * ATTRIBUTION_SIZE for ch in shown]
    return tuple(compose.break_lines(shown, widths, compose.break_costs(shown, ends[shown]), limit))


def masthead(issue: Issue) -> Masthead:
    """The 刊名 on one line whatever its length: six characters at MASTHEAD_SIZE with 6 pt between
    them, fewer spaced wider, more set smaller to fill the measure; the 编印单位 and the date on
    one line, smaller only when they would not fit."""
    n = len(issue.title)
    em = width(issue.title, "masthead", 1.0)
    size = min(MASTHEAD_SIZE, MASTHEAD_FILL * compose.MEASURE / (em + (n - 1) * MASTHEAD_TRACKING))
    spacing = MASTHEAD_TRACKING * size
    if n > 1 and n < 6:  # a short name spreads over half the measure and more
        target = compose.MEASURE * (0.5 + n / 12)
        spacing = max(spacing, min(size, (target - em * size) / (n - 1)))
    date = f"{issue.date.year}年{issue.date.month}月{issue.date.day}日"
    imprint = width(issue.compiler, "body", 1.0) + width(date, "body", 1.0)
    room = compose.MEASURE - IMPRINT_SIZE  # a character's space between them at least
    return Masthead(size, spacing, min(IMPRINT_SIZE, room / imprint) if imprint else IMPRINT_SIZE)


def contents(issue: Issue, ends: words.WordEnds) -> Contents:
    """The 目录: a column of 栏目 names as wide as the longest, then each title, broken where it
    reads well when it is too long, its last line leaving room for a leader and a page number."""
    column = column_width(issue)
    limit, last = entry_limits(column)
    entries = []
    for c in issue.columns:
        for k, a in enumerate(c.articles):
            text = a.title_text
            if width(text, "body", ENTRY_SIZE) <= last:
                lines = (text,)
            else:
                widths = [fonts.metrics("body").advance(ch) * ENTRY_SIZE for ch in text]
                lines = tuple(compose.break_lines(text, widths, compose.break_costs(text, ends[text]), limit, last))
            entries.append(Entry(c.name if k == 0 else "", lines, a.anchor, field_name(a.path + ("title",))))
    if issue.briefs:
        entries.append(Entry(issue.briefs_column, (f"{len(issue.briefs)} 则",), "briefs", "briefs.column"))
    return Contents(column, entries)


def column_width(issue: Issue) -> float:
    """The 目录's 栏目 column: the longest name and a character's space (4.5 characters at least)."""
    names = [c.name for c in issue.columns] + ([issue.briefs_column] if issue.briefs else [])
    return max(4.5 * ENTRY_SIZE, max(width(n, "hei", ENTRY_SIZE) for n in names) + ENTRY_SIZE)


def entry_limits(column: float) -> tuple[float, float]:
    """How wide a 目录 title's lines may be, and its last line: room for two leader dots and a
    three-digit page number."""
    advance = fonts.metrics("body").advance
    limit = compose.MEASURE - column
    return limit, limit - (2 * advance("·") + 3 * advance("0")) * ENTRY_SIZE - 1.0


def render(issue: Issue, composed: dict[Paragraph, ComposedParagraph] | None = None, *, copy: int = 0) -> Rendered:
    """The issue as one HTML document, ready for WeasyPrint (base URL: `layout/`), with what
    could not be set as the rules ask.

    `composed` holds the paragraphs an earlier render composed (`watch` keeps it from one rebuild
    to the next): those unchanged are not composed again, and it is left holding this issue's.
    `copy`: the number of the copy (份号) printed on page 1; 0 for none.
    """
    fonts_changed = fonts.use(issue.look.fonts)  # lines measured with other fonts are no good
    earlier = composed if composed is not None and not fonts_changed else {}
    done: dict[Paragraph, ComposedParagraph] = {}
    faults: list[Fault] = []

    def compose_once(p: Paragraph, path: FieldPath) -> ComposedParagraph:
        if p not in done:
            done[p] = earlier[p] if p in earlier else compose_paragraph(p)
        faults.extend(Fault(path, message, "warning") for message in done[p].bent)
        return done[p]

    def note_once(text: str, path: FieldPath) -> ComposedParagraph | None:
        if not text:
            return None
        key = Paragraph(NOTE_LABEL + text, "\x00note")  # no body paragraph has this lead
        if key not in done:
            done[key] = earlier[key] if key in earlier else compose_note(text)
        faults.extend(Fault(path, message, "warning") for message in done[key].bent)
        return done[key]

    def item(p: Paragraph | Figure | Table, path: FieldPath):
        if isinstance(p, Figure):
            return figure(p, ends)
        if isinstance(p, Table):
            return table(p, ends)
        return compose_once(p, path)

    ends = words.WordEnds()  # segmented only where a line must break
    articles = [ComposedArticle(a, title_lines(a, ends, faults),
                                [item(p, a.path + ("paragraphs", i)) for i, p in enumerate(a.paragraphs)],
                                attribution_lines(a.attribution, ends),
                                balanced(a.subtitle, "kai", SUBTITLE_SIZE, compose.MEASURE - 2 * SUBTITLE_SIZE, ends),
                                note_once(a.note, a.path + ("note",)))
                for a in issue.articles]
    issue_note = note_once(issue.note, ("note",))
    briefs = [ComposedBrief(compose_once(Paragraph(b.text), b.path + ("text",)), attribution_lines(b.attribution, ends),
                            field_name(b.path))
              for b in issue.briefs]
    if composed is not None:
        composed.clear()
        composed.update(done)
    font_faces = [{"family": f.family, "url": f.path.as_uri()} for f in fonts.faces()]
    notes = [n for n in [issue_note, *(a.note for a in articles)] if n is not None]
    paragraphs = [p for a in articles for p in a.paragraphs if p.kind == "para"] + [b.paragraph for b in briefs] + notes
    all_pieces = [piece for p in paragraphs for line in p.lines for piece in line]
    spacings = sorted({round(x * 1000) for x in [*(p.spacing for p in paragraphs), *(p.spacing for p in all_pieces)]})
    gaps = sorted({round(p.gap * 1000) for p in all_pieces if p.gap})
    contents_ = contents(issue, ends)
    ends.save()
    look = issue.look
    html = environment(look.layout).get_template(TEMPLATE).render(
        issue=issue, articles=articles, briefs=briefs, fonts=font_faces, version=version("bulletin-print"),
        stylesheet=layout_file("bulletin.css", look).as_uri(), stylesheets=[p.as_uri() for p in look.stylesheets],
        masthead=masthead(issue), contents=contents_, note=issue_note,
        copy_number=copy_number(copy) if copy else "",
        spacings={spacing_class(m / 1000): m / 1000 for m in spacings},
        gaps={gap_class(m / 1000): m / 1000 for m in gaps},
    )
    return Rendered(html, faults)
