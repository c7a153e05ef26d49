-- Which programmes have lines in which fiscal year: small, kept by year (see dim_programme).
select
    fiscal_year,
    programme_code,
    count(*) as line_count,
    sum(amount_krw_million) as amount_krw_million
from {{ ref('stg_landing__budget_lines') }}
where not is_subtotal
group by fiscal_year, programme_code
