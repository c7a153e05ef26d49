-- Every figure compared with an independent statement of it, never overwriting either:
--   control_total  a control total (registered file of format control_totals) against the same
--                  budget line and year in each source table (of the control total's phase, when
--                  it states one); a control total no table can be compared with is listed as
--                  NOT_COMPARED with the reason (no table holds the year, the line or the phase);
--   cross_source   two budget tables that publish the same budget line, year and phase;
--   detail_lines   a control total against the sum of the budget lines of its year, account
--                  (the whole account for its Total) and phase, per layout the lines came in.
-- Tolerance comes from the coarser precision of the two figures (half a step of the coarser
-- unit; a control total's is derived at ingest from the precision as published):
-- EXACT when equal, WITHIN_TOLERANCE when |difference| <= tolerance, UNIT_MISMATCH when the
-- figures differ by a factor 10^n (n != 0) within precision (other ~ fact * 10^n, with
-- |other - fact * 10^n| <= tolerance * max(1, 10^n)), else MISMATCH.
-- is_blocking: a failing comparison stops publishing. A MISMATCH blocks when the registry marks
-- either file `blocking_comparisons: true`; a UNIT_MISMATCH blocks unless either file says
-- `allow_unit_mismatch: true` (and neither says blocking_comparisons). Otherwise a dbt test warns.
-- ACKNOWLEDGED: a MISMATCH people reviewed and accepted (data_raw/acknowledged_differences.csv,
-- sources.acknowledgements) while both figures are still the ones accepted; shown and counted,
-- neither a warning nor blocking. A changed figure no longer matches, and warns again.
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

lines as (
    select * from {{ ref('ref_budget_lines') }}
),

acknowledged as (
    select * from {{ ref('stg_raw__acknowledged_differences') }}
),

line_groups as (
    select * from {{ ref('int_budget_lines__organisation_groups') }}
    where detail_lines > 0
),

-- The budget lines added up per year, phase and layout: per account, and for the whole account,
-- with the files they came from. (Lines of an era's account that maps to none of today's count
-- in the whole only.)
line_sums as (
    select
        fiscal_year,
        phase,
        line_source,
        account_code,
        sum(detail_sum_krw_million) as amount_krw_million,
        string_agg(distinct source_file, ', ' order by source_file) as line_files
    from line_groups
    where account_code != 'bnd_special_account'
    group by fiscal_year, phase, line_source, account_code
    union all
    select
        fiscal_year,
        phase,
        line_source,
        'bnd_special_account' as account_code,
        sum(detail_sum_krw_million) as amount_krw_million,
        string_agg(distinct source_file, ', ' order by source_file) as line_files
    from line_groups
    group by fiscal_year, phase, line_source
),

controls_in_krw_million as (
    select
        control_totals.source_file,
        control_totals.source_locator,
        control_totals.stated_by,
        control_totals.fiscal_year,
        control_totals.line_code,
        control_totals.phase,
        control_totals.precision_krw_million,
        cast(
            round(control_totals.amount_in_source_unit * units.krw_million_per_unit) as bigint
        ) as amount_krw_million
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
        fact_file.is_blocking_comparison or control_file.is_blocking_comparison
            as is_blocking_comparison,
        fact_file.allows_unit_mismatch or control_file.allows_unit_mismatch
            as allows_unit_mismatch,
        cast(null as varchar) as reason
    from controls_in_krw_million as controls
    inner join cells
        on
            controls.fiscal_year = cells.fiscal_year
            and controls.line_code = cells.line_code
            and (controls.phase is null or controls.phase = cells.phase)
    inner join source_files as fact_file on cells.source_file = fact_file.source_file
    inner join source_files as control_file on controls.source_file = control_file.source_file
),

against_detail_lines as (
    select
        'detail_lines' as comparison_kind,
        controls.fiscal_year,
        lines.account_code,
        cast(null as varchar) as level_code,
        controls.line_code,
        line_sums.phase,
        'budget lines: ' || line_sums.line_source as source_file,
        line_sums.line_files as source_locator,
        controls.source_file as other_source,
        controls.source_locator as other_locator,
        controls.stated_by as other_stated_by,
        line_sums.amount_krw_million,
        controls.amount_krw_million as other_amount_krw_million,
        -- the lines are exact to the KRW thousand: the control total's precision decides
        controls.precision_krw_million as tolerance_krw_million,
        control_file.is_blocking_comparison,
        control_file.allows_unit_mismatch,
        cast(null as varchar) as reason
    from controls_in_krw_million as controls
    inner join lines on controls.line_code = lines.line_code
    inner join line_sums
        on
            controls.fiscal_year = line_sums.fiscal_year
            -- a Total of the special account is the sum of every line; a line code, its account's
            and (
                (lines.line_kind = 'total' and line_sums.account_code = 'bnd_special_account')
                or (lines.line_kind != 'total' and lines.account_code = line_sums.account_code)
            )
            and (controls.phase is null or controls.phase = line_sums.phase)
    inner join source_files as control_file on controls.source_file = control_file.source_file
    -- only whole accounts: a line code of one level has no sum of lines of its own
    where
        lines.line_kind = 'total'
        or lines.level_code is null
        or lines.level_code = 'account_whole'
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
        cast(null as varchar) as other_stated_by,
        this.amount_krw_million,
        other.amount_krw_million as other_amount_krw_million,
        greatest(this.precision_krw_million, other.precision_krw_million)
            as tolerance_krw_million,
        this_file.is_blocking_comparison or other_file.is_blocking_comparison
            as is_blocking_comparison,
        this_file.allows_unit_mismatch or other_file.allows_unit_mismatch
            as allows_unit_mismatch,
        cast(null as varchar) as reason
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

-- Control totals that no fact of their year, line (and phase, when stated) meets.
not_compared as (
    select
        'control_total' as comparison_kind,
        controls.fiscal_year,
        lines.account_code,
        lines.level_code,
        controls.line_code,
        controls.phase,
        cast(null as varchar) as source_file,
        cast(null as varchar) as source_locator,
        controls.source_file as other_source,
        controls.source_locator as other_locator,
        controls.stated_by as other_stated_by,
        cast(null as bigint) as amount_krw_million,
        controls.amount_krw_million as other_amount_krw_million,
        controls.precision_krw_million as tolerance_krw_million,
        false as is_blocking_comparison,
        false as allows_unit_mismatch,
        case
            when
                not exists (
                    select 1 from cells
                    where cells.fiscal_year = controls.fiscal_year
                )
                then 'no budget table holds fiscal year ' || controls.fiscal_year
            when
                not exists (
                    select 1 from cells
                    where
                        cells.fiscal_year = controls.fiscal_year
                        and cells.line_code = controls.line_code
                )
                then
                    'no budget table prints budget line ' || controls.line_code
                    || ' for fiscal year ' || controls.fiscal_year
            else
                'no budget table of phase ' || controls.phase || ' prints budget line '
                || controls.line_code || ' for fiscal year ' || controls.fiscal_year
        end as reason
    from controls_in_krw_million as controls
    left join lines on controls.line_code = lines.line_code
    where not exists (
        select 1 from cells
        where
            cells.fiscal_year = controls.fiscal_year
            and cells.line_code = controls.line_code
            and (controls.phase is null or controls.phase = cells.phase)
    )
),

compared as (
    select * from against_control_totals
    union all
    select * from across_sources
    union all
    select * from against_detail_lines
),

measured as (
    select
        *,
        other_amount_krw_million - amount_krw_million as difference_krw_million,
        case
            when amount_krw_million > 0 and other_amount_krw_million > 0
                then cast(other_amount_krw_million as double) / amount_krw_million
        end as ratio
    from compared
),

-- The power of ten nearest the ratio, and whether the figures agree within precision once one is
-- scaled by it (a figure printed in the wrong unit).
scaled as (
    select
        *,
        cast(round(log10(ratio)) as integer) as ratio_exponent
    from measured
),

classified as (
    select
        *,
        case
            when difference_krw_million = 0 then 'EXACT'
            when abs(difference_krw_million) <= tolerance_krw_million then 'WITHIN_TOLERANCE'
            when
                ratio_exponent != 0
                and abs(other_amount_krw_million - amount_krw_million * power(10, ratio_exponent))
                <= tolerance_krw_million * greatest(1, power(10, ratio_exponent))
                then 'UNIT_MISMATCH'
            else 'MISMATCH'
        end as status
    from scaled
),

-- A MISMATCH whose sides and both figures are an acknowledgement's (a control total's figure is
-- compared as the comparison states it, rounded to the KRW million).
acknowledged_mismatches as (
    select
        classified.*,
        acknowledged.acknowledgement_locator,
        acknowledged.reason as acknowledged_reason,
        acknowledged.accepted_by,
        acknowledged.accepted_on
    from classified
    left join acknowledged
        on
            classified.status = 'MISMATCH'
            and classified.fiscal_year = acknowledged.fiscal_year
            and classified.line_code = acknowledged.line_code
            and classified.source_file = acknowledged.source
            and classified.other_source = acknowledged.other_source
            and classified.other_stated_by is not distinct from acknowledged.other_stated_by
            and classified.amount_krw_million = acknowledged.figure_krw_million
            and (
                classified.other_amount_krw_million = acknowledged.other_figure_krw_million
                or (
                    classified.comparison_kind != 'cross_source'
                    and classified.other_amount_krw_million
                    = round(acknowledged.other_figure_krw_million)
                )
            )
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
        case
            when acknowledgement_locator is not null then false
            when status = 'UNIT_MISMATCH'
                then is_blocking_comparison or not allows_unit_mismatch
            else is_blocking_comparison
        end as is_blocking,
        difference_krw_million,
        case when acknowledgement_locator is not null then 'ACKNOWLEDGED' else status end as status,
        round(ratio, 6) as ratio,
        case when status = 'UNIT_MISMATCH' then power(10, ratio_exponent) end as unit_factor,
        case
            when status = 'UNIT_MISMATCH'
                then
                    'the other figure is the fact × '
                    || {{ thousands('power(10, ratio_exponent)') }}
                    || ' within precision: a figure stated in the wrong unit?'
            when acknowledgement_locator is not null
                then
                    acknowledged_reason || ' (accepted by ' || accepted_by || ' on '
                    || strftime(accepted_on, '%Y-%m-%d') || ', ' || acknowledgement_locator || ')'
        end as reason,
        acknowledgement_locator
    from acknowledged_mismatches
    union all
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
        false as is_blocking,
        cast(null as bigint) as difference_krw_million,
        'NOT_COMPARED' as status,
        cast(null as double) as ratio,
        cast(null as double) as unit_factor,
        reason,
        cast(null as varchar) as acknowledgement_locator
    from not_compared
)

select * from final
