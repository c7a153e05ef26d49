with

source_files as (
    select * from {{ ref('stg_raw__source_files') }}
),

tables as (
    select * from {{ ref('stg_raw__budget_tables') }}
),

final as (
    select
        source_files.source_file,
        source_files.source_sha256,
        source_files.source_title,
        source_files.publisher,
        source_files.source_url,
        source_files.licence,
        source_files.source_format,
        source_files.phase,
        source_files.is_phase_default,
        tables.table_title,
        tables.unit_label,
        tables.unit_place,
        tables.table_shape,
        source_files.publication_date,
        source_files.is_blocking_comparison,
        source_files.allows_unit_mismatch,
        source_files.registry_order,
        tables.reference_text,
        tables.title_line_number,
        source_files.size_bytes,
        source_files.read_at
    from source_files
    left join tables on source_files.source_file = tables.source_file
)

select * from final
