{#- The comparisons (cross-source or with a control total) that found a MISMATCH, blocking or not
    as the registry marks them (`blocking_comparisons`). One row per mismatch. -#}
{% macro source_comparison_mismatches(blocking) %}
select
    comparison_kind,
    fiscal_year,
    account_code,
    level_code,
    phase,
    source_file,
    other_source,
    amount_krw_million,
    other_amount_krw_million,
    difference_krw_million,
    tolerance_krw_million
from {{ ref('audit_source_comparison') }}
where {{ '' if blocking else 'not' }} is_blocking and status = 'MISMATCH'
{% endmacro %}
