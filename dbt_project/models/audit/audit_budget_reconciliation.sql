-- For every published total and sub-total: the sum of the leaf facts below its account in the same
-- source, phase and year. Great Expectations requires the difference to be within tolerance:
-- 0 for a table printed to the KRW million or finer (its sums must hold exactly); for a coarser
-- table (억원, 조원) the rounding its own precision allows: half a step for the total itself plus
-- half a step for each leaf summed, i.e. (number of children + 1) x half-step. Status EXACT,
-- WITHIN_TOLERANCE or MISMATCH, and the ratio actual / expected, as in the line reconciliation.
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
        reported.precision_krw_million as total_precision_krw_million,
        count(facts.amount_krw_million) as n_leaf_facts,
        coalesce(sum(facts.precision_krw_million), 0) as leaves_precision_krw_million
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

with_tolerance as (
    select
        *,
        case
            when total_precision_krw_million > 0.5
                then total_precision_krw_million + leaves_precision_krw_million
            else 0
        end as tolerance_krw_million
    from summed
),

final as (
    select
        *,
        actual_krw_million - expected_krw_million as difference_krw_million,
        greatest(abs(actual_krw_million - expected_krw_million) - tolerance_krw_million, 0)
            as difference_beyond_tolerance_krw_million,
        -- in the words of the other reconciliations, so that a failure reads the same everywhere
        case
            when expected_krw_million != 0
                then round(cast(actual_krw_million as double) / expected_krw_million, 6)
        end as ratio,
        case
            when actual_krw_million = expected_krw_million then 'EXACT'
            when abs(actual_krw_million - expected_krw_million) <= tolerance_krw_million
                then 'WITHIN_TOLERANCE'
            else 'MISMATCH'
        end as status
    from with_tolerance
)

select * from final
