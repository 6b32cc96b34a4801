"""Generated malformed issue files (600 drawn, ~86% of them refused: the rest happen to be valid) thrown at `check` and `build`: never a traceback, always a
message naming the file, never a PDF (not even a partial one)."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bulletin_print.cli import main
from conftest import make_archive

GOOD = {
    "edition": "普刊", "number": 1, "total": 1, "date": "2024-01-05", "editor": "杨青青",
    "columns": [{"name": "要闻速递", "articles": [
        {"title": ["市人大常委会", "召开会议"], "paragraphs": ["一是聚焦重点，强化监督。内容。", {"text": "第二段。", "lead": False}],
         "attribution": "研究室 张三"}]}],
    "briefs": {"items": [{"text": "摘登一则。"}]},
}
JUNK = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**30), st.floats(allow_nan=True), st.just(""),
                 st.just("   "), st.text(max_size=8), st.lists(st.integers(), max_size=2),
                 st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
                 st.sampled_from(["2024-02-30", "十二", "-1", "月刊", "😀", "\x07", "<script>", "{{ 7*7 }}"]))


def paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from paths(v, prefix + (i,))


ALL_PATHS = [p for p in paths(GOOD) if p]


def at(data, path):
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def malformed(draw) -> str:
    """An issue file with one or more things wrong in it."""
    data = copy.deepcopy(GOOD)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["replace", "delete", "unknown", "text"]))
        path = draw(st.sampled_from(ALL_PATHS))
        try:
            parent = at(data, path)
            if kind == "replace":
                parent[path[-1]] = draw(JUNK)
            elif kind == "delete":
                del parent[path[-1]]
            elif kind == "unknown" and isinstance(parent, dict):
                parent[draw(st.sampled_from(["titel", "paragraph", "numbr", "备注", "x"]))] = draw(JUNK)
        except (KeyError, IndexError, TypeError):
            pass
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if draw(st.booleans()):  # and sometimes the YAML itself is spoiled
        pos = draw(st.integers(0, len(text)))
        junk = draw(st.sampled_from(["[", "]", "{", ": :", "\t", "&a ", "*a", "!!python/object ", "'", '"', "\n  - ", "\x00", "%"]))
        text = text[:pos] + junk + text[pos:]
    return text


@settings(max_examples=600, derandomize=True, deadline=2000, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=malformed())
def test_malformed_issues_never_crash(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        issue = make_archive(root, text, "1.yaml")
        runner = CliRunner()
        checked = runner.invoke(main, ["check", "-q", str(issue)], catch_exceptions=False)
        assert checked.exit_code in (0, 1)
        if checked.exit_code == 0:  # a mutation that happened to leave a valid issue: nothing to refuse
            event("valid after all")
            return
        event("refused")
        assert str(issue) in checked.output
        out = root / "out.pdf"
        built = runner.invoke(main, ["build", str(issue), "-o", str(out)], catch_exceptions=False)
        assert built.exit_code == 1
        assert "未生成 PDF (no PDF written)" in built.output and str(issue) in built.output
        assert not out.exists() and not list(root.glob("*.pdf*")) and not list(root.glob(".out.pdf*"))


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
