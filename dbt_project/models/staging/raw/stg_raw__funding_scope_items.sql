with

source as (
    select * from {{ source('raw', 'funding_scope_items') }}
),

renamed as (
    select
        source_file,
        source_sha256,
        scope_kind,
        item_label,
        scope_code,
        account_code,
        cast(item_order as integer) as item_order,
        {{ line_locator('source_file', 'line_number', 'last_line_number') }} as source_locator
    from source
)

select * from renamed
