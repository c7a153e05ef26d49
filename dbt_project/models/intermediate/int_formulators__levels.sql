-- Which levels of government each formulator formulates at: a formulator its own level, a group
-- (local governments) the levels of the formulators in it. ref_formulators has groups one deep.
with

formulators as (
    select * from {{ ref('ref_formulators') }}
),

own_level as (
    select
        formulator_code,
        level_code
    from formulators
    where level_code is not null
),

group_levels as (
    select
        parent_formulator_code as formulator_code,
        level_code
    from formulators
    where parent_formulator_code is not null and level_code is not null
),

final as (
    select * from own_level
    union
    select * from group_levels
)

select * from final
