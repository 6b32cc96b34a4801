"""Chinese line composition: a body paragraph in, finished lines out.

WeasyPrint cannot justify pure Chinese lines (it stretches only spaces), has no punctuation
compression and only Pango's kinsoku. So the composer breaks each paragraph itself, with the
font's real advance widths and the clreq rules, and gives every character the letter-spacing
that makes its line fill the measure exactly. It knows nothing of HTML.

The grid (GB/T 9704): 28 cells across 156 mm; a 16 pt Han character sits in a 15.793 pt cell.
Each character has a *slot*: a cell for a full-width character, half a cell for compressed
punctuation, its own advance for digits and Latin letters, a quarter cell for a space; plus a
small gap between Han and Latin/digits. A line's slots are laid side by side and the difference
to the measure is spread evenly over the line's gaps, within caps that keep the PDF's text layer
clean. Line breaks are chosen for the whole paragraph at once (a shortest path over the break
opportunities), so a line that cannot be filled within the caps is avoided by breaking an earlier
line differently.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
import warnings
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

MEASURE = 156 * 72 / 25.4  # the text block's width in pt (GB/T 9704)

# clreq: characters that may not begin a line, and those that may not end one.
NO_START = frozenset("、，。：；！？”’」』）］｝】〕〗》〉–～·／‰％…—,.;:?!)]}%")
NO_END = frozenset("“‘「『（［｛【〔〖《〈([{")

# Full-width marks that can be set in half a cell (their ink lies in one half of the em). The
# body font's derived copy (fonts/derive_halfwidth.py) has a half-width glyph for each, behind
# 'ss01'. ？ is missing on purpose: FandolFang centres it, so half a cell would clip it.
HALF_CLOSING = "，。、；：！）］｝】〕〗》〉」』”’"
HALF_OPENING = "（［｛【〔〖《〈「『“‘"
_PUNCT_PAIRING = frozenset(HALF_CLOSING + HALF_OPENING + "？")

# A number keeps up to two of these after it ("3.2万元", "15 条", "12.5%").
UNITS = frozenset("年月日万亿元个件条名人次场份余倍岁周期%‰℃")

# Digits and Latin letters, with the marks that join them inside a number or word
# ("12.5%", "0-3", "5+X", "1,000", "10:30"); a run never breaks.
_WESTERN_RUN = re.compile(r"[0-9A-Za-z\u00C0-\u024F](?:[.,:/\-+_'&%]*[0-9A-Za-z\u00C0-\u024F])*%?")
_CONNECTOR = re.compile(r"(?<=\S)[+\-/&=_@](?=\S)")  # "人大+审计": stays with both neighbours
_UNIT_AFTER_NUMBER = re.compile(r"(?<=[0-9%]) ?[" + "".join(sorted(UNITS)) + "]{1,2}")

# Letter-spacing caps, in pt per gap. pdftotext (poppler 22.12, default, -layout and -raw modes)
# inserts a space once two characters stand more than 0.1 em apart: measured with 16 pt
# BulletinFang, gaps of 1.58 pt stay clean and 1.60 pt split, the same for Han-Han, Han-digit,
# digit-Han and Han-Latin. pypdf (2.25 pt) and pdfplumber (3 pt) are more tolerant. So no gap
# exceeds 1.5 pt; a line that would need more is broken differently.
SHRINK_CAP = -1.0
STRETCH_CAP = 1.5
# clreq puts at most a quarter cell between Han and digits or Latin letters. Where the source has
# a space there, the space is kept and set a quarter cell wide. Where it has none, a quarter cell
# (3.9 pt) would put a space into the text layer, so the gap is this much (the line's stretch
# comes on top, up to STRETCH_CAP).
MIXED_GAP = 1.0

# Costs of a line: one per line (fewer lines first), then the square of its stretch in pt.
# Squeezing is cheaper than stretching, so a mark that may not start a line is pulled up before
# a character is pushed down. When the rules leave no way at all (a number longer than a line),
# a rule is broken at a prohibitive cost, and compose() warns (RulesBent). A break rule costs
# most, then a gap wider than STRETCH_CAP (text extractors would insert a space), then one
# tighter than SHRINK_CAP, then a lone last character.
_LINE_COST = 1.0
_STRETCH_COST = 10.0
_SHRINK_COST = 5.0
_FORBIDDEN = 1e6
_UNCAPPED = 1e4
_OVERSQUEEZED = 1e3
_WIDOW = 1e2
_PRUNE = 12.0  # about one line stretched by 1 pt a gap, or three by 0.6 pt
_TOL = 1e-6


class RulesBent(UserWarning):
    """A paragraph that cannot be set within the rules (e.g. a long number right after the
    indent): it was set bending the fewest, and this says so for the caller to report."""


class Advance(Protocol):
    """A font's advance widths: `bulletin_print.fonts.Metrics` fits."""

    def advance(self, ch: str) -> float:
        """Advance width of `ch` in em."""
        ...


@dataclass(frozen=True)
class Run:
    """Characters set alike: one HTML span.

    A run ends after a Han/Latin gap or a space, and `gap` is what that character takes beyond
    the run's spacing (a margin in the HTML): the gap, or, negative, what a space gives back to
    be a quarter cell wide. So neither needs a run of its own, and a line with digits or spaces
    stays a few runs of one spacing.
    """

    text: str  # exactly as in the source
    style: str  # "body", or e.g. "lead"
    spacing: float  # pt of letter-spacing after every character of the run
    half: bool = False  # full-width marks set in half a cell (the font's 'ss01' glyphs)
    gap: float = 0.0  # pt after the run's last character, besides its spacing


@dataclass(frozen=True)
class Line:
    """One composed line. Its last character is alone in the last run, with spacing 0."""

    runs: tuple[Run, ...]
    indent: float  # pt before the first character
    last: bool  # the paragraph's last line: set at the grid pitch, flush left


def is_han(ch: str) -> bool:
    """A CJK ideograph (the BMP blocks, compatibility ideographs, and planes 2 and 3)."""
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3FFFF
        or ch == "〇"
    )


def _is_western(ch: str) -> bool:
    """A digit or letter of a narrow (non-CJK) script: gets a gap from neighbouring Han."""
    return ch.isalnum() and not is_han(ch) and unicodedata.east_asian_width(ch) not in "WF"


def _is_punct(ch: str) -> bool:
    """Punctuation, symbol or space: what does not count as a character of a last line."""
    return unicodedata.category(ch)[0] in "PSZ"


def _glue(text: str) -> tuple[list[bool], list[bool]]:
    """Where a line may not break, and where it could be squeezed past (kinsoku, runs, units).

    `glue[k]`: no break between text[k-1] and text[k]. `squeeze[k]`: that glue holds something
    that may not start a line (a closing mark, the rest of a number): worth pulling up into the
    line by squeezing. Glue after an opening mark is not: the mark goes down instead.
    """
    n = len(text)
    glue = [False] * (n + 1)
    squeeze = [False] * (n + 1)
    for k in range(1, n):
        if text[k] in NO_START:
            glue[k] = squeeze[k] = True
        if text[k - 1] in NO_END or text[k - 1] == " ":
            glue[k] = True  # never end a line with an opening mark or a space
        if text[k] == " " and (k + 1 == n or text[k + 1] in NO_START):
            glue[k] = squeeze[k] = True
    for pattern in (_WESTERN_RUN, _UNIT_AFTER_NUMBER, _CONNECTOR):
        for m in pattern.finditer(text):
            for k in range(m.start() + (pattern is _WESTERN_RUN), m.end() + (pattern is _CONNECTOR)):
                glue[k] = squeeze[k] = True
    return glue, squeeze


@dataclass
class _Chars:
    """Per-character widths of one paragraph, in pt."""

    text: str
    styles: list[str]
    cell: float
    base: float  # a character's spacing on the grid: cell - size
    most: float  # the most stretch any gap can take: a Han character's
    full: list[float]  # advance, uncompressed
    compressible: list[bool]  # a closing mark that may be set half at a line's end
    pair: list[int]  # set half because of the mark before (-1) or after (+1) it; 0 if not
    width: list[float]  # advance inside a line (with pair compression)
    slot: list[float]  # the room it takes: a cell, half a cell, its advance, or a quarter cell
    step: list[float]  # from its start to the next character's: slot plus a Han/Latin gap
    gap: list[float]  # step - width: its letter-spacing before the line is justified
    tight: list[float]  # gap, or +inf for a space (a real space may shrink below the cap)
    room: list[float]  # how much stretch its gap takes before it reaches STRETCH_CAP
    glue: list[bool]
    squeeze: list[bool]
    prefix: list[float]  # prefix[i] = sum of step[:i]
    room_prefix: list[float]  # room_prefix[i] = sum of room[:i]
    solid: list[int]  # solid[i] = characters before i that are neither punctuation nor space


def _measure_chars(
    chars: Sequence[tuple[str, str]],
    metrics: Mapping[str, Advance],
    size: float,
    cell: float,
    compress: Collection[str],
) -> _Chars:
    text = "".join(ch for ch, _ in chars)
    styles = [style for _, style in chars]
    n = len(text)
    full = [metrics[style].advance(ch) * size for ch, style in chars]
    can_half = [style in compress for style in styles]
    pair = [0] * n
    for i in range(n - 1):
        a, b = text[i], text[i + 1]
        if a in HALF_CLOSING and b in _PUNCT_PAIRING and can_half[i]:
            pair[i] = 1  # "。”" "），" "”“": the closing mark gives up its trailing half
        elif b in HALF_OPENING and (a in HALF_OPENING or a == "？") and can_half[i + 1]:
            pair[i + 1] = -1  # "（“": the second opening mark gives up its leading half
    most = STRETCH_CAP - min(0.0, cell - size)
    han = [is_han(ch) for ch in text]
    western = [_is_western(ch) for ch in text]
    mixed = [(han[i] and western[i + 1]) or (western[i] and han[i + 1]) for i in range(n - 1)] + [False]
    width = [size / 2 if pair[i] else full[i] for i in range(n)]
    # Every character but a space keeps the grid's tightening (cell - size) as its base spacing,
    # so that a line's characters share one letter-spacing and render as few runs.
    base = cell - size
    slot = [
        cell / 4 if ch == " " else width[i] + base
        for i, ch in enumerate(text)
    ]
    step = [s + MIXED_GAP if m else s for s, m in zip(slot, mixed)]
    gap = [s - w for s, w in zip(step, width)]
    tight = [math.inf if ch == " " else g for ch, g in zip(text, gap)]
    room = [most if ch == " " else STRETCH_CAP - g for ch, g in zip(text, gap)]
    glue, squeeze = _glue(text)
    prefix, room_prefix, solid = [0.0], [0.0], [0]
    for i, ch in enumerate(text):
        prefix.append(prefix[-1] + step[i])
        room_prefix.append(room_prefix[-1] + room[i])
        solid.append(solid[-1] + (not (_is_punct(ch) or ch.isspace())))
    compressible = [ch in HALF_CLOSING and ok for ch, ok in zip(text, can_half)]
    return _Chars(
        text, styles, cell, base, most, full, compressible, pair, width, slot, step, gap, tight, room,
        glue, squeeze, prefix, room_prefix, solid,
    )


@dataclass(frozen=True)
class _Set:
    """How one line is set: characters p..q-1, the stretch on each gap, a half mark at the end."""

    p: int
    q: int
    stretch: float
    half_end: bool
    capped: bool = True  # no gap stretches beyond STRETCH_CAP (False: only when nothing else fits)


def _first(c: _Chars, p: int) -> tuple[float, float, bool]:
    """(step, spacing before stretch, half) of a line's first character.

    A space that starts a line is set with no width; an opening mark compressed against the
    mark before it, now on the line before, gets its full cell back.
    """
    if c.text[p] == " ":
        return 0.0, -c.full[p], False
    if c.pair[p] == -1:
        return c.cell, c.cell - c.full[p], False
    return c.step[p], c.step[p] - c.width[p], bool(c.pair[p])


def _last(c: _Chars, q: int, half_end: bool) -> tuple[float, float, bool]:
    """(advance, slot, half) of a line's last character (no gap follows it).

    A closing mark compressed against the mark after it, now on the next line, gets its full
    cell back; one pulled up by squeezing may end the line in half a cell.
    """
    i = q - 1
    if half_end and c.compressible[i]:
        return c.full[i] / 2, c.cell / 2, True
    if c.pair[i] == 1:
        return c.full[i], c.cell, False
    return c.width[i], c.slot[i], bool(c.pair[i])


def _line_width(c: _Chars, p: int, q: int, half_end: bool) -> tuple[float, float]:
    """(natural width, slot width) of characters p..q-1 set as one line."""
    if q - 1 == p:
        if c.text[p] == " ":
            return 0.0, 0.0
        width, slot, _ = _last(c, q, half_end)
        return width, slot
    inner = c.prefix[q - 1] - c.prefix[p + 1] + _first(c, p)[0]
    width, slot, _ = _last(c, q, half_end)
    return inner + width, inner + slot


def _gaps(c: _Chars, p: int, q: int) -> tuple[float, float | None, float, float, int]:
    """The stretchable gaps of characters p..q-1 (all but the last character's, and not a space
    that starts the line): (first gap, its room or None, least room, total room, count)."""
    if c.text[p] == " ":
        first, first_room, count = 0.0, None, q - p - 2
    else:
        first = _first(c, p)[1]
        first_room, count = STRETCH_CAP - first, q - p - 1
    least = min(c.room[p + 1 : q - 1], default=math.inf)
    total = c.room_prefix[q - 1] - c.room_prefix[p + 1]
    if first_room is not None:
        least, total = min(least, first_room), total + first_room
    return first, first_room, least, total, count


def _stretch(c: _Chars, p: int, q: int, need: float) -> float | None:
    """The stretch δ that widens characters p..q-1 by `need` pt, or None if the caps forbid it.

    Every gap gets δ, but no gap more than its room (up to STRETCH_CAP): a Han/Latin gap, which
    starts wider, stops first and the others take the rest. Shrinking is even, down to SHRINK_CAP.
    """
    first, first_room, least, total, count = _gaps(c, p, q)
    if count <= 0:
        return 0.0 if abs(need) < _TOL else None
    delta = need / count
    if delta < 0:
        tightest = min(min(c.tight[p + 1 : q - 1], default=math.inf), first if first_room is not None else math.inf)
        return delta if delta >= SHRINK_CAP - tightest - _TOL else None
    if delta <= least:
        return delta
    if need > total + _TOL:
        return None
    rooms = sorted(c.room[p + 1 : q - 1] + ([] if first_room is None else [first_room]))
    for room in rooms:  # water-filling: the narrowest rooms fill up first
        if need / count <= room:
            break
        need -= room
        count -= 1
    return need / count


def _candidates(c: _Chars, p: int, avail: float, strict: bool) -> Iterator[tuple[_Set, float]]:
    """The ways to set a line that starts at p, each with its cost.

    Strict: only breaks the rules allow, spacing within the caps, no lone last character.
    Otherwise (a paragraph the rules cannot set) any break, at a prohibitive cost per rule broken.
    """
    n = len(c.text)
    # e: the line p..e-1 is the longest whose slots fit; start from where whole steps fit
    e = max(p + 1, bisect.bisect_right(c.prefix, c.prefix[p + 1] - _first(c, p)[0] + avail, p + 1) - 1)
    while e > p + 1 and _line_width(c, p, e, False)[1] > avail + _TOL:
        e -= 1
    while e < n and _line_width(c, p, e + 1, False)[1] <= avail + _TOL:
        e += 1
    for q in range(e, p, -1):
        broken = q < n and c.glue[q]
        if broken and strict:
            continue
        width = _line_width(c, p, q, False)[0]
        if q == n:
            # The last line keeps the grid pitch; only the 0.2 pt a full one overhangs (its last
            # character is 16 pt wide, not a 15.79 pt cell) is taken back.
            widow = p > 0 and c.solid[n] - c.solid[p] < 2
            stretch = _stretch(c, p, q, min(0.0, avail - width)) if width > avail else 0.0
            if not (widow and strict) and stretch is not None:
                yield _Set(p, q, stretch, False), _LINE_COST + widow * _WIDOW
            continue
        yield from _fill(c, p, q, avail - width, False, strict, broken * _FORBIDDEN)
        if strict and (avail - width) / max(q - p - 1, 1) > c.most:
            break  # shorter lines only need more
    if e < n and c.glue[e] and c.squeeze[e]:
        # what follows may not start a line: squeeze it in, up to the next break
        q = e + 1
        while q < n and c.glue[q]:
            q += 1
        yield from _fill(c, p, q, avail - _line_width(c, p, q, True)[0], True, strict, 0.0)


def _fill(
    c: _Chars, p: int, q: int, need: float, half_end: bool, strict: bool, penalty: float
) -> Iterator[tuple[_Set, float]]:
    """Justify characters p..q-1 by `need` pt, if the caps allow (or at a cost when not strict)."""
    stretch, capped = _stretch(c, p, q, need), True
    if stretch is None:
        if strict:
            return
        stretch, capped = need / max(q - p - 1, 1), False
        penalty += _OVERSQUEEZED if need < 0 else _UNCAPPED
    weight = _STRETCH_COST if stretch > 0 else _SHRINK_COST
    yield _Set(p, q, stretch, half_end, capped), _LINE_COST + weight * stretch * stretch + penalty


def _best_sets(c: _Chars, measure: float, indent: float, strict: bool, prune: float | None) -> list[_Set] | None:
    """The cheapest way to set the whole paragraph, or None when the rules leave no way.

    With `prune`, a way whose first k lines cost more than `prune` above the best first k lines
    is not followed further: it keeps the search to a few breaks per line (fast), and only a
    paragraph that then finds no way at all needs the full search.
    """
    n = len(c.text)
    cost = [math.inf] * (n + 1)
    lines = [0] * (n + 1)
    best_after = {0: 0.0}  # lines -> the least cost of that many lines
    back: list[_Set | None] = [None] * (n + 1)
    cost[0] = 0.0
    for p in range(n):
        if cost[p] == math.inf or (prune is not None and cost[p] > best_after[lines[p]] + prune):
            continue
        avail = measure - (indent if p == 0 else 0.0)
        for line, line_cost in _candidates(c, p, avail, strict):
            total = cost[p] + line_cost
            if total < cost[line.q] - _TOL:
                cost[line.q], lines[line.q], back[line.q] = total, lines[p] + 1, line
                best_after[lines[p] + 1] = min(best_after.get(lines[p] + 1, math.inf), total)
    if cost[n] == math.inf:
        return None
    sets = []
    q = n
    while q > 0:
        line = back[q]
        assert line is not None
        sets.append(line)
        q = line.p
    return sets[::-1]


def _runs(c: _Chars, line: _Set) -> tuple[Run, ...]:
    """The line's characters as runs of equal style, spacing and compression; a run ends after a
    Han/Latin gap or a space, which it carries as `gap` (see Run)."""
    p, q, stretch = line.p, line.q, line.stretch
    keys: list[tuple[str, float, bool]] = []
    gaps: list[float] = []
    for i in range(p, q - 1):
        if i == p and c.text[i] == " ":
            spacing, half = -c.full[i], False  # a space that starts a line takes no room
        else:
            if i == p:
                _, gap, half = _first(c, p)
                room = STRETCH_CAP - gap
            else:
                gap, half, room = c.gap[i], bool(c.pair[i]), c.room[i]
            spacing = gap + (min(stretch, room) if stretch > 0 and line.capped else stretch)
        extra = c.gap[i] - c.base if c.text[i] == " " and i > p else c.step[i] - c.slot[i]
        keys.append((c.styles[i], round(spacing - extra, 4) + 0.0, half))  # + 0.0: never "-0.0"
        gaps.append(round(extra, 4) + 0.0)
    runs = []
    start = p
    for i in range(p + 1, q):
        if i == q - 1 or keys[i - p] != keys[start - p] or gaps[i - 1 - p]:
            runs.append(Run(c.text[start:i], *keys[start - p], gap=gaps[i - 1 - p]))
            start = i
    runs.append(Run(c.text[q - 1], c.styles[q - 1], 0.0, _last(c, q, line.half_end)[2]))
    return tuple(runs)


def compose(
    segments: Sequence[tuple[str, str]],
    metrics: Mapping[str, Advance],
    *,
    size: float = 16.0,
    measure: float = MEASURE,
    cells: int = 28,
    indent_cells: float = 2,
    compress: Collection[str] = ("body",),
) -> list[Line]:
    """Break a paragraph, given as (text, style) pieces, into lines that fill the measure.

    `metrics` maps each style to its font's advance widths. `compress` names the styles whose
    font has half-width punctuation (BulletinFang's 'ss01'); marks of other styles stay full.
    """
    chars = [(ch, style) for text, style in segments for ch in text]
    if not chars:
        return []
    cell = measure / cells
    indent = indent_cells * cell
    c = _measure_chars(chars, metrics, size, cell, compress)
    sets = _best_sets(c, measure, indent, True, _PRUNE) or _best_sets(c, measure, indent, True, None)
    if sets is None:
        warnings.warn(RulesBent(f"cannot set within the rules, bending them least: {c.text[:40]}…"), stacklevel=2)
        sets = _best_sets(c, measure, indent, False, None)
        assert sets is not None  # without the rules every break is allowed
    return [
        Line(_runs(c, line), indent if line.p == 0 else 0.0, line.q == len(chars))
        for line in sets
    ]


# Where a title may break, from best to worst: after a pause mark, before an opening quote or
# bracket, after a closing one, next to a function word (word-ish), between two Han characters;
# inside a quotation costs extra. The costs are in em of line-length difference they are worth.
_TITLE_PAUSE = frozenset("：:，,；;、！？!?")
_TITLE_FUNCTION_WORDS = frozenset("的之与和及并在对为向把将以于等暨")
_TITLE_BREAK_COST = {"pause": 0.0, "before opening": 0.0, "after closing": 0.5, "word": 1.0, "han": 2.5}
_TITLE_IN_QUOTE = 8.0
_TITLE_FORBIDDEN = 1e3  # kinsoku, a number or a word split: only when nothing else fits


def _title_break_cost(text: str, k: int, depth: int) -> float:
    """What breaking before text[k] costs (`depth`: how many quotations are open there)."""
    before, after = text[k - 1], text[k]
    if before in _TITLE_PAUSE:
        cost = _TITLE_BREAK_COST["pause"]
    elif after in NO_END:
        cost = _TITLE_BREAK_COST["before opening"]
    elif before in NO_START:
        cost = _TITLE_BREAK_COST["after closing"]
    elif before in _TITLE_FUNCTION_WORDS or after in _TITLE_FUNCTION_WORDS:
        cost = _TITLE_BREAK_COST["word"]
    else:
        cost = _TITLE_BREAK_COST["han"]
    return cost + (_TITLE_IN_QUOTE if depth > 0 else 0.0)


def balance_title(text: str, metrics: Advance, *, size: float = 22.0, measure: float = MEASURE) -> list[str]:
    """Break a title into the fewest lines, of lengths as similar as possible, where it reads well.

    A title is short, so every set of breaks with the fewest lines is weighed: the lines'
    deviation from their mean length (in em) plus what each break costs (see
    `_title_break_cost`); kinsoku, numbers and Latin words are never split unless nothing else fits.
    """
    widths = [metrics.advance(ch) * size for ch in text]
    if sum(widths) <= measure + _TOL or len(text) < 2:
        return [text]
    glue, _ = _glue(text)
    depth, costs = 0, [0.0] * len(text)
    for k, ch in enumerate(text):
        if k:
            costs[k] = _TITLE_FORBIDDEN if glue[k] else _title_break_cost(text, k, depth)
        depth += (ch in "“‘「『《") - (ch in "”’」』》")
    prefix = [0.0]
    for w in widths:
        prefix.append(prefix[-1] + w)
    n = len(text)
    count = math.ceil(prefix[n] / measure)
    while True:
        mean = prefix[n] / count
        # best[j][k]: the cheapest j lines that end before text[k]
        best: list[dict[int, tuple[float, int]]] = [{0: (0.0, 0)}] + [{} for _ in range(count)]
        for j in range(1, count + 1):
            for k in [n] if j == count else range(1, n):
                options = [
                    (cost + abs(prefix[k] - prefix[i] - mean) / size + (costs[k] if k < n else 0.0), i)
                    for i, (cost, _) in best[j - 1].items()
                    if i < k and prefix[k] - prefix[i] <= measure + _TOL
                ]
                if options:
                    best[j][k] = min(options)
        if n in best[count]:
            break
        count += 1
    lines, k = [], n
    for j in range(count, 0, -1):
        i = best[j][k][1]
        lines.append(text[i:k])
        k = i
    return lines[::-1]
