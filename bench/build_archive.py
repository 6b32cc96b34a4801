#!/usr/bin/env python3
"""Benchmark: rebuild a whole archive of N issues (the full sample, renumbered), cold and cached.

Makes N copies of the sample issue with renumbered 期/总第/dates (tests/archive_helper.py), then
times, each as a whole `bulletin-print build FOLDER -o OUT --jobs J` process from outside:
  cold     nothing built yet: every issue typeset by J worker processes;
  cached   the same command again, nothing changed: every issue skipped by the content-hash cache;
  one      one issue edited: only it rebuilt.
Targets on the 2-core reference machine, N = 100, J = 2: cold ≤ 70 s, cached ≤ 2 s.

usage: python bench/build_archive.py [--issues 100] [--jobs 2] [--for screen|print|archive] [--small]
                                     [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from archive_helper import make_archive  # noqa: E402


def timed_build(folder: Path, out: Path, jobs: int, variant: str) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bulletin_print", "build", str(folder), "-o", str(out),
                           "--jobs", str(jobs), "--for", variant], capture_output=True, text=True)
    wall = time.perf_counter() - start
    summary = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    if proc.returncode != 0:
        raise SystemExit(f"build failed ({proc.returncode}):\n{proc.stderr}")
    return wall, summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--issues", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--for", dest="variant", default="screen", choices=["screen", "print", "archive"])
    ap.add_argument("--small", action="store_true", help="small issues (one article, two paragraphs)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    a = ap.parse_args()

    load_before = os.getloadavg()[0]  # other work on the machine slows the cold build
    with tempfile.TemporaryDirectory(prefix="bulletin-archive-") as tmp:
        folder, out = Path(tmp) / "issues", Path(tmp) / "build"
        issues = make_archive(folder, a.issues, small=a.small)
        cold, cold_summary = timed_build(folder, out, a.jobs, a.variant)
        cached, cached_summary = timed_build(folder, out, a.jobs, a.variant)
        text = issues[0].read_text(encoding="utf-8")
        issues[0].write_text(text.replace("editor: 杨青青", "editor: 李明"), encoding="utf-8")
        one, one_summary = timed_build(folder, out, a.jobs, a.variant)
        pdfs = list(out.glob("*.pdf"))
        size = sum(p.stat().st_size for p in pdfs)
    result = {
        "issues": a.issues, "jobs": a.jobs, "variant": a.variant, "small": a.small, "cpus": os.cpu_count(),
        "python": f"{platform.python_version()} ({os.path.realpath(sys.executable)})",  # the interpreter alone moves it 15 %
        "load_average_before": round(load_before, 2), "load_average_after": round(os.getloadavg()[0], 2),
        "cold_s": round(cold, 2), "cached_s": round(cached, 2), "one_changed_s": round(one, 2),
        "cold_per_issue_s": round(cold / a.issues, 3),
        "pdfs": len(pdfs), "mean_pdf_bytes": size // max(1, len(pdfs)),
        "summaries": [cold_summary, cached_summary, one_summary],
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"cold {cold:.1f} s (target ≤ 70 s), cached {cached:.2f} s (target ≤ 2 s), one changed {one:.1f} s",
          file=sys.stderr)
    if a.json:
        a.json.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
