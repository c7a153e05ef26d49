-- Korea's fiscal year is the calendar year (National Finance Act, Article 2). Each year says which
-- five-year plan's period it falls in, if any of the plans the pages describe.
with

published_years as (
    select distinct fiscal_year from {{ ref('int_budget_cells__mapped') }}
),

five_year_plans as (
    select * from {{ ref('dim_plan') }}
    where plan_kind = 'five_year_plan'
),

plan_periods as (
    select
        string_agg(
            name_en || ', ' || period_start_year || '–' || period_end_year,
            '; ' order by period_start_year
        ) as described_plans
    from five_year_plans
),

final as (
    select
        published_years.fiscal_year,
        five_year_plans.plan_code as five_year_plan_code,
        cast(
            published_years.fiscal_year - five_year_plans.period_start_year + 1 as integer
        ) as plan_year_number,
        make_date(published_years.fiscal_year, 1, 1) as fiscal_year_start_date,
        make_date(published_years.fiscal_year, 12, 31) as fiscal_year_end_date,
        five_year_plans.plan_code is not null as is_in_plan_period,
        five_year_plans.period_start_year || '–' || five_year_plans.period_end_year
            as plan_period_label,
        case
            when five_year_plans.plan_code is not null
                then
                    'Year ' || (published_years.fiscal_year - five_year_plans.period_start_year + 1)
                    || ' of the ' || five_year_plans.name_en || ' ('
                    || five_year_plans.period_start_year || '–' || five_year_plans.period_end_year
                    || ').'
            else
                'Outside the period of the five-year plan the pages describe ('
                || coalesce(plan_periods.described_plans, 'none')
                || '); the pages do not name the plan in force that year.'
        end as plan_period_note
    from published_years
    cross join plan_periods
    left join five_year_plans
        on
            published_years.fiscal_year
            between five_year_plans.period_start_year and five_year_plans.period_end_year
)

select * from final
