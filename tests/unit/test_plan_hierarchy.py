"""The plan hierarchy parser against the page (tests/source_figures.py) and variants of it."""

from __future__ import annotations

import pytest

from pipelines.core.errors import SourceError
from pipelines.sources.page_text import page_lines
from pipelines.sources.plan_hierarchy import parse_count, parse_legal_basis, parse_plan_hierarchy
from tests.source_figures import (
    ACTION_PLANS,
    FIVE_YEAR_PLAN,
    IMPLEMENTATION_PLAN,
    IMPLEMENTATION_TARGET,
    LEGAL_BASIS,
    LEGAL_BASIS_LINE,
    PLAN_COUNTS,
    PLAN_LINE,
    PLAN_PERIOD,
)


def _parse(text: str):
    return parse_plan_hierarchy(page_lines(text, "page.txt"), "page.txt")


def test_the_page_parses_to_the_printed_plan(page_text: str) -> None:
    hierarchy = _parse(page_text)

    plan = hierarchy.five_year_plan
    assert (plan.name, plan.period, plan.heading.first_line) == (
        FIVE_YEAR_PLAN,
        PLAN_PERIOD,
        PLAN_LINE,
    )
    assert {c.label: (c.count, c.item.first_line) for c in plan.counts} == PLAN_COUNTS

    implementation = hierarchy.implementation_plan
    name, cycle, line = IMPLEMENTATION_PLAN
    assert (implementation.name, implementation.cycle, implementation.heading.first_line) == (
        name,
        cycle,
        line,
    )
    (target,) = implementation.counts
    assert (target.label, target.count, target.item.first_line) == IMPLEMENTATION_TARGET
    assert implementation.parent_name == FIVE_YEAR_PLAN

    assert {
        action.name: (action.formulator_label, action.heading.first_line)
        for action in hierarchy.action_plans
    } == ACTION_PLANS
    assert all(action.parent_name == name for action in hierarchy.action_plans)

    basis = hierarchy.legal_basis
    assert (basis.text, basis.line, basis.article) == (LEGAL_BASIS, LEGAL_BASIS_LINE, "Article 4")


def test_crlf_extra_blank_lines_and_other_bullets_parse_the_same(page_text: str) -> None:
    variant = (
        page_text.replace("  • 3 Strategies", "- 3 Strategies")
        .replace("  • 9 Key Tasks", "\n\n* 9 Key Tasks")
        .replace("  • 37 Action Tasks", "· 37 Action Tasks")
        .replace("  • Sectoral", "1. Sectoral")
        .replace("  • Regional", "2. Regional")
        .replace("\n", "\r\n")
    )
    parsed, expected = _parse(variant), _parse(page_text)
    assert [(c.label, c.count) for c in parsed.five_year_plan.counts] == [
        (c.label, c.count) for c in expected.five_year_plan.counts
    ]
    assert [p.name for p in parsed.action_plans] == [p.name for p in expected.action_plans]
    assert parsed.legal_basis.text == LEGAL_BASIS


@pytest.mark.parametrize("period", ["(2018–2022)", "(2018 ~ 2022)", " (2018-2022)"])
def test_period_spellings(page_text: str, period: str) -> None:
    variant = page_text.replace("Plan(2018~2022)", f"Plan{period}")
    assert _parse(variant).five_year_plan.period == PLAN_PERIOD


def test_a_wrapped_legal_basis_sentence_is_read(page_text: str) -> None:
    variant = page_text.replace(
        "in accordance to Article 4 of the", "in accordance to Article 4\n    of the"
    )
    assert _parse(variant).legal_basis.text == LEGAL_BASIS


def _error(text: str) -> str:
    with pytest.raises(SourceError) as caught:
        _parse(text)
    assert str(caught.value).startswith("page.txt, ")
    return str(caught.value)


def test_a_count_in_words_names_its_line(page_text: str) -> None:
    message = _error(page_text.replace("9 Key Tasks", "Nine Key Tasks"))
    assert "line 14" in message and "'Nine Key Tasks'" in message


def test_a_plan_without_its_period_is_reported(page_text: str) -> None:
    message = _error(page_text.replace("Plan(2018~2022)", "Plan"))
    assert "naming a plan and its period" in message


def test_a_missing_target_is_reported(page_text: str) -> None:
    assert "'Target : <count>" in _error(page_text.replace("Target : 334", "Goal : 334"))


def test_the_legal_basis_must_be_cited_once() -> None:
    with pytest.raises(SourceError, match=r"one legal basis of the plan.*found none"):
        parse_legal_basis(page_lines("No basis here.\n", "p.txt"), "p.txt")
    two = "Under Article 4 of the Special Act on X.\n\nUnder Article 5 of the Special Act on X.\n"
    with pytest.raises(SourceError, match=r"line 1: 'Article 4 .*line 3: 'Article 5"):
        parse_legal_basis(page_lines(two, "p.txt"), "p.txt")


@pytest.mark.parametrize(("text", "value"), [("3", 3), ("334", 334), ("1,234", 1234)])
def test_parse_count(text: str, value: int) -> None:
    assert parse_count(text) == value


@pytest.mark.parametrize("text", ["3.5", "1,23", "３", "-3", ""])
def test_parse_count_rejects_other_numbers(text: str) -> None:
    with pytest.raises(ValueError):
        parse_count(text)
