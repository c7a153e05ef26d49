-- A mismatch between sources, or with a control total, that the registry marks blocking
-- (`blocking_comparisons: true`) stops publishing. One row per such mismatch.
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
where is_blocking and status = 'MISMATCH'
