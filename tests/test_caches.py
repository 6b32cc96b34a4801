"""Caches that cannot hurt (issue 15): sha256.json, numbering.json and the output folder's
.bulletin-print-cache.json holding valid JSON of the wrong shape are ignored and rebuilt, never a
traceback; a stale or forged numbering entry cannot refuse a valid issue."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from conftest import SAMPLE, make_archive
from containers import command, finished


# --- caches that cannot hurt ----------------------------------------------------------------------

@pytest.fixture
def stores(tmp_path: Path, monkeypatch) -> Path:
    """finish's hash store and check's numbering store in a fresh folder, nothing remembered."""
    from bulletin_print import ledger, manifest

    folder = tmp_path / "cache"
    monkeypatch.setattr(manifest, "HASH_STORE", folder / "sha256.json")
    monkeypatch.setattr(ledger, "NUMBERING_STORE", folder / "numbering.json")
    manifest._stored_hashes.cache_clear()
    manifest._sha256_of.cache_clear()
    yield folder
    manifest._stored_hashes.cache_clear()
    manifest._sha256_of.cache_clear()


WRONG_SHAPES = ["x", 5, -1, 10**30, 1.5, None, True, [], [1], [1, 2], ["a", "b", "c"], {"a": 1},
                [-1, -2, "f" * 64], ["2024", 12, 700, "2024-08-16"]]


@pytest.mark.parametrize("shape", WRONG_SHAPES, ids=repr)
def test_a_hash_store_entry_of_the_wrong_shape_is_ignored(shape, stores: Path, tmp_path: Path) -> None:
    from bulletin_print import manifest

    font = tmp_path / "font.otf"
    font.write_bytes(b"f" * manifest.STORED_FROM)
    st = font.stat()
    entry = shape if not isinstance(shape, list) or len(shape) != 1 else [st.st_mtime_ns, st.st_size, shape[0]]
    manifest.HASH_STORE.parent.mkdir()
    manifest.HASH_STORE.write_text(json.dumps({str(font.resolve()): entry}))
    assert manifest.file_sha256(font) == hashlib.sha256(font.read_bytes()).hexdigest()
    assert json.loads(manifest.HASH_STORE.read_text())[str(font.resolve())][2] == manifest.file_sha256(font)


@pytest.mark.parametrize("store", [[], "x", {"code": 5}, {"entries": []}, {"entries": "x"}], ids=repr)
def test_a_store_of_the_wrong_shape_is_an_empty_one(store, stores: Path, tmp_path: Path) -> None:
    from bulletin_print import check, ledger, manifest

    archive = make_archive(tmp_path / "issues").parents[1]
    stores.mkdir()
    for path in (manifest.HASH_STORE, ledger.NUMBERING_STORE):
        path.write_text(json.dumps(store))
    assert check.errors(check.check_paths([archive / "2024" / "12.yaml"], fonts=False, lint=False)) == []


def numbering_store_after_one_check(archive: Path) -> tuple[Path, dict]:
    from bulletin_print import check, ledger

    target = archive / "2024" / "14.yaml"
    assert check.errors(check.check_paths([target], fonts=False, lint=False)) == []
    return target, json.loads(ledger.NUMBERING_STORE.read_text())


@pytest.fixture
def three_issues(tmp_path: Path) -> Path:
    archive = make_archive(tmp_path / "issues").parents[1]
    text = SAMPLE.read_text(encoding="utf-8")
    for n, total, date in ((13, 701, "2024-08-30"), (14, 702, "2024-09-13")):
        (archive / "2024" / f"{n}.yaml").write_text(
            text.replace("number: 12", f"number: {n}").replace("total: 700", f"total: {total}")
            .replace("date: 2024-08-16", f"date: {date}"), encoding="utf-8")
    return archive


BAD_ENTRIES = ["x", 12, -3, 10**40, [], ["普刊"], ["普刊", 13, 701], ["普刊", "13", 701, "2024-08-30"],
               ["普刊", -13, 701, "2024-08-30"], ["普刊", 13, 10**40, "2024-08-30"], ["普刊", 13, 701, "2024-13-45"],
               ["普刊", 13, 701, "yesterday"], ["普刊", 13, 701, 20240830], [None, 13, 701, "2024-08-30"],
               ["普刊", True, 701, "2024-08-30"], {"edition": "普刊"}]


@pytest.mark.parametrize("bad", BAD_ENTRIES, ids=repr)
def test_a_numbering_entry_of_the_wrong_shape_is_ignored_and_rebuilt(bad, stores: Path, three_issues: Path) -> None:
    from bulletin_print import check, ledger

    target, store = numbering_store_after_one_check(three_issues)
    store["entries"] = {key: bad for key in store["entries"]}
    ledger.NUMBERING_STORE.write_text(json.dumps(store))
    assert check.errors(check.check_paths([target], fonts=False, lint=False)) == []
    rebuilt = json.loads(ledger.NUMBERING_STORE.read_text())["entries"]
    assert sorted(rebuilt.values()) == [["普刊", 12, 700, "2024-08-16"], ["普刊", 13, 701, "2024-08-30"]]


def test_a_forged_numbering_entry_cannot_refuse_a_valid_issue(stores: Path, three_issues: Path) -> None:
    """An entry of the right shape saying 2024/13.yaml is dated 2099: the ledger would find 14
    going backwards; the store is never trusted to refuse, so the archive is read afresh."""
    from bulletin_print import check, ledger

    target, store = numbering_store_after_one_check(three_issues)
    store["entries"] = {key: entry if entry[1] != 13 else ["普刊", 13, 701, "2099-01-01"]
                        for key, entry in store["entries"].items()}
    ledger.NUMBERING_STORE.write_text(json.dumps(store))
    assert check.errors(check.check_paths([target], fonts=False, lint=False)) == []
    assert ["普刊", 13, 701, "2024-08-30"] in json.loads(ledger.NUMBERING_STORE.read_text())["entries"].values()


def test_a_numbering_entry_stands_for_one_path(stores: Path, three_issues: Path) -> None:
    """The same bytes at another path are another entry: what the store says of one file is
    never taken for another."""
    from bulletin_print import check, ledger

    _, store = numbering_store_after_one_check(three_issues)
    copy = three_issues.parent / "copy"
    shutil.copytree(three_issues, copy)
    assert check.errors(check.check_paths([copy / "2024" / "14.yaml"], fonts=False, lint=False)) == []
    assert len(json.loads(ledger.NUMBERING_STORE.read_text())["entries"]) == 2 * len(store["entries"])


BUILD_CACHES = [[], "x", {"2020-1.pdf": "x"}, {"2020-1.pdf": 5}, {"2020-1.pdf": [1, 2]}, {"2020-1.pdf": {"key": 5}},
                {"2020-1.pdf": {"key": "k" * 64, "pages": -1, "stat": [1, 2]}},
                {"2020-1.pdf": {"key": "k" * 64, "pages": 2, "stat": [-1, 2]}},
                {"2020-1.pdf": {"key": "k" * 64, "pages": 2, "stat": "big"}},
                {"2020-1.pdf": {"key": "k" * 64, "pages": 10**40, "stat": [1, 2]}}]


@pytest.mark.parametrize("cache", BUILD_CACHES, ids=repr)
def test_a_build_cache_entry_of_the_wrong_shape_is_dropped(cache, tmp_path: Path) -> None:
    from bulletin_print import archive

    (tmp_path / archive.CACHE_FILE).write_text(json.dumps(cache))
    assert archive.load_cache(tmp_path) == {}


def test_a_folder_build_with_a_cache_of_the_wrong_shape_builds_and_mends_it(small_archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    out.mkdir()
    (out / ".bulletin-print-cache.json").write_text(json.dumps({"2020-1.pdf": "x", "2020-2.pdf": [1, 2, 3]}))
    code, said = finished(command("build", small_archive, "-o", out, "--jobs", "2"))
    assert code == 0 and "2 期已生成 (built), 0 期未变 (current), 0 期失败 (failed)" in said, said
    cache = json.loads((out / ".bulletin-print-cache.json").read_text())
    assert sorted(cache) == ["2020-1.pdf", "2020-2.pdf"] and all(len(e["key"]) == 64 for e in cache.values())
