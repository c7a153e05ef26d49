"""Ingest: the budget lines of the run's fiscal years land in the build's landing database."""

from pathlib import Path

import dagster as dg
import duckdb

from pipelines.core.errors import SourceError
from pipelines.core.settings import Settings
from pipelines.defs.ingest.landed import landed_tables
from pipelines.defs.partitions import fiscal_years
from pipelines.defs.resources import WarehouseResource
from pipelines.landing.budget_lines import land_lines, record_line_files
from pipelines.landing.line_files import LINES_FOLDER, available_years, find_line_files
from pipelines.landing.rejections import record_rejections
from pipelines.lifecycle import build_record
from pipelines.lifecycle.build import build_for_run
from pipelines.lifecycle.run_inputs import INPUTS_TAG, read_run_inputs
from pipelines.lifecycle.step import Step, build_step
from pipelines.sources.profiles import publisher_layouts

LINE_FILES = dg.AssetKey(["data_raw", LINES_FOLDER])
RAW_TABLES = {
    "budget_lines": "Budget lines of the run's fiscal years as read (landing database, per run).",
    "budget_line_files": "Every line file of the warehouse: year, sha256, size, line counts.",
    "run_fiscal_years": (
        "The fiscal years this run reprocesses (landing database): the incremental models delete "
        "and rebuild these years only."
    ),
}

line_files_spec = dg.AssetSpec(
    key=LINE_FILES,
    description=(
        f"Line-level budget files in `data_raw/{LINES_FOLDER}/<fiscal year>/` (CSV or Parquet), "
        "one folder per fiscal year (read by ingest, never written)."
    ),
    group_name="data_raw",
    kinds={"file"},
    partitions_def=fiscal_years,
)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=["raw", table],
            description=description,
            group_name="ingest",
            kinds={"duckdb"},
            # A full refresh lands the budget tables first: they start its build file.
            deps=[LINE_FILES, dg.AssetKey(["raw", "source_files"])],
        )
        for table, description in RAW_TABLES.items()
    ],
    partitions_def=fiscal_years,
    # A full refresh takes every fiscal year in one run; a refresh of one year takes that year.
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def raw_budget_lines(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Read the budget lines of the run's fiscal years into the landing database, in SQL.

    In a full refresh the build file exists already (the budget tables started it). Alone, in a
    refresh of some fiscal years, this step starts the build as a copy of the published warehouse.
    A bad file stops the run here, named in ``rejected_files.json`` with its line and column.
    """
    settings = warehouse.settings
    years = [int(key) for key in context.partition_keys]
    every_year = _all_years()
    if build_record.is_building(settings, context.run_id) and set(years) != every_year:
        # A full refresh builds a new file: with some years only, the others would be lost.
        raise ValueError(
            f"a full refresh (refresh_warehouse) must cover every fiscal year "
            f"({min(every_year)}–{max(every_year)}), not {years[0]}–{years[-1]} only: to "
            "reprocess some years, run refresh_fiscal_years (`make run YEARS=…`)"
        )
    with build_step(settings, context.run_id, "ingest") as step:
        # In a full refresh the budget tables started the build; alone, this step starts it.
        build_db = build_for_run(settings, context.run_id, build_record.FISCAL_YEARS)
        inputs = read_run_inputs(settings.build_dir, context.run.tags.get(INPUTS_TAG))
        known = inputs.get("data_raw") if inputs else None
        files, landed = _land(settings, build_db, years, every_year, step, known)
        step.passed("ingest_lines", details={"fiscal_years": list(landed.years)})
        span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
        step.summary = (
            f"budget lines {span}: {landed.line_count:,} lines, "
            f"{landed.subtotal_count:,} subtotals, {len(files)} file(s)"
            + (
                f"; {sum(landed.excluded.values()):,} rows of other 회계 left out "
                f"({landed.excluded_by_account()})"
                if landed.excluded
                else ""
            )
        )
    counts = {
        "budget_lines": landed.line_count + landed.subtotal_count,
        "budget_line_files": len(files),
        "run_fiscal_years": len(landed.years),
    }
    yield from landed_tables(RAW_TABLES, counts, landed.files, build_db)


def _land(
    settings: Settings,
    build_db: Path,
    years: list[int],
    every_year: set[int],
    step: Step,
    known: dict | None,
):
    """Land the lines of ``years`` (a file that cannot be read is named in the reports); files
    whose state the run's inputs ``known`` recorded keep their sha256 (``land_lines``)."""
    try:
        outside = sorted(set(available_years(settings.data_raw_dir)) - every_year)
        if outside:
            raise SourceError(
                str(settings.data_raw_dir / LINES_FOLDER / str(outside[0])),
                "folder name",
                f"a fiscal year from {min(every_year)} to {max(every_year)}",
            )
        publishers = publisher_layouts(settings.data_raw_dir)
        files = find_line_files(settings.data_raw_dir, years, publishers)
        with duckdb.connect(str(settings.landing_db), config=settings.duckdb_config()) as con:
            landed = land_lines(con, files, years, known, publishers, settings.build_dir)
    except SourceError as error:
        record_rejections(settings.build_reports_dir, settings.data_raw_dir, [error])
        raise
    with duckdb.connect(str(build_db), config=settings.duckdb_config()) as con:
        con.execute("attach $path as landing (read_only)", {"path": str(settings.landing_db)})
        record_line_files(con, "landing", files, landed, publishers)
        step.failpoint()  # killed here, the build file is open for writing
    return files, landed


def _all_years() -> set[int]:
    return {int(key) for key in fiscal_years.get_partition_keys()}
