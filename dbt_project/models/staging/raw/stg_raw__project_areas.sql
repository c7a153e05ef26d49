with

source as (
    select * from {{ source('raw', 'project_areas') }}
),

renamed as (
    select
        source_file,
        source_sha256,
        area_text,
        project_area_code,
        cast(area_order as integer) as area_order,
        {{ line_locator('source_file', 'line_number', 'last_line_number') }} as source_locator
    from source
)

select * from renamed
