"""The benchmark's synthetic lines: deterministic, spreadsheet-like, subtotals that add up."""

from __future__ import annotations

from pathlib import Path

import duckdb

from bench.generate import generate
from pipelines.lib.warehouse_files import file_sha256


def test_the_same_size_gives_the_same_bytes(tmp_path: Path) -> None:
    first = generate(5_000, tmp_path / "a")
    second = generate(5_000, tmp_path / "b")
    assert [file_sha256(path) for path in first] == [file_sha256(path) for path in second]
    assert first[0].name == "synthetic_budget_lines_5k.csv"


def test_lines_look_exported_and_subtotals_add_up(tmp_path: Path) -> None:
    csv, parquet = generate(5_000, tmp_path)
    second_line = csv.read_text(encoding="utf-8").splitlines()[1]
    amount = second_line.split('"')[1]
    assert "," in amount or len(amount) <= 3  # quoted, with thousands separators
    with duckdb.connect() as con:
        lines = f"read_parquet('{parquet}')"
        details, synthetic = con.execute(
            f"select count(*) filter (where not is_subtotal), bool_and(is_synthetic) from {lines}"
        ).fetchone()
        assert details == 5_000 and synthetic
        years = con.execute(f"select min(fiscal_year), max(fiscal_year) from {lines}").fetchone()
        assert years == (2005, 2026)
        wrong = con.execute(
            f"""select count(*) from (
                    select fiscal_year, organisation_code, account_code, phase,
                           sum(amount_krw_million) filter (where not is_subtotal) as parts,
                           sum(amount_krw_million) filter (where is_subtotal) as subtotal
                    from {lines} group by all
                ) where parts is distinct from subtotal"""
        ).fetchone()[0]
        assert wrong == 0
