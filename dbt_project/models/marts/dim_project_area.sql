with

areas as (
    select * from {{ ref('stg_raw__project_areas') }}
),

final as (
    select
        project_area_code,
        area_text as name_en,
        area_order,
        source_file,
        source_sha256,
        source_locator
    from areas
)

select * from final
