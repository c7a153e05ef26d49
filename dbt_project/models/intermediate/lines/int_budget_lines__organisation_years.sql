-- Which organisations have lines in which fiscal year, and as what kind: small, kept by year, so
-- that dim_organisation never rescans the lines.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_reprocessed_fiscal_years() }}",
) }}

select
    fiscal_year,
    organisation_code,
    max(organisation_kind) as organisation_kind,
    min(organisation_kind) = max(organisation_kind) as has_one_kind,
    count(*) as line_count,
    sum(amount_krw_million) as amount_krw_million
from {{ ref('stg_landing__budget_lines') }}
where not is_subtotal
group by fiscal_year, organisation_code
