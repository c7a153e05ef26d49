-- What changed from one year to the next: each figure of the value of record (fct_budget_current)
-- against the same account and level in the latest earlier year with a figure. Beside the leaves,
-- one row per year for each account as a whole where it has levels or accounts below it, with
-- level `all_levels`: the Local Autonomous Account (its 시·도 and 시·군·구 levels added up) and the
-- special account (every leaf added up). Those rows (`is_account_total`) add up other rows of this
-- table: the leaves alone add up to the special account's row, year by year.
with

current_figures as (
    select * from {{ ref('fct_budget_current') }}
),

accounts as (
    select * from {{ ref('dim_account') }}
),

levels as (
    select * from {{ ref('dim_level') }}
),

descendants as (
    select * from {{ ref('int_accounts__descendants') }}
),

leaves as (
    select
        current_figures.fiscal_year,
        current_figures.account_code,
        current_figures.level_code,
        false as is_account_total,
        current_figures.amount_krw_million,
        current_figures.phase as phases,
        current_figures.source_file as source_files,
        current_figures.source_locator as source_locators
    from current_figures
),

-- every leaf under each account (the account itself included)
leaves_by_account as (
    select
        descendants.ancestor_account_code as account_code,
        current_figures.fiscal_year,
        current_figures.amount_krw_million,
        current_figures.phase,
        current_figures.source_file,
        current_figures.source_locator,
        descendants.distance,
        leaf_accounts.account_order,
        levels.level_order,
        levels.is_split_by_level
    from current_figures
    inner join descendants on current_figures.account_code = descendants.account_code
    inner join accounts as leaf_accounts
        on current_figures.account_code = leaf_accounts.account_code
    inner join levels on current_figures.level_code = levels.level_code
),

-- an account has levels (or accounts) below it when any of its leaves, in any year, is split by
-- level or belongs to an account below it
totalled_accounts as (
    select account_code
    from leaves_by_account
    group by account_code
    having bool_or(is_split_by_level) or max(distance) > 0
),

account_totals as (
    select
        leaves_by_account.fiscal_year,
        leaves_by_account.account_code,
        'all_levels' as level_code,
        true as is_account_total,
        sum(leaves_by_account.amount_krw_million) as amount_krw_million,
        string_agg(distinct leaves_by_account.phase, ' / ' order by leaves_by_account.phase)
            as phases,
        string_agg(
            distinct leaves_by_account.source_file, '; ' order by leaves_by_account.source_file
        ) as source_files,
        string_agg(
            leaves_by_account.source_locator, '; '
            order by
                leaves_by_account.account_order,
                leaves_by_account.level_order,
                leaves_by_account.source_locator
        ) as source_locators
    from leaves_by_account
    inner join totalled_accounts on leaves_by_account.account_code = totalled_accounts.account_code
    group by leaves_by_account.fiscal_year, leaves_by_account.account_code
),

figures as (
    select * from leaves
    union all
    select * from account_totals
),

paired as (
    select
        fiscal_year,
        account_code,
        level_code,
        is_account_total,
        amount_krw_million,
        phases,
        source_files,
        source_locators,
        lag(fiscal_year) over by_year as previous_fiscal_year,
        lag(amount_krw_million) over by_year as previous_amount_krw_million,
        lag(phases) over by_year as previous_phases,
        lag(source_files) over by_year as previous_source_files,
        lag(source_locators) over by_year as previous_source_locators
    from figures
    window by_year as (partition by account_code, level_code order by fiscal_year)
),

compared as (
    select
        fiscal_year,
        account_code,
        level_code,
        is_account_total,
        previous_fiscal_year,
        previous_phases,
        phases,
        previous_source_files,
        source_files,
        previous_source_locators,
        source_locators,
        cast(previous_amount_krw_million as bigint) as previous_amount_krw_million,
        cast(amount_krw_million as bigint) as current_amount_krw_million,
        cast(amount_krw_million - previous_amount_krw_million as bigint) as change_krw_million,
        cast(
            round(
                100.0 * (amount_krw_million - previous_amount_krw_million)
                / nullif(previous_amount_krw_million, 0),
                2
            ) as decimal(9, 2)
        ) as change_pct,
        case
            when amount_krw_million > previous_amount_krw_million then 'increase'
            when amount_krw_million < previous_amount_krw_million then 'decrease'
            else 'no change'
        end as direction
    from paired
    where previous_fiscal_year is not null
),

final as (
    select
        fiscal_year,
        account_code,
        level_code,
        is_account_total,
        previous_fiscal_year,
        previous_amount_krw_million,
        current_amount_krw_million,
        change_krw_million,
        change_pct,
        direction,
        previous_phases as previous_phase,
        phases as current_phase,
        previous_source_files,
        source_files as current_source_files,
        previous_source_locators,
        source_locators as current_source_locators
    from compared
)

select * from final
