#!/usr/bin/env python3
"""Benchmark: how long `bulletin-print watch` takes to rebuild after a one-character change.

Starts `watch` on a copy of the sample issue (with its publication.yaml), waits for the first
build, then saves the issue N times, each time with one character of the first paragraph
changed (步 ↔ 渐 in 逐步/逐渐), and reads two numbers per save:

  rebuild   the time `watch` prints: check + load + compose + layout + PDF written
  to PDF    from the save to that line, as the editor waits for it (adds up to one poll, 0.3 s)

Reports the median and the spread of each. Target: rebuild median ≤ 1.5 s on a 2-core machine.

usage: python bench/watch_rebuild.py [--runs N] [--png]
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sample_copy import SWAP, sample_copy

TIMED = re.compile(r"in (\d+\.\d+) s$")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--interval", type=float, default=0.3)
    parser.add_argument("--png", action="store_true", help="watch --png too (PNGs of every page on each rebuild)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        issue = sample_copy(Path(tmp))
        text = issue.read_text(encoding="utf-8")
        assert SWAP[0] in text
        cmd = [sys.executable, "-m", "bulletin_print", "watch", str(issue), "-o", str(Path(tmp) / "out.pdf"),
               "--interval", str(args.interval)]
        if args.png:
            cmd += ["--png", str(Path(tmp) / "png")]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(l.rstrip("\n")) for l in proc.stdout], daemon=True).start()

        def next_timed(timeout: float = 120) -> float:
            deadline = time.monotonic() + timeout
            while True:
                line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
                m = TIMED.search(line)
                if m:
                    if "未生成" in line:
                        raise SystemExit(f"a rebuild failed: {line}")
                    return float(m.group(1))

        try:
            first = next_timed()
            print(f"first build (cold process): {first:.2f} s")
            rebuilds, waits = [], []
            for run in range(args.runs):
                time.sleep(0.5)  # an editor does not save twice within a poll
                text = text.replace(*SWAP) if run % 2 == 0 else text.replace(*reversed(SWAP))
                saved = time.perf_counter()
                issue.write_text(text, encoding="utf-8")
                rebuilds.append(next_timed())
                waits.append(time.perf_counter() - saved)
                print(f"  save {run + 1}: rebuild {rebuilds[-1]:.2f} s, save → PDF {waits[-1]:.2f} s")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"rebuild after a one-character change: median {statistics.median(rebuilds):.2f} s "
          f"(min {min(rebuilds):.2f}, max {max(rebuilds):.2f}, {len(rebuilds)} saves, {os.cpu_count()} CPUs)")
    print(f"save → PDF written: median {statistics.median(waits):.2f} s (poll every {args.interval} s)")


if __name__ == "__main__":
    main()
