-- Every figure of the special account's history checked against the value of record of its year
-- and account (fct_special_account_history_current), within their combined precision:
--   RECORD        the value of record itself
--   MATCH         within the sum of the two tolerances (half a printed step each)
--   MISMATCH      further apart than that
--   NOT_COMPARED  both state a phase and the phases differ (a proposal is not an enacted budget)
with

history as (
    select * from {{ ref('fct_special_account_history') }}
),

records as (
    select * from {{ ref('fct_special_account_history_current') }}
),

final as (
    select
        history.fiscal_year,
        history.account_code,
        history.is_whole_account,
        history.source_name,
        history.source_kind,
        history.source_locator,
        history.phase,
        history.amount_krw_million,
        history.precision_krw_million,
        records.source_name as record_source_name,
        records.source_locator as record_source_locator,
        records.phase as record_phase,
        records.amount_krw_million as record_amount_krw_million,
        history.amount_krw_million - records.amount_krw_million as difference_krw_million,
        history.precision_krw_million + records.precision_krw_million as tolerance_krw_million,
        case
            when
                history.source_locator = records.source_locator
                and history.source_name = records.source_name
                and history.phase = records.phase
                then 'RECORD'
            when
                history.phase != records.phase
                and 'not stated' not in (history.phase, records.phase)
                then 'NOT_COMPARED'
            when
                abs(history.amount_krw_million - records.amount_krw_million)
                <= history.precision_krw_million + records.precision_krw_million
                then 'MATCH'
            else 'MISMATCH'
        end as status
    from history
    inner join records
        on
            history.fiscal_year = records.fiscal_year
            and history.account_code = records.account_code
)

select * from final
