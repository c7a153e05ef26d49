with

organisation_years as (
    select * from {{ ref('int_budget_lines__organisation_years') }}
),

final as (
    select
        organisation_code,
        cast(min(fiscal_year) as integer) as first_fiscal_year,
        cast(max(fiscal_year) as integer) as last_fiscal_year,
        cast(count(*) as integer) as fiscal_year_count,
        sum(line_count) as line_count,
        -- the kind it has in the latest year it has lines in
        arg_max(organisation_kind, fiscal_year) as organisation_kind
    from organisation_years
    group by organisation_code
)

select * from final
