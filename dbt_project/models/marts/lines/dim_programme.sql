with

programme_years as (
    select * from {{ ref('int_budget_lines__programme_years') }}
),

final as (
    select
        programme_code,
        cast(min(fiscal_year) as integer) as first_fiscal_year,
        cast(max(fiscal_year) as integer) as last_fiscal_year,
        cast(count(*) as integer) as fiscal_year_count,
        sum(line_count) as line_count
    from programme_years
    group by programme_code
)

select * from final
