-- A budget balances: a revenue total a document states is compared with each figure of the whole
-- account's spending of the same year and phase (fct_special_account_history, the phase stated
-- on both sides), within their combined precision. A revenue total with no spending figure of
-- its year and phase is listed as NOT_COMPARED, with why.
with

revenue as (
    select * from {{ ref('stg_raw__cited_figures') }}
    where measure = 'revenue' and item_code = 'total'
),

spending as (
    select * from {{ ref('fct_special_account_history') }}
    where is_whole_account and phase != 'not stated'
),

final as (
    select
        revenue.fiscal_year,
        revenue.phase,
        revenue.stated_by as revenue_stated_by,
        revenue.source_locator as revenue_locator,
        cast(revenue.amount_krw_million as decimal(18, 3)) as revenue_krw_million,
        spending.source_name as spending_source_name,
        spending.source_locator as spending_locator,
        spending.amount_krw_million as spending_krw_million,
        cast(revenue.amount_krw_million - spending.amount_krw_million as decimal(18, 3))
            as difference_krw_million,
        revenue.precision_krw_million + spending.precision_krw_million as tolerance_krw_million,
        case
            when spending.amount_krw_million is null then 'NOT_COMPARED'
            when
                abs(revenue.amount_krw_million - spending.amount_krw_million)
                <= revenue.precision_krw_million + spending.precision_krw_million
                then 'MATCH'
            else 'MISMATCH'
        end as status,
        case
            when spending.amount_krw_million is null
                then 'no spending figure of the whole account for this year and phase'
        end as why_not_compared
    from revenue
    left join spending
        on revenue.fiscal_year = spending.fiscal_year and revenue.phase = spending.phase
)

select * from final
