-- The local governments (17 시·도 and 226 시·군·구) with their names in Korean and English, level
-- and 시·도, one row per government and span of fiscal years (a renamed government, or one that
-- moved to another 시·도, has a row per span).
with

governments as (
    select * from {{ ref('ref_local_governments') }}
),

levels as (
    select * from {{ ref('ref_levels') }}
),

final as (
    select
        governments.government_code,
        governments.first_year,
        governments.last_year,
        governments.name_ko,
        governments.full_name_ko,
        governments.name_en,
        governments.level as level_code,
        levels.name_ko as level_name_ko,
        levels.name_en as level_name_en,
        governments.kind_ko,
        governments.sido_code,
        governments.sido_name_ko,
        governments.sido_name_en,
        governments.institution_code,
        governments.source
    from governments
    inner join levels on governments.level = levels.level_code
)

select * from final
