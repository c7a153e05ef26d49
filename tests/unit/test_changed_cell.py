"""Which figure of the page makes a total fail: the cell an analyst should look at first.

The page's 2018 column, as typed from the page (tests/source_figures.py), with one figure
changed at a time, the way a tester changes the file.
"""

from __future__ import annotations

from typing import Any

import pytest

from pipelines.reports.changed_cell import Previous, leaf_key, locate, place, row_cell, total_key
from tests.source_figures import PAGE_FILE, ROWS, YEARS

YEAR = 2018
AT = YEARS.index(YEAR)
PARENTS = {
    "bnd_special_account": None,
    "local_support": "bnd_special_account",
    "local_autonomous": "bnd_special_account",
    "sejong": "bnd_special_account",
    "jeju": "bnd_special_account",
}
LEAF_ROWS = {  # label as printed → (account, level)
    "Local Support Account": ("local_support", "account_whole"),
    "By Cities and Provinces": ("local_autonomous", "city_province"),
    "By Si, Gun, Gu(Lower level local government)": ("local_autonomous", "si_gun_gu"),
    "Sejong Special Self-Governing City Account": ("sejong", "account_whole"),
    "Jeju Special Self-Governing Province Account": ("jeju", "account_whole"),
}


def cells(changes: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """The 2018 leaf figures of the page, ``changes`` (label → new amount) applied."""
    found = []
    for label, (account, level) in LEAF_ROWS.items():
        line, amounts = ROWS[label]
        found.append(
            {
                "source_file": PAGE_FILE,
                "phase": "enacted",
                "fiscal_year": YEAR,
                "account_code": account,
                "level_code": level,
                "source_locator": f"{PAGE_FILE}:{line} [{YEAR}]",
                "line": line,
                "label": label,
                "amount": (changes or {}).get(label, amounts[AT]),
            }
        )
    return found


def total_row(leaves: list[dict[str, Any]], account: str = "bnd_special_account",
              label: str = "Total", printed: int | None = None) -> dict[str, Any]:  # fmt: skip
    """The audit row of a printed total (expected = printed, actual = the sum of its parts)."""
    line, amounts = ROWS[label]
    below = {account} | {child for child, parent in PARENTS.items() if parent == account}
    summed = sum(cell["amount"] for cell in leaves if cell["account_code"] in below)
    printed = amounts[AT] if printed is None else printed
    return {
        "source_file": PAGE_FILE,
        "phase": "enacted",
        "fiscal_year": YEAR,
        "account_code": account,
        "total_kind": "total" if account == "bnd_special_account" else "subtotal",
        "source_locator": f"{PAGE_FILE}:{line} [{YEAR}]",
        "expected_krw_million": printed,
        "actual_krw_million": summed,
        "status": "EXACT" if summed == printed else "MISMATCH",
    }


def reconciliation(leaves: list[dict[str, Any]], total: int | None = None) -> list[dict]:
    return [
        total_row(leaves, printed=total),
        total_row(leaves, "local_autonomous", "Local Autonomous Account Sub-total"),
    ]


def published() -> Previous:
    """The published build: the page as it is."""
    leaves = cells()
    return Previous(
        leaves={leaf_key(cell): cell["amount"] for cell in leaves},
        totals={total_key(row): row["expected_krw_million"] for row in reconciliation(leaves)},
    )


LOCAL_SUPPORT = ROWS["Local Support Account"][1][AT]


def test_a_part_changed_since_the_published_build_is_named_with_its_line_and_figures() -> None:
    leaves = cells({"Local Support Account": LOCAL_SUPPORT + 1_000})
    rows = reconciliation(leaves)

    found = locate(rows[0], leaves, PARENTS, rows, previous=published())

    assert found["basis"] == "published"
    cell = found["cell"]
    assert (cell["source_locator"], cell["line"], cell["label"]) == (
        f"{PAGE_FILE}:55 [2018]",
        55,
        "Local Support Account",
    )
    assert (cell["printed"], cell["expected"], cell["difference"]) == (
        LOCAL_SUPPORT + 1_000,
        LOCAL_SUPPORT,
        1_000,
    )
    assert found["total"]["line"] == 54 and found["total"]["difference"] == 1_000
    # The Local Autonomous Account's levels add up to its sub-total: never candidates.
    assert {part["account_code"] for part in found["candidates"]} == {
        "local_support",
        "sejong",
        "jeju",
    }


def test_a_changed_printed_total_is_named_itself() -> None:
    total = ROWS["Total"][1][AT]
    leaves = cells()
    rows = reconciliation(leaves, total=total + 1_000)

    found = locate(rows[0], leaves, PARENTS, rows, previous=published())

    assert found["basis"] == "total_changed"
    cell = found["cell"]
    assert (cell["line"], cell["printed"], cell["expected"], cell["difference"]) == (
        54,
        total + 1_000,
        total,
        1_000,
    )


def test_without_a_published_build_it_says_one_of_its_parts_and_lists_them() -> None:
    leaves = cells({"Sejong Special Self-Governing City Account": 100_428 - 5})
    rows = reconciliation(leaves)

    found = locate(rows[0], leaves, PARENTS, rows, previous=None)

    assert (found["basis"], found["cell"], found["why"]) == ("undetermined", None, "no_published")
    assert [part["line"] for part in found["candidates"]] == [55, 59, 60]


def test_several_changed_parts_are_not_guessed_at() -> None:
    leaves = cells({"Local Support Account": LOCAL_SUPPORT + 600, "Jeju Special "
                    "Self-Governing Province Account": 321_852 + 400})  # fmt: skip
    rows = reconciliation(leaves)

    found = locate(rows[0], leaves, PARENTS, rows, previous=published())

    assert (found["basis"], found["why"]) == ("undetermined", "several_changed")


def test_a_part_that_changed_by_less_than_the_difference_is_named_as_partial() -> None:
    leaves = cells({"Local Support Account": LOCAL_SUPPORT + 1_000})
    rows = reconciliation(leaves)
    was = published()
    was.leaves[leaf_key(leaves[0])] = LOCAL_SUPPORT + 400  # the published build had another

    found = locate(rows[0], leaves, PARENTS, rows, previous=was)

    assert found["basis"] == "published_partial"
    assert found["change"] == 600 and found["cell"]["expected"] == LOCAL_SUPPORT


def test_the_one_part_not_vouched_for_by_a_sub_total_is_the_one() -> None:
    # A page of two accounts: Local Support, and Local Autonomous with its sub-total.
    parents = {key: value for key, value in PARENTS.items() if key not in ("sejong", "jeju")}

    def kept(leaves: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [cell for cell in leaves if cell["account_code"] in parents]

    leaves = kept(cells({"Local Support Account": LOCAL_SUPPORT - 7}))
    printed = sum(cell["amount"] for cell in kept(cells()))
    rows = reconciliation(leaves, total=printed)

    found = locate(rows[0], leaves, parents, rows, previous=None)

    assert found["basis"] == "only_candidate"
    assert (found["cell"]["line"], found["cell"]["difference"]) == (55, -7)


def test_a_part_whose_own_comparison_fails_is_the_one() -> None:
    leaves = cells({"Jeju Special Self-Governing Province Account": 321_852 + 50})
    rows = reconciliation(leaves)
    jeju = leaf_key(leaves[-1])

    found = locate(rows[0], leaves, PARENTS, rows, {jeju: ["Jeju against the Jeju report"]})

    assert found["basis"] == "own_check"
    assert (found["cell"]["line"], found["cell"]["difference"]) == (60, 50)
    assert found["own_checks"] == ["Jeju against the Jeju report"]


def test_a_broken_sub_total_looks_among_its_own_levels_only() -> None:
    leaves = cells({"By Cities and Provinces": 3_530_440 + 1_000})
    rows = reconciliation(leaves)
    subtotal = rows[1]
    assert subtotal["status"] == "MISMATCH"

    found = locate(subtotal, leaves, PARENTS, rows, previous=published())

    assert found["basis"] == "published"
    assert (found["cell"]["line"], found["cell"]["level_code"]) == (57, "city_province")
    assert {part["line"] for part in found["candidates"]} == {57, 58}


def test_a_figure_against_its_lines_names_the_figure_and_the_other_side() -> None:
    row = {
        "fiscal_year": 2020,
        "account_code": "local_support",
        "level_code": "account_whole",
        "phase": "enacted",
        "source_file": PAGE_FILE,
        "source_locator": f"{PAGE_FILE}:55 [2020]",
        "line_files": "budget_lines/2020/detail.json",
        "expected_krw_million": 6_613_132,
        "actual_krw_million": 6_679_263.32,
    }

    found = row_cell(row, {f"{PAGE_FILE}:55 [2020]": {"label": "Local Support Account"}})

    assert found is not None and found["basis"] == "row"
    assert found["cell"]["line"] == 55 and found["cell"]["label"] == "Local Support Account"
    assert found["other_where"] == "budget_lines/2020/detail.json"
    assert found["cell"]["difference"] == pytest.approx(6_613_132 - 6_679_263.32)


@pytest.mark.parametrize(
    ("locator", "expected"),
    [
        (f"{PAGE_FILE}:55 [2018]", {"file": PAGE_FILE, "line": 55, "column": "2018"}),
        ("cited_account_figures.csv:13", {
            "file": "cited_account_figures.csv", "line": 13, "column": None}),
        ("budget lines: a.csv", {"file": "budget lines: a.csv", "line": None, "column": None}),
    ],
)  # fmt: skip
def test_a_locator_gives_file_line_and_column(locator: str, expected: dict) -> None:
    assert place(locator) == expected
