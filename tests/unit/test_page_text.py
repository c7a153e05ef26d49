"""Lines, bullets, lists and paragraphs: the variants a copied page comes in read the same."""

from __future__ import annotations

import re

import pytest

from pipelines.core.errors import SourceError
from pipelines.sources.page_text import (
    TextItem,
    bullet_list,
    bullet_text,
    find_heading,
    page_lines,
    paragraphs,
)


@pytest.mark.parametrize(
    "line",
    [
        "  • Item one",
        "· Item one",
        "- Item one",
        "* Item one",
        "1. Item one",
        "(1) Item one",
        "① Item one",
        "•Item one",
        "\tItem one".replace("\t", "‣ "),
    ],
)
def test_bullet_characters_and_numbers_start_items(line: str) -> None:
    assert bullet_text(line) == "Item one"


@pytest.mark.parametrize("line", ["3 Strategies", "-1,000 won", "*note", "3.5 trillion", "Heading"])
def test_other_lines_are_not_items(line: str) -> None:
    assert bullet_text(line) is None


def test_a_list_survives_crlf_blank_lines_and_wrapped_items() -> None:
    text = (
        "Areas\r\n\r\n  • First area\r\n\r\n\r\n"
        "  • Second area, wrapped\r\n    onto a line\r\n\r\nNext"
    )
    lines = page_lines(text, "f.txt")
    assert bullet_list(lines, 0, "f.txt", "areas") == [
        TextItem("First area", 3, 3),
        TextItem("Second area, wrapped onto a line", 6, 7),
    ]


def test_a_list_that_is_not_there_names_the_line() -> None:
    lines = page_lines("Areas\n\nSome prose\n", "f.txt")
    with pytest.raises(SourceError, match=r"f\.txt, line 3: expected a bulleted list of areas"):
        bullet_list(lines, 0, "f.txt", "areas")


def test_headings_are_found_once_and_never_in_items() -> None:
    lines = page_lines("• Project Areas\nProject  Areas\n", "f.txt")
    assert find_heading(lines, re.compile("Project Areas"), "f.txt", "'Project Areas'") == 1
    with pytest.raises(SourceError, match="lines 1, 2: expected one heading"):
        find_heading(page_lines("A\nA\n", "f.txt"), re.compile("A"), "f.txt", "'A'")


def test_paragraphs_join_wrapped_prose() -> None:
    lines = page_lines("One\ntwo\n\nThree\n", "f.txt")
    assert paragraphs(lines) == [TextItem("One two", 1, 2), TextItem("Three", 4, 4)]


def test_a_nul_byte_is_rejected_with_its_line() -> None:
    with pytest.raises(SourceError, match="line 2: expected text, found a NUL byte"):
        page_lines("ok\nb\x00d", "f.txt")
