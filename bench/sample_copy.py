"""The sample issue in a throw-away archive (issues/publication.yaml, issues/2024/12.yaml), for
the benchmarks that edit it, and the one-character edit they make."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2024" / "12.yaml"
SWAP = ("逐步构建起", "逐渐构建起")  # one character, in the first paragraph


def sample_copy(folder: Path) -> Path:
    """Copy the sample's archive into `folder`/issues and return the issue file's path there."""
    issues = folder / "issues"
    (issues / "2024").mkdir(parents=True)
    shutil.copy(ROOT / "issues" / "publication.yaml", issues)
    issue = issues / "2024" / "12.yaml"
    shutil.copy(SAMPLE, issue)
    return issue
