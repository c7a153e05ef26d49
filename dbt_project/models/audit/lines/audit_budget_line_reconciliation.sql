-- Across grains: wherever budget lines of a layout (line_source) exist for a fiscal year and
-- phase, each leaf amount of fct_budget (per source) is compared with the sum of those lines:
-- per account and level where every line of the account carries a level the table splits it by
-- (an account and level without lines sums to 0), else per account, levels added up (a central
-- government's detail budget gives no level). Lines of two layouts are never added together.
-- Tolerance: the source's precision (a table in 억원 is exact to 100). A sum off by a power of
-- ten within that precision is a UNIT_MISMATCH (a figure in the wrong unit), which blocks like a
-- MISMATCH.
-- Each row names both sides, so that a failure points at the files to open: the table's figure
-- (source_file, source_locator: file, line and year column) and the line files whose lines were
-- added up (line_files; for a sum of no lines, the layout's files of that year and phase, which
-- hold none for the account).
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

-- Which file each sum's lines came from (the summary keeps no file: it is the fact's grain).
line_file_groups as (
    select distinct
        fiscal_year,
        phase,
        line_source,
        account_code,
        level_code,
        source_file
    from {{ ref('int_budget_lines__organisation_groups') }}
    where detail_lines > 0
),

files_by_level as (
    select
        fiscal_year,
        phase,
        line_source,
        account_code,
        level_code,
        string_agg(distinct source_file, ', ' order by source_file) as line_files
    from line_file_groups
    group by fiscal_year, phase, line_source, account_code, level_code
),

files_by_account as (
    select
        fiscal_year,
        phase,
        line_source,
        account_code,
        string_agg(distinct source_file, ', ' order by source_file) as line_files
    from line_file_groups
    group by fiscal_year, phase, line_source, account_code
),

files_by_layout as (
    select
        fiscal_year,
        phase,
        line_source,
        string_agg(distinct source_file, ', ' order by source_file) as line_files
    from line_file_groups
    group by fiscal_year, phase, line_source
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
        facts.source_locator,
        'account × level' as grain,
        facts.amount_krw_million as expected_krw_million,
        facts.precision_krw_million as tolerance_krw_million,
        coalesce(line_totals.amount_krw_million, 0) as actual_krw_million,
        coalesce(line_totals.line_count, 0) as line_count,
        coalesce(files_by_level.line_files, files_by_layout.line_files) as line_files
    from facts
    left join line_totals
        on
            facts.fiscal_year = line_totals.fiscal_year
            and facts.phase = line_totals.phase
            and facts.line_source = line_totals.line_source
            and facts.account_code = line_totals.account_code
            and facts.level_code = line_totals.level_code
    left join files_by_level
        on
            facts.fiscal_year = files_by_level.fiscal_year
            and facts.phase = files_by_level.phase
            and facts.line_source = files_by_level.line_source
            and facts.account_code = files_by_level.account_code
            and facts.level_code = files_by_level.level_code
    left join files_by_layout
        on
            facts.fiscal_year = files_by_layout.fiscal_year
            and facts.phase = files_by_layout.phase
            and facts.line_source = files_by_layout.line_source
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
        string_agg(facts.source_locator, ', ' order by facts.source_locator) as source_locator,
        'account' as grain,
        sum(facts.amount_krw_million) as expected_krw_million,
        sum(facts.precision_krw_million) as tolerance_krw_million,
        any_value(account_lines.amount_krw_million) as actual_krw_million,
        any_value(account_lines.line_count) as line_count,
        any_value(files_by_account.line_files) as line_files
    from facts
    inner join account_lines
        on
            facts.fiscal_year = account_lines.fiscal_year
            and facts.phase = account_lines.phase
            and facts.line_source = account_lines.line_source
            and facts.account_code = account_lines.account_code
    left join files_by_account
        on
            facts.fiscal_year = files_by_account.fiscal_year
            and facts.phase = files_by_account.phase
            and facts.line_source = files_by_account.line_source
            and facts.account_code = files_by_account.account_code
    where not facts.by_level
    group by
        facts.fiscal_year, facts.phase, facts.line_source, facts.account_code, facts.source_file
),

compared as (
    select * from per_level
    union all
    select * from per_account
),

-- The ratio of the two figures, and the power of ten nearest it (a unit declared wrongly).
measured as (
    select
        *,
        actual_krw_million - expected_krw_million as difference_krw_million,
        case
            when expected_krw_million != 0
                then cast(actual_krw_million as double) / cast(expected_krw_million as double)
        end as ratio,
        case
            when actual_krw_million > 0 and expected_krw_million > 0
                then cast(round(log10(actual_krw_million / expected_krw_million)) as integer)
        end as ratio_exponent
    from compared
),

classified as (
    select
        *,
        case
            when actual_krw_million = expected_krw_million then 'EXACT'
            when abs(difference_krw_million) <= tolerance_krw_million
                then 'WITHIN_TOLERANCE'
            when
                ratio_exponent != 0
                and abs(
                    actual_krw_million / power(10, ratio_exponent) - expected_krw_million
                ) <= tolerance_krw_million
                then 'UNIT_MISMATCH'
            else 'MISMATCH'
        end as status
    from measured
),

final as (
    select
        fiscal_year,
        phase,
        account_code,
        level_code,
        source_file,
        source_locator,
        line_source,
        line_files,
        grain,
        expected_krw_million,
        tolerance_krw_million,
        actual_krw_million,
        line_count,
        difference_krw_million,
        round(ratio, 6) as ratio,
        status,
        case when status = 'UNIT_MISMATCH' then power(10, ratio_exponent) end as unit_factor,
        case
            when status = 'UNIT_MISMATCH'
                then
                    'the lines add up to the table''s figure × '
                    || {{ thousands('power(10, ratio_exponent)') }}
                    || ' within precision: is the unit declared for the line file '
                    || '(data_raw/sources.yml, line_files:) wrong?'
        end as reason
    from classified
)

select * from final
