"""The structure matrix parser against the page (tests/source_figures.py) and variants of it."""

from __future__ import annotations

import pytest

from pipelines.core.errors import SourceError
from pipelines.landing.plan_landing import matrix_labels
from pipelines.sources.page_text import page_lines
from pipelines.sources.structure_matrix import StructureMatrix, parse_structure_matrix
from tests.source_figures import METHODS

CIRCLED = "①②③④⑤⑥⑦⑧"
LAST_ROW = (
    "Formulated by Government Agencies - ⑥ Projects Formulated by Government Agencies "
    "⑦ Projects Formulated by Government Agencies ⑧ Projects Formulated by Government Agencies"
)


def _parse(text: str) -> StructureMatrix:
    return parse_structure_matrix(page_lines(text, "page.txt"), matrix_labels(), "page.txt")


def _as_figures(matrix: StructureMatrix) -> dict[int, tuple]:
    return {
        m.number: (
            m.account_code,
            m.formulator_code,
            m.description,
            m.starred_notes[0] if m.starred_notes else None,
            m.first_line,
        )
        for m in matrix.methods
    }


def test_the_page_parses_to_the_eight_methods_as_printed(page_text: str) -> None:
    matrix = _parse(page_text)
    assert _as_figures(matrix) == METHODS
    assert [c.account_code for c in matrix.columns] == [
        "local_autonomous",
        "local_support",
        "sejong",
        "jeju",
    ]
    assert matrix.header_line == 79
    assert [m.marker for m in matrix.methods] == list(CIRCLED)
    # ③'s cell spans both local rows (a merged cell of the page's table).
    assert matrix.methods[2].row_labels == (
        "Formulated Autonomously by Local Governments By Cities and Provinces",
        "By Districts, Cities and Provinces",
    )
    assert matrix.methods[3].last_line == 83  # its starred note


def _renumbered(page_text: str, marker) -> str:
    text = page_text
    for number, circled in enumerate(CIRCLED, start=1):
        text = text.replace(circled, marker(number))
    return text


@pytest.mark.parametrize(
    "marker",
    [
        lambda n: f"{n}.",
        lambda n: f"{n}. ",
        lambda n: f"({n})",
        lambda n: f"({n}) ",
        lambda n: f"{n})",
    ],
    ids=["1.", "1. ", "(1)", "(1) ", "1)"],
)
def test_numbers_instead_of_circled_numerals(page_text: str, marker) -> None:
    matrix = _parse(_renumbered(page_text, marker))
    assert _as_figures(matrix) == METHODS
    assert matrix.methods[0].marker == marker(1).strip()


def test_crlf_and_blank_lines_between_matrix_lines(page_text: str) -> None:
    variant = page_text.replace("\n* Including", "\n\n* Including").replace("\n④", "\n\n④")
    assert _as_figures(_parse(variant.replace("\n", "\r\n"))) == {
        number: (*figures[:4], _shifted(figures[4], number)) for number, figures in METHODS.items()
    }


def _shifted(line: int, number: int) -> int:
    # Two blank lines were inserted above line 81 and one more above line 82 (③'s note, ④).
    return line + (0 if line <= 80 else 1 if line == 81 else 2 if line <= 83 else 3)


def test_wrapped_descriptions_notes_and_header(page_text: str) -> None:
    variant = (
        page_text.replace(
            "Special Local Administrative Agencies’ Work",
            "Special Local Administrative\nAgencies’ Work",
        )
        .replace(
            "* Including Infrastructure Projects by Districts,",
            "* Including Infrastructure Projects by\n Districts,",
            1,
        )
        .replace("Local Support Account Sejong Special", "Local Support Account\nSejong Special")
    )
    matrix = _parse(variant)
    assert {n: f[:4] for n, f in _as_figures(matrix).items()} == {
        n: f[:4] for n, f in METHODS.items()
    }
    assert len(matrix.columns) == 4 and matrix.header_line == 80


def test_glued_markers_and_spaces_read_the_same(page_text: str) -> None:
    variant = page_text.replace("Provinces ② Formulated", "Provinces②Formulated").replace(
        "⑥ Projects", "⑥   Projects"
    )
    assert _as_figures(_parse(variant)) == METHODS


def _error(text: str) -> str:
    with pytest.raises(SourceError) as caught:
        _parse(text)
    assert str(caught.value).startswith("page.txt, ")
    return str(caught.value)


def test_an_unknown_row_label_names_its_line_and_the_seed(page_text: str) -> None:
    message = _error(page_text.replace("By Cities and Provinces ①", "By Towns and Provinces ①"))
    assert "line 80" in message and "ref_plan_labels.csv" in message and "By Towns" in message


def test_a_missing_cell_is_reported_with_its_row(page_text: str) -> None:
    message = _error(page_text.replace("⑦ Projects Formulated by Government Agencies ", ""))
    assert "line 86" in message and "4 cells in row 'Formulated by Government Agencies'" in message
    assert "found 3" in message


def test_a_repeated_number_is_reported(page_text: str) -> None:
    message = _error(page_text.replace("⑧ Projects", "⑦ Projects"))
    assert "numbered 1 to 8 without a gap or a repeat" in message and "number 7 twice" in message


def test_a_gap_in_the_numbers_is_reported(page_text: str) -> None:
    variant = page_text.replace(LAST_ROW, LAST_ROW.replace("⑧", "⑨"))
    assert "no number 8" in _error(variant)


def test_no_header_of_account_names(page_text: str) -> None:
    variant = page_text.replace("Local Support Account Sejong", "Local Support Fund Sejong")
    assert "a header line of the structure matrix" in _error(variant)


def test_text_after_a_dash_is_not_a_method(page_text: str) -> None:
    message = _error(page_text.replace("Provinces - ③", "Provinces - none ③"))
    assert "line 80" in message and "'none'" in message
