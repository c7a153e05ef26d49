-- For every budget year since the special account was created (2005) to the last year any source
-- covers (and at least 2026), which grains and sources the warehouse holds for it: the budget
-- tables, the budget lines (per layout), the control totals and cited spending figures, and the
-- cited figures of its revenue, subsidies by region and shares; a year with none says so. Every
-- row of a year also says how many figures of the whole account's spending it has, and, for a
-- year with none, that none was found (the searches tried are listed in docs/research/, not here).
with

history as (
    select * from {{ ref('fct_special_account_history') }}
),

cited as (
    select * from {{ ref('fct_cited_figure') }}
),

years as (
    select cast(spine.range as integer) as fiscal_year
    from range(
        2005,
        greatest(
            2026,
            (select coalesce(max(fiscal_year), 2026) from history),
            (select coalesce(max(fiscal_year), 2026) from cited)
        ) + 1
    ) as spine
),

held as (
    select
        fiscal_year,
        source_kind as grain,
        source_name,
        phase,
        cast(count(*) as integer) as figure_count
    from history
    group by all
    union all
    select
        fiscal_year,
        'cited ' || measure as grain,
        stated_by as source_name,
        phase,
        cast(count(*) as integer) as figure_count
    from cited
    where measure != 'spending'
    group by all
),

whole_account as (
    select
        fiscal_year,
        cast(count(*) as integer) as whole_account_figures,
        cast(count(*) filter (where source_kind = 'control total') as integer)
            as whole_account_statements
    from history
    where is_whole_account
    group by all
),

final as (
    select
        years.fiscal_year,
        held.source_name,
        held.phase,
        coalesce(held.grain, 'none') as grain,
        coalesce(held.figure_count, 0) as figure_count,
        coalesce(whole_account.whole_account_figures, 0) as whole_account_figures,
        coalesce(whole_account.whole_account_statements, 0) as whole_account_statements,
        case
            when whole_account.fiscal_year is null and years.fiscal_year <= 2025
                then
                    'no figure of the whole account found (the searches tried: '
                    || 'docs/research/cited_account_figures.md, section 2)'
            when whole_account.fiscal_year is null
                then 'no figure of the whole account in any loaded source'
        end as coverage_note
    from years
    left join held on years.fiscal_year = held.fiscal_year
    left join whole_account on years.fiscal_year = whole_account.fiscal_year
)

select * from final
