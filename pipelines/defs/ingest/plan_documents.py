"""Ingest: the plan documents of the registered pages land in the build's ``raw`` schema."""

import dagster as dg
import duckdb

from pipelines.defs.ingest.landed import landed_tables
from pipelines.defs.resources import WarehouseResource
from pipelines.landing.plan_landing import check_same_bytes, land_plan_documents, parse_plan_source
from pipelines.landing.rejections import parse_every
from pipelines.lifecycle.step import build_step
from pipelines.sources.registry import load_registry

RAW_PLAN_TABLES = {
    "plans": "Plans the pages name: the five-year plan (period, legal basis), its annual "
    "implementation plan and the action plans, as printed, with their order and parent.",
    "plan_components": "Counts the pages declare for a plan (3 Strategies …), as printed.",
    "funding_scope_items": "What Balanced National Development Projects cover: funding sources "
    "and kinds of projects, as printed.",
    "project_areas": "The project areas the pages list, as printed, in order.",
    "formulation_methods": "The numbered formulation methods of the structure matrix: account "
    "(column), formulator (row), description and starred notes, as printed.",
    "budget_change_notes": "The statements under 'Changes in the Budget': direction, account, "
    "text and any amount stated, as printed.",
    "plan_declared_counts": "How many items each list must hold per the registry, and how many "
    "were parsed.",
}
# Runs after the budget ingest, which starts the build file and lands raw.source_files.
SOURCE_FILES = dg.AssetKey(["raw", "source_files"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=["raw", table],
            description=description,
            group_name="ingest",
            kinds={"python", "duckdb"},
            deps=[SOURCE_FILES],
        )
        for table, description in RAW_PLAN_TABLES.items()
    ],
)
def raw_plan_documents(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Land the plan documents of every page registered with ``plan_documents`` in schema ``raw``.

    The plan hierarchy and its declared counts, the funding scope, the project areas, the
    formulation methods of the structure matrix and the budget-change notes. A page that cannot be
    parsed, a label the reference seeds do not know, or a list with another number of items than
    the registry declares stops the run here, with the file, the lines and what was expected.
    """
    settings = warehouse.settings
    with build_step(settings, context.run_id, "ingest") as step:
        sources = [
            source for source in load_registry(settings.data_raw_dir) if source.has_plan_documents
        ]
        pages = parse_every(
            sources, parse_plan_source, settings.build_reports_dir, settings.data_raw_dir
        )
        with duckdb.connect(str(settings.build_db)) as con:
            check_same_bytes(con, pages)
            counts = land_plan_documents(con, pages)
        files = {page.raw.source.file: page.raw.sha256 for page in pages}
        context.log.info(f"landed {counts} from {len(files)} file(s) into {settings.build_db}")
        shown = ("project_areas", "formulation_methods", "budget_change_notes", "plans")
        landed = ", ".join(f"{counts[table]} {table.replace('_', ' ')}" for table in shown)
        if not sources:
            landed = "none registered (no sources.yml entry has plan_documents): plan marts empty"
        step.summary = f"plan documents: {landed}"
    yield from landed_tables(RAW_PLAN_TABLES, counts, files, settings.build_db)
