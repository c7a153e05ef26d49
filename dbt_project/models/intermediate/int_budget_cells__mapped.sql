-- Published amounts with their budget line's account, level and kind, converted to KRW million,
-- with their precision: half the last printed digit in KRW million (a table in 억원 printing whole
-- numbers is exact to ±50 KRW million per cell; one in 조원 with one decimal to ±50,000).
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
        cells.amount_decimals,
        cells.cell_place,
        cells.source_locator,
        cast(round(cells.amount_in_source_unit * units.krw_million_per_unit) as bigint)
            as amount_krw_million,
        cast(
            units.krw_million_per_unit * power(10, -cells.amount_decimals) / 2 as decimal(38, 6)
        ) as precision_krw_million
    from cells
    inner join tables on cells.source_file = tables.source_file
    inner join source_files on cells.source_file = source_files.source_file
    left join lines on cells.line_code = lines.line_code
    left join units on tables.unit_label = units.unit_label
)

select * from mapped
