-- Across grains: wherever budget lines of a layout (line_source) exist for a fiscal year and
-- phase, each leaf amount of fct_budget (per source) is compared with the sum of those lines:
-- per account and level where every line of the account carries a level the table splits it by
-- (an account and level without lines sums to 0), else per account, levels added up (a central
-- government's detail budget gives no level). Lines of two layouts are never added together.
-- Tolerance: the source's precision (a table in 억원 is exact to 100). A sum off by a power of
-- ten within that precision is a UNIT_MISMATCH (a figure in the wrong unit), which blocks like a
-- MISMATCH.
with

line_totals as (
    select
        fiscal_year,
        account_code,
        level_code,
        phase,
        line_source,
        sum(line_count) as line_count,
        sum(amount_krw_million) as amount_krw_million
    from {{ ref('fct_budget_line_summary') }}
    group by fiscal_year, account_code, level_code, phase, line_source
),

leaf_levels as (
    select
        account_code,
        level_code
    from {{ ref('ref_budget_lines') }}
    where line_kind = 'leaf'
),

accounts_with_lines as (
    -- per layout, year, phase and account: do its lines carry the levels the table splits by?
    select
        line_totals.fiscal_year,
        line_totals.phase,
        line_totals.line_source,
        line_totals.account_code,
        bool_and(leaf_levels.level_code is not null) as has_table_levels
    from line_totals
    left join leaf_levels
        on
            line_totals.account_code = leaf_levels.account_code
            and line_totals.level_code = leaf_levels.level_code
    group by all
),

layouts_with_lines as (
    select distinct
        fiscal_year,
        phase,
        line_source
    from line_totals
),

facts as (
    select
        budget.*,
        layouts_with_lines.line_source,
        coalesce(accounts_with_lines.has_table_levels, true) as by_level
    from {{ ref('fct_budget') }} as budget
    inner join layouts_with_lines
        on
            budget.fiscal_year = layouts_with_lines.fiscal_year
            and budget.phase = layouts_with_lines.phase
    left join accounts_with_lines
        on
            budget.fiscal_year = accounts_with_lines.fiscal_year
            and budget.phase = accounts_with_lines.phase
            and layouts_with_lines.line_source = accounts_with_lines.line_source
            and budget.account_code = accounts_with_lines.account_code
),

per_level as (
    select
        facts.fiscal_year,
        facts.phase,
        facts.line_source,
        facts.account_code,
        facts.level_code,
        facts.source_file,
        'account × level' as grain,
        facts.amount_krw_million as expected_krw_million,
        facts.precision_krw_million as tolerance_krw_million,
        coalesce(line_totals.amount_krw_million, 0) as actual_krw_million,
        coalesce(line_totals.line_count, 0) as line_count
    from facts
    left join line_totals
        on
            facts.fiscal_year = line_totals.fiscal_year
            and facts.phase = line_totals.phase
            and facts.line_source = line_totals.line_source
            and facts.account_code = line_totals.account_code
            and facts.level_code = line_totals.level_code
    where facts.by_level
),

account_lines as (
    select
        fiscal_year,
        phase,
        line_source,
        account_code,
        sum(line_count) as line_count,
        sum(amount_krw_million) as amount_krw_million
    from line_totals
    group by all
),

per_account as (
    select
        facts.fiscal_year,
        facts.phase,
        facts.line_source,
        facts.account_code,
        cast(null as varchar) as level_code,
        facts.source_file,
        'account' as grain,
        sum(facts.amount_krw_million) as expected_krw_million,
        sum(facts.precision_krw_million) as tolerance_krw_million,
        any_value(account_lines.amount_krw_million) as actual_krw_million,
        any_value(account_lines.line_count) as line_count
    from facts
    inner join account_lines
        on
            facts.fiscal_year = account_lines.fiscal_year
            and facts.phase = account_lines.phase
            and facts.line_source = account_lines.line_source
            and facts.account_code = account_lines.account_code
    where not facts.by_level
    group by
        facts.fiscal_year, facts.phase, facts.line_source, facts.account_code, facts.source_file
),

compared as (
    select * from per_level
    union all
    select * from per_account
),

final as (
    select
        fiscal_year,
        phase,
        account_code,
        level_code,
        source_file,
        line_source,
        grain,
        expected_krw_million,
        tolerance_krw_million,
        actual_krw_million,
        line_count,
        actual_krw_million - expected_krw_million as difference_krw_million,
        case
            when actual_krw_million = expected_krw_million then 'EXACT'
            when abs(actual_krw_million - expected_krw_million) <= tolerance_krw_million
                then 'WITHIN_TOLERANCE'
            when
                actual_krw_million > 0 and expected_krw_million > 0
                and round(log10(actual_krw_million / expected_krw_million)) <> 0
                and abs(
                    actual_krw_million
                    / power(10, round(log10(actual_krw_million / expected_krw_million)))
                    - expected_krw_million
                ) <= tolerance_krw_million
                then 'UNIT_MISMATCH'
            else 'MISMATCH'
        end as status
    from compared
)

select * from final
