"""A fuzzer of the project's own for issue and publication files (issue 15).

It makes malformed files of every class an attacker or a careless editor produces: lone
surrogates, control characters (raw and escaped), huge fields, numbers YAML 1.1 misreads, NaN
colours, deep nesting, aliases, wrong types, duplicate, unknown and missing keys, empty text,
malformed YAML, non-UTF-8 and truncated files, and paths that are no issue file (folders, FIFOs,
sockets, symlink loops, devices, for the issue and for its publication.yaml). Each case is bad
by construction (the unspoiled files pass, see test_the_unspoiled_files_pass), and `check` and
`build` run on it in this process. For every case:

- no exception escapes, and each run ends within RUN_SECONDS (a watchdog turns a hang into a
  failure instead of a stuck test run);
- the exit code is 1;
- every line said names the file it is about (the issue's, the publication's, or the path given),
  and where the input has a position, a problem gives its line and column;
- `build` writes no PDF: a good PDF already at the output is left byte for byte, and nothing
  else appears beside it.

The cases are drawn from a seeded generator, so a failure comes back the same way. By hand, for a
longer run or another seed: `python tests/test_fuzz_input.py --cases 20000 --seed 7 --pdf some.pdf`.
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin_print.cli import main

HERE = Path(__file__).resolve().parent
PUBLICATION: dict = yaml.safe_load((HERE.parent / "issues" / "publication.yaml").read_text(encoding="utf-8"))
ISSUE: dict = {
    "edition": "普刊", "number": 1, "total": 1, "date": "2024-01-05", "editor": "杨青青",
    "columns": [{"name": "要闻速递", "articles": [
        {"title": ["市人大常委会", "召开会议"], "paragraphs": ["一是聚焦重点，强化监督。内容。", {"text": "第二段。", "lead": False}],
         "attribution": "研究室 张三"}]}],
    "briefs": {"column": "信息摘登", "items": [{"text": "摘登一则。", "attribution": "办公室 李四"}]},
}

CASES = 1500  # in the test suite: about 15 s on the project's 2-core machine
SEED = 15
CHECK_ONLY = 3  # every third case is only checked; the others are checked and built
RUN_SECONDS = 3.0  # one check or build of one case, on a loaded machine
WATCHDOG = 30  # seconds after which a run that has not returned is a hang
MEMORY = 1536 * 1024 * 1024  # the address-space cap of test_fuzz_in_bounded_memory
SENTINEL = "XSENTINELX"  # a plain scalar, replaced in the dumped text by raw YAML


@dataclass
class Case:
    kind: str
    what: str  # how the files were spoiled, to read in a failure
    issue: bytes | None  # the issue file's bytes; None: `make` puts something else (or nothing) there
    publication: bytes | None  # likewise for publication.yaml
    make: Callable[[Path, Path], None] | None = None  # (issue path, publication path) → what is not a file
    located: bool = True  # whether the input has a line and column for the message to name
    argument: str = "issue"  # what the commands are given: "issue", "archive" (its folder) or a path
    build: bool = True


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1 << 30)


GOOD_ISSUE, GOOD_PUBLICATION = dump(ISSUE).encode(), dump(PUBLICATION).encode()


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into `data` (not the root itself)."""
    out = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for k, v in items:
        out.append(prefix + (k,))
        out.extend(paths(v, prefix + (k,)))
    return out


def get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def put(data: Any, path: tuple, value: Any) -> Any:
    """A copy of `data` with the value at `path` replaced."""
    data = copy.deepcopy(data)
    get(data, path[:-1])[path[-1]] = value
    return data


def rename(data: Any, path: tuple, new: str) -> Any:
    """A copy of `data` with the key at `path` renamed, in its place."""
    data = copy.deepcopy(data)
    parent = get(data, path[:-1])
    items = [(new if k == path[-1] else k, v) for k, v in parent.items()]
    parent.clear()
    parent.update(items)
    return data


def pick(rng: random.Random) -> tuple[str, dict]:
    return rng.choice([("issue", ISSUE), ("publication", PUBLICATION)])


def spoiled(which: str, text: str | bytes, what: str, kind: str, **kw: Any) -> Case:
    data = text.encode("utf-8") if isinstance(text, str) else text
    if which == "issue":
        return Case(kind, what, data, GOOD_PUBLICATION, **kw)
    return Case(kind, what, GOOD_ISSUE, data, **kw)


def with_raw(which: str, data: dict, path: tuple, raw: str) -> str:
    """The file with the value at `path` written as the raw YAML `raw`."""
    return dump(put(data, path, SENTINEL)).replace(SENTINEL, raw, 1)


def strings(data: dict) -> list[tuple]:
    return [p for p in paths(data) if isinstance(get(data, p), str)]


def keys(data: dict) -> list[tuple]:
    return [p for p in paths(data) if isinstance(p[-1], str)]


# ------------------------------------------------------------------------------------ the kinds


def inserted(rng: random.Random, ch: str, kind: str) -> Case:
    """A file with `ch` put into one of its values or, one time in three, its keys (the YAML
    emitter writes it as an escape)."""
    which, data = pick(rng)
    if rng.random() < 0.3:
        path = rng.choice(keys(data))
        return spoiled(which, dump(rename(data, path, path[-1] + ch)), f"key {path} + U+{ord(ch):04X}", kind)
    path = rng.choice(strings(data))
    value = get(data, path)
    i = rng.randint(0, len(value))
    return spoiled(which, dump(put(data, path, value[:i] + ch + value[i:])), f"{path} + U+{ord(ch):04X}", kind)


def surrogate(rng: random.Random) -> Case:
    return inserted(rng, chr(rng.randint(0xD800, 0xDFFF)), "surrogate")


RAW_CONTROLS = [chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)] + \
    [chr(c) for c in range(0x7F, 0xA0)] + ["\u2028", "\u2029", "\ufffe", "\uffff"]
ESCAPED_CONTROLS = [chr(c) for c in range(0x20) if c not in (0x09, 0x0A)] + [chr(c) for c in range(0x7F, 0xA0)]


def control_raw(rng: random.Random) -> Case:
    which, data = pick(rng)
    text, ch = dump(data), rng.choice(RAW_CONTROLS)
    i = rng.randint(0, len(text))
    return spoiled(which, text[:i] + ch + text[i:], f"raw U+{ord(ch):04X} at {i}", "control-raw")


def control_escaped(rng: random.Random) -> Case:
    return inserted(rng, rng.choice(ESCAPED_CONTROLS), "control-escaped")


LIMITS = [  # (file, field, its limit)
    ("issue", ("editor",), 16), ("issue", ("edition",), 8), ("issue", ("columns", 0, "name"), 8),
    ("issue", ("columns", 0, "articles", 0, "title", 0), 120), ("issue", ("columns", 0, "articles", 0, "attribution"), 100),
    ("issue", ("briefs", "column"), 8), ("issue", ("briefs", "items", 0, "attribution"), 100),
    ("publication", ("title",), 12), ("publication", ("compiler",), 20), ("publication", ("phone",), 32),
    ("publication", ("distribution", 0, "label"), 4), ("publication", ("distribution", 1, "text"), 300),
    ("publication", ("editions", 0), 8),
]


def huge(rng: random.Random) -> Case:
    what = rng.random()
    if what < 0.7:
        which, path, limit = rng.choice(LIMITS)
        length = limit + rng.choice([1, 2, 50, 20_000, 350_000])
        filler = rng.choice(["字", "a", "5", "字 ", "（0571）"])
        value = (filler * length)[:length]
        data = ISSUE if which == "issue" else PUBLICATION
        return spoiled(which, dump(put(data, path, value)), f"{path}: {length} × {filler!r}", "huge")
    if what < 0.8:  # the issue's text beyond 200,000 characters, or 1,000 paragraphs
        if rng.random() < 0.5:
            data = put(ISSUE, ("columns", 0, "articles", 0, "paragraphs", 0), "段" * rng.choice([200_001, 400_000]))
            return spoiled("issue", dump(data), "one paragraph beyond 200,000 characters", "huge")
        data = put(ISSUE, ("columns", 0, "articles", 0, "paragraphs"), ["一段。"] * rng.choice([1001, 5000]))
        return spoiled("issue", dump(data), "beyond 1,000 paragraphs", "huge")
    if what < 0.9:  # too many entries: title lines, 版记 lines, editions
        which, path, entry = rng.choice([("issue", ("columns", 0, "articles", 0, "title"), "标题"),
                                         ("publication", ("distribution",), {"label": "发", "text": "各单位"}),
                                         ("publication", ("editions",), "普刊")])
        count = rng.choice([11, 1000] if path[-1] != "title" else [7, 11, 1000])
        data = put(ISSUE if which == "issue" else PUBLICATION, path, [entry] * count)
        return spoiled(which, dump(data), f"{path}: {count} entries", "huge")
    # each line within its own limit, but the title's lines together too long
    data = put(ISSUE, ("columns", 0, "articles", 0, "title"), ["题" * 61, "目" * 60])
    return spoiled("issue", dump(data), "title lines together 121", "huge")


ODD_NUMBERS = ["12.0", "700.0", "1.", "012", "0o12", "1:0", "1_000", "+12", "0x1F", "1e3", "'12'", '"1"', "-3", "0",
               "99999999999999999999", "1" * 5000, ".inf", ".nan", "true", "~", "[1]", "{a: 1}", "!!float 1",
               "!!int '1'", "１", "1 期", "100000"]


def numbers(rng: random.Random) -> Case:
    field, raw = rng.choice(["number", "total"]), rng.choice(ODD_NUMBERS)
    return spoiled("issue", with_raw("issue", ISSUE, (field,), raw), f"{field}: {raw[:20]}", "numbers")


BAD_RED = ["[.nan, 0, 0, 0]", "[0, .inf, 0, 0]", "[0, 0, -.inf, 0]", "[0, 0, 0, .NaN]", "[0, 0, 0, 1.0e+400]",
           "[1.5, 0, 0, 0]", "[-0.1, 0, 0, 0]", "[0, 0, 0]", "[0, 0, 0, 0, 0]", "[a, 0, 0, 0]", "[true, 0, 0, 0]",
           "0.5", "[]", "[null, 0, 0, 0]"]


def colours(rng: random.Random) -> Case:
    raw = rng.choice(BAD_RED)
    return spoiled("publication", with_raw("publication", PUBLICATION, ("colours", "red"), raw), f"red: {raw}", "colours")


def deep(rng: random.Random) -> Case:
    which, data = pick(rng)
    depth = rng.choice([21, 22, 30, 400, 999, 1001, 1200, 5000, 60_000])
    form = rng.choice(["list", "map", "mixed", "block"])
    if form == "block":  # indented by one more space a level: 1,500 levels make a 1.1 MB file
        depth = min(depth, 1500)
        text = dump(data) + "zdeep:\n" + "".join(" " * i + "-\n" for i in range(1, depth))
    else:
        open_, close = {"list": ("[", "]"), "map": ("{a: ", "}"), "mixed": ("[{a: ", "}]")}[form]
        text = with_raw(which, data, rng.choice(paths(data)), open_ * depth + "1" + close * depth)
    return spoiled(which, text, f"{form} nesting {depth}", "deep")


def alias(rng: random.Random) -> Case:
    which, data = pick(rng)
    if rng.random() < 0.2:
        laughs = ['lol0: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        laughs += [f"lol{i + 1}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
        return spoiled(which, dump(data) + "\n".join(laughs) + "\n", "billion laughs", "alias")
    first, second = rng.sample(paths(data), 2)
    while first[:len(second)] == second or second[:len(first)] == first:  # neither inside the other
        first, second = rng.sample(paths(data), 2)
    text = dump(put(put(data, first, SENTINEL + "1"), second, SENTINEL + "2"))
    text = text.replace(SENTINEL + "1", "&x 杨青青", 1).replace(SENTINEL + "2", "*x", 1)
    return spoiled(which, text, f"&x at {first}, *x at {second}", "alias")


def wrong_type(rng: random.Random) -> Case:
    which, data = pick(rng)
    if rng.random() < 0.1:  # the whole file
        raw = rng.choice(["- a\n- b\n", "just text\n", "42\n", "[1, 2]\n", "---\na: 1\n---\nb: 2\n"])
        return spoiled(which, raw, f"the file is {raw!r}", "types")
    path = rng.choice(paths(data))
    value = get(data, path)
    text_too = path[-1] == "title" or (len(path) >= 2 and path[-2] == "paragraphs")  # text is also right there
    if isinstance(value, bool):
        wrong = ["x", 1, None, [1], {"a": 1}] if path[-1] == "lead" else [1]
    elif isinstance(value, str):
        wrong = [1, 2.5, True, None, [], ["x"], {"a": 1}]
    elif isinstance(value, (int, float)):
        wrong = ["x", "十二", None, [1], True, {"a": 1}] + ([1.5] if path[-1] in ("number", "total") else [])
    elif isinstance(value, list):
        wrong = [1, True, None, {"a": 1}] + ([] if text_too else ["x"])
    else:
        wrong = [1, [1], None, True] + ([] if text_too else ["x"])
    new = rng.choice(wrong)
    if path == ("date",):
        new = rng.choice([1, None, "2024-13-01", "2024-02-30", "tomorrow", [2024], "2024-01-05T10:00:00"])
    if path in (("edition",), ("editions", 0)) and new == "x":  # another edition's name: not this issue's
        new = 1
    return spoiled(which, dump(put(data, path, new)), f"{path}: {new!r}", "types")


MAPPING_LINE = re.compile(r"^( *)(- )?([A-Za-z_]+): (\S.*)$")


def duplicate(rng: random.Random) -> Case:
    which, data = pick(rng)
    lines = dump(data).splitlines()
    candidates = [i for i, line in enumerate(lines) if MAPPING_LINE.match(line)]
    i = rng.choice(candidates)
    indent, dash, key, value = MAPPING_LINE.match(lines[i]).groups()
    lines.insert(i + 1, f"{indent}{'  ' if dash else ''}{key}: {value}")
    return spoiled(which, "\n".join(lines) + "\n", f"{key} twice at line {i + 1}", "duplicate")


def unknown(rng: random.Random) -> Case:
    which, data = pick(rng)
    mappings = [()] + [p for p in paths(data) if isinstance(get(data, p), dict)]
    where = rng.choice(mappings)
    key = rng.choice(["titel", "paragraph", "numbr", "备注", "x", "Editor", "editor\u3000", "<script>"])
    data = copy.deepcopy(data)
    get(data, where)[key] = rng.choice(["x", 1, None, [1]])
    return spoiled(which, dump(data), f"{key!r} in {where}", "unknown")


REQUIRED = {"issue": [("edition",), ("number",), ("total",), ("date",), ("editor",), ("columns",),
                      ("columns", 0, "name"), ("columns", 0, "articles"), ("columns", 0, "articles", 0, "title"),
                      ("columns", 0, "articles", 0, "paragraphs"), ("briefs", "items"), ("briefs", "items", 0, "text"),
                      ("columns", 0, "articles", 0, "paragraphs", 1, "text")],
            "publication": [("title",), ("compiler",), ("distribution",), ("phone",), ("distribution", 0, "label"),
                            ("distribution", 1, "text")]}


def missing(rng: random.Random) -> Case:
    which = rng.choice(["issue", "publication"])
    path = rng.choice(REQUIRED[which])
    data = copy.deepcopy(ISSUE if which == "issue" else PUBLICATION)
    del get(data, path[:-1])[path[-1]]
    return spoiled(which, dump(data), f"without {path}", "missing")


def empty(rng: random.Random) -> Case:
    which, data = pick(rng)
    path = rng.choice(strings(data))
    value = rng.choice(["", " ", "\u3000", "\t", "  \n  "])
    return spoiled(which, dump(put(data, path, value)), f"{path}: {value!r}", "empty")


def malformed(rng: random.Random) -> Case:
    which, data = pick(rng)
    lines = dump(data).splitlines()
    how = rng.choice(["tab", "colon", "unclosed", "documents"])
    if how == "tab":
        i = rng.choice([i for i, line in enumerate(lines) if line.startswith("  ")])
        lines[i] = "\t" + lines[i].lstrip(" ")
    elif how == "colon":
        i = rng.choice([i for i, line in enumerate(lines) if MAPPING_LINE.match(line)])
        lines[i] += ": x"
    elif how == "unclosed":
        lines.append("zz: [a, b")
    else:
        lines += ["---", "x: 1"]
    return spoiled(which, "\n".join(lines) + "\n", how, "malformed")


def not_utf8(rng: random.Random) -> Case:
    which, data = pick(rng)
    text = dump(data)
    how = rng.choice(["gbk", "utf-16", "byte", "surrogate", "overlong", "cut"])
    if how == "gbk":
        raw = text.encode("gbk")
    elif how == "utf-16":
        raw = text.encode("utf-16")
    else:
        raw = text.encode("utf-8")
        i = rng.randint(0, len(raw))
        bad = {"byte": bytes([rng.randint(0x80, 0xFF)]), "surrogate": b"\xed\xa0\x80", "overlong": b"\xc0\xaf",
               "cut": "字".encode()[:rng.randint(1, 2)]}[how]
        raw = raw[:i] + bad + raw[i:]
    return spoiled(which, raw, how, "not-utf-8")


def truncated(rng: random.Random) -> Case:
    which, data = pick(rng)
    raw = dump(data).encode("utf-8")
    if rng.random() < 0.5:  # inside a character
        starts = [i for i, b in enumerate(raw) if b >= 0xE0]
        cut = rng.choice(starts) + rng.randint(1, 2)
        return spoiled(which, raw[:cut], f"cut at byte {cut}, inside a character", "truncated")
    marker = b"columns:" if which == "issue" else b"phone:"  # before a field it cannot do without
    cut = rng.randint(0, raw.index(marker))
    while cut and 0x80 <= raw[cut] < 0xC0:  # a whole character (the other half is above)
        cut -= 1
    return spoiled(which, raw[:cut], f"cut at byte {cut}", "truncated", located=False)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    s.close()


NOT_FILES: dict[str, Callable[[Path], None]] = {
    "folder": lambda p: p.mkdir(), "fifo": _fifo, "socket": _socket, "loop": lambda p: p.symlink_to(p.name),
    "zero": lambda p: p.symlink_to("/dev/zero"), "null": lambda p: p.symlink_to("/dev/null"),
    "broken": lambda p: p.symlink_to(p.with_name("nowhere.yaml")), "missing": lambda p: None,
}


def not_a_file(rng: random.Random) -> Case:
    how = rng.choice(sorted(NOT_FILES) + ["/dev/zero", "publication", "in-archive"])
    if how == "/dev/zero":
        return Case("not-a-file", "the issue file is /dev/zero itself", GOOD_ISSUE, GOOD_PUBLICATION,
                    argument="/dev/zero", located=False)
    if how == "publication":  # then the issue lacks what the publication file gives
        sub = rng.choice(sorted(NOT_FILES))
        return Case("not-a-file", f"publication.yaml: {sub}", GOOD_ISSUE, None,
                    make=lambda issue, pub: NOT_FILES[sub](pub), located=False)
    if how == "in-archive":  # found by `check` in the archive folder, under an issue file's name
        sub = rng.choice(["folder", "fifo", "socket", "loop", "zero", "null", "broken"])
        return Case("not-a-file", f"2024/2.yaml in the archive: {sub}", GOOD_ISSUE, GOOD_PUBLICATION,
                    make=lambda issue, pub: NOT_FILES[sub](issue.with_name("2.yaml")), located=False,
                    argument="archive", build=False)
    return Case("not-a-file", f"the issue file: {how}", None, GOOD_PUBLICATION,
                make=lambda issue, pub: NOT_FILES[how](issue), located=False)


KINDS = [surrogate, control_raw, control_escaped, huge, numbers, colours, deep, alias, wrong_type, duplicate,
         unknown, missing, empty, malformed, not_utf8, truncated, not_a_file]


def generate(count: int, seed: int) -> Iterator[Case]:
    """`count` cases, each kind in turn."""
    rng = random.Random(seed)
    return (KINDS[i % len(KINDS)](rng) for i in range(count))


# ------------------------------------------------------------------------------------ the harness


class Hang(Exception):
    pass


def _hang(signum: int, frame: Any) -> None:
    raise Hang(f"no answer within {WATCHDOG} s")


SUMMARY = re.compile(r"^(\d+ 个错误 \(errors\)，\d+ 条提醒 \(warnings\)|未生成 PDF \(no PDF written\): \d+ 个问题 \(problems\))$")


def run_case(case: Case, root: Path, good_pdf: bytes, build: bool) -> list[str]:
    """What is wrong with the tool's answers to one case (nothing, when all is well)."""
    archive = root / "issues"
    (archive / "2024").mkdir(parents=True)
    issue, pub = archive / "2024" / "1.yaml", archive / "publication.yaml"
    for path, data in ((issue, case.issue), (pub, case.publication)):
        if data is not None:
            path.write_bytes(data)
    if case.make is not None:
        case.make(issue, pub)
    argument = {"issue": str(issue), "archive": str(archive)}.get(case.argument, case.argument)
    named = (str(issue), str(pub), argument, str(issue.with_name("2.yaml")))
    out_dir = root / "out"
    out_dir.mkdir()
    out = out_dir / "1.pdf"
    out.write_bytes(good_pdf)
    runs = [["check", argument]] + ([["build", argument, "-o", str(out)]] if build and case.build else [])
    failures = []
    for args in runs:
        start = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, WATCHDOG)
        try:
            result = CliRunner().invoke(main, args)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        seconds = time.monotonic() - start
        command = args[0]
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            failures.append(f"{command}: {type(result.exception).__name__}: {result.exception}")
            continue
        if result.exit_code != 1:
            failures.append(f"{command}: exit {result.exit_code}")
        if seconds > RUN_SECONDS:
            failures.append(f"{command}: {seconds:.1f} s")
        lines = [line for line in result.output.splitlines() if not SUMMARY.match(line)]
        strays = [line for line in lines if not line.startswith(tuple(f"{n}:" for n in named))]
        if strays or not lines or "Traceback" in result.output:
            failures.append(f"{command}: lines that name no file: {strays[:3] or result.output[-300:]!r}")
        if case.located and not any(re.match(rf"{re.escape(n)}:[1-9]\d*:[1-9]\d*:", line) for line in lines for n in named):
            failures.append(f"{command}: no line:column in {lines[:3]!r}")
        if command == "build" and (sorted(out_dir.iterdir()) != [out] or out.read_bytes() != good_pdf):
            failures.append(f"build: the output folder holds {sorted(p.name for p in out_dir.iterdir())}, "
                            f"the PDF {'unchanged' if out.read_bytes() == good_pdf else 'changed'}")
    return failures


def fuzz(count: int, seed: int, good_pdf: bytes, say: Callable[[str], None] = lambda line: None
         ) -> tuple[list[str], dict[str, int]]:
    """Run `count` cases; the failures (one line each), and how many cases of each kind ran.
    `say` is told each case as it starts."""
    previous = signal.signal(signal.SIGALRM, _hang)
    failures: list[str] = []
    kinds: dict[str, int] = {}
    try:
        for i, case in enumerate(generate(count, seed)):
            kinds[case.kind] = kinds.get(case.kind, 0) + 1
            say(f"case {i} [{case.kind}: {case.what}]")
            with tempfile.TemporaryDirectory() as tmp:
                try:
                    found = run_case(case, Path(tmp), good_pdf, build=i % CHECK_ONLY != CHECK_ONLY - 1)
                except Hang as e:
                    found = [str(e)]
            failures += [f"case {i} [{case.kind}: {case.what}]: {f}" for f in found]
    finally:
        signal.signal(signal.SIGALRM, previous)
    return failures, kinds


# ------------------------------------------------------------------------------------ the tests


def test_the_unspoiled_files_pass(tmp_path: Path) -> None:
    """Each case is bad because of what its kind spoiled: the files it starts from are good."""
    (tmp_path / "2024").mkdir()
    (tmp_path / "publication.yaml").write_bytes(GOOD_PUBLICATION)
    (tmp_path / "2024" / "1.yaml").write_bytes(GOOD_ISSUE)
    result = CliRunner().invoke(main, ["check", "-q", str(tmp_path / "2024" / "1.yaml")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    built = CliRunner().invoke(main, ["build", str(tmp_path / "2024" / "1.yaml"), "-o", str(tmp_path / "1.pdf")],
                               catch_exceptions=False)
    assert built.exit_code == 0 and (tmp_path / "1.pdf").read_bytes().startswith(b"%PDF-")


def test_fuzz_issue_and_publication_files(sample_pdf: Path) -> None:
    """Each case has its own alarm (Hang): a hang fails its case, however busy the machine."""
    failures, kinds = fuzz(CASES, SEED, sample_pdf.read_bytes())
    assert failures == [], "\n".join(failures[:40])
    assert sum(kinds.values()) == CASES and len(kinds) == len(KINDS)


def test_fuzz_in_bounded_memory(sample_pdf: Path) -> None:
    """A smaller batch (every kind: /dev/zero, 350,000-character fields, 60,000-deep nesting,
    billion laughs) in a process whose address space is capped at 1.5 GiB."""
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    result = subprocess.run([sys.executable, __file__, "--cases", "340", "--seed", "3", "--pdf", str(sample_pdf), "--list"],
                            preexec_fn=cap, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "340 cases, 0 failures" in result.stdout
    for what in ("the issue file is /dev/zero itself", "the issue file: zero", r": 350\d{3} × ", "(list|map|mixed) nesting 60000",
                 "billion laughs"):
        assert re.search(what, result.stdout), what  # the batch holds what would take the most memory


def _depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


_nested = st.recursive(
    st.text("ab一-: ", max_size=4),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text("ab", min_size=1, max_size=2), children, max_size=3),
    max_leaves=40,
)


@given(_nested, st.booleans())
@settings(max_examples=200, deadline=None)
def test_nesting_bound_is_never_below_the_real_depth(value, flow: bool) -> None:
    """load.compose hands a text to libyaml's recursive C parser only below a bound on its
    nesting: the bound must hold for block and flow YAML alike."""
    from bulletin_print import load

    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    assert load.nesting_bound(text) >= _depth(value)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Fuzz `check` and `build` with malformed issue and publication files.")
    parser.add_argument("--cases", type=int, default=CASES)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--pdf", type=Path, required=True, help="a good PDF, to put at the output before each build")
    parser.add_argument("--list", action="store_true", help="say each case as it starts")
    options = parser.parse_args()
    found, ran = fuzz(options.cases, options.seed, options.pdf.read_bytes(), print if options.list else lambda line: None)
    print("\n".join(found[:100]))
    print(f"{options.cases} cases, {len(found)} failures ({', '.join(f'{k} {n}' for k, n in sorted(ran.items()))})")
    sys.exit(1 if found else 0)
