-- Mismatches between sources (or with control totals) that the registry does not mark blocking:
-- reported as a warning, never blocking. Sources legitimately disagree (another edition, a
-- correction); the figures stay as each source prints them, and the report lists the mismatch.
{{ config(severity='warn') }}

{{ source_comparison_mismatches(blocking=false) }}
