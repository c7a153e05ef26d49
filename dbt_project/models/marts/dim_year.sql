-- Korea's fiscal year is the calendar year (National Finance Act, Article 2).
with

published_years as (
    select distinct fiscal_year from {{ ref('int_budget_cells__mapped') }}
),

final as (
    select
        fiscal_year,
        make_date(fiscal_year, 1, 1) as fiscal_year_start_date,
        make_date(fiscal_year, 12, 31) as fiscal_year_end_date
    from published_years
)

select * from final
