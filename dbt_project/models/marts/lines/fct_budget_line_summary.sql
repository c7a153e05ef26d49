-- The budget lines added up to the grain of fct_budget: fiscal year × account × level × phase.
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
        phase,
        count(*) as line_count,
        sum(amount_krw_million) as amount_krw_million
    from lines
    group by fiscal_year, account_code, level_code, phase
)

select * from final
