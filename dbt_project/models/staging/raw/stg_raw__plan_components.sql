with

source as (
    select * from {{ source('raw', 'plan_components') }}
),

renamed as (
    select
        source_file,
        source_sha256,
        component_label,
        component_code,
        count_text,
        cast(plan_order as integer) as plan_order,
        cast(component_order as integer) as component_order,
        cast(declared_count as integer) as declared_count,
        {{ line_locator('source_file', 'line_number', 'last_line_number') }} as source_locator
    from source
)

select * from renamed
