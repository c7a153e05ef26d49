-- Mismatches between sources (or with control totals) that the registry does not mark blocking:
-- reported as a warning, never blocking. Sources legitimately disagree (another edition, a
-- correction); the figures stay as each source prints them, and the report lists the mismatch.
{{ config(severity='warn') }}

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
where not is_blocking and status = 'MISMATCH'
