"""Generated archives of issues, for the whole-archive tests and bench/build_archive.py.

`make_archive(folder, n)` copies the sample issue n times with renumbered 期, 总第 and dates
(24 issues a year, 1st and 16th of each month), beside a copy of the publication file.
With `small=True` each issue keeps only its first article, cut to two paragraphs, and no brief:
about two pages, so that a test of 100 issues stays quick.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2024" / "12.yaml"
PUBLICATION = ROOT / "issues" / "publication.yaml"
FIRST_YEAR = 2020
FIRST_TOTAL = 600


def numbering(i: int) -> tuple[int, int, int, dt.date]:
    """(year, number, total, date) of the i-th (0-based) generated issue."""
    year, k = FIRST_YEAR + i // 24, i % 24
    return year, k + 1, FIRST_TOTAL + i + 1, dt.date(year, k // 2 + 1, 1 + 15 * (k % 2))


def small_issue_text() -> str:
    """The sample cut to one article of two paragraphs: the text of a valid issue file."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    first = data["columns"][0]
    article = dict(first["articles"][0])
    article["paragraphs"] = article["paragraphs"][:2]
    data["columns"] = [{"name": first["name"], "articles": [article]}]
    data.pop("briefs", None)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def renumber(text: str, number: int, total: int, date: dt.date) -> str:
    for key, value in (("number", number), ("total", total), ("date", date.isoformat())):
        text, n = re.subn(rf"(?m)^{key}:\s*\S+", f"{key}: {value}", text, count=1)
        assert n == 1, f"the sample has no top-level {key}:"
    return text


def make_archive(folder: Path, n: int, *, small: bool = False) -> list[Path]:
    """Write n renumbered issues under folder/YEAR/N.yaml and folder/publication.yaml."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PUBLICATION, folder / "publication.yaml")
    base = small_issue_text() if small else SAMPLE.read_text(encoding="utf-8")
    paths = []
    for i in range(n):
        year, number, total, date = numbering(i)
        path = folder / str(year) / f"{number}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(renumber(base, number, total, date), encoding="utf-8")
        paths.append(path)
    return paths
