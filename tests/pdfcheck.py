#!/usr/bin/env python3
# Vendored unchanged from the project's shared measuring tools, so that the tests measure the PDF
# exactly as a reviewer does, on a machine that has only this repository.
"""Measure a typeset bulletin PDF the way a proof-reader and a printer would.

Reads the PDF alone (no knowledge of how it was made) and reports:
  pages      page count and trimmed page size in mm
  fonts      every font, whether it is embedded
  grid       body text size, characters on a full line of Chinese text, line pitch, the most
             body lines on one page, body lines off the grid, text block position (mm from the
             trimmed page's top-left corner)
  justify    body lines that stop short of the right edge without ending a paragraph, and
             paragraphs whose last line holds one character (孤字)
  overflow   lines with text outside the text block (or off the paper), lines where glyphs are
             printed over one another, and pairs of lines whose glyphs collide
  kinsoku    lines that begin with a closing mark or end with an opening mark (clreq)
  colour     fill/stroke colour operators used in the content streams (rg/RG = RGB, k/K = CMYK, g/G = grey)
  fidelity   with --reference: the share of the issue's text blocks found verbatim, in order

usage: pdfcheck.py FILE.pdf [--reference REF.json] [--block-mm 156] [--json]
Needs: pdfplumber, pypdf.
"""
import argparse
import json
import re
import statistics
import sys
import unicodedata
from collections import Counter

import pdfplumber
import pypdf

PT_PER_MM = 72 / 25.4
NO_LINE_START = set("，。、；：？！）》」』”’〉】〕…—·%,.;:?!)]}")
NO_LINE_END = set("（《「『“‘〈【〔([{")
PAGE_NUMBER = re.compile(r"^[\s\-—–]*\d{1,3}[\s\-—–]*$")


def norm(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def page_box(page):
    """The trimmed page: TrimBox where there is one, else the CropBox/MediaBox."""
    obj = page.page_obj
    for key in ("TrimBox", "CropBox", "MediaBox"):
        box = obj.attrs.get(key) if hasattr(obj, "attrs") else None
        if box:
            x0, y0, x1, y1 = [float(v) for v in pdfplumber.utils.resolve_all(box)]
            # pdfplumber's coordinates have their origin at the MediaBox's top-left corner
            mx0, my0, mx1, my1 = [float(v) for v in page.mediabox]
            return x0 - mx0, my1 - y1, x1 - mx0, my1 - y0
    return 0, 0, float(page.width), float(page.height)


def baseline(c):
    """A character's baseline, measured down from the page's top like pdfplumber's "top". Lines are
    grouped by it: a fallback font's glyph has another ascent, so its top differs on the same line."""
    m = c.get("matrix")
    return c["top"] + (c["y1"] - m[5]) if m else c["bottom"]


def line_base(line):
    """The baseline most of a line's characters sit on."""
    common = Counter(round(c["base"], 1) for c in line).most_common(1)[0][0]
    return statistics.median(c["base"] for c in line if round(c["base"], 1) == common)


def text_lines(page, tolerance=2.0):
    """Group a page's characters into lines by their baseline."""
    chars = [c for c in page.chars if c["text"].strip()]
    for c in chars:
        c["base"] = baseline(c)
    chars.sort(key=lambda c: (round(c["base"]), c["x0"]))
    lines = []
    for c in chars:
        if lines and abs(lines[-1][0]["base"] - c["base"]) <= tolerance:
            lines[-1].append(c)
        else:
            lines.append([c])
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def measure(path, reference=None, block_mm=None):
    report = {"file": path}
    with pdfplumber.open(path) as pdf:
        pages = pdf.pages
        boxes = [page_box(p) for p in pages]
        report["pages"] = len(pages)
        x0, y0, x1, y1 = boxes[0]
        report["page_mm"] = [round((x1 - x0) / PT_PER_MM, 1), round((y1 - y0) / PT_PER_MM, 1)]
        all_lines = [(i, text_lines(p)) for i, p in enumerate(pages)]

        sizes = Counter(round(c["size"], 1) for _, ls in all_lines for l in ls for c in l)
        body = sizes.most_common(1)[0][0] if sizes else 0
        report["body_size_pt"] = body

        def is_body(line):
            n = sum(1 for c in line if round(c["size"], 1) == body)
            return n >= 0.8 * len(line)

        body_lines = [(i, l) for i, ls in all_lines for l in ls if is_body(l) and not PAGE_NUMBER.match("".join(c["text"] for c in l))]
        if reference:
            # with a reference, only lines that belong to its paragraphs count as body text
            # (not the masthead, the 目录, titles or the 版记)
            paras = "\x00".join(norm(b) for b in json.load(open(reference, encoding="utf-8"))["blocks"] if len(b) > 26)
            body_lines = [(i, l) for i, l in body_lines if norm("".join(c["text"] for c in l)) in paras]
        if body_lines:
            def mode(values):
                return Counter(round(v) for v in values).most_common(1)[0][0]
            long_lines = [l for _, l in body_lines if len(l) >= 10] or [l for _, l in body_lines]
            left = mode(l[0]["x0"] for l in long_lines)
            right = left + block_mm * PT_PER_MM if block_mm else mode(max(c["x1"] for c in l) for l in long_lines)
            report["text_block_mm"] = {"left": round((left - boxes[0][0]) / PT_PER_MM, 1),
                                       "width": round((right - left) / PT_PER_MM, 1)}
            tops, first_tops = {}, {}
            for i, l in body_lines:
                tops.setdefault(i, []).append(line_base(l))
                first_tops.setdefault(i, l[0]["top"])
            pitches = [b - a for ts in tops.values() for a, b in zip(ts, ts[1:]) if 0 < b - a < 2.2 * body]
            pitch = statistics.median(pitches) if pitches else None
            report["line_pitch_pt"] = round(pitch, 2) if pitch else None
            report["max_body_lines_per_page"] = max(len(ts) for ts in tops.values())
            # the grid: every body line's top lies a whole number of pitches below the first line
            # of a full page of body text
            full = [min(ts) for ts in tops.values() if len(ts) == report["max_body_lines_per_page"]]
            origin = statistics.median(full) if full else None
            off = 0
            if pitch and origin is not None:
                for i, l in body_lines:
                    k = (line_base(l) - origin) / pitch
                    off += abs(k - round(k)) > 0.05
            report["off_grid_lines"] = off
            full_tops = [first_tops[i] for i, ts in tops.items() if len(ts) == report["max_body_lines_per_page"]]
            report["text_top_mm"] = round((statistics.median(full_tops) - boxes[0][1]) / PT_PER_MM, 1) if full_tops else None

            # paragraph ends: the next body line starts indented, lies more than a pitch below, or
            # is on another page and indented
            seq = body_lines
            def par_end(k):
                if k + 1 >= len(seq):
                    return True
                (i, l), (j, n) = seq[k], seq[k + 1]
                if n[0]["x0"] - left >= 1.5 * body:
                    return True
                return i == j and line_base(n) - line_base(l) > 1.6 * (pitch or body)
            full_width = re.compile(r"^[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\u2014\u2026\u201c\u201d\u2018\u2019\u00b7]+$")
            cells, ragged, lone = [], [], []
            for k, (i, l) in enumerate(seq):
                text = "".join(c["text"] for c in l)
                first = abs(l[0]["x0"] - left) > 0.5 * body
                if par_end(k):
                    if len(re.sub(r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20“”‘’…—·,.;:!?()]", "", text)) <= 1:
                        lone.append({"page": i + 1, "text": text})
                    continue
                if not first and full_width.match(text):
                    cells.append(len(text))
                short = right - max(c["x1"] for c in l)
                if short > 0.5:
                    ragged.append({"page": i + 1, "short_pt": round(short, 1), "text": text[:30]})
            report["chars_per_full_line"] = statistics.median(cells) if cells else None
            report["ragged_lines"] = len(ragged)
            report["ragged_examples"] = ragged[:5]
            # a paragraph's last line holding a single character (and its punctuation): 孤字
            report["lone_last_lines"] = len(lone)
            report["lone_examples"] = lone[:5]

        # text that leaves the text block or the paper, and glyphs printed over one another on a line
        outside, overprint = [], []
        if body_lines:
            for i, ls in all_lines:
                px0, _, px1, _ = boxes[i]
                for l in ls:
                    t = "".join(c["text"] for c in l)
                    out = [c for c in l if c["x0"] < left - 1 or c["x1"] > right + 1]
                    if out:
                        outside.append({"page": i + 1, "text": t[:30], "past_pt": round(max(max(c["x1"] for c in out) - right, left - min(c["x0"] for c in out)), 1),
                                        "off_paper": any(c["x0"] < px0 or c["x1"] > px1 for c in out)})
                    hits = [a["text"] + b["text"] for a, b in zip(l, l[1:]) if b["x0"] < a["x1"] - 0.25 * min(a["size"], b["size"])]
                    if hits:
                        overprint.append({"page": i + 1, "text": t[:30], "pairs": hits[:4]})
        # glyphs of different lines drawn over one another (a masthead or 目录 line run into the next)
        collided = []
        for i, ls in all_lines:
            cells = {}
            for n, l in enumerate(ls):
                for c in l:
                    for gx in range(int(c["x0"] // 12), int(c["x1"] // 12) + 1):
                        for gy in range(int(c["top"] // 12), int(c["bottom"] // 12) + 1):
                            cells.setdefault((gx, gy), []).append((n, c))
            seen = set()
            for group in cells.values():
                for a_n, a in group:
                    for b_n, b in group:
                        if a_n >= b_n or (a_n, b_n) in seen:
                            continue
                        w = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
                        h = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
                        if w > 0.3 * min(a["size"], b["size"]) and h > 0.3 * min(a["size"], b["size"]):
                            seen.add((a_n, b_n))
                            collided.append({"page": i + 1, "lines": ["".join(c["text"] for c in ls[a_n])[:20], "".join(c["text"] for c in ls[b_n])[:20]]})
        report["line_collisions"] = len(collided)
        report["collision_examples"] = collided[:5]
        report["lines_outside_text_block"] = len(outside)
        report["outside_examples"] = outside[:5]
        report["lines_overprinted"] = len(overprint)
        report["overprint_examples"] = overprint[:5]

        kin = []
        for i, ls in all_lines:
            for l in ls:
                t = "".join(c["text"] for c in l)
                if PAGE_NUMBER.match(t):
                    continue
                if t[0] in NO_LINE_START or t[-1] in NO_LINE_END:
                    kin.append({"page": i + 1, "text": t[:30] + ("…" if len(t) > 30 else ""), "end": t[-3:]})
        report["kinsoku_violations"] = len(kin)
        report["kinsoku_examples"] = kin[:8]

        if reference:
            ref = json.load(open(reference, encoding="utf-8"))
            text = ""
            for i, ls in all_lines:
                for l in ls:
                    t = "".join(c["text"] for c in l)
                    if not PAGE_NUMBER.match(t):
                        text += t
            text = norm(text)
            pos, found, missing = 0, 0, []
            for block in ref["blocks"]:
                b = norm(block)
                at = text.find(b, pos)
                if at >= 0:
                    found += 1
                    pos = at + len(b)
                else:
                    missing.append(block[:40])
            first = norm("".join(c["text"] for l in all_lines[0][1] for c in l)) if all_lines else ""
            toc = [e for e in ref.get("toc", []) if not re.fullmatch(r"\d+\s*则", e["title"])]
            toc_found = sum(1 for e in toc if norm(e["title"]) in first or norm(e["title"]) in text[: len(first) + 2000])
            report["fidelity"] = {"blocks": len(ref["blocks"]), "found_in_order": found,
                                  "missing": missing[:10], "toc_titles": len(toc), "toc_titles_on_page_1": toc_found}

    reader = pypdf.PdfReader(path)
    fonts, ops = {}, Counter()
    for page in reader.pages:
        res = page.get("/Resources") or {}
        for name, ref in ((res.get("/Font") or {}).items()):
            f = ref.get_object()
            desc = f.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in f:
                desc = f["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else {}
            embedded = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(f.get("/BaseFont"))] = embedded
        try:
            content = page.get_contents()
            data = content.get_data() if content is not None else b""
        except Exception:
            data = b""
        for op in re.findall(rb"(?<![A-Za-z])(rg|RG|k|K|g|G|sc|SC|scn|SCN|cs|CS)(?![A-Za-z])", data):
            ops[op.decode()] += 1
    report["fonts"] = fonts
    report["fonts_not_embedded"] = [n for n, e in fonts.items() if not e]
    report["colour_operators"] = dict(ops)
    meta = reader.metadata or {}
    report["metadata"] = {k: str(v) for k, v in meta.items()}
    return report


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pdf")
    ap.add_argument("--reference")
    ap.add_argument("--block-mm", type=float, help="the text block's width, when known (GB/T 9704: 156)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    r = measure(a.pdf, a.reference, a.block_mm)
    if a.json:
        json.dump(r, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return
    for k, v in r.items():
        print(f"{k}: {json.dumps(v, ensure_ascii=False)}")


if __name__ == "__main__":
    main()
