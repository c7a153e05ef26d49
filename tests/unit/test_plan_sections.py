"""Funding scope, project areas and budget-change notes against the page and variants of it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipelines.core.errors import SourceError
from pipelines.sources.page_text import page_lines
from pipelines.sources.plan_sections import (
    FUNDING_SOURCE,
    INCLUDED_PROJECT_KIND,
    parse_budget_change_notes,
    parse_funding_scope,
    parse_project_areas,
)
from tests.source_figures import (
    BUDGET_CHANGE_NOTES,
    FUNDING_LINE,
    FUNDING_SOURCES,
    INCLUDED_PROJECT_KINDS,
    PROJECT_AREAS,
    PROJECT_AREAS_FIRST_LINE,
)

FILE = "page.txt"


def _lines(text: str) -> list[str]:
    return page_lines(text, FILE)


def test_project_areas_are_the_pages_eleven_in_order(page_text: str) -> None:
    areas = parse_project_areas(_lines(page_text), FILE)
    assert tuple(area.text for area in areas) == PROJECT_AREAS
    assert [area.first_line for area in areas] == list(
        range(PROJECT_AREAS_FIRST_LINE, PROJECT_AREAS_FIRST_LINE + 11)
    )


@pytest.mark.parametrize("bullet", ["•", "·", "-", "*", "▪"])
def test_project_areas_with_other_bullets_crlf_and_blank_lines(page_text: str, bullet: str) -> None:
    variant = page_text.replace("  • Matters", f"\n{bullet} Matters").replace("\n", "\r\n")
    assert tuple(a.text for a in parse_project_areas(_lines(variant), FILE)) == PROJECT_AREAS


def test_numbered_project_areas(page_text: str) -> None:
    variant = page_text
    for number in range(1, 12):
        variant = variant.replace("  • Matters", f"{number}. Matters", 1)
    assert tuple(a.text for a in parse_project_areas(_lines(variant), FILE)) == PROJECT_AREAS


def test_a_wrapped_project_area_is_one_area_with_both_lines(page_text: str) -> None:
    variant = page_text.replace(
        "regional industries and job creation", "regional industries\n    and job creation"
    )
    areas = parse_project_areas(_lines(variant), FILE)
    assert tuple(a.text for a in areas) == PROJECT_AREAS
    assert (areas[1].first_line, areas[1].last_line) == (29, 30)


def test_funding_scope_is_the_sentence_in_order(page_text: str) -> None:
    items = parse_funding_scope(_lines(page_text), FILE)
    assert [(i.label, i.scope_kind) for i in items] == [
        *((label, FUNDING_SOURCE) for label in FUNDING_SOURCES),
        *((label, INCLUDED_PROJECT_KIND) for label in INCLUDED_PROJECT_KINDS),
    ]
    assert {i.sentence.first_line for i in items} == {FUNDING_LINE}


def test_a_wrapped_funding_sentence_reads_the_same(page_text: str) -> None:
    variant = page_text.replace(
        "other special accounts and funds)", "other special\naccounts and funds)"
    )
    assert [i.label for i in parse_funding_scope(_lines(variant), FILE)] == [
        *FUNDING_SOURCES,
        *INCLUDED_PROJECT_KINDS,
    ]


def test_a_missing_funding_sentence_is_reported(page_text: str) -> None:
    variant = page_text.replace("and they also include", "including")
    with pytest.raises(SourceError, match="whole file: expected one sentence"):
        parse_funding_scope(_lines(variant), FILE)


def test_budget_change_notes_are_the_four_statements(page_text: str) -> None:
    notes = parse_budget_change_notes(_lines(page_text), FILE)
    assert {
        n.note_order: (n.direction_label, n.subject_label, n.item.first_line) for n in notes
    } == {k: (d, s, line) for k, (d, s, _, _, line) in BUDGET_CHANGE_NOTES.items()}
    amount = notes[3].amount
    assert amount is not None
    assert (amount.text, amount.value, amount.unit_label) == (
        "KRW 3.5 trillion",
        Decimal("3.5"),
        "KRW trillion",
    )
    assert all(note.amount is None for note in notes[:3])


def test_other_amount_spellings(page_text: str) -> None:
    variant = page_text.replace("KRW 3.5 trillion", "KRW 350 billion")
    amount = parse_budget_change_notes(_lines(variant), FILE)[3].amount
    assert amount is not None and (amount.value, amount.unit_label) == (350, "KRW billion")


def test_a_statement_without_its_account_names_its_line(page_text: str) -> None:
    variant = page_text.replace("Increase in Support Accounts:", "Support Accounts grew:")
    with pytest.raises(
        SourceError, match=r"line 66: expected a statement '<Increase\|Decrease> in"
    ):
        parse_budget_change_notes(_lines(variant), FILE)


def test_two_amounts_in_a_statement_are_reported(page_text: str) -> None:
    variant = page_text.replace("worth of autonomous", "worth (KRW 2 trillion) of autonomous")
    with pytest.raises(SourceError, match="line 69: expected at most one amount"):
        parse_budget_change_notes(_lines(variant), FILE)
