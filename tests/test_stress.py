"""The stress corpus (tests/stress/): issues written like real bulletins that nobody tuned the layout
to (other publications' names, long titles given as one string, a 目录 of 20 entries, rare
characters and symbols in every role, Latin and numbers, paragraphs whose natural break leaves one
character). Each must build, and its PDF must measure as the sample does with the reviewers' tool
(tests/pdfcheck.py, text block 156 mm): on the grid, justified, to the clreq rules, nothing outside
the text block or printed over anything else, no 孤字, every text of the YAML there in order; no
title broken inside a word as jieba segments it, no number or range broken across two lines.

The corpus is built once, in this process, through the pipeline `build FILE` uses
(tests/stress/measure.py prints the same measurements as a table).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin_print import load
from stress.measure import EXAMPLES, ZERO_KEYS, Built, build_in_process, case_name, cases, report

CASES = {case_name(issue): issue for issue in cases()}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Built, dict]]:
    """Every corpus issue built to a PDF and measured: {case: (build, measurements)}."""
    out = tmp_path_factory.mktemp("stress")
    built = {name: build_in_process(issue, out / f"{name}.pdf") for name, issue in CASES.items()}
    return {name: (b, report(b, out)) for name, b in built.items()}


def measured(corpus: dict[str, tuple[Built, dict]], case: str) -> dict:
    built, m = corpus[case]
    assert built.ok, "build refused:\n" + "\n".join(built.messages)
    return m


@pytest.mark.parametrize("case", CASES)
def test_every_issue_builds(corpus: dict, case: str) -> None:
    built, _ = corpus[case]
    assert built.ok, "\n".join(built.messages)


@pytest.mark.parametrize("key", ZERO_KEYS)
@pytest.mark.parametrize("case", CASES)
def test_the_pdf_has_no_faulty_line(corpus: dict, case: str, key: str) -> None:
    m = measured(corpus, case)
    assert m[key] == 0, m.get(EXAMPLES[key]) or f"pitch {m['line_pitch_pt']} pt"


@pytest.mark.parametrize("case", CASES)
def test_a_page_holds_at_most_22_body_lines(corpus: dict, case: str) -> None:
    assert measured(corpus, case)["max_body_lines_per_page"] <= 22


@pytest.mark.parametrize("case", CASES)
def test_every_text_of_the_yaml_is_in_the_pdf_in_order(corpus: dict, case: str) -> None:
    fidelity = measured(corpus, case)["fidelity"]
    assert fidelity["found_in_order"] == fidelity["blocks"], fidelity["missing"]


@pytest.mark.parametrize("case", CASES)
def test_no_title_line_breaks_inside_a_word(corpus: dict, case: str) -> None:
    m = measured(corpus, case)
    assert len(m["titles"]) == len(load.load_issue(CASES[case]).articles)
    assert m["title_words_split"] == []


@pytest.mark.parametrize("case", CASES)
def test_no_number_or_range_is_split_across_lines(corpus: dict, case: str) -> None:
    assert measured(corpus, case)["numbers_split"] == []


SYMBOLS = ("‱‰℃№" + "".join(map(chr, range(0x2460, 0x2474))) + "".join(map(chr, range(0x2474, 0x2488)))
           + "".join(map(chr, range(0x2160, 0x216C))) + "㎡㎞≥≤±×÷≠≈∶→★☆●○■□◆◇▲△※§¥€°")
RARE = "槃滆蹚勠喆堃玥昇珺犇龑䶮𬌗𬘘𫖮赟燚翀"


def test_the_corpus_covers_what_it_is_meant_to() -> None:
    """The corpus stays the stress it claims to be: 刊名 of 2 to 12 characters, 栏目 of 2 to 8,
    titles of 10 to 60 given both ways, a 目录 of 20 entries, every symbol and rare character."""
    issues = [load.load_issue(issue) for issue in CASES.values()]
    assert {2, 4, 6, 7, 9, 12} <= {len(i.title) for i in issues}
    assert max(len(i.compiler) for i in issues) == 20
    assert set(range(2, 9)) <= {len(c.name) for i in issues for c in i.columns}
    titles = [a for i in issues for a in i.articles]
    assert min(len(a.title_text) for a in titles) == 10 and max(len(a.title_text) for a in titles) >= 60
    assert any(not a.lines_given and len(a.title_text) > 40 for a in titles)
    assert any(a.lines_given and len(a.title) == 1 and len(a.title[0]) > 20 for a in titles)
    assert max(len(i.articles) + bool(i.briefs) for i in issues) == 20
    text = "".join(Path(issue).read_text(encoding="utf-8") for issue in CASES.values())
    assert set(SYMBOLS + RARE) <= set(text)
