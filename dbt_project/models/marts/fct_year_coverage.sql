-- For every budget year since the special account was created (2005) to the last year any source
-- covers (and at least 2026), which grains and sources the warehouse holds for it: the budget
-- tables, the budget lines (per layout), the control totals; a year with none says so.
with

history as (
    select * from {{ ref('fct_special_account_history') }}
),

years as (
    select cast(spine.range as integer) as fiscal_year
    from range(
        2005,
        greatest(2026, (select coalesce(max(fiscal_year), 2026) from history)) + 1
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
),

final as (
    select
        years.fiscal_year,
        held.source_name,
        held.phase,
        coalesce(held.grain, 'none') as grain,
        coalesce(held.figure_count, 0) as figure_count
    from years
    left join held on years.fiscal_year = held.fiscal_year
)

select * from final
