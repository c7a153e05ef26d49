-- For every published total and sub-total: the sum of the leaf facts below its account in the same
-- source, phase and year. Great Expectations requires difference_krw_million = 0.
with

reported as (
    select * from {{ ref('fct_budget_reported_total') }}
),

facts as (
    select * from {{ ref('fct_budget') }}
),

descendants as (
    select * from {{ ref('int_accounts__descendants') }}
),

summed as (
    select
        reported.source_file,
        reported.phase,
        reported.fiscal_year,
        reported.account_code,
        reported.total_kind,
        reported.source_locator,
        reported.amount_krw_million as expected_krw_million,
        cast(coalesce(sum(facts.amount_krw_million), 0) as bigint) as actual_krw_million,
        count(facts.amount_krw_million) as n_leaf_facts
    from reported
    inner join descendants on reported.account_code = descendants.ancestor_account_code
    left join facts
        on
            descendants.account_code = facts.account_code
            and reported.fiscal_year = facts.fiscal_year
            and reported.source_file = facts.source_file
            and reported.phase = facts.phase
    group by all
),

final as (
    select
        *,
        actual_krw_million - expected_krw_million as difference_krw_million
    from summed
)

select * from final
