with

source as (
    select * from {{ source('raw', 'budget_tables') }}
),

renamed as (
    select
        source_file,
        source_sha256,
        table_title,
        cast(title_line as integer) as title_line_number,
        unit_label,
        unit_printed,
        unit_place,
        table_shape,
        table_place,
        header_label,
        cast(header_line as integer) as header_line_number,
        reference as reference_text,
        cast(reference_line as integer) as reference_line_number
    from source
)

select * from renamed
