-- Every published subtotal row (programme `소계`) against the sum of its organisation's detail
-- lines in the same file, fiscal year, account, level and phase. Kept by fiscal year.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_reprocessed_fiscal_years() }}",
) }}

with

groups as (
    -- the run's fiscal years, added up once in int_budget_lines__organisation_groups
    select * from {{ ref('int_budget_lines__organisation_groups') }}
    where fiscal_year in ({{ run_fiscal_years() }})
),

final as (
    select
        fiscal_year,
        source_file,
        organisation_code,
        account_code,
        level_code,
        phase,
        subtotal_krw_million as expected_krw_million,
        detail_sum_krw_million as actual_krw_million,
        subtotal_rows,
        detail_lines,
        detail_sum_krw_million - subtotal_krw_million as difference_krw_million,
        case
            when subtotal_rows <> 1 then 'REPEATED_SUBTOTAL'
            when detail_sum_krw_million = subtotal_krw_million then 'MATCH'
            else 'MISMATCH'
        end as status
    from groups
    where subtotal_rows > 0
)

select * from final
