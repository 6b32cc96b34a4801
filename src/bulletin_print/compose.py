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
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

MEASURE = 156 * 72 / 25.4  # the text block's width in pt (GB/T 9704)

# clreq: characters that may not begin a line, and those that may not end one.
NO_START = frozenset("、，。：；！？”’」』）］｝】〕〗》〉–～·／‰‱％℃°′″…—,.;:?!)]}%")
NO_END = frozenset("“‘「『（［｛【〔〖《〈([{")

# Full-width marks that can be set in half a cell (their ink lies in one half of the em). The
# body font's derived copy (fonts/derive_halfwidth.py) has a half-width glyph for each, behind
# 'ss01'. ？ is missing on purpose: FandolFang centres it, so half a cell would clip it.
HALF_CLOSING = "，。、；：！）］｝】〕〗》〉」』”’"
HALF_OPENING = "（［｛【〔〖《〈「『“‘"
_PUNCT_PAIRING = frozenset(HALF_CLOSING + HALF_OPENING + "？")

# A number keeps up to three of these after it ("3.2万元", "15 条", "12.5%", "20平方米").
UNITS = frozenset("年月日时分秒万亿千百元个件条名人次场份余多倍岁周期届号项户家所座辆台套部篇米吨亩公里平方度%‰‱℃㎡㎞")

# Digits and Latin letters, with the marks that join them inside a number or word
# ("12.5%", "0-3", "5+X", "1,000", "10:30"); a run never breaks.
_WESTERN_RUN = re.compile(r"[0-9A-Za-z\u00C0-\u024F](?:[.,:/\-+_'&%°′″@?=#~]*[0-9A-Za-z\u00C0-\u024F])*[%°′″]*")
# Within a run this long (a URL, an e-mail address), a line may break after / . - _ ? & = #, as in
# any printed address (never before: a mark may not start a line): kept whole, it would leave a
# line it cannot fill.
_LONG_RUN = 20
_RUN_BREAK = re.compile(r"(?<=[/.\-_?&=#])(?=[^/.\-_?&=#])")
_CONNECTOR = re.compile(r"(?<=\S)[+\-/&=_@](?=\S)")  # "人大+审计": stays with both neighbours
_UNIT_AFTER_NUMBER = re.compile(r"(?<=[0-9%Ⅰ-Ⅻ]) ?[" + "".join(sorted(UNITS)) + "]{1,3}")
# A range stays on one line: "2024—2027年", "10～20", "1—6月", "3%-5%".
_RANGE = re.compile(r"[0-9][0-9.,]*[" + "".join(sorted(UNITS)) + r"]{0,2} ?[—–～~\-－至]{1,2} ?[0-9]")
_ORDINAL = re.compile(r"第(?=[0-9Ⅰ-Ⅻ])")  # "第12期": 第 never ends a line before its number

# Letter-spacing caps, in pt per gap. pdftotext (poppler 22.12, default, -layout and -raw modes)
# inserts a space once two characters stand more than 0.1 em apart: measured with 16 pt
# BulletinFang, gaps of 1.58 pt stay clean and 1.60 pt split, the same for Han-Han, Han-digit,
# digit-Han and Han-Latin. pypdf (2.25 pt) and pdfplumber (3 pt) are more tolerant. So no gap
# exceeds 1.5 pt; a line that would need more is broken differently.
SHRINK_CAP = -1.0
STRETCH_CAP = 1.5
# A line may be set tighter than SHRINK_CAP, down to this, when the rules leave no other way (a
# long range such as （2024—2027年） that must not break): tight, but no glyph touches another.
TIGHT_CAP = -1.6
# clreq puts at most a quarter cell between Han and digits or Latin letters. Where the source has
# a space there, the space is kept and set a quarter cell wide. Where it has none, a quarter cell
# (3.9 pt) would put a space into the text layer, so the gap is this much (the line's stretch
# comes on top, up to STRETCH_CAP).
MIXED_GAP = 1.0

# Costs of a line: one per line (fewer lines first), then the square of its stretch in pt.
# Squeezing is cheaper than stretching, so a mark that may not start a line is pulled up before
# a character is pushed down; a line set tighter than SHRINK_CAP (to TIGHT_CAP) costs more.
# When the rules leave no way at all (a number longer than a line), a rule is broken at a
# prohibitive cost, and compose() says so (`bent`). A break rule costs most, then a gap wider
# than STRETCH_CAP (text extractors would insert a space), then one tighter than TIGHT_CAP, then
# a lone last character.
_LINE_COST = 1.0
_STRETCH_COST = 10.0
_SHRINK_COST = 5.0
_FORBIDDEN = 1e6
_UNCAPPED = 1e4
_OVERSQUEEZED = 1e3
_CRUSHED = 1e8  # squeezed so tight that glyphs would print over one another: worse than any rule
_CRUSH = -2.0  # pt a gap: digits (8 pt) would then overlap by a quarter
_WIDOW = 1e2
_TIGHT = 30.0  # a line tighter than SHRINK_CAP
_SQUEEZED = 3.0  # a mark set half inside a line: dearer than stretching, cheaper than a rule
_PRUNE = 12.0  # about one line stretched by 1 pt a gap, or three by 0.6 pt
_TOL = 1e-6



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
    """A digit or letter of a narrow (non-CJK) script: gets a gap from neighbouring Han (if its
    glyph is narrow too: a letterlike symbol such as Ⅱ or ① takes a cell, like Han)."""
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
    # (pattern, from, to): no break from the match's start + `from` to its end + `to`
    for pattern, lead, trail in ((_WESTERN_RUN, 1, 0), (_UNIT_AFTER_NUMBER, 0, 0), (_CONNECTOR, 0, 1),
                                 (_RANGE, 1, 0), (_ORDINAL, 1, 1)):
        for m in pattern.finditer(text):
            for k in range(m.start() + lead, m.end() + trail):
                glue[k] = squeeze[k] = True
    for m in _WESTERN_RUN.finditer(text):
        if m.end() - m.start() > _LONG_RUN:
            for b in _RUN_BREAK.finditer(m.group(), 1):
                glue[m.start() + b.start()] = squeeze[m.start() + b.start()] = False
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
    squeezable: list[int]  # the marks (indices) that may be set half inside a line, when it must
    save: list[float]  # save[i]: what setting text[i] half gains, for those marks
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
    western = [_is_western(ch) and full[i] < 0.75 * size for i, ch in enumerate(text)]
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
    squeezable = [i for i, ch in enumerate(text) if ch in HALF_CLOSING + HALF_OPENING and can_half[i] and not pair[i]]
    save = [0.0] * n
    for i in squeezable:
        save[i] = full[i] - size / 2
    return _Chars(
        text, styles, cell, base, most, full, compressible, squeezable, save, pair, width, slot, step, gap, tight,
        room, glue, squeeze, prefix, room_prefix, solid,
    )


@dataclass(frozen=True)
class _Set:
    """How one line is set: characters p..q-1, the stretch on each gap, a half mark at the end."""

    p: int
    q: int
    stretch: float
    half_end: bool
    capped: bool = True  # no gap stretches beyond STRETCH_CAP (False: only when nothing else fits)
    squeezed: tuple[int, ...] = ()  # marks inside the line set half to make it fit


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


def _stretch(c: _Chars, p: int, q: int, need: float, shrink_cap: float = SHRINK_CAP) -> float | None:
    """The stretch δ that widens characters p..q-1 by `need` pt, or None if the caps forbid it.

    Every gap gets δ, but no gap more than its room (up to STRETCH_CAP): a Han/Latin gap, which
    starts wider, stops first and the others take the rest. Shrinking is even, down to `shrink_cap`.
    """
    first, first_room, least, total, count = _gaps(c, p, q)
    if count <= 0:
        return 0.0 if abs(need) < _TOL else None
    delta = need / count
    if delta < 0:
        tightest = min(min(c.tight[p + 1 : q - 1], default=math.inf), first if first_room is not None else math.inf)
        return delta if delta >= shrink_cap - tightest - _TOL else None
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


@dataclass(frozen=True)
class _Mode:
    """How far a search may go, tried in turn until a paragraph can be set (see compose()).

    strict: only breaks the rules allow, spacing within the caps, no lone last character;
      otherwise (a paragraph the rules cannot set) any break, at a prohibitive cost per rule broken.
    squeeze: also lines too long for the measure that fit once some of their marks are set in
      half a cell (GB/T 15834 标点挤压).
    tight: also lines set tighter than SHRINK_CAP, down to TIGHT_CAP.
    """

    strict: bool = True
    squeeze: bool = False
    tight: bool = False


# In turn: the usual search; with marks set half inside a line; also tighter lines; bending rules.
_MODES = (_Mode(), _Mode(squeeze=True), _Mode(squeeze=True, tight=True), _Mode(False, True, True))


def _candidates(c: _Chars, p: int, avail: float, mode: _Mode) -> Iterator[tuple[_Set, float]]:
    """The ways to set a line that starts at p, each with its cost (see _Mode)."""
    strict = mode.strict
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
            stretch, tight = _fit(c, p, q, avail - width, mode.tight) if width > avail else (0.0, 0.0)
            if not (widow and strict) and stretch is not None:
                yield _Set(p, q, stretch, False), _LINE_COST + widow * _WIDOW + tight
            continue
        yield from _fill(c, p, q, avail - width, False, mode, broken * _FORBIDDEN)
        if strict and (avail - width) / max(q - p - 1, 1) > c.most:
            break  # shorter lines only need more
    if e < n and c.glue[e] and c.squeeze[e]:
        # what follows may not start a line: squeeze it in, up to the next break
        q = e + 1
        while q < n and c.glue[q]:
            q += 1
        yield from _fill(c, p, q, avail - _line_width(c, p, q, True)[0], True, mode, 0.0)
    if mode.squeeze:
        yield from _squeezed(c, p, e, avail, mode)


def _squeezed(c: _Chars, p: int, e: int, avail: float, mode: _Mode) -> Iterator[tuple[_Set, float]]:
    """Lines from p longer than e, made to fit by setting the fewest of their inner marks (the
    last ones) in half a cell."""
    n, strict = len(c.text), mode.strict
    for q in range(e + 1, n + 1):
        broken = q < n and c.glue[q]
        if broken and strict:
            continue
        width = _line_width(c, p, q, False)[0]
        inner = c.squeezable[bisect.bisect_right(c.squeezable, p):bisect.bisect_left(c.squeezable, q - 1)]
        if width - sum(c.save[i] for i in inner) + (TIGHT_CAP if mode.tight else SHRINK_CAP) * (q - p) > avail:
            break  # longer lines fit even less
        saved = 0.0
        for k in range(1, len(inner) + 1):
            saved += c.save[inner[-k]]
            need = avail - width + saved
            if q == n:
                widow = p > 0 and c.solid[n] - c.solid[p] < 2
                stretch, tight = (0.0, 0.0) if need >= 0 else _fit(c, p, q, need, mode.tight)
                if stretch is None or (widow and strict):
                    continue
                yield _Set(p, q, stretch, False, squeezed=tuple(inner[-k:])), _LINE_COST + k * _SQUEEZED + tight
            else:
                sets = list(_fill(c, p, q, need, False, mode, broken * _FORBIDDEN + k * _SQUEEZED))
                if not sets:
                    continue
                yield from (( _Set(line.p, line.q, line.stretch, False, line.capped, tuple(inner[-k:])), cost)
                            for line, cost in sets)
            break


def _fit(c: _Chars, p: int, q: int, need: float, tight: bool) -> tuple[float | None, float]:
    """(stretch, extra cost) for characters p..q-1 to take `need` pt: within the caps, else (if
    `tight`) as tight as TIGHT_CAP at a cost; (None, 0) when neither will do."""
    stretch = _stretch(c, p, q, need)
    if stretch is None and need < 0 and tight:
        stretch = _stretch(c, p, q, need, TIGHT_CAP)
        return stretch, _TIGHT if stretch is not None else 0.0
    return stretch, 0.0


def _fill(
    c: _Chars, p: int, q: int, need: float, half_end: bool, mode: _Mode, penalty: float
) -> Iterator[tuple[_Set, float]]:
    """Justify characters p..q-1 by `need` pt, if the caps allow (or at a cost when not strict)."""
    stretch, tight = _fit(c, p, q, need, mode.tight)
    capped = True
    penalty += tight
    if stretch is None:
        if mode.strict:
            return
        stretch, capped = need / max(q - p - 1, 1), False
        penalty += _CRUSHED if stretch < _CRUSH else _OVERSQUEEZED if need < 0 else _UNCAPPED
    weight = _STRETCH_COST if stretch > 0 else _SHRINK_COST
    yield _Set(p, q, stretch, half_end, capped), _LINE_COST + weight * stretch * stretch + penalty


def _best_sets(c: _Chars, measure: float, indent: float, mode: _Mode, prune: float | None) -> list[_Set] | None:
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
        for line, line_cost in _candidates(c, p, avail, mode):
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
                gap, half, room = c.gap[i], bool(c.pair[i]) or i in line.squeezed, c.room[i]
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
    bent: list[str] | None = None,
) -> list[Line]:
    """Break a paragraph, given as (text, style) pieces, into lines that fill the measure.

    `metrics` maps each style to its font's advance widths. `compress` names the styles whose
    font has half-width punctuation (BulletinFang's 'ss01'); marks of other styles stay full.
    A paragraph the rules cannot set (a number longer than the line, a lone last character no
    spacing can avoid) is set bending them least, and what was bent is added to `bent`, for the
    caller to report.
    """
    chars = [(ch, style) for text, style in segments for ch in text]
    if not chars:
        return []
    cell = measure / cells
    indent = indent_cells * cell
    c = _measure_chars(chars, metrics, size, cell, compress)
    sets = _best_sets(c, measure, indent, _MODES[0], _PRUNE)  # fast, and enough for most
    for mode in _MODES:
        if sets is not None:
            break
        sets = _best_sets(c, measure, indent, mode, None)
    assert sets is not None  # without the rules every break is allowed
    if bent is not None and not mode.strict:
        bent.extend(_bent(c, sets))
    return [
        Line(_runs(c, line), indent if line.p == 0 else 0.0, line.q == len(chars))
        for line in sets
    ]


def _bent(c: _Chars, sets: list[_Set]) -> list[str]:
    """What a paragraph set outside the rules broke, in words an editor can act on."""
    out = []
    n = len(c.text)
    for line in sets:
        text = c.text[line.p:line.q]
        if line.q < n and c.glue[line.q]:
            out.append(f"「{text[-6:]}｜{c.text[line.q:line.q + 6]}」处断行违反避头尾或拆开了数字、词 "
                       f"(a line breaks against the rules: kinsoku, or inside a number or word)")
        elif not line.capped:
            loose = "过松 (too loose)" if line.stretch > 0 else "过紧 (too tight)"
            out.append(f"「{text[:8]}…」一行字距{loose}，无法排齐 (a line cannot be justified within the spacing limits)")
    last = sets[-1]
    if last.p > 0 and c.solid[n] - c.solid[last.p] < 2:
        out.append(f"末行只有「{c.text[last.p:]}」一个字（孤字），请增删几个字 (the last line holds one character: "
                   f"add or cut a few characters)")
    return out


# Where a title or a 目录 entry may break, and what each break costs against the balance of its
# lines (see `break_lines`): after a pause mark nothing, before an opening quote or bracket a
# little, after a closing one more, between two words more, and more again inside a quotation or
# before a particle that may not start a line gladly. Inside a word (as the segmenter says) or
# against the kinsoku and number rules only when nothing else fits: before one more line.
_PAUSE = frozenset("：:，,；;、！？!? ")
_PARTICLES = frozenset("的了着过们地得")
_BREAK_AFTER_PAUSE = 0.0
_BREAK_BEFORE_OPENING = 0.5
_BREAK_AFTER_CLOSING = 1.0
_BREAK_BETWEEN_WORDS = 2.0
_BREAK_IN_QUOTATION = 3.0
_BREAK_BEFORE_PARTICLE = 3.0
_BREAK_IN_WORD = 1e4
_BREAK_GLUED = 1e5
_ONE_MORE_LINE = 1e2
_SHORT_LINE = 5e2  # a line of one or two characters (not counting punctuation)
_BALANCE = 10.0  # times the sum over lines of ((width - mean) / mean)²


def break_costs(text: str, word_ends: Collection[int]) -> list[float]:
    """costs[k]: what breaking before text[k] costs (costs[0] is unused). `word_ends`: the
    offsets where one word ends and the next begins, as a segmenter (words.py) says."""
    glue, _ = _glue(text)
    costs = [0.0] * len(text)
    depth = 0
    for k, ch in enumerate(text):
        if k:
            before = text[k - 1]
            if glue[k]:
                cost = _BREAK_GLUED
            elif before in _PAUSE:
                cost = _BREAK_AFTER_PAUSE
            elif ch in NO_END:
                cost = _BREAK_BEFORE_OPENING
            elif before in NO_START:
                cost = _BREAK_AFTER_CLOSING
            elif k in word_ends or not (is_han(before) and is_han(ch)):
                cost = _BREAK_BETWEEN_WORDS
            else:
                cost = _BREAK_IN_WORD
            if cost < _BREAK_IN_WORD:
                cost += _BREAK_IN_QUOTATION * (depth > 0) + _BREAK_BEFORE_PARTICLE * (ch in _PARTICLES)
            costs[k] = cost
        depth = max(0, depth + (ch in "“‘「『《（") - (ch in "”’」』》）"))
    return costs


def break_lines(text: str, widths: Sequence[float], costs: Sequence[float], limit: float,
                last_limit: float | None = None) -> list[str]:
    """Break a short text (a title, a 目录 entry) into lines no wider than `limit` (the last
    line: `last_limit`): with no break that splits a word or breaks a rule if it can, then in the
    fewest lines, then with lines of similar width broken where it reads well, and no line of
    only one or two characters.

    Each line's end is chosen over the few starts that fit before it: linear in the length.
    """
    n = len(text)
    last_limit = limit if last_limit is None else last_limit
    prefix = [0.0]
    solid = [0]
    for ch, w in zip(text, widths):
        prefix.append(prefix[-1] + w)
        solid.append(solid[-1] + (not (_is_punct(ch) or ch.isspace())))
    if prefix[n] <= last_limit + _TOL or n < 2:
        return [text]

    def cheapest(mean: float | None) -> list[int]:
        best = [0.0] + [math.inf] * n
        back = [0] * (n + 1)
        for k in range(1, n + 1):
            room = last_limit if k == n else limit
            first = min(k - 1, bisect.bisect_left(prefix, prefix[k] - room - _TOL))
            for i in range(first, k):
                if best[i] == math.inf:
                    continue
                cost = best[i] + (costs[i] if i else 0.0) + _ONE_MORE_LINE
                cost += _SHORT_LINE * (solid[k] - solid[i] <= 2 < solid[n])
                if mean is not None:
                    cost += _BALANCE * ((prefix[k] - prefix[i] - mean) / mean) ** 2
                if cost < best[k]:
                    best[k], back[k] = cost, i
        ends, k = [], n
        while k > 0:
            ends.append(k)
            k = back[k]
        return ends[::-1]

    count = len(cheapest(None))  # the fewest lines the rules allow; then balance them
    ends = cheapest(prefix[n] / count)
    return [text[i:k] for i, k in zip([0, *ends], ends)]


def break_title(text: str, metrics: Advance, word_ends: Collection[int], *, size: float = 22.0,
                measure: float = MEASURE) -> list[str]:
    """A title's lines: as few as fit the measure, of similar width, broken where it reads well."""
    widths = [metrics.advance(ch) * size for ch in text]
    return break_lines(text, widths, break_costs(text, word_ends), measure)
