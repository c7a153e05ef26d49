with

formulators as (
    select * from {{ ref('ref_formulators') }}
),

final as (
    select
        formulator_code,
        parent_formulator_code,
        formulated_by,
        level_code,
        name_en,
        name_ko,
        formulator_order
    from formulators
)

select * from final
