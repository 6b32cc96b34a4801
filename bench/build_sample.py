#!/usr/bin/env python3
"""Benchmark: build the sample issue in fresh processes and compare with plain WeasyPrint.

Each run is a whole `bulletin-print build` process (interpreter start, imports, checks, composing,
layout, PDF writing), timed from outside; peak RSS is that process's own maximum.

The floor is the `weasyprint` command on the same issue without the project's work: the same
document, stylesheets and fonts (masthead, 目录, 版记, page numbers), but each paragraph handed
to WeasyPrint whole, to break and justify itself (bench/plain.css), with no checks, no composing
and no finishing. What the build costs above it is what the composer and the checks cost.

usage: python bench/build_sample.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from bulletin_print import fonts, load, render  # noqa: E402
from bulletin_print.model import Paragraph  # noqa: E402
from bulletin_print.paths import LAYOUT_DIR  # noqa: E402

SAMPLE = ROOT / "issues" / "2024" / "12.yaml"


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def whole(paragraph) -> render.ComposedParagraph:
    """A paragraph as one unbroken line of pieces: the lead sentence in its span, the rest bare."""
    line = [render.Piece(paragraph.lead, "lead", 0.0, False)] if paragraph.lead else []
    line.append(render.Piece(paragraph.text[len(paragraph.lead):], "body", 0.0, False, bare=True))
    return render.ComposedParagraph(0.0, [line])


def plain_html(path: Path) -> None:
    """The sample's document as `render` makes it, with `whole` paragraphs given in place of
    composed ones (render takes paragraphs composed before as they are)."""
    issue = load.load_issue(SAMPLE)
    paragraphs = [p for a in issue.articles for p in a.paragraphs] + [Paragraph(b.text) for b in issue.briefs]
    path.write_text(render.render(issue, {p: whole(p) for p in paragraphs}).html, encoding="utf-8")


def report(name: str, runs: list[tuple[float, float]], pdf: Path) -> float:
    walls = [w for w, _ in runs]
    median = statistics.median(walls)
    print(f"{name:<22} median {median:5.2f} s  (min {min(walls):.2f}, max {max(walls):.2f}, n={len(walls)})"
          f"  peak RSS {max(r for _, r in runs):5.0f} MiB  PDF {pdf.stat().st_size / 1e6:.2f} MB")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts.FONTS_DIR / "fonts.conf")}
    weasyprint = shutil.which("weasyprint", path=str(Path(sys.executable).parent)) or "weasyprint"
    with tempfile.TemporaryDirectory() as tmp:
        out, plain, plain_pdf = Path(tmp) / "sample.pdf", Path(tmp) / "plain.html", Path(tmp) / "plain.pdf"
        plain_html(plain)
        ours, floor = [], []
        for _ in range(args.runs):  # interleaved, so both see the same machine
            ours.append(timed([sys.executable, "-m", "bulletin_print", "build", str(SAMPLE), "-o", str(out)], env))
            floor.append(timed([weasyprint, "--base-url", LAYOUT_DIR.as_uri() + "/",
                                "--stylesheet", str(Path(__file__).parent / "plain.css"), str(plain), str(plain_pdf)], env))
        a = report("bulletin-print build", ours, out)
        b = report("plain weasyprint", floor, plain_pdf)
        print(f"ratio {a / b:.2f} × the plain-WeasyPrint floor")


if __name__ == "__main__":
    main()
