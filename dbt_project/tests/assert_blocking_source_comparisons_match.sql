-- A blocking failed comparison stops publishing: a MISMATCH between sources, or with a control
-- total, that the registry marks blocking (`blocking_comparisons: true`), and a UNIT_MISMATCH
-- (figures off by a power of ten) unless the registry says `allow_unit_mismatch: true`.
-- One row per such comparison; the run's output and the report list each with both figures.
{{ source_comparison_mismatches(blocking=true) }}
