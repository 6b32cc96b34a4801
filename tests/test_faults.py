"""Faults around a build, each reproduced as issue 15 describes it: a folder build into a read-only
folder or onto a full disk (a message and exit 1, the PDFs in place kept), a killed or interrupted
folder build (no worker outlives it), WeasyPrint's temporary font folders (none left), and the
part of a killed write (removed by the next write to that file)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from archive_helper import make_archive as make_issues
from containers import alive, children, command, dead_pid, finished


def test_folder_build_on_a_full_disk_says_so_and_keeps_the_pdf_in_place(small_archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    out.mkdir()
    good = {out / "2020-1.pdf": b"%PDF-1.7 the good one", out / "2020-2.pdf": b"%PDF-1.7 the other"}
    for pdf, data in good.items():
        pdf.write_bytes(data)
    # the disk fills up: every write fails when it is flushed to the disk, as on a full one
    full = ("import errno, os\n"
            "def full(fd): raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))\n"
            "os.fsync = full")
    code, said = finished(command("build", small_archive, "-o", out, "--jobs", "2", "--force", prelude=full))
    assert code == 1 and "Traceback" not in said, said
    assert said.count("无法写入 (cannot write): 磁盘已满 (no space left on device)") == 2
    assert f"{out / '2020-1.pdf'}: 无法写入" in said
    assert {pdf: pdf.read_bytes() for pdf in out.glob("*.pdf")} == good
    assert [p.name for p in out.iterdir() if p.name.endswith(".part")] == []


@pytest.fixture
def read_only_folder(tmp_path: Path):
    """A folder nobody may write to: a read-only file system for root (whom file modes do not
    stop), a folder without write permission for anyone else. Yields (folder, make it read-only)."""
    folder = tmp_path / "build"
    folder.mkdir()
    mounted = False
    if os.geteuid() == 0:
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)],
                          capture_output=True).returncode != 0:
            pytest.skip("root without a way to make a read-only folder")
        mounted = True

    def seal() -> None:
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        else:
            folder.chmod(0o555)

    yield folder, seal
    if mounted:
        subprocess.run(["umount", str(folder)], check=True)
    else:
        folder.chmod(0o755)


def test_folder_build_into_a_read_only_folder_says_so_and_keeps_the_pdf_in_place(small_archive: Path,
                                                                                  read_only_folder) -> None:
    out, seal = read_only_folder
    good = {out / "2020-1.pdf": b"%PDF-1.7 the good one", out / "2020-2.pdf": b"%PDF-1.7 the other"}
    for pdf, data in good.items():
        pdf.write_bytes(data)
    seal()
    code, said = finished(command("build", small_archive, "-o", out, "--jobs", "2", "--force"))
    assert code == 1 and "Traceback" not in said, said
    reason = "只读文件系统 (read-only file system)" if os.geteuid() == 0 else "没有写入权限 (permission denied)"
    assert f"{out}: 无法写入 (cannot write): {reason}；未生成 PDF (no PDF written)" in said
    assert {pdf: pdf.read_bytes() for pdf in out.glob("*.pdf")} == good


# --- workers and signals --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def long_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough issues that a folder build is still busy seconds after it starts."""
    folder = tmp_path_factory.mktemp("long") / "issues"
    make_issues(folder, 60, small=True)
    return folder


def busy_build(folder: Path, out: Path) -> tuple[subprocess.Popen, list[int]]:
    """A folder build in a session of its own, once its workers have written a PDF; its workers."""
    build = subprocess.Popen([sys.executable, "-m", "bulletin_print", "build", str(folder), "-o", str(out),
                              "--jobs", "2", "--force"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    deadline = time.monotonic() + 60
    while not list(out.glob("*.pdf")):
        assert build.poll() is None and time.monotonic() < deadline, build.communicate()
        time.sleep(0.05)
    workers = children(build.pid)
    assert len(workers) == 2
    return build, workers


def survivors(build: subprocess.Popen, workers: list[int], seconds: float) -> tuple[list[int], str]:
    """The workers still alive `seconds` after the build ended, and what the build said. Any
    survivor is killed, so that it neither runs on nor holds the build's output open."""
    build.wait(timeout=30)
    deadline = time.monotonic() + seconds
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [w for w in workers if alive(w)]
    for worker in left:
        os.kill(worker, signal.SIGKILL)
    return left, "".join(build.communicate())


def test_workers_die_with_a_killed_build(long_archive: Path, tmp_path: Path) -> None:
    build, workers = busy_build(long_archive, tmp_path / "build")
    os.kill(build.pid, signal.SIGKILL)
    left, _ = survivors(build, workers, 2)
    assert left == []  # 2 s after the kill, none is still writing PDFs


def test_a_worker_killed_under_a_build_fails_its_issues_with_a_message(long_archive: Path, tmp_path: Path) -> None:
    """As the kernel kills a worker that runs out of memory: the build goes on to its end."""
    from bulletin_print.archive import WORKER_DIED

    build, workers = busy_build(long_archive, tmp_path / "build")
    os.kill(workers[0], signal.SIGKILL)
    left, said = survivors(build, workers, 2)
    assert left == [] and build.returncode == 1 and "Traceback" not in said, said
    assert f": {WORKER_DIED}" in said and "期失败 (failed)" in said


@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C"])
def test_an_interrupted_build_stops_its_workers_and_keeps_what_it_built(how: str, long_archive: Path,
                                                                        tmp_path: Path) -> None:
    out = tmp_path / "build"
    build, workers = busy_build(long_archive, out)
    if how == "SIGTERM":
        os.kill(build.pid, signal.SIGTERM)
    else:  # the terminal sends SIGINT to the whole foreground group
        os.killpg(build.pid, signal.SIGINT)
    left, said = survivors(build, workers, 0.5)
    assert left == []
    assert build.returncode == 130 and "Traceback" not in said, said
    assert "已中断：已生成的 PDF 保留，其余未生成 (interrupted: the PDFs built so far are kept)" in said
    cache = json.loads((out / ".bulletin-print-cache.json").read_text(encoding="utf-8"))
    pdfs = {p.name for p in out.glob("*.pdf")}
    assert set(cache) <= pdfs and len(cache) >= 1  # what was built is remembered
    assert 0 < len(pdfs) < 60


# --- temporary font folders and parts of killed writes -----------------------------------------

def test_no_font_folder_is_left_after_folder_builds(small_archive: Path, tmp_path: Path, monkeypatch) -> None:
    """Ten folder builds with --jobs 2 leave no WeasyPrint font folder behind (before, each worker
    left one of 50 MB). A folder left by a killed process is removed; a live process's stays.
    (The builds run here, so that their workers start with WeasyPrint loaded: a second each.)"""
    from bulletin_print import archive, finish, typeset
    from bulletin_print.files import FONT_FOLDERS

    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    typeset.font_config.cache_clear()  # each worker makes its own, as a worker of the command does
    killed = temp / f"{FONT_FOLDERS}{dead_pid()}.abcd1234"
    running = temp / f"{FONT_FOLDERS}{os.getpid()}.efgh5678"
    for folder in (killed, running):
        folder.mkdir()
        (folder / "font").write_bytes(b"font")
    for n in range(10):
        summary = archive.build_all(small_archive, tmp_path / f"out{n}", finish.Options(), jobs=2)
        assert summary.count("built") == 2, [o.messages for o in summary.failed]
    assert sorted(p.name for p in temp.iterdir()) == [running.name]


def test_a_killed_writes_part_is_removed_by_the_next_write(tmp_path: Path) -> None:
    from bulletin_print.files import write_atomic

    target = tmp_path / "2024-12.pdf"
    target.write_bytes(b"the good one")
    # a write killed while its data goes to the disk
    stuck = "import os, time\nos.fsync = lambda fd: time.sleep(60)\nfrom bulletin_print.files import write_atomic\n"
    writer = subprocess.Popen([sys.executable, "-c", stuck + f"write_atomic(b'half', __import__('pathlib').Path({str(target)!r}))"])
    deadline = time.monotonic() + 30
    while not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    (left,) = [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert left.name.startswith(f".2024-12.pdf.{writer.pid}.")
    writer.kill()
    writer.wait()
    assert target.read_bytes() == b"the good one"
    live = tmp_path / f".2024-12.pdf.{os.getpid()}.live1234.part"  # a writer at work in this process
    other = tmp_path / f".2024-13.pdf.{dead_pid()}.abcd1234.part"  # another file's: not this write's business
    live.write_bytes(b"x")
    other.write_bytes(b"x")
    write_atomic(b"new", target)
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, live.name, other.name])
