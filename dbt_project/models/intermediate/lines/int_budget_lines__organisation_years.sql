-- Which organisations have lines in which fiscal year, and as what kind: small, kept by year, so
-- that dim_organisation never rescans the lines.
with

groups as (
    -- the run's fiscal years, added up once in int_budget_lines__organisation_groups
    select * from {{ ref('int_budget_lines__organisation_groups') }}
    where fiscal_year in ({{ run_fiscal_years() }}) and detail_lines > 0
)

select
    fiscal_year,
    organisation_code,
    -- before the aggregates for sqlfluff (ST06 counts a cast as simple); columns go by name
    cast(sum(detail_lines) as bigint) as line_count,
    max(max_organisation_kind) as organisation_kind,
    min(min_organisation_kind) = max(max_organisation_kind) as has_one_kind,
    sum(detail_sum_krw_million) as amount_krw_million
from groups
group by fiscal_year, organisation_code
