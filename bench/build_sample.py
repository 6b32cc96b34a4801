#!/usr/bin/env python3
"""Benchmark: build the sample issue in fresh processes and compare with plain WeasyPrint.

Each run is a whole `bulletin-print build` process (interpreter start, imports, composing,
layout, PDF writing), timed from outside; peak RSS is that process's own maximum. The floor is
the `weasyprint` command on the same text as plain headings and paragraphs in the same fonts.

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

import jinja2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from bulletin_print import fonts, load  # noqa: E402

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


def plain_html(path: Path) -> None:
    issue = load.load_issue(SAMPLE)
    template = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True)
    path.write_text(template.get_template("plain.html.j2").render(
        articles=issue.articles, briefs=issue.briefs,
        body=fonts.font_for("body").path.as_uri(), title=fonts.font_for("title").path.as_uri()), encoding="utf-8")


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
            floor.append(timed([weasyprint, str(plain), str(plain_pdf)], env))
        a = report("bulletin-print build", ours, out)
        b = report("plain weasyprint", floor, plain_pdf)
        print(f"ratio {a / b:.2f} × the plain-WeasyPrint floor")


if __name__ == "__main__":
    main()
