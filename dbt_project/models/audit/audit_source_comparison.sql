-- Every figure compared with an independent statement of it, never overwriting either:
--   control_total  a control total (registered file of format control_totals) against the same
--                  budget line and year in each source table (of the control total's phase, when
--                  it states one);
--   cross_source   two budget tables that publish the same budget line, year and phase.
-- Tolerance comes from the coarser precision of the two figures (half a step of the coarser
-- unit): EXACT when equal, WITHIN_TOLERANCE when |difference| <= tolerance, else MISMATCH.
-- A mismatch blocks publishing only when the registry marks one of the two files
-- `blocking_comparisons: true` (is_blocking); otherwise a dbt test warns about it.
with

cells as (
    select * from {{ ref('int_budget_cells__mapped') }}
),

control_totals as (
    select * from {{ ref('stg_raw__control_totals') }}
),

source_files as (
    select * from {{ ref('stg_raw__source_files') }}
),

units as (
    select * from {{ ref('ref_units') }}
),

controls_in_krw_million as (
    select
        control_totals.source_file,
        control_totals.source_locator,
        control_totals.stated_by,
        control_totals.fiscal_year,
        control_totals.line_code,
        control_totals.phase,
        cast(
            round(control_totals.amount_in_source_unit * units.krw_million_per_unit) as bigint
        ) as amount_krw_million,
        cast(coalesce(
            control_totals.stated_precision_krw_million,
            units.krw_million_per_unit * power(10, -control_totals.amount_decimals) / 2
        ) as decimal(38, 6)) as precision_krw_million
    from control_totals
    inner join units on control_totals.unit_label = units.unit_label
),

against_control_totals as (
    select
        'control_total' as comparison_kind,
        cells.fiscal_year,
        cells.account_code,
        cells.level_code,
        cells.line_code,
        cells.phase,
        cells.source_file,
        cells.source_locator,
        controls.source_file as other_source,
        controls.source_locator as other_locator,
        controls.stated_by as other_stated_by,
        cells.amount_krw_million,
        controls.amount_krw_million as other_amount_krw_million,
        greatest(cells.precision_krw_million, controls.precision_krw_million)
            as tolerance_krw_million,
        fact_file.is_blocking_comparison or control_file.is_blocking_comparison as is_blocking
    from controls_in_krw_million as controls
    inner join cells
        on
            controls.fiscal_year = cells.fiscal_year
            and controls.line_code = cells.line_code
            and (controls.phase is null or controls.phase = cells.phase)
    inner join source_files as fact_file on cells.source_file = fact_file.source_file
    inner join source_files as control_file on controls.source_file = control_file.source_file
),

across_sources as (
    select
        'cross_source' as comparison_kind,
        this.fiscal_year,
        this.account_code,
        this.level_code,
        this.line_code,
        this.phase,
        this.source_file,
        this.source_locator,
        other.source_file as other_source,
        other.source_locator as other_locator,
        null as other_stated_by,
        this.amount_krw_million,
        other.amount_krw_million as other_amount_krw_million,
        greatest(this.precision_krw_million, other.precision_krw_million)
            as tolerance_krw_million,
        this_file.is_blocking_comparison or other_file.is_blocking_comparison as is_blocking
    from cells as this
    inner join cells as other
        on
            this.fiscal_year = other.fiscal_year
            and this.line_code = other.line_code
            and this.phase = other.phase
            and this.source_file < other.source_file
    inner join source_files as this_file on this.source_file = this_file.source_file
    inner join source_files as other_file on other.source_file = other_file.source_file
),

compared as (
    select * from against_control_totals
    union all
    select * from across_sources
),

final as (
    select
        comparison_kind,
        fiscal_year,
        account_code,
        level_code,
        line_code,
        phase,
        source_file,
        source_locator,
        other_source,
        other_locator,
        other_stated_by,
        amount_krw_million,
        other_amount_krw_million,
        tolerance_krw_million,
        is_blocking,
        other_amount_krw_million - amount_krw_million as difference_krw_million,
        case
            when other_amount_krw_million = amount_krw_million then 'EXACT'
            when abs(other_amount_krw_million - amount_krw_million) <= tolerance_krw_million
                then 'WITHIN_TOLERANCE'
            else 'MISMATCH'
        end as status
    from compared
)

select * from final
