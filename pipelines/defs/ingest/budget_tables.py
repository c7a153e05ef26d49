"""Ingest: the registered budget tables in ``data_raw/`` land in the build's ``raw`` schema."""

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.core.errors import SourceError
from pipelines.core.settings import Settings
from pipelines.defs.ingest.landed import landed_tables
from pipelines.defs.resources import WarehouseResource
from pipelines.landing.local_books import ParsedLocalBook
from pipelines.landing.raw_landing import (
    ParsedCitedFigures,
    ParsedControlTotals,
    ParsedPage,
    ParsedSource,
    land_pages,
    parse_source,
)
from pipelines.landing.rejections import parse_every, record_rejections
from pipelines.lifecycle.build import build_for_run
from pipelines.lifecycle.step import Step, build_step
from pipelines.sources.acknowledgements import read_acknowledgements
from pipelines.sources.registry import read_registry, value_of_record

RAW_TABLES = {
    "source_files": "Registered raw files read by the run: registry entry, size and sha256.",
    "budget_tables": "Budget tables found in the files: title, unit, header and reference line.",
    "budget_cells": "Every published amount as printed, with file, sha256 and place in the file.",
    "control_totals": "Totals stated elsewhere (registered control-totals files), as printed.",
    "cited_figures": "Figures public documents state about the account, each with its citation.",
    "value_of_record": "The registry's rule for the value of record (criteria, phase authority).",
    "acknowledged_differences": (
        "Differences between sources people reviewed and accepted (data_raw/"
        "acknowledged_differences.csv), each with both figures as accepted, why, who and when."
    ),
    "acknowledgement_files": (
        "The acknowledged differences' file when data_raw/ has one: name, sha256, size."
    ),
    "local_books": (
        "Local governments' budget books: whose, year, phase, unit, what the funding columns "
        "split, the special account's column and the 회계 it names that year."
    ),
    "local_book_rows": (
        "Every row of the local budget books (line, heading or printed total), amounts in KRW "
        "million, with the special account's part."
    ),
    "local_book_funding": "Each local book row's non-zero funding columns, as printed.",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=["raw", table],
            description=description,
            group_name="ingest",
            kinds={"python", "duckdb"},
        )
        for table, description in RAW_TABLES.items()
    ],
)
def raw_budget_pages(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Start a fresh build file and land every registered budget table in schema ``raw``.

    Every file must be registered in ``data_raw/sources.yml``; page text, CSV, XLSX and HTML tables
    and control totals are read. Every file is checked; each one that cannot be read, parsed or
    matched to the reference seeds is written to ``rejected_files.json`` in the build's reports
    with its name, place and what was expected, and the run stops here, before anything is built.
    """
    settings = warehouse.settings
    with build_step(settings, context.run_id, "ingest") as step:
        build_db = build_for_run(settings, context.run_id)
        files, counts = _land(settings, build_db, step)
        context.log.info(f"landed {counts} from {len(files)} file(s) into {build_db}")
        step.summary = f"{len(files)} file(s), {counts['budget_cells']} budget cells"
        step.passed("ingest")
    yield from landed_tables(RAW_TABLES, counts, files, build_db)


def _land(settings: Settings, build_db: Path, step: Step) -> tuple[dict[str, str], dict[str, int]]:
    """Read every registered source, refuse the run naming every bad file, land the rest."""
    try:
        sources, rejected = read_registry(settings.data_raw_dir)
        rule = value_of_record(settings.data_raw_dir)
    except SourceError as error:  # the registry itself is broken
        record_rejections(settings.build_reports_dir, settings.data_raw_dir, [error])
        raise
    acknowledged = None
    try:  # refused with the files, so that one run names everything to fix
        acknowledged = read_acknowledgements(
            settings.data_raw_dir, [source.file for source in sources], dt.date.today()
        )
    except SourceError as error:
        rejected.append(error)
    parsed: list[ParsedSource] = parse_every(
        sources, parse_source, settings.build_reports_dir, settings.data_raw_dir, rejected
    )
    pages = [item for item in parsed if isinstance(item, ParsedPage)]
    totals = [item for item in parsed if isinstance(item, ParsedControlTotals)]
    cited = [item for item in parsed if isinstance(item, ParsedCitedFigures)]
    books = [item for item in parsed if isinstance(item, ParsedLocalBook)]
    with duckdb.connect(str(build_db)) as con:
        counts = land_pages(con, pages, totals, rule, acknowledged, cited, books)
        step.failpoint()  # killed here, the build file is open for writing
    files = {item.raw.source.file: item.raw.sha256 for item in parsed}
    if acknowledged is not None:
        files[acknowledged.file] = acknowledged.sha256
    return files, counts
