"""Land a page's plan documents in the build's DuckDB file, schema ``raw``, with provenance.

For every registered page with ``plan_documents`` (``data_raw/sources.yml``): parse the plan
hierarchy, the funding scope, the project areas, the structure matrix and the budget-change notes;
resolve each printed label to its code through ``ref_plan_labels.csv``; check every list against
the count the registry declares for it. Any failure stops the run here, naming the file, the lines
and what was expected, before anything is built. What lands is what the page says, as printed,
next to the resolved codes, each row with the file, its sha256 and its lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from pipelines.core.errors import SourceError
from pipelines.core.sql import one_row
from pipelines.sources.page_text import TextItem, page_lines
from pipelines.sources.plan_hierarchy import PlanHierarchy, parse_plan_hierarchy
from pipelines.sources.plan_sections import (
    BudgetChangeNote,
    FundingScopeItem,
    parse_budget_change_notes,
    parse_funding_scope,
    parse_project_areas,
)
from pipelines.sources.reference import (
    PLAN_LABELS_SEED,
    UNITS_SEED,
    formulator_groups,
    known_units,
    label_key,
    plan_labels,
)
from pipelines.sources.registry import (
    DECLARED_LISTS,
    REGISTRY_NAME,
    RawFile,
    RawSource,
    read_source,
)
from pipelines.sources.structure_matrix import MatrixLabels, StructureMatrix, parse_structure_matrix

PROVENANCE = "source_file varchar not null, source_sha256 varchar not null"
LINES = "line_number integer not null, last_line_number integer not null"
RAW_PLAN_DDL = f"""
create schema if not exists raw;
create or replace table raw.plans (
    {PROVENANCE},
    plan_order integer not null,
    plan_label varchar not null,
    plan_kind varchar not null,
    heading_text varchar not null,
    period_start_year integer,
    period_end_year integer,
    cycle_label varchar,
    parent_plan_order integer,
    formulator_label varchar,
    formulator_code varchar,
    legal_basis_text varchar,
    legal_basis_line_number integer,
    {LINES}
);
create or replace table raw.plan_components (
    {PROVENANCE},
    plan_order integer not null,
    component_order integer not null,
    component_label varchar not null,
    component_code varchar not null,
    declared_count integer not null,
    count_text varchar not null,
    {LINES}
);
create or replace table raw.funding_scope_items (
    {PROVENANCE},
    item_order integer not null,
    scope_kind varchar not null,
    item_label varchar not null,
    scope_code varchar not null,
    account_code varchar,
    {LINES}
);
create or replace table raw.project_areas (
    {PROVENANCE},
    area_order integer not null,
    area_text varchar not null,
    project_area_code varchar not null,
    {LINES}
);
create or replace table raw.formulation_methods (
    {PROVENANCE},
    method_number integer not null,
    marker varchar not null,
    description varchar not null,
    starred_note varchar,
    column_number integer not null,
    column_label varchar not null,
    account_code varchar not null,
    row_labels varchar not null,
    formulator_code varchar not null,
    {LINES}
);
create or replace table raw.budget_change_notes (
    {PROVENANCE},
    note_order integer not null,
    direction_label varchar not null,
    direction_code varchar not null,
    subject_label varchar not null,
    account_code varchar not null,
    statement varchar not null,
    note_text varchar not null,
    amount_text varchar,
    amount_value decimal(18, 6),
    amount_unit_label varchar,
    {LINES}
);
create or replace table raw.plan_declared_counts (
    {PROVENANCE},
    list_name varchar not null,
    declared_count integer not null,
    parsed_count integer not null,
    declared_in varchar not null,
    basis varchar not null,
    read_at timestamp not null
);
"""
PLAN_TABLES = (
    "plans",
    "plan_components",
    "funding_scope_items",
    "project_areas",
    "formulation_methods",
    "budget_change_notes",
    "plan_declared_counts",
)


@dataclass(frozen=True)
class ParsedPlanDocuments:
    """One page's plan documents, parsed, resolved and checked: rows ready to land, per table."""

    raw: RawFile
    rows: dict[str, list[dict[str, Any]]]


def parse_plan_source(source: RawSource) -> ParsedPlanDocuments:
    """Read, parse, resolve and check one registered page; every failure names file and lines."""
    raw = read_source(source)
    file = str(source.path)
    lines = page_lines(raw.text(), file)
    hierarchy = parse_plan_hierarchy(lines, file)
    funding = parse_funding_scope(lines, file)
    areas = parse_project_areas(lines, file)
    matrix = parse_structure_matrix(lines, matrix_labels(), file)
    notes = parse_budget_change_notes(lines, file)

    parsed_counts = {
        "project_areas": (len(areas), _span(areas)),
        "funding_scope_items": (len(funding), funding[0].sentence.place),
        "formulation_methods": (len(matrix.methods), _matrix_place(matrix)),
        "budget_change_notes": (len(notes), _span([note.item for note in notes])),
    }
    declared = check_declared_counts(source, parsed_counts, file)
    provenance = {"source_file": source.file, "source_sha256": raw.sha256}
    rows = {
        "plans": plan_rows(hierarchy, file),
        "plan_components": component_rows(hierarchy, file),
        "funding_scope_items": funding_rows(funding, file),
        "project_areas": area_rows(areas, file),
        "formulation_methods": method_rows(matrix),
        "budget_change_notes": note_rows(notes, file),
        "plan_declared_counts": declared,
    }
    return ParsedPlanDocuments(
        raw=raw,
        rows={
            table: [{**provenance, **row} for row in table_rows]
            for table, table_rows in rows.items()
        },
    )


def matrix_labels() -> MatrixLabels:
    return MatrixLabels(
        accounts=plan_labels("account"),
        formulators=plan_labels("formulator"),
        parents=formulator_groups(),
    )


def _span(items: Sequence[TextItem]) -> str:
    if not items:
        return "whole file"
    return TextItem("", items[0].first_line, items[-1].last_line).place


def _matrix_place(matrix: StructureMatrix) -> str:
    last = max((method.last_line for method in matrix.methods), default=matrix.header_line)
    return TextItem("", matrix.header_line, last).place


def check_declared_counts(
    source: RawSource, parsed: dict[str, tuple[int, str]], file: str
) -> list[dict[str, Any]]:
    """Each list holds as many items as the registry declares; rows of declared vs parsed."""
    assert source.declared_counts is not None
    registry = str(source.path.parent / REGISTRY_NAME)
    read_at = datetime.now(UTC).replace(tzinfo=None)
    rows = []
    for name, noun in DECLARED_LISTS.items():
        declared = source.declared_counts[name]
        count, place = parsed[name]
        if count != declared.count:
            raise SourceError(
                file,
                place,
                f"{declared.count} {noun} as declared in {registry} "
                f"(plan_documents.declared_counts.{name})",
                f"{count} in the page's list",
            )
        rows.append(
            {
                "list_name": name,
                "declared_count": declared.count,
                "parsed_count": count,
                "declared_in": f"{REGISTRY_NAME}, plan_documents.declared_counts.{name}",
                "basis": declared.basis,
                "read_at": read_at,
            }
        )
    return rows


def resolve(label_kind: str, label: str, file: str, place: str, what: str) -> str:
    """The code of a printed label, or a SourceError saying where to add it."""
    code = plan_labels(label_kind).get(label_key(label))
    if code is None:
        raise SourceError(
            file,
            place,
            f"{what} listed in dbt_project/seeds/{PLAN_LABELS_SEED} with label_kind {label_kind} "
            "(add it there if it names a known one)",
            repr(label),
        )
    return code


def _once(codes: list[tuple[str, TextItem]], file: str, what: str) -> None:
    seen: dict[str, TextItem] = {}
    for code, item in codes:
        first = seen.setdefault(code, item)
        if first is not item:
            raise SourceError(
                file,
                item.place,
                f"each {what} once, but {item.text!r} is the same ({code}) as "
                f"{first.text!r} on {first.place}",
                "a repeated item",
            )


def _lines(item: TextItem) -> dict[str, int]:
    return {"line_number": item.first_line, "last_line_number": item.last_line}


def plan_rows(hierarchy: PlanHierarchy, file: str) -> list[dict[str, Any]]:
    kinds = [
        resolve("plan", plan.name, file, plan.heading.place, "a plan") for plan in hierarchy.plans
    ]
    _once(
        [(kind, plan.heading) for kind, plan in zip(kinds, hierarchy.plans, strict=True)],
        file,
        "plan",
    )
    rows = []
    for order, (kind, plan) in enumerate(zip(kinds, hierarchy.plans, strict=True), start=1):
        parent_order = None
        if plan.parent_name is not None:
            parent_kind = resolve(
                "plan", plan.parent_name, file, plan.heading.place, "the plan it serves"
            )
            if parent_kind not in kinds[: order - 1]:
                raise SourceError(
                    file,
                    plan.heading.place,
                    f"the plan it serves ({plan.parent_name!r}) named above it on the page",
                    f"no plan {parent_kind} above it",
                )
            parent_order = kinds.index(parent_kind) + 1
        is_root = plan is hierarchy.five_year_plan
        rows.append(
            {
                "plan_order": order,
                "plan_label": plan.name,
                "plan_kind": kind,
                "heading_text": plan.heading.text,
                "period_start_year": plan.period[0] if plan.period else None,
                "period_end_year": plan.period[1] if plan.period else None,
                "cycle_label": plan.cycle,
                "parent_plan_order": parent_order,
                "formulator_label": plan.formulator_label,
                "formulator_code": resolve(
                    "formulator",
                    plan.formulator_label,
                    file,
                    plan.heading.place,
                    "who draws the plan up",
                )
                if plan.formulator_label
                else None,
                # The page cites one legal basis, for the five-year plan.
                "legal_basis_text": hierarchy.legal_basis.text if is_root else None,
                "legal_basis_line_number": hierarchy.legal_basis.line if is_root else None,
                **_lines(plan.heading),
            }
        )
    return rows


def component_rows(hierarchy: PlanHierarchy, file: str) -> list[dict[str, Any]]:
    rows = []
    for plan_order, plan in enumerate(hierarchy.plans, start=1):
        codes = [
            resolve("plan_component", count.label, file, count.item.place, "a plan component")
            for count in plan.counts
        ]
        _once(
            [(code, count.item) for code, count in zip(codes, plan.counts, strict=True)],
            file,
            "component of a plan",
        )
        rows += [
            {
                "plan_order": plan_order,
                "component_order": order,
                "component_label": count.label,
                "component_code": code,
                "declared_count": count.count,
                "count_text": count.item.text,
                **_lines(count.item),
            }
            for order, (code, count) in enumerate(zip(codes, plan.counts, strict=True), start=1)
        ]
    return rows


def funding_rows(items: list[FundingScopeItem], file: str) -> list[dict[str, Any]]:
    codes = [
        resolve("funding_scope", item.label, file, item.sentence.place, "a funding scope item")
        for item in items
    ]
    _once(
        [
            (code, TextItem(item.label, item.sentence.first_line, item.sentence.last_line))
            for code, item in zip(codes, items, strict=True)
        ],
        file,
        "funding scope item",
    )
    accounts = plan_labels("account")
    return [
        {
            "item_order": item.item_order,
            "scope_kind": item.scope_kind,
            "item_label": item.label,
            "scope_code": code,
            # Set when the item is an account of the warehouse (the special account itself).
            "account_code": accounts.get(label_key(item.label)),
            **_lines(item.sentence),
        }
        for code, item in zip(codes, items, strict=True)
    ]


def area_rows(areas: list[TextItem], file: str) -> list[dict[str, Any]]:
    codes = [
        resolve("project_area", area.text, file, area.place, "a project area") for area in areas
    ]
    _once(list(zip(codes, areas, strict=True)), file, "project area")
    return [
        {"area_order": order, "area_text": area.text, "project_area_code": code, **_lines(area)}
        for order, (code, area) in enumerate(zip(codes, areas, strict=True), start=1)
    ]


def method_rows(matrix: StructureMatrix) -> list[dict[str, Any]]:
    return [
        {
            "method_number": method.number,
            "marker": method.marker,
            "description": method.description,
            "starred_note": " / ".join(method.starred_notes) or None,
            "column_number": method.column_number,
            "column_label": method.column_label,
            "account_code": method.account_code,
            "row_labels": " / ".join(method.row_labels),
            "formulator_code": method.formulator_code,
            "line_number": method.first_line,
            "last_line_number": method.last_line,
        }
        for method in matrix.methods
    ]


def note_rows(notes: list[BudgetChangeNote], file: str) -> list[dict[str, Any]]:
    units = known_units()
    rows = []
    for note in notes:
        place = note.item.place
        if note.amount is not None and note.amount.unit_label not in units:
            raise SourceError(
                file,
                place,
                f"an amount in a unit listed in dbt_project/seeds/{UNITS_SEED}",
                repr(note.amount.text),
            )
        rows.append(
            {
                "note_order": note.note_order,
                "direction_label": note.direction_label,
                "direction_code": resolve(
                    "change_direction", note.direction_label, file, place, "a direction of change"
                ),
                "subject_label": note.subject_label,
                "account_code": resolve(
                    "account", note.subject_label, file, place, "the account the change concerns"
                ),
                "statement": note.statement,
                "note_text": note.item.text,
                "amount_text": note.amount.text if note.amount else None,
                "amount_value": note.amount.value if note.amount else None,
                "amount_unit_label": note.amount.unit_label if note.amount else None,
                **_lines(note.item),
            }
        )
    return rows


def check_same_bytes(con: duckdb.DuckDBPyConnection, pages: Sequence[ParsedPlanDocuments]) -> None:
    """Each page was read with the bytes the budget ingest read in this build (same sha256)."""
    landed = dict(con.execute("select source_file, source_sha256 from raw.source_files").fetchall())
    for page in pages:
        source = page.raw.source
        if landed.get(source.file) != page.raw.sha256:
            raise SourceError(
                str(source.path),
                "whole file",
                "the bytes the budget ingest read in this build "
                f"(sha256 {landed.get(source.file)})",
                f"sha256 {page.raw.sha256}: the file changed during the run",
            )


def land_plan_documents(
    con: duckdb.DuckDBPyConnection, pages: Sequence[ParsedPlanDocuments]
) -> dict[str, int]:
    """Replace the raw plan tables with these pages; returns the row count of each table."""
    con.execute(RAW_PLAN_DDL)
    for page in pages:
        for table, rows in page.rows.items():
            if not rows:
                continue
            columns = list(rows[0])
            con.executemany(
                f"insert into raw.{table} ({', '.join(columns)}) "
                f"values ({', '.join('?' for _ in columns)})",
                [[row[column] for column in columns] for row in rows],
            )
    return {
        table: one_row(con.execute(f"select count(*) from raw.{table}"))[0] for table in PLAN_TABLES
    }
