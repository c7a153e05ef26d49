"""Deterministic SYNTHETIC budget lines for the benchmark (issue 7). Not real budget data.

Line-level budget tables as local-finance portals export them: one line per fiscal year ×
account × level × organisation × programme × phase, amounts in KRW million written the way
spreadsheets export them (quoted, with thousands separators), and the organisation's published
subtotal rows (programme ``소계``) mixed in. Every value derives from DuckDB's ``hash()`` of the
line's number, so a size always gives byte-identical files with the pinned DuckDB version.

    python bench/generate.py --lines 1000000 --out bench/data

writes ``synthetic_budget_lines_<size>.csv`` and ``.parquet`` there. These files never go into
``data_raw/``; their names and their ``is_synthetic`` column say what they are.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

FIRST_YEAR, LAST_YEAR = 2005, 2026
CITIES_PROVINCES, SI_GUN_GU, CENTRAL_AGENCIES = 17, 226, 40
PROGRAMMES = 3000
PHASES = ("proposed", "enacted", "supplementary_1", "settled")
# Leaf accounts of the special account, and the level of government that formulates their lines.
ACCOUNTS = (
    ("local_autonomous", "city_province"),
    ("local_autonomous", "si_gun_gu"),
    ("local_support", "account_whole"),
    ("sejong", "account_whole"),
    ("jeju", "account_whole"),
)


def size_label(lines: int) -> str:
    for factor, suffix in ((1_000_000, "m"), (1_000, "k")):
        if lines % factor == 0:
            return f"{lines // factor}{suffix}"
    return str(lines)


def generate(lines: int, out_dir: Path) -> tuple[Path, Path]:
    """Write about ``lines`` detail lines (plus subtotal rows) as CSV and Parquet."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"synthetic_budget_lines_{size_label(lines)}"
    years = LAST_YEAR - FIRST_YEAR + 1
    organisations = CITIES_PROVINCES + SI_GUN_GU + CENTRAL_AGENCIES
    with duckdb.connect() as con:
        con.execute("set preserve_insertion_order = true")
        con.execute(
            f"""
            create table detail as
            with numbered as (select range as n from range({lines})),
            keyed as (
                select
                    n,
                    {FIRST_YEAR} + n % {years} as fiscal_year,
                    (hash(n, 'org') % {organisations})::bigint as org_index,
                    (hash(n, 'programme') % {PROGRAMMES})::bigint as programme_index,
                    (hash(n, 'phase') % {len(PHASES)})::bigint as phase_index
                from numbered
            )
            select
                fiscal_year,
                case
                    when org_index < {CITIES_PROVINCES} then 'city_province'
                    when org_index < {CITIES_PROVINCES + SI_GUN_GU} then 'si_gun_gu'
                    else 'central_agency'
                end as organisation_kind,
                printf('ORG%04d', org_index) as organisation_code,
                printf('PRG%05d', programme_index) as programme_code,
                ({list(PHASES)})[phase_index + 1] as phase,
                -- Local governments formulate the Local Autonomous Account (and Sejong, Jeju);
                -- central agencies the Local Support Account.
                case
                    when org_index >= {CITIES_PROVINCES + SI_GUN_GU} then 'local_support'
                    when org_index = 7 then 'sejong'
                    when org_index = 16 then 'jeju'
                    else 'local_autonomous'
                end as account_code,
                (1 + hash(n, 'amount') % 25000)::bigint as amount_krw_million
            from keyed
            """
        )
        con.execute(
            """
            create table published as
            select *, false as is_subtotal from detail
            union all
            select fiscal_year, organisation_kind, organisation_code, '소계', phase, account_code,
                   sum(amount_krw_million), true
            from detail
            group by all
            """
        )
        con.execute(
            """
            create view lines as
            select
                fiscal_year, account_code,
                case
                    when account_code <> 'local_autonomous' then 'account_whole'
                    else organisation_kind
                end as level_code,
                organisation_code, programme_code, phase, amount_krw_million, is_subtotal,
                true as is_synthetic
            from published
            order by fiscal_year, organisation_code, account_code, phase, is_subtotal,
                     programme_code, amount_krw_million
            """
        )
        con.execute(f"copy (from lines) to '{stem}.parquet' (format parquet)")
        # As spreadsheets export amounts: with thousands separators, quoted.
        con.execute(
            f"""
            copy (
                select * replace (format('{{:,}}', amount_krw_million) as amount_krw_million)
                from lines
            ) to '{stem}.csv' (header true, force_quote (amount_krw_million))
            """
        )
    return Path(f"{stem}.csv"), Path(f"{stem}.parquet")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    args = parser.parse_args(argv)
    for path in generate(args.lines, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
