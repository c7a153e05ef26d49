-- The budget lines added up to the grain of fct_budget: fiscal year × account × level × phase,
-- per layout they came in (a publisher's detail and the warehouse's own lines are never added).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_reprocessed_fiscal_years() }}",
) }}

with

groups as (
    -- the run's fiscal years, added up once in int_budget_lines__organisation_groups
    select * from {{ ref('int_budget_lines__organisation_groups') }}
    where fiscal_year in ({{ run_fiscal_years() }}) and detail_lines > 0
),

final as (
    select
        fiscal_year,
        account_code,
        level_code,
        phase,
        line_source,
        cast(sum(detail_lines) as bigint) as line_count,
        -- KRW million to the KRW thousand, as every amount of the lines (fct_budget_line): one
        -- type per meaning (a sum past 10^15 KRW million fails the build rather than widen it)
        cast(sum(detail_sum_krw_million) as decimal(18, 3)) as amount_krw_million
    from groups
    group by fiscal_year, account_code, level_code, phase, line_source
)

select * from final
