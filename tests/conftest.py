"""Shared fixtures: the sample issue built once, in a fresh process, as an editor would build it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

# The tests never touch the user's own cache (~/.cache/bulletin-print): this process and every
# command it runs keep theirs in a throw-away folder (set before the package reads it), which a
# process of the tests that imports this module again (the fuzzer's limited batch) shares.
CACHE_PREFIX = "bulletin-print-test-cache."
INHERITED = Path(os.environ.get("XDG_CACHE_HOME", "")).name.startswith(CACHE_PREFIX)
TEST_CACHE = Path(os.environ["XDG_CACHE_HOME"]) if INHERITED else Path(tempfile.mkdtemp(prefix=CACHE_PREFIX))
os.environ["XDG_CACHE_HOME"] = str(TEST_CACHE)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = ROOT / "issues" / "2024" / "12.yaml"
REFERENCE = FIXTURES / "hangzhou-renda-2024-12.reference.json"


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run `bulletin-print ARGS` in a new process, as a user would."""
    return subprocess.run([sys.executable, "-m", "bulletin_print", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def make_archive(root: Path, text: str | None = None, name: str = "12.yaml") -> Path:
    """An archive folder at `root`: the publication file and one issue in 2024/, the sample or
    `text`. Returns the issue's path."""
    (root / "2024").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "issues" / "publication.yaml", root)
    issue = root / "2024" / name
    if text is None:
        shutil.copy(SAMPLE, issue)
    else:
        issue.write_text(text, encoding="utf-8")
    return issue


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """The sample issue in a throw-away archive at tmp_path/issues/, to spoil or add to."""
    return make_archive(tmp_path / "issues")


@pytest.fixture
def small_archive(tmp_path: Path) -> Path:
    """Two small issues (a page or two each) at tmp_path/issues/, for quick folder builds."""
    from archive_helper import make_archive as make_issues

    folder = tmp_path / "issues"
    make_issues(folder, 2, small=True)
    return folder


@pytest.fixture(scope="session")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "2024-12.pdf"
    result = run_cli("build", str(SAMPLE), "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def sample_report(sample_pdf: Path) -> dict:
    """What the reviewers' measuring tool reports on the sample's PDF."""
    from pdfcheck import measure

    return measure(str(sample_pdf), str(REFERENCE), 156)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not INHERITED:
        shutil.rmtree(TEST_CACHE, ignore_errors=True)
