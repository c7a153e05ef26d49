-- Every figure any loaded source gives for the special account, as a whole and by account, year
-- by year since 2005: the budget tables (the figure a table prints for the whole account and for
-- each account; added up from its leaves only where it prints none), the budget lines (per layout
-- they came in), and the control totals (the figures research institutes, ministries and
-- newspapers stated). Each row says whether it is the special account as a whole
-- (`is_whole_account`) or one of its accounts (계정): the two kinds hold the same money, so a sum
-- takes one kind and one source. Each figure keeps its precision (`precision_krw_million`, as in
-- every mart: the tolerance ± of the figure, half its printed step, in KRW million) and its phase
-- ('not stated' where the source states none), under the name the account had that year and
-- today's code: never averaged, never one figure overwriting another. Amounts are
-- decimal(18, 3): whole KRW million for tables and stated totals, KRW thousands kept for lines.
with

facts as (
    select * from {{ ref('fct_budget') }}
),

reported_totals as (
    select * from {{ ref('fct_budget_reported_total') }}
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

units as (
    select * from {{ ref('ref_units') }}
),

eras as (
    select * from {{ ref('dim_account_era') }}
),

source_files as (
    select * from {{ ref('dim_source') }}
),

-- each table's leaves added up per account and in all, with their precisions added up
leaf_sums as (
    select
        fiscal_year,
        account_code,
        phase,
        source_file,
        sum(amount_krw_million) as amount_krw_million,
        sum(precision_krw_million) as precision_krw_million,
        count(*) as n_leaves
    from facts
    group by fiscal_year, account_code, phase, source_file
    union all
    select
        fiscal_year,
        'bnd_special_account' as account_code,
        phase,
        source_file,
        sum(amount_krw_million) as amount_krw_million,
        sum(precision_krw_million) as precision_krw_million,
        count(*) as n_leaves
    from facts
    group by fiscal_year, phase, source_file
),

-- the figure the table prints: its Total or sub-total where it prints one, the account's one leaf
-- where it has one, otherwise (only then) the sum of its leaves
table_figures as (
    select
        coalesce(printed.fiscal_year, leaf_sums.fiscal_year) as fiscal_year,
        coalesce(printed.account_code, leaf_sums.account_code) as account_code,
        coalesce(printed.phase, leaf_sums.phase) as phase,
        coalesce(printed.source_file, leaf_sums.source_file) as source_name,
        'summary table' as source_kind,
        coalesce(printed.source_file, leaf_sums.source_file) as source_locator,
        case
            when printed.amount_krw_million is not null or leaf_sums.n_leaves = 1
                then 'as published'
            else 'added up'
        end as figure_basis,
        coalesce(printed.amount_krw_million, leaf_sums.amount_krw_million) as amount_krw_million,
        coalesce(printed.precision_krw_million, leaf_sums.precision_krw_million)
            as precision_krw_million,
        -- the table's file as dated in sources.yml (null where it states no date)
        source_files.publication_date
    from leaf_sums
    full outer join reported_totals as printed
        on
            leaf_sums.fiscal_year = printed.fiscal_year
            and leaf_sums.account_code = printed.account_code
            and leaf_sums.phase = printed.phase
            and leaf_sums.source_file = printed.source_file
    left join source_files
        on coalesce(printed.source_file, leaf_sums.source_file) = source_files.source_file
),

line_figures as (
    select
        fiscal_year,
        account_code,
        phase,
        line_source as source_name,
        'detail lines' as source_kind,
        line_source as source_locator,
        'added up' as figure_basis,
        sum(amount_krw_million) as amount_krw_million,
        -- lines are exact to the KRW thousand, and so is their sum: half of it, as for a step
        cast(0.0005 as decimal(38, 6)) as precision_krw_million,
        cast(null as date) as publication_date
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
        'added up' as figure_basis,
        sum(amount_krw_million) as amount_krw_million,
        cast(0.0005 as decimal(38, 6)) as precision_krw_million,
        cast(null as date) as publication_date
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
        'as published' as figure_basis,
        control_totals.amount_in_source_unit * units.krw_million_per_unit as amount_krw_million,
        control_totals.precision_krw_million,
        control_totals.publication_date
    from control_totals
    inner join budget_lines on control_totals.line_code = budget_lines.line_code
    inner join units on control_totals.unit_label = units.unit_label
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
        figure_basis,
        publication_date,
        cast(amount_krw_million as decimal(18, 3)) as amount_krw_million,
        cast(precision_krw_million as decimal(38, 6)) as precision_krw_million,
        coalesce(phase, 'not stated') as phase,
        account_code = 'bnd_special_account' as is_whole_account
    from all_figures
),

figure_accounts as (
    select distinct
        fiscal_year,
        account_code
    from figures
),

names as (
    -- the name each of today's accounts had in a year (dim_account_era gives each year one name
    -- per account; two joined only where a short name was also used)
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
            figures.account_code = eras.account_code
            and figures.fiscal_year between eras.first_year and coalesce(eras.last_year, 9999)
            and eras.mapping != 'split'
            and (eras.sub_account_name_ko is null) = (figures.account_code = 'bnd_special_account')
    group by all
),

final as (
    select
        figures.fiscal_year,
        figures.account_code,
        figures.is_whole_account,
        names.account_name_that_year,
        figures.phase,
        figures.source_name,
        figures.source_kind,
        figures.source_locator,
        figures.figure_basis,
        figures.amount_krw_million,
        figures.precision_krw_million,
        figures.publication_date
    from figures
    left join names
        on figures.fiscal_year = names.fiscal_year and figures.account_code = names.account_code
)

select * from final
