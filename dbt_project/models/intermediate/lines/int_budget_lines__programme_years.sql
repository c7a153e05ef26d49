-- Which programmes have lines in which fiscal year: small, kept by year (see dim_programme).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_reprocessed_fiscal_years() }}",
) }}

select
    fiscal_year,
    programme_code,
    count(*) as line_count,
    sum(amount_krw_million) as amount_krw_million
from {{ ref('stg_landing__budget_lines') }}
where not is_subtotal
group by fiscal_year, programme_code
