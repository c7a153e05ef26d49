-- The landed lines added up once, at the grain of a subtotal row (fiscal year × file ×
-- organisation × account × level × phase): the detail lines' count and sum, the subtotal rows'
-- count and sum, and the organisation's kinds. The subtotal audit, the lines' summary and the
-- organisations' years read this instead of each scanning the lines again. Kept by fiscal year.
with

lines as (
    select * from {{ ref('stg_landing__budget_lines') }}
),

final as (
    select
        fiscal_year,
        source_file,
        organisation_code,
        account_code,
        level_code,
        phase,
        line_source,
        min(organisation_kind) filter (where not is_subtotal) as min_organisation_kind,
        max(organisation_kind) filter (where not is_subtotal) as max_organisation_kind,
        count(*) filter (where not is_subtotal) as detail_lines,
        coalesce(sum(amount_krw_million) filter (where not is_subtotal), 0)
            as detail_sum_krw_million,
        count(*) filter (where is_subtotal) as subtotal_rows,
        sum(amount_krw_million) filter (where is_subtotal) as subtotal_krw_million
    from lines
    group by
        fiscal_year, source_file, organisation_code, account_code, level_code, phase, line_source
)

select * from final
