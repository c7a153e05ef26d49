with

source as (
    select * from {{ source('raw', 'source_files') }}
),

renamed as (
    select
        source_file,
        source_sha256,
        size_bytes,
        source_format,
        title as source_title,
        publisher,
        source_url,
        licence,
        phase,
        is_phase_default,
        note as source_note,
        unit_override,
        is_blocking_comparison,
        allows_unit_mismatch,
        cast(registry_order as integer) as registry_order,
        cast(publication_date as date) as publication_date,
        cast(read_at as timestamp) as read_at
    from source
)

select * from renamed
