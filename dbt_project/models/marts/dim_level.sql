with

levels as (
    select * from {{ ref('ref_levels') }}
),

final as (
    select
        level_code,
        name_en,
        name_ko,
        is_split_by_level,
        level_order
    from levels
)

select * from final
