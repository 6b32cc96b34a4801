#!/usr/bin/env python3
"""Benchmark: how soon the editor's preview (`bulletin-print serve`) shows the changed pages after a
one-paragraph edit of the sample, and, in the same run, how long a whole-issue `watch` rebuild takes.

Starts `serve` on a copy of the sample issue (with its publication.yaml), opens the issue as the
browser does (GET /edit, which gives the token and the form's data), makes one preview to warm the
process, then N times changes one paragraph (the first, one character: 逐步 ↔ 逐渐) and times

  refresh   from sending the form to the server until the PNGs of every changed page are at hand
            (they come with the answer; any other is fetched by its hash): what the browser waits
            for before the pages are on screen (less decoding the PNGs)
  server    of it, the server's own time: build (pipeline.run: check, compose, layout, PDF) and draw
            (the pages drawn and the changed ones encoded as PNGs)

and then N whole-issue rebuilds as `watch` makes them (preview.build_once in one warm process,
with the composed paragraphs kept, and the cycle collector run after each, as watch does).

Reports medians and spreads. The goal (issue 14): refresh median ≤ 0.3 s on a 2-core machine.

usage: python bench/serve_preview.py [--runs N]
"""

from __future__ import annotations

import argparse
import base64
import gc
import html
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from sample_copy import SWAP, sample_copy



def spread(name: str, values: list[float]) -> str:
    return (f"{name:10s} median {statistics.median(values):.3f} s   min {min(values):.3f}   "
            f"max {max(values):.3f}   (n={len(values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        issue = sample_copy(Path(tmp))
        proc = subprocess.Popen([sys.executable, "-m", "bulletin_print", "serve", tmp], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        url = None
        for line in proc.stdout:
            m = re.search(r"http://127\.0\.0\.1:\d+/", line)
            if m:
                url = m.group(0).rstrip("/")
                break
        if url is None:
            raise SystemExit("serve printed no address")
        threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
        try:
            page = urllib.request.urlopen(f"{url}/edit?file=2024/12.yaml", timeout=60).read().decode()
            token = re.search(r'name="token" content="([^"]+)"', page).group(1)
            boot = json.loads(html.unescape(re.search(r'data-boot="([^"]*)"', page).group(1)))
            form = boot["issue"]

            def post(data: dict) -> dict:
                req = urllib.request.Request(f"{url}/api/preview", data=json.dumps(data).encode(), method="POST",
                                             headers={"Content-Type": "application/json", "X-Bulletin-Token": token})
                return json.loads(urllib.request.urlopen(req, timeout=120).read())

            def send() -> tuple[dict, float, int]:
                start = time.perf_counter()
                answer = post({"file": boot["file"], "version": boot["version"], "issue": form,
                               "focus_text": form["columns"][0]["articles"][0]["paragraphs"][0]})
                fetched = 0  # the changed pages: their PNGs come with the answer, or are fetched as the browser does
                for i, h in enumerate(answer["pages"]):
                    if i >= len(shown) or shown[i] != h:
                        if h in answer["images"]:
                            base64.b64decode(answer["images"][h])
                        else:
                            urllib.request.urlopen(f"{url}/page/{h}.png", timeout=60).read()
                        fetched += 1
                shown[:] = answer["pages"]
                return answer, time.perf_counter() - start, fetched

            shown: list[str] = []
            first, seconds, _ = send()
            print(f"first preview (cold process): {seconds:.2f} s, {len(first['pages'])} pages")
            refresh, build, draw, changed = [], [], [], []
            paragraphs = form["columns"][0]["articles"][0]["paragraphs"]
            for run in range(args.runs):
                time.sleep(0.4)  # a pause in typing
                a, b = SWAP if run % 2 == 0 else tuple(reversed(SWAP))
                paragraphs[0] = paragraphs[0].replace(a, b)
                answer, seconds, fetched = send()
                if not answer["ok"]:
                    raise SystemExit(f"a preview failed: {answer['problems']}")
                refresh.append(seconds)
                build.append(answer["seconds"]["build"])
                draw.append(answer["seconds"]["draw"])
                changed.append(fetched)
        finally:
            proc.terminate()
            proc.wait(timeout=10)

        # the whole-issue rebuild as watch makes it, in this (warm) process
        from bulletin_print import preview
        from bulletin_print.typeset import no_cycle_collection

        composed: dict = {}
        out = Path(tmp) / "watch.pdf"
        text = issue.read_text(encoding="utf-8")
        preview.build_once(issue, out, composed=composed)
        rebuilds = []
        for run in range(args.runs):
            text = text.replace(*SWAP) if run % 2 == 0 else text.replace(*reversed(SWAP))
            issue.write_text(text, encoding="utf-8")
            with no_cycle_collection():
                outcome = preview.build_once(issue, out, composed=composed)
            gc.collect()
            if not outcome.ok:
                raise SystemExit(f"a rebuild failed: {outcome.messages}")
            rebuilds.append(outcome.seconds)

    print(f"one-paragraph edit of the sample, {args.runs} runs (pages changed: {sorted(set(changed))}):")
    print(spread("refresh", refresh))
    print(spread("  build", build))
    print(spread("  draw", draw))
    print(spread("watch", rebuilds) + "   whole-issue rebuild, warm process")
    verdict = "met" if statistics.median(refresh) <= 0.3 else "NOT met"
    print(f"goal: refresh median ≤ 0.300 s — {verdict}")


if __name__ == "__main__":
    main()
