"""What changed and why, and marts that cannot be added up wrongly, in the published warehouse.

`fct_budget_change` against year-on-year changes derived here from the page's figures
(``tests.source_figures``), never from the code under test; the budget-change notes' links to the
years they may explain, each with its basis; the history mart's rows of the whole account apart
from its accounts; the account's eras without overlapping years; and one meaning, name and type
for every mart's precision.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

from tests.integration.conftest import Build
from tests.source_figures import (
    BUDGET_CHANGE_NOTES,
    LEAVES,
    PAGE_FILE,
    ROWS,
    TOTALS,
    YEARS,
)

# The tolerance the bridge states for a link by size (its dbt variable's default).
SIZE_TOLERANCE = Decimal("0.1")


@pytest.fixture(scope="module")
def con(published_build: Build) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(published_build.settings.published_db), read_only=True) as connection:
        yield connection


def year_on_year(amounts: tuple[int, ...]) -> dict[int, tuple[int, int, int, int, Decimal]]:
    """year → (previous year, previous, current, change, % change to 2 decimals, half up)."""
    changes = {}
    for index in range(1, len(YEARS)):
        previous, current = amounts[index - 1], amounts[index]
        percent = (Decimal(100) * (current - previous) / previous).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
        changes[YEARS[index]] = (YEARS[index - 1], previous, current, current - previous, percent)
    return changes


# The page's figure of each account as a whole: its one line, or its sub-total (Local
# Autonomous), and the special account's Total.
WHOLE_ACCOUNTS = {
    "local_support": LEAVES[("local_support", "account_whole")],
    "local_autonomous": TOTALS["local_autonomous"],
    "sejong": LEAVES[("sejong", "account_whole")],
    "jeju": LEAVES[("jeju", "account_whole")],
    "bnd_special_account": TOTALS["bnd_special_account"],
}


def test_every_leaf_changes_as_the_page_s_figures_do(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        """select account_code, level_code, fiscal_year, previous_fiscal_year,
                  previous_amount_krw_million, current_amount_krw_million, change_krw_million,
                  change_pct
           from marts.fct_budget_change where not is_account_total"""
    ).fetchall()
    found = {(account, level, year): tuple(rest) for account, level, year, *rest in rows}
    expected = {
        (account, level, year): change
        for (account, level), amounts in LEAVES.items()
        for year, change in year_on_year(amounts).items()
    }
    assert found == expected


def test_accounts_with_levels_and_the_special_account_have_a_row_as_a_whole(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = con.execute(
        """select account_code, fiscal_year, previous_fiscal_year, previous_amount_krw_million,
                  current_amount_krw_million, change_krw_million, change_pct
           from marts.fct_budget_change where is_account_total"""
    ).fetchall()
    found = {(account, year): tuple(rest) for account, year, *rest in rows}
    # Only the accounts that have levels (Local Autonomous) or accounts below them.
    expected = {
        (account, year): change
        for account in ("local_autonomous", "bnd_special_account")
        for year, change in year_on_year(TOTALS[account]).items()
    }
    assert found == expected
    assert {level for (level,) in con.execute(
        "select distinct level_code from marts.fct_budget_change where is_account_total"
    ).fetchall()} == {"all_levels"}  # fmt: skip


def test_2020_local_autonomous_fell_by_3_235_138_from_its_two_levels(
    con: duckdb.DuckDBPyConnection,
) -> None:
    row = con.execute(
        """select previous_amount_krw_million, current_amount_krw_million, change_krw_million,
                  change_pct, direction, previous_source_files, current_source_locators
           from marts.fct_budget_change
           where fiscal_year = 2020 and account_code = 'local_autonomous'
             and level_code = 'all_levels'"""
    ).fetchone()
    city, si_gun_gu = (
        ROWS["By Cities and Provinces"],
        ROWS["By Si, Gun, Gu(Lower level local government)"],
    )
    previous, current = 5_548_288, 2_313_150  # the page's sub-total, line 56
    assert (previous, current) == (TOTALS["local_autonomous"][4], TOTALS["local_autonomous"][5])
    assert row == (
        previous,
        current,
        current - previous,  # −3,235,138
        Decimal("-58.31"),
        "decrease",
        PAGE_FILE,
        f"{PAGE_FILE}:{city[0]} [2020]; {PAGE_FILE}:{si_gun_gu[0]} [2020]",
    )
    assert current - previous == -3_235_138


def test_the_leaves_add_up_to_the_special_account_and_the_flag_keeps_totals_apart(
    con: duckdb.DuckDBPyConnection,
) -> None:
    sums = con.execute(
        """select fiscal_year,
                  sum(change_krw_million) filter (where not is_account_total),
                  sum(change_krw_million) filter (
                      where account_code = 'bnd_special_account' and level_code = 'all_levels'),
                  sum(change_krw_million)
           from marts.fct_budget_change group by 1 order by 1"""
    ).fetchall()
    totals = year_on_year(TOTALS["bnd_special_account"])
    local = year_on_year(TOTALS["local_autonomous"])
    for year, leaves, whole, everything in sums:
        assert leaves == whole == totals[year][3]
        # every row together counts the year's change twice and Local Autonomous a third time
        assert everything == 2 * totals[year][3] + local[year][3]


def whole_account_changes(account: str) -> dict[int, int]:
    return {year: change[3] for year, change in year_on_year(WHOLE_ACCOUNTS[account]).items()}


def test_each_note_is_linked_to_the_years_it_may_explain_with_its_basis(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = con.execute(
        """select note_number, fiscal_year, account_code, level_code, link_basis,
                  candidate_rank, n_candidates, size_ratio, size_tolerance
           from marts.bridge_budget_change_note order by note_number, candidate_rank"""
    ).fetchall()
    expected = []
    for number, (direction, _, account, amount, _) in BUDGET_CHANGE_NOTES.items():
        level = "all_levels" if account == "local_autonomous" else "account_whole"
        its_way = {
            year: change
            for year, change in whole_account_changes(account).items()
            if (change > 0) == (direction == "Increase") and change != 0
        }
        if amount is None:  # every year its account moved its way, the largest first
            ranked = sorted(its_way, key=lambda year: (-abs(its_way[year]), -year))
            expected += [
                (number, year, account, level, "inferred_direction_only", rank, len(ranked),
                 None, None)
                for rank, year in enumerate(ranked, start=1)
            ]  # fmt: skip
        else:  # the years whose change is within the tolerance of the stated amount
            ratios = {
                year: (Decimal(abs(change)) / amount).quantize(Decimal("0.0001"), ROUND_HALF_UP)
                for year, change in its_way.items()
            }
            near = [year for year, ratio in ratios.items() if abs(ratio - 1) <= SIZE_TOLERANCE]
            expected += [
                (number, year, account, level, "inferred_direction_and_size", rank, len(near),
                 ratios[year], SIZE_TOLERANCE)
                for rank, year in enumerate(sorted(near, key=lambda y: abs(ratios[y] - 1)), 1)
            ]  # fmt: skip
    assert rows == expected
    # The page's own case: KRW 3.5 trillion transferred, and the 2020 fall is 92 % of it.
    (note_4,) = [row for row in rows if row[0] == 4]
    assert note_4[1] == 2020 and note_4[7] == Decimal("0.9243")
    # None is stated: the page prints no year in any note; every link says it is inferred.
    assert {row[4] for row in rows} == {"inferred_direction_only", "inferred_direction_and_size"}
    notes = con.execute(
        "select note_number, link_note from marts.bridge_budget_change_note"
    ).fetchall()
    assert all(text.startswith("Inferred, not stated") for _, text in notes)


def test_every_link_points_at_a_change_of_the_note_s_account_as_a_whole(
    con: duckdb.DuckDBPyConnection,
) -> None:
    (mismatched,) = con.execute(
        """select count(*) from marts.bridge_budget_change_note as bridge
           inner join marts.dim_budget_change_note as notes
               on bridge.note_number = notes.note_number
           left join marts.fct_budget_change as changes
               on bridge.fiscal_year = changes.fiscal_year
               and bridge.account_code = changes.account_code
               and bridge.level_code = changes.level_code
           where changes.fiscal_year is null or bridge.account_code <> notes.account_code
              or changes.direction <> notes.direction"""
    ).fetchone()
    assert mismatched == 0
    references = con.execute(
        """select constraint_text from duckdb_constraints()
           where schema_name = 'marts' and table_name = 'bridge_budget_change_note'
             and constraint_type = 'FOREIGN KEY'"""
    ).fetchall()
    assert (
        "FOREIGN KEY (fiscal_year, account_code, level_code) REFERENCES "
        "marts.fct_budget_change(fiscal_year, account_code, level_code)"
    ) in {text for (text,) in references}


def test_the_history_says_which_rows_are_the_whole_account(
    con: duckdb.DuckDBPyConnection,
) -> None:
    by_year = con.execute(
        """select fiscal_year,
                  sum(amount_krw_million) filter (where is_whole_account),
                  sum(amount_krw_million) filter (where not is_whole_account),
                  sum(amount_krw_million)
           from marts.fct_special_account_history where source_name = ?
           group by 1 order by 1""",
        [PAGE_FILE],
    ).fetchall()
    assert [year for year, *_ in by_year] == list(YEARS)
    for (_, whole, accounts, everything), total in zip(
        by_year, TOTALS["bnd_special_account"], strict=True
    ):
        assert whole == accounts == total  # each year's total once, either way
        assert everything == 2 * total  # the double count the flag prevents
    scopes = con.execute(
        """select distinct account_code, is_whole_account
           from marts.fct_special_account_history order by 1"""
    ).fetchall()
    assert all(whole == (account == "bnd_special_account") for account, whole in scopes)


def test_one_precision_one_amount_type_per_meaning_across_the_marts(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # The page's 2020 Total: the same ± as published, in the history and the reported totals.
    history = con.execute(
        """select precision_krw_million, figure_basis from marts.fct_special_account_history
           where source_name = ? and fiscal_year = 2020 and is_whole_account""",
        [PAGE_FILE],
    ).fetchone()
    reported = con.execute(
        """select precision_krw_million from marts.fct_budget_reported_total
           where fiscal_year = 2020 and account_code = 'bnd_special_account'"""
    ).fetchone()
    assert history == (Decimal("0.5"), "as published") and reported == (Decimal("0.5"),)
    columns = con.execute(
        """select table_name, column_name, data_type, comment from duckdb_columns()
           where schema_name = 'marts'
             and (column_name like '%precision%' or column_name like '%amount_krw_million')"""
    ).fetchall()
    precisions = [row for row in columns if "precision" in row[1]]
    assert {table for table, *_ in precisions} >= {
        "fct_budget", "fct_budget_current", "fct_budget_reported_total",
        "fct_special_account_history",
    }  # fmt: skip
    # a share's precision is in percentage points, a meaning of its own (cited shares)
    assert {(column, kind) for _, column, kind, _ in precisions} == {
        ("precision_krw_million", "DECIMAL(38,6)"),
        ("precision_percent", "DECIMAL(9,4)"),
    }
    for meaning in ("precision_krw_million", "precision_percent"):  # one description each
        assert len({comment for _, column, _, comment in precisions if column == meaning}) == 1
    types = {(table, column): kind for table, column, kind, _ in columns}
    assert types[("fct_special_account_history", "amount_krw_million")] == "DECIMAL(18,3)"
    assert types[("fct_budget_line", "amount_krw_million")] == "DECIMAL(18,3)"
    for table in ("fct_budget", "fct_budget_current", "fct_budget_reported_total"):
        assert types[(table, "amount_krw_million")] == "BIGINT"
    for column in ("previous_amount_krw_million", "current_amount_krw_million"):
        assert types[("fct_budget_change", column)] == "BIGINT"


def test_the_account_s_eras_never_share_a_year(con: duckdb.DuckDBPyConnection) -> None:
    eras = con.execute(
        """select account_code, sub_account_name_ko is null, account_name_ko, first_year,
                  coalesce(last_year, 9999), is_rename_year_uncertain, rename_year_note
           from marts.dim_account_era"""
    ).fetchall()
    for index, (account, whole, name, first, last, *_) in enumerate(eras):
        for other in eras[index + 1 :]:
            if (other[0], other[1]) == (account, whole) and other[2] != name:
                assert last < other[3] or other[4] < first, (account, name, other[2])
    uncertain = [row for row in eras if row[5]]
    # Said once, on the rows of the 2023 statute's name: counted from 2024, the latest year it
    # may have first applied; not verified, 2023 at the earliest.
    assert {row[2] for row in uncertain} == {"지역균형발전특별회계"}
    assert {row[3] for row in uncertain} == {2024}
    assert all(
        "not verified: 2023 at the earliest, 2024 at the latest" in row[6] for row in uncertain
    )
    assert all(row[6] is None for row in eras if not row[5])
    before = {row[4] for row in eras if row[2] == "국가균형발전특별회계" and row[3] == 2019}
    assert before == {2023}
    names = dict(
        con.execute(
            """select fiscal_year, account_name_that_year from marts.fct_special_account_history
               where is_whole_account and fiscal_year in (2022, 2023)"""
        ).fetchall()
    )
    # 2023 (the MOEF proposal of 2022-09-07) has one name, never "… / …".
    assert names == {2022: "국가균형발전특별회계", 2023: "국가균형발전특별회계"}
