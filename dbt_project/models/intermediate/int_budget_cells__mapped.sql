-- Published amounts with their budget line's account, level and kind, converted to KRW million.
-- Ingest resolved each row label to its line code through ref_budget_line_aliases. A line or unit
-- the reference tables do not know stays here with null attributes, so the tests on this model
-- name it instead of dropping the amount silently.
with

cells as (
    select * from {{ ref('stg_raw__budget_cells') }}
),

tables as (
    select * from {{ ref('stg_raw__budget_tables') }}
),

source_files as (
    select * from {{ ref('stg_raw__source_files') }}
),

lines as (
    select * from {{ ref('ref_budget_lines') }}
),

units as (
    select * from {{ ref('ref_units') }}
),

mapped as (
    select
        cells.source_file,
        cells.source_sha256,
        source_files.phase,
        cells.fiscal_year,
        cells.line_code,
        lines.account_code,
        lines.level_code,
        lines.line_kind,
        cells.row_label,
        cells.amount_text,
        cells.amount_in_source_unit,
        tables.unit_label as source_unit_label,
        units.krw_million_per_unit,
        cells.line_number as source_line_number,
        cells.column_label as source_column_label,
        cells.amount_in_source_unit * units.krw_million_per_unit as amount_krw_million,
        cells.source_file
        || ':' || cells.line_number
        || ' [' || cells.column_label || ']' as source_locator
    from cells
    inner join tables on cells.source_file = tables.source_file
    inner join source_files on cells.source_file = source_files.source_file
    left join lines on cells.line_code = lines.line_code
    left join units on tables.unit_label = units.unit_label
)

select * from mapped
