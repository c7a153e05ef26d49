{#- The comparisons (cross-source or with a control total) that failed, MISMATCH or UNIT_MISMATCH,
    blocking or not as `is_blocking` says (the registry's `blocking_comparisons` and
    `allow_unit_mismatch`). One row per failed comparison, with what a reader needs to find it:
    both files and places, the year and line, both figures, the ratio and the status. -#}
{% macro source_comparison_mismatches(blocking) %}
select
    status,
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
    amount_krw_million,
    other_amount_krw_million,
    difference_krw_million,
    tolerance_krw_million,
    ratio,
    unit_factor,
    reason
from {{ ref('audit_source_comparison') }}
where
    {{ '' if blocking else 'not' }} is_blocking
    and status in ('MISMATCH', 'UNIT_MISMATCH')
{% endmacro %}
