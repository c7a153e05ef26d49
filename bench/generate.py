"""Deterministic SYNTHETIC budget lines for the benchmark (issue 7). Not real budget data.

Line-level budget tables as local-finance portals export them: one line per fiscal year ×
account × level × organisation × programme × phase, amounts in KRW million written the way
spreadsheets export them (quoted, with thousands separators), and each organisation's published
subtotal rows (programme ``소계``) mixed in. Every value derives from DuckDB's ``hash()`` of the
line's number, so a size always gives byte-identical files with the pinned DuckDB version.

The enacted lines of 2015–2020 add up, per account and level, to the figures of the published
page (``tests/source_figures.py``), so the warehouse's reconciliation across grains holds; every
other amount is made up.

Every value of a line depends on its number and its fiscal year only (the page's figures are
shared out within a year, subtotals are sums within a year), so the files are made one fiscal year
at a time: the generator holds one year's lines (a 22nd of the size), never all of them, and 30 M
lines need about what 1.4 M do.

    python bench/generate.py --lines 1000000 --out bench/data

writes two complete raw folders, ``<out>/1m/csv`` and ``<out>/1m/parquet``: the project's
``data_raw`` files (the page and its registry) plus ``budget_lines/<year>/synthetic_budget_lines
.<csv|parquet>``, one file per fiscal year. Point a run at one with ``BND_DATA_RAW``. These files
never go into the project's ``data_raw/``; their names and their ``is_synthetic`` column say what
they are.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import duckdb
import yaml

from pipelines.sources.registry import LOCAL_BOOKS_FOLDER
from tests.source_figures import LEAVES, YEARS

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIRST_YEAR, LAST_YEAR = 2005, 2026
CITIES_PROVINCES, SI_GUN_GU, CENTRAL_AGENCIES = 17, 226, 40
PROGRAMMES = 3000
PHASES = ("proposed", "enacted", "supplementary_1", "settled")
SUBTOTAL_LABEL = "소계"
FORMATS = ("csv", "parquet")
LINES_FOLDER = "budget_lines"
# One organisation for each leaf of the page's table: a city/province, a si/gun/gu, a central
# agency (Local Support Account), Sejong (index 7) and Jeju (index 16).
COVERING_ORGANISATIONS = (0, CITIES_PROVINCES, CITIES_PROVINCES + SI_GUN_GU, 7, 16)
FILE_STEM = "synthetic_budget_lines"
# Raised whenever the output changes, so that older generated folders are written again.
GENERATOR_VERSION = 4


def size_label(lines: int) -> str:
    for factor, suffix in ((1_000_000, "m"), (1_000, "k")):
        if lines % factor == 0:
            return f"{lines // factor}{suffix}"
    return str(lines)


def raw_folder(out_dir: Path, lines: int, file_format: str) -> Path:
    """The complete raw folder a size and format is written to."""
    return out_dir / size_label(lines) / file_format


def _page_targets() -> str:
    """The page's enacted figures as SQL rows (fiscal_year, account_code, level_code, amount)."""
    rows = [
        f"({year}, '{account}', '{level}', {amounts[index]})"
        for (account, level), amounts in LEAVES.items()
        for index, year in enumerate(YEARS)
    ]
    return ", ".join(rows)


def year_numbers(lines: int, year: int) -> str:
    """SQL of the numbers ``n`` (``range(lines)``) of the lines of fiscal year ``year``.

    The first ``covering`` lines cover the leaves of the page's years as enacted, in turn
    (``YEARS[0] + n % len(YEARS)``); every later line is dealt to the years in turn
    (``FIRST_YEAR + n % years``). Each number belongs to one year, so the years' lines together
    are those of ``range(lines)``, each once."""
    years = LAST_YEAR - FIRST_YEAR + 1
    covering = len(YEARS) * len(COVERING_ORGANISATIONS)
    first = covering + (year - FIRST_YEAR - covering) % years  # the first dealt line of the year
    return (
        f"select range as n from range({first}, {lines}, {years}) "
        f"union all select range as n from range({min(covering, lines)}) "
        f"where {YEARS[0]} + range % {len(YEARS)} = {year}"
    )


def generate(lines: int, out_dir: Path) -> dict[str, Path]:
    """Write about ``lines`` detail lines (plus subtotal rows) as CSV and as Parquet raw folders.

    One fiscal year at a time: its lines, their amounts and subtotals are made and written, then
    replaced by the next year's, so memory holds a 22nd of the lines. Returns format → raw
    folder. A folder that is already complete is left as it is.
    """
    folders = {fmt: raw_folder(out_dir, lines, fmt) for fmt in FORMATS}
    marker = f"{lines} lines, generator {GENERATOR_VERSION}\n"
    if all(_marker(folder) == marker for folder in folders.values()):
        return folders
    for folder in folders.values():
        shutil.rmtree(folder, ignore_errors=True)
        _copy_project_raw_files(folder)
    with duckdb.connect() as con:
        con.execute("set preserve_insertion_order = true")
        con.execute("set enable_progress_bar = false")
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            _make_year(con, lines, year)
            for fmt, folder in folders.items():
                target = folder / LINES_FOLDER / str(year) / f"{FILE_STEM}.{fmt}"
                target.parent.mkdir(parents=True)
                _write_year(con, year, fmt, target)
    for folder in folders.values():
        (folder / ".complete").write_text(marker, encoding="utf-8")
    return folders


def _make_year(con: duckdb.DuckDBPyConnection, lines: int, year: int) -> None:
    """The view ``lines``: fiscal year ``year``'s lines and subtotals, in the files' order
    (replacing the previous year's tables)."""
    years = LAST_YEAR - FIRST_YEAR + 1
    organisations = CITIES_PROVINCES + SI_GUN_GU + CENTRAL_AGENCIES
    covering = len(YEARS) * len(COVERING_ORGANISATIONS)
    con.execute(
        f"""
        create or replace table detail as
        with numbered as ({year_numbers(lines, year)}),
        -- Keys are dealt out in turn, so that no two lines share fiscal year × organisation
        -- × programme × phase (up to 3,000 programmes per organisation, 33 M lines). The
        -- first lines cover every leaf of the page's years as enacted, once each, so that
        -- each of the page's figures has lines to add up to, whatever the size.
        dealt as (
            select
                n,
                n % {years} as year_slot,
                (n // {years}) % {len(PHASES)} as phase_slot,
                n // {years} // {len(PHASES)} as turn
            from numbered
        ),
        keyed as (
            select
                n,
                case when n < {covering} then {YEARS[0]} + n % {len(YEARS)}
                     else {FIRST_YEAR} + year_slot end::integer as fiscal_year,
                case when n < {covering}
                     then {list(COVERING_ORGANISATIONS)}[n // {len(YEARS)} + 1]
                     else turn % {organisations} end as org_index,
                case when n < {covering} then {PROGRAMMES}
                     else (turn // {organisations} + 7 * (turn % {organisations}))
                          % {PROGRAMMES} end as programme_index,
                case when n < {covering} then {PHASES.index("enacted")}
                     else phase_slot end as phase_index
            from dealt
        )
        select
            n,
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
            (1 + hash(n, 'amount') % 25000)::bigint as weight
        from keyed
        """
    )
    con.execute(
        """
        alter table detail add column level_code varchar;
        update detail set level_code = case
            when account_code <> 'local_autonomous' then 'account_whole'
            else organisation_kind
        end;
        """
    )
    # Enacted lines of the page's years share out the page's figure by their weights; the
    # first line of a group takes the rounding remainder. Other lines keep their weight.
    con.execute(
        f"""
        create or replace table scaled as
        with targets(fiscal_year, account_code, level_code, target) as (
            values {_page_targets()}
        ),
        shares as (
            select
                d.*, t.target,
                floor(d.weight * t.target / sum(d.weight) over grp)::bigint as share,
                row_number() over (grp order by d.n) as position
            from detail as d
            inner join targets as t using (fiscal_year, account_code, level_code)
            where d.phase = 'enacted'
            window grp as (partition by d.fiscal_year, d.account_code, d.level_code)
        )
        select n, fiscal_year, organisation_kind, organisation_code, programme_code, phase,
               account_code, level_code,
               (share + case when position = 1
                   then target - sum(share) over (
                       partition by fiscal_year, account_code, level_code)
                   else 0 end)::bigint as amount_krw_million
        from shares
        union all
        select d.n, d.fiscal_year, d.organisation_kind, d.organisation_code, d.programme_code,
               d.phase, d.account_code, d.level_code, d.weight
        from detail as d
        where not exists (
            select 1 from shares as s where s.n = d.n
        )
        """
    )
    con.execute(
        f"""
        create or replace table published as
        select fiscal_year, account_code, level_code, organisation_kind, organisation_code,
               programme_code, phase, amount_krw_million, false as is_subtotal
        from scaled
        union all
        select fiscal_year, account_code, level_code, organisation_kind, organisation_code,
               '{SUBTOTAL_LABEL}', phase, sum(amount_krw_million)::bigint, true
        from scaled
        group by all
        """
    )
    con.execute(
        """
        create or replace view lines as
        select *, true as is_synthetic
        from published
        order by fiscal_year, organisation_code, account_code, phase, is_subtotal,
                 programme_code, amount_krw_million
        """
    )


def _marker(folder: Path) -> str | None:
    path = folder / ".complete"
    return path.read_text(encoding="utf-8") if path.exists() else None


def _write_year(con: duckdb.DuckDBPyConnection, year: int, fmt: str, target: Path) -> None:
    if fmt == "parquet":
        con.execute(
            "copy (from lines where fiscal_year = $year) to $target (format parquet)",
            {"year": year, "target": str(target)},
        )
        return
    # As spreadsheets export amounts: with thousands separators, quoted.
    con.execute(
        """
        copy (
            select * replace (format('{:,}', amount_krw_million) as amount_krw_million)
            from lines where fiscal_year = $year
        ) to $target (header true, force_quote (amount_krw_million))
        """,
        {"year": year, "target": str(target)},
    )


def _copy_project_raw_files(folder: Path) -> None:
    """The project's page, cited figures, local budget books and registry, so the folder is a
    complete raw folder for a run. The synthetic lines' amounts are random: a year's sum may come
    within a power of ten of a cited figure by chance, which the pipeline would refuse as a figure
    stated in the wrong unit.
    In the copy, such a difference with the cited figures is reported and does not block
    (``allow_unit_mismatch``); every other check applies as to data_raw/."""
    folder.mkdir(parents=True)
    source = PROJECT_ROOT / "data_raw"
    for path in source.iterdir():
        if path.is_file() and path.name not in ("README.md", "sources.yml"):
            shutil.copyfile(path, folder / path.name)
    shutil.copytree(source / LOCAL_BOOKS_FOLDER, folder / LOCAL_BOOKS_FOLDER)
    registry = yaml.safe_load((source / "sources.yml").read_text(encoding="utf-8"))
    for entry in registry["sources"]:
        if entry["format"] == "cited_figures":
            entry["allow_unit_mismatch"] = True
    (folder / "sources.yml").write_text(
        yaml.safe_dump(registry, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    args = parser.parse_args(argv)
    for path in generate(args.lines, args.out).values():
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
