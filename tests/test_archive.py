"""The archivist's deliverables: byte-identical rebuilds, PDF/A-3b with its sources inside, and
whole-archive rebuilds with a cache."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from archive_helper import make_archive, small_issue_text
from conftest import ROOT, SAMPLE

PUBLICATION = ROOT / "issues" / "publication.yaml"


def start_build(issue: Path, out: Path, cwd: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    """`bulletin-print build` in a process of its own, started now, awaited later."""
    cwd.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen([sys.executable, "-m", "bulletin_print", "build", str(issue), "-o", str(out), *args],
                            cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_all(processes: list[subprocess.Popen]) -> None:
    for p in processes:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err


@pytest.fixture(scope="session")
def twin_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Each variant of the sample built twice, in separate processes, in different working
    directories and time zones (run side by side to save time)."""
    base = tmp_path_factory.mktemp("twins")
    builds, processes = {}, []
    for variant in ("screen", "print", "archive"):
        pair = []
        for n, tz in ((1, "UTC"), (2, "Asia/Shanghai")):
            out = base / f"{variant}-{n}.pdf"
            extra = ["--bleed", "3mm", "--marks"] if variant == "print" else []
            processes.append(start_build(SAMPLE, out, base / f"cwd{n}" / variant, "--for", variant, *extra,
                                         env={"TZ": tz}))
            pair.append(out)
        builds[variant] = tuple(pair)
    finish_all(processes)
    return builds


@pytest.mark.parametrize("variant", ["screen", "print", "archive"])
def test_the_same_inputs_give_the_same_bytes(twin_builds: dict, variant: str) -> None:
    first, second = twin_builds[variant]
    a, b = first.read_bytes(), second.read_bytes()
    assert len(a) > 100_000
    assert a == b, f"{variant}: two builds differ"


def test_archive_pdf_is_pdf_a_3a_with_its_sources(twin_builds: dict) -> None:
    pdf = twin_builds["archive"][0]
    reader = pypdf.PdfReader(pdf)
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part="3"', xmp) and re.search(r'pdfaid:conformance="A"', xmp)
    assert "<xmp:CreateDate>2024-08-16T00:00:00Z</xmp:CreateDate>" in xmp  # the issue's date, not today's
    intent = root["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1" and intent["/OutputConditionIdentifier"] == "FOGRA39"
    # every embedded file is an associated file of the document, with relationship Source
    specs = [s.get_object() for s in root["/AF"]]
    assert sorted(str(s["/UF"]) for s in specs) == ["12.yaml", "manifest.json", "publication.yaml"]
    for spec in specs:
        assert spec["/AFRelationship"] == "/Source"
        stream = spec["/EF"]["/F"].get_object()
        subtype = {"12.yaml": "/application#2fyaml", "publication.yaml": "/application#2fyaml",
                   "manifest.json": "/application#2fjson"}[str(spec["/UF"])]
        assert stream["/Subtype"] in (subtype, subtype.replace("#2f", "/"))
        assert stream["/Params"]["/ModDate"] == "D:20240816000000Z"
    result = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --- tagged: the structure a screen reader or a re-flow reads ---------------------------------------

def structure(pdf: Path) -> tuple[list[tuple[str, tuple[str, ...], str]], pdfplumber.PDF]:
    """The structure tree's headings and paragraphs in tree order: (type, the types of the
    elements it sits in, its text from the marked content it owns)."""
    opened = pdfplumber.open(pdf)
    text: dict[tuple[int, int], str] = {}
    for page in opened.pages:
        for char in page.chars:
            key = (page.page_number, char["mcid"])
            text[key] = text.get(key, "") + char["text"]

    def owned(element: dict) -> str:
        own = "".join(text.get((element.get("page_number"), m), "") for m in element.get("mcids") or [])
        return own + "".join(owned(child) for child in element.get("children", []))

    found = []

    def walk(element: dict, inside: tuple[str, ...]) -> None:
        if element["type"] in ("H1", "H2", "P"):
            found.append((element["type"], inside, owned(element)))
            return
        for child in element.get("children", []):
            walk(child, inside + (element["type"],))

    for element in opened.structure_tree:
        walk(element, ())
    return found, opened


def test_archive_pdf_is_tagged_with_headings_and_paragraphs_in_reading_order(twin_builds: dict) -> None:
    import yaml

    reader = pypdf.PdfReader(twin_builds["archive"][0])
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"] == {"/Marked": True} and root["/Lang"] == "zh-CN"
    found, opened = structure(twin_builds["archive"][0])
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    publication = yaml.safe_load(PUBLICATION.read_text(encoding="utf-8"))
    titles = ["".join(t) if isinstance(t, list) else t for c in data["columns"] for t in (a["title"] for a in c["articles"])]
    # the masthead's 刊名, the 目录's heading, each article's title and the 信息摘登 head, in order
    headings = [(kind, words) for kind, _, words in found if kind != "P"]
    assert headings == [("H1", publication["title"]), ("H2", "目\u3000录"), *(("H2", t) for t in titles), ("H2", "信息摘登")]
    # the 目录's entries are paragraphs with their links; every paragraph of the articles is there,
    # in order, as P inside its article (Art); a paragraph that runs over a page is one P a page
    contents = [words for kind, inside, words in found if kind == "P" and "Art" not in inside]
    assert all(any(t in entry for entry in contents) for t in titles)
    body = re.sub(r"\s", "", "".join(words for kind, inside, words in found if kind == "P" and "Art" in inside))
    at = 0
    for paragraph in (p if isinstance(p, str) else p["text"] for c in data["columns"] for a in c["articles"]
                      for p in a["paragraphs"]):
        at = body.index(re.sub(r"\s", "", paragraph), at)
    # every character is marked content of the structure, but the page numbers: pagination artifacts
    for page in opened.pages:
        loose = "".join(c["text"] for c in page.chars if c["mcid"] is None)
        assert loose == f"— {page.page_number} —", (page.page_number, loose)
    opened.close()


def test_an_image_carries_its_alt_text_as_alt(tmp_path: Path) -> None:
    """No issue has images yet; when the template gets an <img alt>, the archive PDF's Figure
    carries the text as /Alt, and the image reaches the PDF/A in CMYK like every other colour."""
    import io

    from PIL import Image

    from bulletin_print import finish, paths, press, typeset

    Image.new("RGB", (40, 20), (200, 30, 30)).save(tmp_path / "photo.png")
    html = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>t</title></head><body>'
            f'<p><img src="{(tmp_path / "photo.png").as_uri()}" alt="常委会会议现场"></p></body></html>')
    pdf = typeset.typeset(html, tmp_path, draft=True, finisher=lambda _, pdf: press.cmyk_images(pdf, paths.PROFILE),
                          stylesheets=finish.stylesheets(finish.Options("archive")),
                          pdf_variant=finish.VARIANTS["archive"].pdf_variant, output_intent="device-cmyk").pdf
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    figures = []

    def walk(element) -> None:
        element = element.get_object()
        if element.get("/S") == "/Figure":
            figures.append(element)
        for kid in element.get("/K", []) if isinstance(element.get("/K"), list) else []:
            if not isinstance(kid, int):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"][0])
    assert [f["/Alt"] for f in figures] == ["常委会会议现场"]
    image = next(iter(reader.pages[0]["/Resources"]["/XObject"].values())).get_object()
    assert image["/ColorSpace"] == "/DeviceCMYK"


def test_xmp_ids_are_derived_from_the_content(twin_builds: dict) -> None:
    def ids(path: Path) -> tuple[str, str]:
        xmp = pypdf.PdfReader(path).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
        return (re.search(r"<xmpMM:DocumentID>(.*?)</", xmp)[1], re.search(r"<xmpMM:InstanceID>(.*?)</", xmp)[1])

    print_ids, archive_ids = ids(twin_builds["print"][0]), ids(twin_builds["archive"][0])
    assert print_ids[0] == archive_ids[0]  # one document ...
    assert print_ids[1] != archive_ids[1]  # ... in two renditions


def test_extract_gives_back_the_sources_and_rebuilding_them_gives_the_same_pdf(twin_builds: dict, tmp_path: Path) -> None:
    pdf = twin_builds["archive"][0]
    out = tmp_path / "extracted"
    result = subprocess.run([sys.executable, "-m", "bulletin_print", "extract", str(pdf), "-o", str(out)],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (out / "2024" / "12.yaml").read_bytes() == SAMPLE.read_bytes()
    assert (out / "publication.yaml").read_bytes() == PUBLICATION.read_bytes()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tool"]["name"] == "bulletin-print" and manifest["tool"]["version"]
    assert manifest["issue"] == {"path": "2024/12.yaml", "sha256": hashlib.sha256(SAMPLE.read_bytes()).hexdigest()}
    for entry in manifest["layout"] + manifest["fonts"] + [manifest["profile"]]:
        assert hashlib.sha256((ROOT / entry["path"]).read_bytes()).hexdigest() == entry["sha256"], entry["path"]
    assert {Path(e["path"]).name for e in manifest["layout"]} >= {"bulletin.css", "issue.html.j2", "print.css.j2"}
    assert len(manifest["fonts"]) >= 7

    rebuilt = tmp_path / "rebuilt.pdf"
    process = start_build(out / "2024" / "12.yaml", rebuilt, out, "--for", "archive")
    finish_all([process])
    assert rebuilt.read_bytes() == pdf.read_bytes()


def test_extract_refuses_a_pdf_without_sources(twin_builds: dict, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "bulletin_print", "extract", str(twin_builds["screen"][0]),
                             "-o", str(tmp_path / "x")], capture_output=True, text=True)
    assert result.returncode == 1 and "no embedded files" in result.stderr


def test_source_date_epoch_sets_every_date(tmp_path: Path) -> None:
    issue = tmp_path / "issues" / "2024" / "12.yaml"
    issue.parent.mkdir(parents=True)
    (tmp_path / "issues" / "publication.yaml").write_bytes(PUBLICATION.read_bytes())
    issue.write_text(small_issue_text(), encoding="utf-8")
    out = tmp_path / "a.pdf"
    finish_all([start_build(issue, out, tmp_path, "--for", "archive", env={"SOURCE_DATE_EPOCH": "1700000000"})])
    reader = pypdf.PdfReader(out)
    assert reader.metadata["/CreationDate"] == reader.metadata["/ModDate"] == "D:20231114221320Z"
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "2023-11-14T22:13:20Z" in xmp and "2024-08-16" not in xmp
    assert all(s.get_object()["/EF"]["/F"].get_object()["/Params"]["/ModDate"] == "D:20231114221320Z"
               for s in reader.trailer["/Root"]["/AF"])


# --- whole-archive rebuilds ----------------------------------------------------------------------

def build_folder(folder: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bulletin_print", "build", str(folder), "-o", str(out), *args],
                          capture_output=True, text=True, timeout=900)


def test_a_hundred_issues_build_in_parallel_then_come_from_the_cache(tmp_path: Path) -> None:
    folder, out = tmp_path / "issues", tmp_path / "build"
    issues = make_archive(folder, 100, small=True)
    broken = folder / "2099" / "1.yaml"
    broken.parent.mkdir()
    broken.write_text("number: [unclosed\n", encoding="utf-8")

    # cold: every issue built by two workers; the broken one reported at the end, the others done
    cold = build_folder(folder, out, "--jobs", "2")
    assert cold.returncode == 1
    lines = cold.stdout.splitlines()
    assert len(lines) == 101 and all(re.match(r"\[\s*\d+/101\] ", line) for line in lines)
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == 100 and not (out / "2099-1.pdf").exists()
    assert "失败 (failed): " + str(broken) in cold.stderr and "malformed YAML" in cold.stderr
    assert "100 期已生成 (built), 0 期未变 (current), 1 期失败 (failed)" in cold.stderr
    for pdf in pdfs[:: 10]:
        assert len(pypdf.PdfReader(pdf).pages) >= 1
    assert (out / "2020-1.pdf").exists() and (out / "2024-4.pdf").exists()

    # nothing changed: nothing built, no worker started
    broken.unlink()
    start = time.perf_counter()
    warm = build_folder(folder, out, "--jobs", "2")
    elapsed = time.perf_counter() - start
    assert warm.returncode == 0, warm.stderr
    assert "0 期已生成 (built), 100 期未变 (current), 0 期失败 (failed)" in warm.stderr
    assert elapsed < 10, f"an all-current archive took {elapsed:.1f} s"

    # one issue edited: only it is rebuilt; a PDF deleted: only it is rebuilt
    issues[7].write_text(issues[7].read_text(encoding="utf-8").replace("杨青青", "李明"), encoding="utf-8")
    (out / "2020-20.pdf").unlink()
    again = build_folder(folder, out, "--jobs", "2")
    assert again.returncode == 0, again.stderr
    assert "2 期已生成 (built), 98 期未变 (current)" in again.stderr
    assert "李明" in pypdf.PdfReader(out / "2020-8.pdf").pages[-1].extract_text()


@pytest.fixture
def hash_store(tmp_path, monkeypatch):
    """finish's hash store in a fresh place, and the process's remembered hashes forgotten."""
    from bulletin_print import manifest

    def forget() -> None:
        manifest._stored_hashes.cache_clear()
        manifest._sha256_of.cache_clear()

    store = tmp_path / "cache" / "sha256.json"
    monkeypatch.setattr(manifest, "HASH_STORE", store)
    forget()
    yield store
    forget()


def test_large_files_hashes_are_remembered_across_processes(tmp_path, hash_store):
    """The fonts' sha256 goes into every PDF's manifest; a build takes it from the store while the
    file's size and modification time are unchanged, and hashes the file again once they change."""
    from bulletin_print import manifest

    font = tmp_path / "font.otf"
    font.write_bytes(b"a" * manifest.STORED_FROM)
    real = hashlib.sha256(font.read_bytes()).hexdigest()
    assert manifest.file_sha256(font) == real
    stored = json.loads(hash_store.read_text())
    assert stored[str(font.resolve())][2] == real

    # a later process reads the store, not the file: plant a value only the store can give
    planted = hashlib.sha256(b"from the store").hexdigest()
    stored[str(font.resolve())][2] = planted
    hash_store.write_text(json.dumps(stored))
    manifest._stored_hashes.cache_clear()
    manifest._sha256_of.cache_clear()
    assert manifest.file_sha256(font) == planted

    # a changed file (same size, new mtime) is hashed again
    font.write_bytes(b"b" * manifest.STORED_FROM)
    os.utime(font, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert manifest.file_sha256(font) == hashlib.sha256(font.read_bytes()).hexdigest()

    # small files are hashed every time, never stored
    small = tmp_path / "issue.yaml"
    small.write_text("x")
    manifest.file_sha256(small)
    assert str(small.resolve()) not in json.loads(hash_store.read_text())
