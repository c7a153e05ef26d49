-- The budget lines: one row per fiscal year × account × level × organisation × programme × phase
-- × source file. Incremental by fiscal year: a run deletes the years it reprocesses and inserts
-- them again from the landing.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_reprocessed_fiscal_years() }}",
) }}

with

lines as (
    select * from {{ ref('stg_landing__budget_lines') }}
    where not is_subtotal
),

final as (
    select
        fiscal_year,
        account_code,
        level_code,
        organisation_code,
        programme_code,
        phase,
        source_file,
        amount_krw_million,
        line_source,
        source_place,
        account_name_that_year,
        sub_account_name_that_year,
        account_mapping,
        field_name,
        sector_name,
        programme_name,
        unit_project_name,
        detail_project_name
    from lines
)

select * from final
