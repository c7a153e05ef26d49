-- Across grains: wherever budget lines exist for a fiscal year and phase, each leaf amount of
-- fct_budget (account × level, per source) must equal the sum of the lines; an account and level
-- without lines sums to 0. Tolerance: the source's precision (a table in 억원 is exact to 100).
with

line_totals as (
    select
        fiscal_year,
        account_code,
        level_code,
        phase,
        sum(line_count) as line_count,
        sum(amount_krw_million) as amount_krw_million
    from {{ ref('fct_budget_line_summary') }}
    group by fiscal_year, account_code, level_code, phase
),

years_with_lines as (
    select distinct
        fiscal_year,
        phase
    from line_totals
),

facts as (
    select budget.*
    from {{ ref('fct_budget') }} as budget
    inner join years_with_lines
        on
            budget.fiscal_year = years_with_lines.fiscal_year
            and budget.phase = years_with_lines.phase
),

final as (
    select
        facts.fiscal_year,
        facts.phase,
        facts.account_code,
        facts.level_code,
        facts.source_file,
        facts.amount_krw_million as expected_krw_million,
        facts.precision_krw_million as tolerance_krw_million,
        coalesce(line_totals.amount_krw_million, 0) as actual_krw_million,
        coalesce(line_totals.amount_krw_million, 0) - facts.amount_krw_million
            as difference_krw_million,
        coalesce(line_totals.line_count, 0) as line_count,
        case
            when coalesce(line_totals.amount_krw_million, 0) = facts.amount_krw_million
                then 'EXACT'
            when
                abs(coalesce(line_totals.amount_krw_million, 0) - facts.amount_krw_million)
                <= facts.precision_krw_million
                then 'WITHIN_TOLERANCE'
            else 'MISMATCH'
        end as status
    from facts
    left join line_totals
        on
            facts.fiscal_year = line_totals.fiscal_year
            and facts.phase = line_totals.phase
            and facts.account_code = line_totals.account_code
            and facts.level_code = line_totals.level_code
)

select * from final
