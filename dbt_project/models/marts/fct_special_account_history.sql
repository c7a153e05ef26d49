-- Every figure any loaded source gives for the special account, as a whole and by account, year
-- by year since 2005: the budget tables (their leaf amounts added up per account, and in all),
-- the budget lines (per layout they came in), and the control totals (the figures research
-- institutes, ministries and newspapers stated). Each with its precision (half a printed step,
-- in KRW million) and its phase ('not stated' where the source states none), under the name the
-- account had that year and today's: never averaged, never one figure overwriting another.
with

facts as (
    select * from {{ ref('fct_budget') }}
),

line_summary as (
    select * from {{ ref('fct_budget_line_summary') }}
),

control_totals as (
    select * from {{ ref('stg_raw__control_totals') }}
),

budget_lines as (
    select * from {{ ref('ref_budget_lines') }}
),

eras as (
    select * from {{ ref('ref_account_history') }}
),

table_figures as (
    select
        fiscal_year,
        account_code,
        phase,
        source_file as source_name,
        'summary table' as source_kind,
        source_file as source_locator,
        sum(amount_krw_million) as amount_krw_million,
        sum(precision_krw_million) as precision_krw_million
    from facts
    group by fiscal_year, account_code, phase, source_file
    union all
    select
        fiscal_year,
        'bnd_special_account' as account_code,
        phase,
        source_file as source_name,
        'summary table' as source_kind,
        source_file as source_locator,
        sum(amount_krw_million) as amount_krw_million,
        sum(precision_krw_million) as precision_krw_million
    from facts
    group by fiscal_year, phase, source_file
),

line_figures as (
    select
        fiscal_year,
        account_code,
        phase,
        line_source as source_name,
        'detail lines' as source_kind,
        line_source as source_locator,
        sum(amount_krw_million) as amount_krw_million,
        -- exact to the KRW thousand: half of it, as for a printed step
        cast(0.0005 as decimal(38, 6)) as precision_krw_million
    from line_summary
    -- lines of an era's account that maps to none of today's (split) count in the whole only
    where account_code != 'bnd_special_account'
    group by fiscal_year, account_code, phase, line_source
    union all
    select
        fiscal_year,
        'bnd_special_account' as account_code,
        phase,
        line_source as source_name,
        'detail lines' as source_kind,
        line_source as source_locator,
        sum(amount_krw_million) as amount_krw_million,
        cast(0.0005 as decimal(38, 6)) as precision_krw_million
    from line_summary
    group by fiscal_year, phase, line_source
),

control_figures as (
    select
        control_totals.fiscal_year,
        budget_lines.account_code,
        control_totals.phase,
        control_totals.stated_by as source_name,
        'control total' as source_kind,
        control_totals.source_locator,
        cast(
            control_totals.amount_in_source_unit * units.krw_million_per_unit as decimal(38, 3)
        ) as amount_krw_million,
        control_totals.precision_krw_million
    from control_totals
    inner join budget_lines on control_totals.line_code = budget_lines.line_code
    inner join {{ ref('ref_units') }} as units on control_totals.unit_label = units.unit_label
),

all_figures as (
    select * from table_figures
    union all
    select * from line_figures
    union all
    select * from control_figures
),

figures as (
    select
        fiscal_year,
        account_code,
        source_name,
        source_kind,
        source_locator,
        coalesce(phase, 'not stated') as phase,
        cast(amount_krw_million as decimal(38, 3)) as amount_krw_million,
        cast(precision_krw_million as decimal(38, 6)) as precision_krw_million
    from all_figures
),

figure_accounts as (
    select distinct
        fiscal_year,
        account_code
    from figures
),

names as (
    -- the name each of today's accounts had in a year (two where the first year of a new name
    -- is not verified, or a short name was also used)
    select
        figures.fiscal_year,
        figures.account_code,
        string_agg(
            distinct coalesce(eras.sub_account_name_ko, eras.account_name_ko), ' / '
            order by coalesce(eras.sub_account_name_ko, eras.account_name_ko)
        ) as account_name_that_year
    from figure_accounts as figures
    inner join eras
        on
            figures.account_code = eras.today_account_code
            and figures.fiscal_year between eras.first_year and coalesce(eras.last_year, 9999)
            and eras.mapping != 'split'
            and (eras.sub_account_name_ko is null) = (figures.account_code = 'bnd_special_account')
    group by all
),

final as (
    select
        figures.fiscal_year,
        figures.account_code,
        names.account_name_that_year,
        figures.phase,
        figures.source_name,
        figures.source_kind,
        figures.source_locator,
        figures.amount_krw_million,
        figures.precision_krw_million
    from figures
    left join names
        on figures.fiscal_year = names.fiscal_year and figures.account_code = names.account_code
)

select * from final
