with

items as (
    select * from {{ ref('stg_raw__funding_scope_items') }}
),

final as (
    select
        scope_code,
        scope_kind,
        item_label as name_en,
        account_code,
        item_order as scope_order,
        source_file,
        source_sha256,
        source_locator
    from items
)

select * from final
