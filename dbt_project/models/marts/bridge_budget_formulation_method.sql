-- Which formulation methods can fund each account × level of fct_budget. A level-split amount
-- (Local Autonomous by cities and provinces, or by si, gun, gu) is funded by the account's methods
-- formulated at that level, or by a group of formulators that includes it; an amount the source
-- gives for the account as a whole (account_whole) by every method of the account.
with

budget_keys as (
    select distinct
        account_code,
        level_code
    from {{ ref('fct_budget') }}
),

levels as (
    select * from {{ ref('dim_level') }}
),

methods as (
    select * from {{ ref('dim_formulation_method') }}
),

formulator_levels as (
    select * from {{ ref('int_formulators__levels') }}
),

matched as (
    select
        budget_keys.account_code,
        budget_keys.level_code,
        methods.method_number,
        methods.method_marker,
        methods.formulator_code,
        methods.formulated_by
    from budget_keys
    inner join levels on budget_keys.level_code = levels.level_code
    inner join methods on budget_keys.account_code = methods.account_code
    left join formulator_levels
        on
            methods.formulator_code = formulator_levels.formulator_code
            and budget_keys.level_code = formulator_levels.level_code
    where not levels.is_split_by_level or formulator_levels.level_code is not null
)

select * from matched
