"""`extract` on 50 crafted PDFs and 5 paths that are no file (issue 15: 14 of 35 crafted PDFs gave a
traceback; an attachment named "." turned the output folder into a file; manifest.json was written
before the refusal): each is refused with a message naming the PDF, exit 1, nothing written."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

import containers
from containers import cli, make_unreadable


# --- extract: 35+ crafted PDFs ------------------------------------------------------------------

def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]


GOOD = containers.archive_pdf()
ISSUE, PUB = containers.ISSUE, containers.PUBLICATION


def manifest_bytes(**changes) -> bytes:
    info = containers.manifest()
    for key, value in changes.items():
        info[key] = value
    return json.dumps(info).encode()


def with_manifest(data: bytes) -> bytes:
    return containers.archive_pdf([("12.yaml", ISSUE), ("publication.yaml", PUB), ("manifest.json", data)])


def issue_at(path: str, name: str = "") -> bytes:
    """A PDF whose manifest puts the issue at `path` (its attachment named after the last part)."""
    name = name or path.rsplit("/", 1)[-1]
    return containers.archive_pdf([(name, ISSUE), ("publication.yaml", PUB),
                                   ("manifest.json", json.dumps(containers.manifest(path=path)).encode())])


def named(name: str) -> bytes:
    return containers.archive_pdf(containers.sources() + [(name, b"x")])


def deep_json(n: int) -> bytes:
    return b"[" * n + b"]" * n


def big_pdf() -> bytes:
    data = os.urandom(3 * 1024 * 1024)
    return containers.archive_pdf([("12.yaml", data), ("publication.yaml", PUB),
                                   ("manifest.json", json.dumps(containers.manifest(issue=data)).encode())])


def bomb_pdf() -> bytes:
    """An attachment of 100 MB of zeros, deflated to 100 KB."""
    data = bytes(100 * 1024 * 1024)
    return containers.archive_pdf([("12.yaml", data), ("publication.yaml", PUB),
                                   ("manifest.json", json.dumps(containers.manifest(issue=data)).encode())])


# (id, the PDF's bytes or how to make it, words of the message)
CRAFTED = [
    ("empty", b"", "不是 PDF 文件 (not a PDF file)"),
    ("one-byte", b"%", "not a PDF file"),
    ("header-only", b"%PDF-1.7\n", "truncated"),
    ("text", b"hello, world\n" * 10, "not a PDF file"),
    ("png", b"\x89PNG\r\n\x1a\n" + bytes(100), "not a PDF file"),
    ("truncated-10%", GOOD[:len(GOOD) // 10], "truncated"),
    ("truncated-half", GOOD[:len(GOOD) // 2], "truncated"),
    ("truncated-end", GOOD[:-12], "truncated"),
    ("eof-only-garbage", b"%PDF-1.7\n" + os.urandom(2000) + b"\n%%EOF\n", "not a readable PDF"),
    ("xref-flipped", flip(GOOD, GOOD.rindex(b"startxref") + 11), "not a readable PDF"),
    ("no-attachments", containers.archive_pdf([]), "no embedded files"),
    ("no-manifest", containers.archive_pdf([("12.yaml", ISSUE)]), "no manifest.json"),
    ("manifest-not-json", with_manifest(b"{not json"), "manifest.json 不是 JSON (not JSON)"),
    ("manifest-not-utf8", with_manifest(b"\xff\xfe{}"), "not JSON"),
    ("manifest-utf16", with_manifest(json.dumps(containers.manifest()).encode("utf-16")), "not JSON"),
    ("manifest-deep", with_manifest(deep_json(100_000)), "not JSON"),
    ("manifest-list", with_manifest(b"[]"), "does not fit schema/manifest.schema.json"),
    ("manifest-string", with_manifest(b'"manifest"'), "does not fit"),
    ("manifest-empty-object", with_manifest(b"{}"), "does not fit"),
    ("manifest-issue-missing", with_manifest(manifest_bytes(issue=None)), "issue"),
    ("manifest-path-number", with_manifest(manifest_bytes(issue={"path": 12, "sha256": containers.sha(ISSUE)})), "issue.path"),
    ("manifest-sha-not-hex", with_manifest(manifest_bytes(issue={"path": "2024/12.yaml", "sha256": "x" * 64})), "issue.sha256"),
    ("manifest-extra-key", with_manifest(manifest_bytes(issue={"path": "2024/12.yaml", "sha256": containers.sha(ISSUE), "run": "rm"})), "issue"),
    ("manifest-wrong-format", with_manifest(manifest_bytes(format="something else")), "format"),
    ("manifest-publication-elsewhere", with_manifest(manifest_bytes(publication={"path": "../publication.yaml", "sha256": containers.sha(PUB)})), "publication"),
    ("path-dotdot", issue_at("../12.yaml"), "not the relative path of an issue file"),
    ("path-absolute", issue_at("/tmp/12.yaml"), "not the relative path"),
    ("path-climbs", issue_at("2024/../../12.yaml"), "not the relative path"),
    ("path-double-slash", issue_at("2024//12.yaml"), "not the relative path"),
    ("path-not-yaml", issue_at("2024/12.sh"), "not the relative path"),
    ("path-under-manifest", issue_at("manifest.json/12.yaml"), "not the relative path"),
    ("path-nul", issue_at("2024/1\x002.yaml", "12.yaml"), "not the relative path"),
    ("name-dot", named("."), "not a plain file name"),
    ("name-dotdot", named(".."), "not a plain file name"),
    ("name-climbs", named("a/../../b"), "not a plain file name"),
    ("name-absolute", named("/etc/cron.d/x"), "not a plain file name"),
    ("name-nul", named("a\x00b"), "not a plain file name"),
    ("name-newline", named("a\nb.yaml"), "not a plain file name"),
    ("name-backslash", named("..\\..\\b"), "not a plain file name"),
    ("name-right-to-left", named("x\u202elmay.exe"), "not a plain file name"),
    ("name-too-long", named("a" * 300), "not a plain file name"),
    ("name-two-names", containers.archive_pdf(other_names={"12.yaml": "../12.yaml"}), "not a plain file name"),
    ("name-duplicate", containers.archive_pdf(containers.sources() + [("12.yaml", b"other")]), "two attachments of one name"),
    ("extra-attachment", named("notes.txt"), "多出 (not listed) 'notes.txt'"),
    ("missing-publication", containers.archive_pdf(containers.sources()[::2]), "缺少 (missing) 'publication.yaml'"),
    ("issue-sha-mismatch", containers.archive_pdf([("12.yaml", ISSUE + b"#")] + containers.sources()[1:]), "does not match its sha256"),
    ("publication-sha-mismatch", containers.archive_pdf([containers.sources()[0], ("publication.yaml", b"x: 1\n"),
                                                         containers.sources()[2]]), "does not match its sha256"),
    ("declared-huge", containers.archive_pdf(sizes={"12.yaml": 10**12}), "file too large"),
    ("attachment-3mb", big_pdf, "file too large"),
    ("attachment-bomb", bomb_pdf, "附件 '12.yaml' 无法解压 (cannot unpack): Limit reached"),
]


def test_the_crafted_set_is_large_enough() -> None:
    assert len(CRAFTED) + len(UNREADABLE_PDFS) >= 35


@pytest.mark.parametrize("case", CRAFTED, ids=[c[0] for c in CRAFTED])
def test_extract_refuses_crafted_pdfs_and_writes_nothing(case, tmp_path: Path) -> None:
    _, data, words = case
    pdf = tmp_path / "crafted.pdf"
    pdf.write_bytes(data() if callable(data) else data)
    out = tmp_path / "out"
    start = time.perf_counter()
    code, said = cli("extract", pdf, "-o", out)
    assert code == 1 and said.startswith(f"{pdf}: ") and words in said, said
    assert len(said.strip().splitlines()) == 1
    assert time.perf_counter() - start < 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crafted.pdf"]  # nothing written, no temporary folder


UNREADABLE_PDFS = [("fifo", "not a regular file"), ("device", "not a regular file"), ("folder", "a folder, not a file"),
                   ("loop", "symlink loop"), ("missing", "file not found")]


@pytest.mark.parametrize("kind, words", UNREADABLE_PDFS)
def test_extract_refuses_what_is_no_file(kind: str, words: str, tmp_path: Path) -> None:
    pdf = make_unreadable(kind, tmp_path)
    code, said = cli("extract", pdf, "-o", tmp_path / "out")
    assert code == 1 and said == f"{pdf}: {said.split(': ', 1)[1]}" and words in said, said
    assert not (tmp_path / "out").exists()


def test_extract_writes_a_good_pdf_whole_and_never_into_a_folder_with_files(tmp_path: Path) -> None:
    pdf = tmp_path / "good.pdf"
    pdf.write_bytes(GOOD)
    out = tmp_path / "out"
    out.mkdir()  # an empty folder may take the sources
    code, said = cli("extract", pdf, "-o", out)
    assert code == 0, said
    assert (out / "2024" / "12.yaml").read_bytes() == ISSUE and (out / "publication.yaml").read_bytes() == PUB
    assert json.loads((out / "manifest.json").read_bytes()) == containers.manifest()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.pdf", "out"]
    # again, into the folder that now holds them: refused, left as it was
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    code, said = cli("extract", pdf, "-o", out)
    assert code == 1 and said == f"{out}: 无法写入 (cannot write): 文件夹已存在且不是空的 (the folder exists and is not empty)\n"
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
