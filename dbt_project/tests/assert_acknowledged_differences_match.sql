-- Acknowledged differences that no longer match their comparison (the figures changed, or the
-- sources agree now, or the comparison is gone): reported as a warning naming the row of
-- data_raw/acknowledged_differences.csv and what the comparison says now.
{{ config(severity='warn') }}

select
    acknowledgement_locator,
    fiscal_year,
    line_code,
    source,
    other_source,
    why_stale
from {{ ref('audit_acknowledged_differences') }}
where status = 'STALE'
