-- Every acknowledged difference (data_raw/acknowledged_differences.csv) and whether it still
-- matches a comparison: MATCHED (its comparison is ACKNOWLEDGED), or STALE with why (the figures
-- changed, the sources agree now, or no comparison of its sides exists). A STALE one warns
-- (dbt test assert_acknowledged_differences_match): the list is kept true, not left to rot.
with

acknowledged as (
    select * from {{ ref('stg_raw__acknowledged_differences') }}
),

comparisons as (
    select * from {{ ref('audit_source_comparison') }}
    where status != 'NOT_COMPARED'
),

-- The comparisons of each acknowledgement's sides, whatever their figures now.
of_its_sides as (
    select
        acknowledged.acknowledgement_locator,
        count(*) as comparisons,
        count(*) filter (
            where comparisons.acknowledgement_locator = acknowledged.acknowledgement_locator
        ) as acknowledged_comparisons,
        string_agg(
            comparisons.status || ': ' || {{ thousands('comparisons.amount_krw_million') }}
            || ' and ' || {{ thousands('comparisons.other_amount_krw_million') }}
            || ' KRW million',
            '; ' order by comparisons.phase
        ) as comparisons_now
    from acknowledged
    inner join comparisons
        on
            acknowledged.fiscal_year = comparisons.fiscal_year
            and acknowledged.line_code = comparisons.line_code
            and acknowledged.source = comparisons.source_file
            and acknowledged.other_source = comparisons.other_source
            and acknowledged.other_stated_by is not distinct from comparisons.other_stated_by
    group by acknowledged.acknowledgement_locator
),

final as (
    select
        acknowledged.acknowledgement_locator,
        acknowledged.fiscal_year,
        acknowledged.line_code,
        acknowledged.source,
        acknowledged.other_source,
        acknowledged.other_stated_by,
        acknowledged.figure_text,
        acknowledged.other_figure_text,
        acknowledged.figure_krw_million,
        acknowledged.other_figure_krw_million,
        acknowledged.reason,
        acknowledged.accepted_by,
        acknowledged.accepted_on,
        coalesce(of_its_sides.acknowledged_comparisons, 0) as acknowledged_comparisons,
        case
            when coalesce(of_its_sides.acknowledged_comparisons, 0) > 0 then 'MATCHED'
            else 'STALE'
        end as status,
        case
            when of_its_sides.comparisons is null
                then
                    'no comparison of ' || acknowledged.source || ' and '
                    || acknowledged.other_source || ' for ' || acknowledged.line_code || ' '
                    || acknowledged.fiscal_year || ' (a source, line or year renamed or removed?)'
            when of_its_sides.acknowledged_comparisons = 0
                then
                    'accepted ' || acknowledged.figure_text || ' and '
                    || acknowledged.other_figure_text || '; the comparison is now '
                    || of_its_sides.comparisons_now
                    || ': review the difference, then update or remove this row'
        end as why_stale
    from acknowledged
    left join of_its_sides
        on acknowledged.acknowledgement_locator = of_its_sides.acknowledgement_locator
)

select * from final
