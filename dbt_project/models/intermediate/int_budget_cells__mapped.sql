-- Published amounts mapped to budget lines (account × level × kind) and converted to KRW million.
-- A label or unit that the reference tables do not know stays here with a null code, so the tests
-- on this model name it instead of dropping the amount silently.
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

aliases as (
    select
        line_code,
        lower(label) as row_label_key
    from {{ ref('ref_budget_line_aliases') }}
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
        aliases.line_code,
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
    left join aliases on cells.row_label_key = aliases.row_label_key
    left join lines on aliases.line_code = lines.line_code
    left join units on tables.unit_label = units.unit_label
)

select * from mapped
