#!/usr/bin/env python3
"""Build every issue of the stress corpus (tests/stress/<case>/…yaml) and measure each PDF the way
the reviewers do (tests/pdfcheck.py, text block 156 mm): one row per issue.

The corpus is written like real bulletins that nobody tuned the layout to: other publications'
names, long titles, a long 目录, rare characters and symbols, Latin and numbers, paragraphs whose
natural break leaves one character. tests/test_stress.py asserts what this prints.

Columns: ok (the build would exit 0), pages, max/p (max_body_lines_per_page), then pdfcheck's
off_grid_lines, ragged_lines, kinsoku_violations, lone_last_lines, lines_outside_text_block,
lines_overprinted, line_collisions; fidel (reference blocks found in order / blocks), split (title
line breaks inside a word, by jieba), nums (numbers or ranges broken across lines), pywarn (Python
warnings while building, e.g. RulesBent) and the build's seconds.

usage: .venv/bin/python tests/stress/measure.py [--png DIR] [--out DIR] [--examples] [CASE ...]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber

from bulletin_print import finish, load

STRESS = Path(__file__).resolve().parent
TESTS = STRESS.parent
ROOT = TESTS.parent
sys.path.insert(0, str(TESTS))

from pdfcheck import PAGE_NUMBER, measure, text_lines  # noqa: E402

BLOCK_MM = 156  # GB/T 9704's text block
TITLE_PT = 22.0  # 2号: the article titles
# The keys that must be 0 on every stress PDF, in the order of the table.
ZERO_KEYS = ("off_grid_lines", "ragged_lines", "kinsoku_violations", "lone_last_lines",
             "lines_outside_text_block", "lines_overprinted", "line_collisions")
EXAMPLES = {"off_grid_lines": None, "ragged_lines": "ragged_examples", "kinsoku_violations": "kinsoku_examples",
            "lone_last_lines": "lone_examples", "lines_outside_text_block": "outside_examples",
            "lines_overprinted": "overprint_examples", "line_collisions": "collision_examples"}


def cases() -> list[Path]:
    """Every issue file of the corpus: the YAML files of tests/stress/, less publication files."""
    return load.issue_files(STRESS)


def case_name(issue: Path) -> str:
    return issue.relative_to(STRESS).parts[0]


@dataclass
class Built:
    issue: Path
    pdf: Path | None  # None when the build refused the issue
    messages: list[str] = field(default_factory=list)  # the errors, as the command line prints them
    warned: list[str] = field(default_factory=list)  # Python warnings raised while building
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether `bulletin-print build` would exit 0: a PDF and no error."""
        return self.pdf is not None


def build_in_process(issue: Path, pdf: Path) -> Built:
    """Build as `build FILE` does, through the pipeline's `run`, without a new process."""
    from bulletin_print import pipeline

    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = pipeline.run(issue, finish.Options(), lint=True)
    out = Built(issue, None, [str(p) for p in result.errors],
                [f"{w.category.__name__}: {w.message}" for w in caught if issubclass(w.category, UserWarning)])
    if result.ok:
        pdf.write_bytes(result.pdf)
        out.pdf = pdf
    out.seconds = time.perf_counter() - start
    return out


def build_cli(issue: Path, pdf: Path) -> Built:
    """Build with `bulletin-print build FILE -o PDF` in a new process."""
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "bulletin_print", "build", str(issue), "-o", str(pdf)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    lines = [line for line in run.stderr.splitlines() if line.strip() and "(warning)" not in line]
    return Built(issue, pdf if run.returncode == 0 and pdf.is_file() else None, lines, [],
                 time.perf_counter() - start)


def build(issue: Path, out_dir: Path) -> Built:
    """Build one issue to OUT_DIR/<case>.pdf in this process (the pipeline's `run`, as `build FILE`
    calls it), or through the command line if this version of the package has no such entry."""
    pdf = out_dir / f"{case_name(issue)}.pdf"
    try:
        from bulletin_print.pipeline import run  # noqa: F401 (only whether it is there)
    except ImportError:
        return build_cli(issue, pdf)
    return build_in_process(issue, pdf)


def reference_blocks(issue: Path) -> list[str]:
    """The text blocks a faithful PDF of the issue holds, in reading order, written from its YAML
    as tools/make_reference.py writes them from a published issue's text: the masthead, each
    article's title, paragraphs and attribution, the 信息摘登 and the 版记."""
    from bulletin_print.model import Figure, Table

    data = load.load_issue(issue)
    blocks = [b for b in (data.secrecy, data.notice) if b]
    blocks += [data.title, f"（{data.edition}）", *([data.topic] if data.topic else []),
               f"第{data.number}期（总第{data.total}期）", data.compiler,
               f"{data.date.year}年{data.date.month}月{data.date.day}日"]
    if data.note:
        blocks.append(f"编者按：{data.note}")
    for article in data.articles:
        blocks.append(article.title_text)
        if article.subtitle:
            blocks.append(article.subtitle)  # after a drawn rule, not a typed 「——」
        if article.note:
            blocks.append(f"编者按：{article.note}")
        for p in article.paragraphs:
            if isinstance(p, Figure):
                blocks += [p.caption] if p.caption else []
            elif isinstance(p, Table):
                blocks += ([p.caption] if p.caption else []) + [cell for row in p.rows for cell in row if cell]
            else:
                blocks.append(p.text)
        if article.attribution:
            blocks.append(f"（{article.attribution}）")
    if data.briefs:
        blocks.append(data.briefs_column)
        for brief in data.briefs:
            blocks.append(brief.text)
            if brief.attribution:
                blocks.append(f"（{brief.attribution}）")
    blocks += [f"{line.label}：{line.text}" for line in data.distribution]
    blocks += [f"{line.label}：{line.text}" for line in data.signoff]
    blocks += [f"本期责任编辑：{data.editor}", f"电话：{data.phone}"]
    if data.print_run:
        blocks.append(f"共印{data.print_run}份")
    return blocks


def reference(pdf: Path, issue: Path, work: Path) -> Path:
    """The reference file pdfcheck reads (`--reference`), written from the YAML."""
    path = work / f"{pdf.stem}.reference.json"
    path.write_text(json.dumps({"blocks": reference_blocks(issue)}, ensure_ascii=False), encoding="utf-8")
    return path


def pdf_lines(pdf: Path) -> list[list[list[dict]]]:
    """Each page's lines as pdfcheck groups them (by baseline), left to right."""
    with pdfplumber.open(pdf) as doc:
        return [text_lines(page) for page in doc.pages]


def text(line: list[dict]) -> str:
    return "".join(c["text"] for c in line)


def at_size(line: list[dict], size: float) -> bool:
    return sum(abs(c["size"] - size) < 0.5 for c in line) >= 0.8 * len(line)


def title_lines(pages: list[list[list[dict]]]) -> list[tuple[int, list[str]]]:
    """Each article title as the PDF shows it: (page, its lines), a line being the characters set
    at the title size on one baseline, and a title the lines at that size with no other between."""
    titles: list[tuple[int, list[str]]] = []
    for number, lines in enumerate(pages, 1):
        after_title = False
        for line in lines:
            is_title = at_size(line, TITLE_PT)
            if is_title and after_title:
                titles[-1][1].append(text(line))
            elif is_title:
                titles.append((number, [text(line)]))
            after_title = is_title
    return titles


# A number, or a range of numbers, broken across two lines ("\n"): "500万—/2000万元", "10～/20",
# "2-/3岁", "20/24年", "5.3/%", "2027/年", "Ⅷ/度", "30°/15′". A Roman numeral counts as a number,
# a measure word or unit after a number as its unit.
NUMERAL = r"\dⅠ-Ⅻ"
UNITS = "年月日时分秒万亿元角个件条名人次场份余倍岁周期项家户间亩米吨度级类批套台辆座所处%‰℃°′㎡㎞"
NUMBER_SPLIT = re.compile(rf"[{NUMERAL}][\d.,]*[万亿]?(\n[—～\-–]|[—～\-–]\n)[{NUMERAL}]"
                          rf"|[{NUMERAL}][万亿]?[°′]?\n[{NUMERAL}.,{UNITS}]")


def numbers_split(pages: list[list[list[dict]]], titles: list[tuple[int, list[str]]]) -> list[str]:
    """Where the body text (its lines in reading order) or a title breaks a number from its unit
    or a range between its ends: "…500万—/2000万元…"."""
    body = Counter(round(c["size"], 1) for lines in pages for line in lines for c in line).most_common(1)[0][0]
    streams = ["\n".join(text(line) for lines in pages for line in lines
                         if at_size(line, body) and not PAGE_NUMBER.match(text(line)))]
    streams += ["\n".join(lines) for _, lines in titles]
    return [s[max(m.start() - 8, 0):m.end() + 8].replace("\n", "/") for s in streams for m in NUMBER_SPLIT.finditer(s)]


def words_split(lines: list[str]) -> list[str]:
    """The line breaks of a title that fall inside a word as jieba segments the whole title:
    "生产力/发展" is a break between words, "生产/力" one inside a word."""
    import jieba

    jieba.setLogLevel(60)
    text = "".join(lines)
    bounds, at = {0}, 0
    for word in jieba.cut(text):
        at += len(word)
        bounds.add(at)
    out, at = [], 0
    for line, nxt in zip(lines, lines[1:]):
        at += len(line)
        if at not in bounds:
            out.append(f"{line}/{nxt}")
    return out


def report(built: Built, work: Path) -> dict:
    """What the reviewers' tool says of a built issue, with the fidelity and the title breaks."""
    if built.pdf is None:
        return {}
    # measured as the reviewers measure the sample: with its reference, so that the body lines are
    # the paragraphs' (not the masthead's or the 版记's) and the fidelity is counted
    out = measure(str(built.pdf), str(reference(built.pdf, built.issue, work)), BLOCK_MM)
    pages = pdf_lines(built.pdf)
    out["titles"] = title_lines(pages)
    out["title_words_split"] = [(page, split) for page, lines in out["titles"] for split in words_split(lines)]
    out["numbers_split"] = numbers_split(pages, out["titles"])
    return out


COLUMNS = ("pages", "max_body_lines_per_page", *ZERO_KEYS)
HEADS = ("pages", "max/p", "offgrid", "ragged", "kinsoku", "lone", "outside", "overprint", "collide")


def row(name: str, built: Built, m: dict) -> str:
    cells = [f"{m.get(k, '-')!s:>{len(h)}}" for k, h in zip(COLUMNS, HEADS)]
    fid = m.get("fidelity")
    fid_cell = f"{fid['found_in_order']}/{fid['blocks']}" if fid else "-"
    split = len(m["title_words_split"]) if m else "-"
    numbers = len(m["numbers_split"]) if m else "-"
    return (f"{name:<18} {'yes' if built.ok else 'NO':>4} {' '.join(cells)} {fid_cell:>7} {split!s:>5} {numbers!s:>4}"
            f" {len(built.warned):>6} {built.seconds:5.2f}")


def header() -> str:
    return (f"{'issue':<18} {'ok':>4} {' '.join(HEADS)} {'fidel':>7} {'split':>5} {'nums':>4} {'pywarn':>6} {'sec':>5}")


def examples(name: str, built: Built, m: dict) -> list[str]:
    out = [f"== {name} ({built.issue.relative_to(ROOT)})"]
    if not built.ok:
        out += [f"   build refused: {line}" for line in built.messages[:8]]
    out += [f"   warning: {w[:160]}" for w in built.warned[:6]]
    for key, ex in EXAMPLES.items():
        if m.get(key) and ex:
            out += [f"   {key}: {json.dumps(e, ensure_ascii=False)}" for e in m[ex]]
    if m.get("off_grid_lines"):
        out.append(f"   off_grid_lines: {m['off_grid_lines']} (pitch {m.get('line_pitch_pt')} pt)")
    if m and m["fidelity"]["missing"]:
        out += [f"   fidelity missing: {t}" for t in m["fidelity"]["missing"]]
    out += [f"   title split inside a word, page {p}: {s}" for p, s in m.get("title_words_split", [])]
    out += [f"   number or range split: {s}" for s in m.get("numbers_split", [])]
    return out


def png(pdf: Path, out_dir: Path) -> None:
    """Every page of PDF as OUT_DIR/<case>-N.png at 50 dpi, for looking."""
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(out_dir / pdf.stem)], check=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="*", help="case names (folders of tests/stress/); default: all")
    ap.add_argument("--png", type=Path, metavar="DIR", help="also render every page to DIR/<case>-N.png (50 dpi)")
    ap.add_argument("--out", type=Path, metavar="DIR", help="keep the PDFs in DIR (default: a temporary folder)")
    ap.add_argument("--examples", action="store_true", help="print the failing lines under the table")
    a = ap.parse_args(argv)
    chosen = [c for c in cases() if not a.cases or case_name(c) in a.cases]
    with tempfile.TemporaryDirectory() as tmp:
        work = a.out or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        built = [build(issue, work) for issue in chosen]
        build_seconds = time.perf_counter() - start
        print(header())
        notes = []
        for b in built:
            m = report(b, Path(tmp))
            print(row(case_name(b.issue), b, m))
            notes += examples(case_name(b.issue), b, m)
            if a.png and b.pdf:
                png(b.pdf, a.png)
        print(f"built {sum(b.ok for b in built)}/{len(built)} issues in {build_seconds:.1f} s")
        if a.examples:
            print("\n".join(notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
