-- A mismatch between sources, or with a control total, that the registry marks blocking
-- (`blocking_comparisons: true`) stops publishing. One row per such mismatch.
{{ source_comparison_mismatches(blocking=true) }}
