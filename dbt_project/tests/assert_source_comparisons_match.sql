-- Failed comparisons between sources (or with control totals) that do not block: a MISMATCH the
-- registry does not mark blocking, or a UNIT_MISMATCH it allows (`allow_unit_mismatch: true`).
-- Reported as a warning. Sources legitimately disagree (another edition, a correction); the
-- figures stay as each source prints them, and the report lists the comparison.
{{ config(severity='warn') }}

{{ source_comparison_mismatches(blocking=false) }}
