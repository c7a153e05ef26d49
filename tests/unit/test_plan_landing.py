"""Plan documents of a registered page: labels resolved through the seeds, counts checked against
the registry, and every failure naming the file, the lines and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.core.errors import SourceError
from pipelines.landing.plan_landing import parse_plan_source
from tests.helpers import page_entry, replace_in_page, replace_in_registry
from tests.source_figures import BUDGET_CHANGE_NOTES, METHODS, PAGE_FILE, PROJECT_AREAS


def _parse(raw_dir: Path):
    source = page_entry(raw_dir)
    return parse_plan_source(source)


def _error(raw_dir: Path) -> str:
    with pytest.raises(SourceError) as caught:
        _parse(raw_dir)
    message = str(caught.value)
    assert message.startswith(str(raw_dir / PAGE_FILE) + ", ")
    return message


def test_the_page_lands_with_codes_and_provenance(raw_copy: Path) -> None:
    rows = _parse(raw_copy).rows

    plans = {row["plan_kind"]: row for row in rows["plans"]}
    assert (
        plans["implementation_plan"]["parent_plan_order"] == plans["five_year_plan"]["plan_order"]
    )
    assert plans["sectoral_action_plans"]["formulator_code"] == "government_agencies"
    assert plans["regional_action_plans"]["formulator_code"] == "city_province"
    components = {row["component_code"]: row["declared_count"] for row in rows["plan_components"]}
    assert components == {"strategy": 3, "key_task": 9, "action_task": 37, "target_task": 334}

    areas = rows["project_areas"]
    assert tuple(row["area_text"] for row in areas) == PROJECT_AREAS
    assert len({row["project_area_code"] for row in areas}) == 11
    assert {
        row["method_number"]: (row["account_code"], row["formulator_code"])
        for row in rows["formulation_methods"]
    } == {number: figures[:2] for number, figures in METHODS.items()}
    assert {row["note_order"]: row["account_code"] for row in rows["budget_change_notes"]} == {
        number: figures[2] for number, figures in BUDGET_CHANGE_NOTES.items()
    }
    special = [row for row in rows["funding_scope_items"] if row["account_code"]]
    assert [(row["scope_code"], row["account_code"]) for row in special] == [
        ("bnd_special_account", "bnd_special_account")
    ]
    assert {
        row["list_name"]: (row["declared_count"], row["parsed_count"])
        for row in rows["plan_declared_counts"]
    } == {
        "project_areas": (11, 11),
        "funding_scope_items": (7, 7),
        "formulation_methods": (8, 8),
        "budget_change_notes": (4, 4),
    }
    assert {row["source_file"] for table in rows.values() for row in table} == {PAGE_FILE}


def test_a_deleted_project_area_names_the_declared_and_parsed_counts(raw_copy: Path) -> None:
    replace_in_page(raw_copy, f"  • {PROJECT_AREAS[3]}\n", "")
    message = _error(raw_copy)
    assert "lines 28–37: expected 11 project areas as declared in" in message
    assert "(plan_documents.declared_counts.project_areas), found 10 in the page's list" in message


def test_an_extra_budget_change_note_is_counted(raw_copy: Path) -> None:
    note = "  • Decrease in Autonomous Accounts: Transfer of KRW 3.5 trillion"
    replace_in_page(raw_copy, note, f"  • Increase in Support Accounts: More.\n{note}")
    message = _error(raw_copy)
    assert "expected 4 budget-change notes" in message and "found 5" in message


def test_a_new_wording_of_a_project_area_says_where_to_add_it(raw_copy: Path) -> None:
    replace_in_page(raw_copy, "promoting science and technology", "promoting science")
    message = _error(raw_copy)
    assert (
        "line 31: expected a project area listed in dbt_project/seeds/ref_plan_labels.csv"
        in message
    )
    assert "label_kind project_area" in message
    assert "'Matters relating to promoting science in the region'" in message


def test_a_note_on_an_unknown_account(raw_copy: Path) -> None:
    replace_in_page(raw_copy, "Increase in Support Accounts:", "Increase in Mystery Accounts:")
    message = _error(raw_copy)
    assert "line 66: expected the account the change concerns" in message
    assert "'Mystery Accounts'" in message


def test_an_area_listed_twice_is_named_with_both_lines(raw_copy: Path) -> None:
    replace_in_page(raw_copy, f"  • {PROJECT_AREAS[1]}", f"  • {PROJECT_AREAS[0]}")
    message = _error(raw_copy)
    assert "line 29: expected each project area once" in message and "on line 28" in message


def test_a_registry_declaring_another_count_stops_the_run(raw_copy: Path) -> None:
    replace_in_registry(raw_copy, "count: 8", "count: 9")
    message = _error(raw_copy)
    assert "lines 79–86: expected 9 formulation methods as declared in" in message
    assert "found 8" in message


def test_the_target_must_name_a_plan_above_it(raw_copy: Path) -> None:
    replace_in_page(
        raw_copy, "Tasks for the 「Five-Year", "Tasks for the 「Regional Action Plans」 「Five-Year"
    )
    message = _error(raw_copy)
    assert "line 17" in message
