with

components as (
    select * from {{ ref('stg_raw__plan_components') }}
),

plans as (
    select * from {{ ref('int_plans__hierarchy') }}
),

reference as (
    select * from {{ ref('ref_plan_components') }}
),

final as (
    select
        plans.plan_code,
        components.component_code,
        components.component_label as name_en,
        components.declared_count,
        components.count_text,
        reference.parent_component_code,
        reference.component_order,
        components.source_file,
        components.source_sha256,
        components.source_locator
    from components
    inner join plans
        on
            components.source_file = plans.source_file
            and components.plan_order = plans.plan_order
    left join reference on components.component_code = reference.component_code
)

select * from final
