with

source as (
    select * from {{ source('raw', 'formulation_methods') }}
),

renamed as (
    select
        source_file,
        source_sha256,
        marker as method_marker,
        description,
        starred_note,
        column_label,
        account_code,
        row_labels,
        formulator_code,
        cast(method_number as integer) as method_number,
        cast(column_number as integer) as column_number,
        {{ line_locator('source_file', 'line_number', 'last_line_number') }} as source_locator
    from source
)

select * from renamed
