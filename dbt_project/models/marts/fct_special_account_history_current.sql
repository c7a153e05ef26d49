-- The value of record of the special account's history: one figure per fiscal year × account
-- (the whole, or one of today's accounts) among every figure `fct_special_account_history` holds
-- (budget tables, budget lines, control totals and cited figures), chosen by the rule of
-- `fct_budget_current` (data_raw/sources.yml, `defaults.value_of_record`): its criteria in rank
-- order, each a key where smaller is better. A phase that is not stated ranks below every stated
-- phase; an undated figure loses to a dated one. A tie on every criterion goes to the summary
-- table first, then to the source named first, and says so in `chosen_because`. Beside the
-- record: how many figures the year has and how many of them agree with it within their
-- combined precision (the cross-check is listed figure by figure in audit_history_figures).
with

history as (
    select * from {{ ref('fct_special_account_history') }}
),

rule as (
    select * from {{ ref('stg_raw__value_of_record') }}
),

{{ value_of_record_rule('rule') }},

candidates as (
    select
        history.*,
        {{ value_of_record_keys(
            'history.precision_krw_million', 'history.phase', 'phase_authority.authority_rank',
            'history.publication_date', unranked=99
        ) }},
        case history.source_kind
            when 'summary table' then 1 when 'detail lines' then 2 else 3
        end as kind_order
    from history
    left join phase_authority
        on phase_authority.phase_kind = {{ phase_kind('history.phase') }}
),

keyed as (
    select
        candidates.*,
        {{ value_of_record_ordered_keys() }}
    from candidates
    cross join criteria
),

ranked as (
    select
        *,
        row_number() over grain_order as record_rank,
        {{ value_of_record_runner_up('grain_order') }},
        count(*) over (partition by fiscal_year, account_code) as n_figures,
        count(*) over (partition by fiscal_year, account_code, key_1, key_2, key_3) as n_tied
    from keyed
    window grain_order as (
        partition by fiscal_year, account_code
        order by key_1, key_2, key_3, kind_order, source_name, source_locator
    )
),

records as (
    select
        *,
        {{ deciding_criterion() }} as deciding_criterion
    from ranked
    where record_rank = 1
),

agreement as (
    select
        records.fiscal_year,
        records.account_code,
        count(*) filter (
            where abs(history.amount_krw_million - records.amount_krw_million)
            <= history.precision_krw_million + records.precision_krw_million
        ) - 1 as n_agreeing
    from records
    inner join history
        on
            records.fiscal_year = history.fiscal_year
            and records.account_code = history.account_code
    group by all
),

final as (
    select
        records.fiscal_year,
        records.account_code,
        records.is_whole_account,
        records.account_name_that_year,
        records.phase,
        records.source_name,
        records.source_kind,
        records.source_locator,
        records.amount_krw_million,
        records.precision_krw_million,
        records.publication_date,
        cast(records.n_figures as integer) as n_figures,
        cast(agreement.n_agreeing as integer) as n_agreeing,
        {{ chosen_because(
            'records.', 'n_figures', 'only figure',
            "'TIE with ' || (records.n_tied - 1) || ' other figure(s) on precision, phase and "
            ~ "publication date: the summary table first, then the source named first'"
        ) }} as chosen_because
    from records
    inner join agreement
        on
            records.fiscal_year = agreement.fiscal_year
            and records.account_code = agreement.account_code
)

select * from final
