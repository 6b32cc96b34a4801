"""A fuzzer for the containers the tool opens besides issue files: Word files (`import docx`),
archive PDFs (`extract`) and the cache stores (sha256.json, numbering.json, the output folder's
.bulletin-print-cache.json), mutated by truncation, bit flips, wrong shapes and huge sizes.

Every case runs in this process, seeded, and must hold: no exception escapes (an editor would
see a traceback), it ends within a few seconds, and
  - on exit 1 the message names the file, and nothing was written (the issue file taken --into,
    the output folder of extract, as they were);
  - a case that is bad by construction (truncated, a bomb, an unsafe name …) exits 1;
  - on exit 0 what was written is right (the sources as they went in; the true hashes).
A smaller batch of the largest cases runs once more in a process whose address space is limited
to 1.5 GiB, to prove the memory they take is bounded.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import resource
import subprocess
import sys
import time
import warnings
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

import containers
from archive_helper import small_issue_text
from conftest import make_archive
from bulletin_print.cli import main

CASE_SECONDS = 5
ADDRESS_SPACE = 1536 * 1024 * 1024


@dataclass(frozen=True)
class Case:
    kind: str  # "docx", "pdf", "sha256", "numbering", "build-cache"
    make: Callable[..., tuple[bytes, bool]]  # (rng[, the good store]) → (the input, whether it is bad by construction)
    name: str


def flip_bits(data: bytes, rng: random.Random, n: int) -> bytes:
    out = bytearray(data)
    for _ in range(n):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


JUNK_VALUES: list = [None, True, 0, -1, 10**40, 1.5, "", "x", "../x", "/etc/passwd", "a\x00b", "a\nb",
                     [], [1, 2], {}, {"a": 1}, "f" * 64, [[[[[]]]]]]


def junk(rng: random.Random) -> object:
    return rng.choice(JUNK_VALUES)


# --- Word files -------------------------------------------------------------------------------

@cache
def base_docx() -> bytes:
    return containers.good_docx()


@cache
def docx_parts() -> tuple[str, ...]:
    return tuple(zipfile.ZipFile(io.BytesIO(base_docx())).namelist())


REQUIRED_PARTS = ("word/document.xml", "[Content_Types].xml", "_rels/.rels")
XML_JUNK = [b"", b"<", b"\xff\xfe<x/>", b"<x/>", b'<?xml version="1.0"?><w:body ' + containers.W.encode() + b"/>",
            b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>',
            b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', b"<a>" * 5000 + b"</a>" * 5000]


def docx_truncated(rng: random.Random) -> tuple[bytes, bool]:
    data = base_docx()
    return data[:rng.randrange(len(data) - 22)], True  # the end of central directory is gone


def docx_flipped(rng: random.Random) -> tuple[bytes, bool]:
    return flip_bits(base_docx(), rng, rng.randint(1, 8)), False


def docx_wrong_part(rng: random.Random) -> tuple[bytes, bool]:
    name = rng.choice(docx_parts())
    content = rng.choice(XML_JUNK + [None])
    bad = name in REQUIRED_PARTS and (content is None or b"w:document" not in content)
    return containers.replace_parts(base_docx(), {name: content}), bad


def docx_huge(rng: random.Random) -> tuple[bytes, bool]:
    name = rng.choice(["word/document.xml", "word/media/image1.png", "word/styles.xml", "customXml/x.xml"])
    mib = rng.choice([11, 21, 64, 512, 2048, 4095])
    if rng.random() < 0.5:  # a part that really inflates that far
        return containers.with_member(base_docx(), name, containers.zeros_deflated(min(mib, 64)), mib << 20), True
    return containers.with_member(base_docx(), name, bytes(rng.randrange(100, 5000)), mib << 20), True


def docx_zip_shape(rng: random.Random) -> tuple[bytes, bool]:
    kind = rng.choice(["many", "duplicate", "ole", "empty", "garbage", "nested"])
    if kind == "many":
        return containers.replace_parts(base_docx(), {f"x/{i}": b"" for i in range(1001)}), True
    if kind == "duplicate":
        out = io.BytesIO(base_docx())
        with zipfile.ZipFile(out, "a") as z, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile's "Duplicate name": what this case is about
            z.writestr("word/document.xml", b"<x/>")
        return out.getvalue(), True
    if kind == "ole":
        return bytes.fromhex("D0CF11E0A1B11AE1") + rng.randbytes(2000), True
    if kind == "empty":
        return b"", True
    if kind == "garbage":
        return rng.randbytes(rng.randrange(1, 5000)), True
    inner = io.BytesIO()  # a zip inside the zip, where document.xml should be
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("word/document.xml", b"<x/>")
    return containers.replace_parts(base_docx(), {"word/document.xml": inner.getvalue()}), True


# --- archive PDFs -----------------------------------------------------------------------------

@cache
def base_pdf() -> bytes:
    return containers.archive_pdf()


def pdf_truncated(rng: random.Random) -> tuple[bytes, bool]:
    data = base_pdf()
    return data[:rng.randrange(data.rindex(b"%%EOF"))], True


def pdf_flipped(rng: random.Random) -> tuple[bytes, bool]:
    return flip_bits(base_pdf(), rng, rng.randint(1, 8)), False


def pdf_manifest_shape(rng: random.Random) -> tuple[bytes, bool]:
    info = containers.manifest()
    where = rng.choice([("issue",), ("issue", "path"), ("issue", "sha256"), ("publication",), ("publication", "path"),
                        ("format",), ("tool",), ("tool", "name"), ("engine",), ("layout",), ("fonts",)])
    value = junk(rng)
    node = info
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    attachments = containers.sources()[:2] + [("manifest.json", json.dumps(info).encode())]
    return containers.archive_pdf(attachments), False


HOSTILE_NAME_PARTS = ["", ".", "..", "/", "\\", "\x00", "\n", "\u202e", "\u2028", "a", "12.yaml", "x" * 300]


def pdf_hostile_name(rng: random.Random) -> tuple[bytes, bool]:
    """One more attachment, named from hostile pieces: unsafe, or one the manifest does not list."""
    name = "".join(rng.choice(HOSTILE_NAME_PARTS) for _ in range(rng.randint(1, 4)))
    return containers.archive_pdf(containers.sources() + [(name, b"x")]), True


def pdf_huge(rng: random.Random) -> tuple[bytes, bool]:
    size = rng.choice([3, 20, 100]) << 20
    data = bytes(size) if rng.random() < 0.7 else rng.randbytes(min(size, 3 << 20))
    info = containers.manifest(issue=data)
    return containers.archive_pdf([("12.yaml", data), ("publication.yaml", containers.PUBLICATION),
                                   ("manifest.json", json.dumps(info).encode())]), True


# --- cache stores -----------------------------------------------------------------------------

def store_text(rng: random.Random, good: dict) -> tuple[bytes, bool]:
    """A store's bytes: `good` (as the tool wrote it) with junk in it, of another shape,
    truncated or bit-flipped. Never bad by construction: a store only ever saves time."""
    text = json.dumps(good).encode()
    kind = rng.choice(["junk-entries", "junk-root", "truncated", "flipped", "deep", "huge-int"])
    if kind == "junk-entries":
        def spoil(value):
            if isinstance(value, dict):
                return {k: (junk(rng) if rng.random() < 0.5 else spoil(v)) for k, v in value.items()}
            if isinstance(value, list):
                return [junk(rng) if rng.random() < 0.3 else v for v in value]
            return value
        return json.dumps(spoil(good)).encode(), False
    if kind == "junk-root":
        return json.dumps(junk(rng)).encode(), False
    if kind == "truncated":
        return text[:rng.randrange(len(text))], False
    if kind == "flipped":
        return flip_bits(text, rng, rng.randint(1, 4)), False
    if kind == "deep":
        return b"[" * 100_000 + b"]" * 100_000, False
    return text.replace(b"700", b"7" * 5000, 1), False


CASES: list[Case] = (
    [Case("docx", f, f"{f.__name__}-{i}") for f, n in ((docx_truncated, 25), (docx_flipped, 30), (docx_wrong_part, 40),
                                                        (docx_huge, 20), (docx_zip_shape, 15)) for i in range(n)]
    + [Case("pdf", f, f"{f.__name__}-{i}") for f, n in ((pdf_truncated, 30), (pdf_flipped, 30), (pdf_manifest_shape, 30),
                                                       (pdf_hostile_name, 20), (pdf_huge, 6)) for i in range(n)]
    + [Case(kind, store_text, f"{kind}-{i}") for kind in ("sha256", "numbering", "build-cache") for i in range(25)]
)
BATCH_UNDER_LIMIT = [c for c in CASES if c.make is docx_huge][:10] + [c for c in CASES if c.make is pdf_huge]


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 300


# --- the oracles ------------------------------------------------------------------------------

def invoke(*args) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def check_docx(data: bytes, bad: bool, folder: Path) -> None:
    from bulletin_print import load

    issue = make_archive(folder / "issues", small_issue_text())
    before = issue.read_text(encoding="utf-8")
    source = folder / "来稿.docx"
    source.write_bytes(data)
    code, said = invoke("import", "docx", source, "--into", issue)
    assert code in (0, 1), said
    if code == 1 and issue.read_text(encoding="utf-8") == before:
        assert said.startswith(f"{source}: ") and len(said.strip().splitlines()) == 1, said
        return
    # the article went in (what the check then says is about the issue file): nothing else moved
    assert not bad, said
    after, lines = issue.read_text(encoding="utf-8").splitlines(), before.splitlines()
    k = len(after) - len(lines)  # one run of lines inserted, every other line as it was
    assert k > 0 and any(after[:i] + after[i + k:] == lines for i in range(len(lines) + 1))
    load.read(issue)


def check_pdf(data: bytes, bad: bool, folder: Path) -> None:
    pdf, out = folder / "archive.pdf", folder / "out"
    pdf.write_bytes(data)
    code, said = invoke("extract", pdf, "-o", out)
    assert code in (0, 1), said
    if code == 1:
        assert said.startswith(f"{pdf}: ") and len(said.strip().splitlines()) == 1, said
        assert sorted(p.name for p in folder.iterdir()) == ["archive.pdf"]  # nothing written, no temporary folder
        return
    assert not bad, said
    manifest = json.loads((out / "manifest.json").read_bytes())
    issue = out / manifest["issue"]["path"]
    assert issue.resolve().is_relative_to(out.resolve())
    assert issue.read_bytes() == containers.ISSUE and (out / "publication.yaml").read_bytes() == containers.PUBLICATION


def a_build_cache_entry(entry: object) -> bool:
    """What archive.build_all reads of an entry: key, pages and stat, of the types it compares."""
    return (isinstance(entry, dict) and isinstance(entry.get("key"), str) and type(entry.get("pages")) is int
            and entry["pages"] >= 0 and isinstance(entry.get("stat"), list) and len(entry["stat"]) == 2
            and all(type(n) is int for n in entry["stat"]))


def check_store(case: Case, rng: random.Random, folder: Path, monkeypatch) -> None:
    """The store written as the tool writes it, spoiled by the case, and the tool run again on it."""
    from bulletin_print import archive, check, ledger, manifest

    if case.kind == "build-cache":
        out = folder / "build"
        out.mkdir()
        (out / "2024-12.pdf").write_bytes(b"%PDF-1.7")
        good = {"2024-12.pdf": {"key": "k" * 64, "pages": 2, "stat": archive._stat(out / "2024-12.pdf")}}
        (out / archive.CACHE_FILE).write_bytes(case.make(rng, good)[0])
        assert all(a_build_cache_entry(entry) for entry in archive.load_cache(out).values())
        return
    store = folder / "cache" / f"{case.kind}.json"
    if case.kind == "sha256":
        monkeypatch.setattr(manifest, "HASH_STORE", store)
        font = folder / "font.otf"
        font.write_bytes(rng.randbytes(manifest.STORED_FROM))
        real = hashlib.sha256(font.read_bytes()).hexdigest()

        def sha() -> str:
            manifest._stored_hashes.cache_clear()
            manifest._sha256_of.cache_clear()
            return manifest.file_sha256(font)

        assert sha() == real
        store.write_bytes(case.make(rng, json.loads(store.read_bytes()))[0])
        assert sha() == real
        return
    monkeypatch.setattr(ledger, "NUMBERING_STORE", store)
    root = make_archive(folder / "issues", small_issue_text()).parents[1]
    later = root / "2024" / "13.yaml"
    later.write_text(small_issue_text().replace("number: 12", "number: 13").replace("total: 700", "total: 701")
                     .replace("date: 2024-08-16", "date: 2024-08-30"), encoding="utf-8")
    assert check.errors(check.check_paths([later], fonts=False, lint=False)) == []
    store.write_bytes(case.make(rng, json.loads(store.read_bytes()))[0])
    assert check.errors(check.check_paths([later], fonts=False, lint=False)) == []


def run(case: Case, folder: Path, monkeypatch) -> None:
    rng = random.Random(f"issue 15 {case.name}")
    if case.kind == "docx":
        check_docx(*case.make(rng), folder)
    elif case.kind == "pdf":
        check_pdf(*case.make(rng), folder)
    else:
        check_store(case, rng, folder, monkeypatch)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_containers_fuzz(case: Case, tmp_path: Path, monkeypatch) -> None:
    start = time.perf_counter()
    run(case, tmp_path, monkeypatch)
    assert time.perf_counter() - start < CASE_SECONDS


def run_batch_under_the_limit(folder: str) -> None:
    """The child of the test below: the batch, in a process limited to ADDRESS_SPACE."""
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    try:
        bytearray(ADDRESS_SPACE)
    except MemoryError:
        print("limited", flush=True)
    for case in BATCH_UNDER_LIMIT:
        sub = Path(folder) / case.name
        sub.mkdir()
        run(case, sub, pytest.MonkeyPatch())
        print("ok", case.name, flush=True)


def test_the_largest_cases_stay_under_an_address_space_limit(tmp_path: Path) -> None:
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            f"import test_fuzz_containers as t; t.run_batch_under_the_limit({str(tmp_path)!r})")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("limited\n")  # the limit holds
    assert done.stdout.split().count("ok") == len(BATCH_UNDER_LIMIT) >= 16
