"""`preview` writes a PNG per page; `watch` rebuilds when the issue is saved and says how long it took."""

from __future__ import annotations

import os
import queue
import re
import shutil
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pypdf
import pytest

from conftest import SAMPLE, run_cli
from bulletin_print import preview

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TIMED = re.compile(r"in (\d+\.\d+) s$")


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def issue(sample_copy: Path) -> Path:
    return sample_copy


def test_preview_writes_one_png_per_page(issue: Path, tmp_path: Path) -> None:
    folder = tmp_path / "preview"
    folder.mkdir()
    (folder / "page-99.png").write_bytes(b"stale")  # from an earlier, longer issue
    result = run_cli("preview", str(issue), "-o", str(folder), "--dpi", "48")
    assert result.returncode == 0, result.stderr
    pdfs = list(folder.glob("*.pdf"))
    assert len(pdfs) == 1
    pages = len(pypdf.PdfReader(pdfs[0]).pages)
    pngs = sorted(folder.glob("page-*.png"))
    assert [p.name for p in pngs] == [f"page-{i:02d}.png" for i in range(1, pages + 1)]
    for png in pngs:
        width, height = png_size(png)
        # A4 at 48 dpi (the renderer rounds up or down)
        assert abs(width - 210 / 25.4 * 48) <= 1 and abs(height - 297 / 25.4 * 48) <= 1, (width, height)
        assert png.stat().st_size > 1000
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert index.count("<img ") == pages
    assert f"{folder / 'index.html'} ({pages} 页 pages" in result.stdout


def test_preview_of_a_broken_issue_says_why(issue: Path, tmp_path: Path) -> None:
    issue.write_text(issue.read_text(encoding="utf-8").replace("number: 12", "number: twelve"), encoding="utf-8")
    result = run_cli("preview", str(issue), "-o", str(tmp_path / "p"))
    assert result.returncode == 1
    assert "number" in result.stderr and "Traceback" not in result.stderr
    assert not list((tmp_path / "p").glob("*.png"))


def test_pdftoppm_fallback_draws_the_same_pages(tmp_path: Path, sample_pdf: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("no pdftoppm")
    written = preview._pdftoppm(sample_pdf.read_bytes(), tmp_path, 24)
    assert len(written) == len(pypdf.PdfReader(sample_pdf).pages)
    assert all(p.read_bytes()[:8] == PNG_SIGNATURE for p in written)


class Lines:
    """A process's stdout, line by line, read without blocking the test."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            self.queue.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.queue.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} within {timeout} s; saw:\n" + "\n".join(self.seen))


def test_watch_rebuilds_on_save(issue: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    proc = subprocess.Popen([sys.executable, "-m", "bulletin_print", "watch", str(issue), "-o", str(out),
                             "--interval", "0.1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=tmp_path)
    try:
        lines = Lines(proc)
        first = lines.wait_for(r"生成 \(built\).* in \d+\.\d+ s$", 90)
        assert out.read_bytes()[:5] == b"%PDF-"
        lines.wait_for("监视 \\(watching\\)", 5)
        built_at = out.stat().st_mtime_ns

        later = time.time() + 5
        os.utime(issue, (later, later))  # a save that changes nothing but the time
        rebuilt = lines.wait_for(r"重新生成 \(rebuilt\) after 12\.yaml.* in \d+\.\d+ s$", 60)
        assert float(TIMED.search(rebuilt).group(1)) > 0
        assert out.stat().st_mtime_ns > built_at

        good = issue.read_text(encoding="utf-8")
        issue.write_text(good.replace("editor: 杨青青", "editor: ''"), encoding="utf-8")  # a slip on save
        lines.wait_for(r"editor", 30)
        lines.wait_for(r"未生成 PDF \(no PDF written\)", 30)
        assert out.read_bytes()[:5] == b"%PDF-"  # the last good PDF stays
        assert proc.poll() is None  # still watching
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert "Traceback" not in "\n".join(lines.seen)
    assert first


def test_watch_sees_the_publication_file_and_layout(issue: Path) -> None:
    files = preview.watched_files(issue)
    assert issue in files
    assert issue.parent.parent / "publication.yaml" in files
    assert any(f.name == "bulletin.css" for f in files)


def test_watch_loop_in_process(issue: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The loop itself, with the build replaced: one build at the start, one per change."""
    calls: list[str] = []
    echoed: list[str] = []
    monkeypatch.setattr(preview, "build_once",
                        lambda *a, **k: calls.append("build") or preview.Outcome(True, 0.01, 2))
    ticks = iter(range(100))

    def stop() -> bool:
        n = next(ticks)
        if n == 2:
            os.utime(issue, ns=(time.time_ns() + 10**9,) * 2)
        return n > 5

    preview.watch(issue, tmp_path / "o.pdf", interval=0.01, echo=echoed.append, stop=stop)
    assert calls == ["build", "build"]
    assert any("重新生成 (rebuilt) after 12.yaml" in e and e.endswith("in 0.01 s") for e in echoed)


def test_a_rebuild_recomposes_only_the_changed_paragraph(monkeypatch) -> None:
    """watch keeps the composed paragraphs from one rebuild to the next: after an edit only the
    edited paragraph is composed again, and the HTML is what a fresh render gives."""
    import dataclasses

    from bulletin_print import load, render

    issue = load.load_issue(SAMPLE)
    composed: dict = {}
    first = render.render(issue, composed)
    assert first == render.render(issue)
    calls = []
    original = render.compose_paragraph
    monkeypatch.setattr(render, "compose_paragraph", lambda p: calls.append(p) or original(p))

    column = issue.columns[0]
    article = column.articles[0]
    edited = dataclasses.replace(article.paragraphs[0], text=article.paragraphs[0].text.replace("逐步", "逐渐"))
    assert edited != article.paragraphs[0]
    article_ = dataclasses.replace(article, paragraphs=(edited, *article.paragraphs[1:]))
    column_ = dataclasses.replace(column, articles=(article_, *column.articles[1:]))
    changed = dataclasses.replace(issue, columns=(column_, *issue.columns[1:]))
    again = render.render(changed, composed)
    assert calls == [edited]
    monkeypatch.setattr(render, "compose_paragraph", original)
    assert again == render.render(changed)
    assert edited in composed and article.paragraphs[0] not in composed  # it holds this issue's only
