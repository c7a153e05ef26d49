with

source as (
    select * from {{ source('raw', 'value_of_record') }}
),

renamed as (
    select
        rule_kind,
        item,
        cast(item_rank as integer) as item_rank
    from source
)

select * from renamed
