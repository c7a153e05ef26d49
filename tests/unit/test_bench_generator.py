"""The benchmark's synthetic lines: deterministic, spreadsheet-like, adding up to the page."""

from __future__ import annotations

from pathlib import Path

import duckdb

from bench.generate import FIRST_YEAR, LAST_YEAR, generate, year_numbers
from pipelines.core.checksums import file_sha256
from tests.source_figures import LEAVES, YEARS


def _files(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): file_sha256(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_same_size_gives_the_same_bytes(tmp_path: Path) -> None:
    first = generate(5_000, tmp_path / "a")
    second = generate(5_000, tmp_path / "b")
    for fmt in ("csv", "parquet"):
        assert _files(first[fmt]) == _files(second[fmt])
    assert first["csv"] == tmp_path / "a" / "5k" / "csv"


def test_a_raw_folder_per_format_with_a_folder_per_fiscal_year(tmp_path: Path) -> None:
    folders = generate(5_000, tmp_path)
    for fmt, folder in folders.items():
        assert (folder / "sources.yml").is_file() and (
            folder / "000_cad87574ba41ba74.txt"
        ).is_file()
        years = sorted(int(path.name) for path in (folder / "budget_lines").iterdir())
        assert years == list(range(FIRST_YEAR, LAST_YEAR + 1))
        assert all(
            len(list((folder / "budget_lines" / str(year)).glob(f"*.{fmt}"))) == 1 for year in years
        )


def test_lines_look_exported_add_up_and_are_unique(tmp_path: Path) -> None:
    folders = generate(5_000, tmp_path)
    csv = next((folders["csv"] / "budget_lines" / "2018").glob("*.csv"))
    second_line = csv.read_text(encoding="utf-8").splitlines()[1]
    amount = second_line.split('"')[1]
    assert "," in amount or len(amount) <= 3  # quoted, with thousands separators
    with duckdb.connect() as con:
        pattern = str(folders["parquet"] / "budget_lines" / "*" / "*.parquet")
        con.read_parquet(pattern).create_view("generated_lines")
        lines = "generated_lines"
        details, synthetic = con.execute(
            f"select count(*) filter (where not is_subtotal), bool_and(is_synthetic) from {lines}"
        ).fetchone()
        assert details == 5_000 and synthetic
        duplicates = con.execute(
            f"""select count(*) from (
                    select 1 from {lines} where not is_subtotal
                    group by fiscal_year, organisation_code, programme_code, phase
                    having count(*) > 1)"""
        ).fetchone()[0]
        assert duplicates == 0
        wrong = con.execute(
            f"""select count(*) from (
                    select fiscal_year, organisation_code, account_code, phase,
                           sum(amount_krw_million) filter (where not is_subtotal) as parts,
                           sum(amount_krw_million) filter (where is_subtotal) as subtotal
                    from {lines} group by all
                ) where parts is distinct from subtotal"""
        ).fetchone()[0]
        assert wrong == 0
        # The enacted lines of the page's years add up to the page's figures (typed from it).
        sums = dict(
            ((year, account, level), amount)
            for year, account, level, amount in con.execute(
                f"""select fiscal_year, account_code, level_code, sum(amount_krw_million)
                    from {lines} where phase = 'enacted' and not is_subtotal
                      and fiscal_year between {YEARS[0]} and {YEARS[-1]}
                    group by all"""
            ).fetchall()
        )
    expected = {
        (year, account, level): amounts[index]
        for (account, level), amounts in LEAVES.items()
        for index, year in enumerate(YEARS)
    }
    assert sums == expected


def _numbers(lines: int, year: int) -> list[int]:
    with duckdb.connect() as con:
        return sorted(n for (n,) in con.execute(year_numbers(lines, year)).fetchall())


def test_one_fiscal_year_at_a_time_deals_each_line_to_one_year() -> None:
    # The first 30 lines cover the page's six years (2015 + n % 6); later ones go to the 22
    # years in turn (2005 + n % 22): 2015 gets 0, 6, 12, 18, 24 and 32, 54, 76, 98.
    assert _numbers(100, 2015) == [0, 6, 12, 18, 24, 32, 54, 76, 98]
    assert _numbers(100, 2005) == [44, 66, 88]
    assert _numbers(100, 2026) == [43, 65, 87]
    every = sorted(n for year in range(FIRST_YEAR, LAST_YEAR + 1) for n in _numbers(1_000, year))
    assert every == list(range(1_000))
    assert _numbers(20, 2016) == [1, 7, 13, 19]  # fewer lines than the covering ones
