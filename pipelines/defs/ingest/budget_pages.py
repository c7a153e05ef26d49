"""Ingest: the registered page texts in ``data_raw/`` land in the build's ``raw`` schema."""

import time

import dagster as dg
import duckdb

from pipelines.defs.resources import WarehouseResource
from pipelines.lib import progress
from pipelines.lib.failpoints import failpoint
from pipelines.lib.raw_landing import land_pages, parse_page_source
from pipelines.lib.sources import load_registry
from pipelines.lib.warehouse_files import start_build

RAW_TABLES = {
    "source_files": "Registered raw files read by the run: registry entry, size and sha256.",
    "budget_tables": "Budget tables found in the pages: title, unit, header and reference line.",
    "budget_cells": "Every published amount as printed, with file, sha256, line and year column.",
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
    """Start a fresh build file and land every registered page's budget table in schema ``raw``.

    Every file must be registered in ``data_raw/sources.yml``; a file that cannot be read, parsed
    or matched to the reference seeds stops the run here with its name, line and what was expected,
    before anything is built.
    """
    started, settings = time.monotonic(), warehouse.settings
    build_db = start_build(settings, context.run_id)
    sources = load_registry(settings.data_raw_dir)
    pages = [parse_page_source(source) for source in sources if source.format == "page_text"]
    with duckdb.connect(str(build_db)) as con:
        counts = land_pages(con, pages)
        failpoint("ingest", settings.build_dir)
    files = {page.raw.source.file: page.raw.sha256 for page in pages}
    context.log.info(f"landed {counts} from {len(files)} file(s) into {build_db}")
    progress.done("ingest", f"{len(files)} file(s), {counts['budget_cells']} budget cells", started)
    for table in RAW_TABLES:
        yield dg.MaterializeResult(
            asset_key=["raw", table],
            metadata={
                "dagster/row_count": counts[table],
                "source_files": dg.MetadataValue.json(files),
                "data_raw_dir": str(settings.data_raw_dir),
                "build_db": str(build_db),
            },
        )
