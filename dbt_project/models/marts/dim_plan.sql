with

plans as (
    select * from {{ ref('int_plans__hierarchy') }}
),

components as (
    select * from {{ ref('stg_raw__plan_components') }}
),

formulators as (
    select * from {{ ref('ref_formulators') }}
),

declared as (
    select
        source_file,
        plan_order,
        max(declared_count) filter (where component_code = 'strategy') as n_strategies,
        max(declared_count) filter (where component_code = 'key_task') as n_key_tasks,
        max(declared_count) filter (where component_code = 'action_task') as n_action_tasks,
        max(declared_count) filter (where component_code = 'target_task') as n_target_tasks
    from components
    group by source_file, plan_order
),

final as (
    select
        plans.plan_code,
        plans.parent_plan_code,
        plans.plan_kind,
        plans.plan_label as name_en,
        plans.heading_text,
        plans.period_start_year,
        plans.period_end_year,
        plans.root_period_start_year as plan_period_start_year,
        plans.root_period_end_year as plan_period_end_year,
        plans.cycle_label,
        plans.legal_basis_text as legal_basis_en,
        plans.formulator_code,
        formulators.formulated_by,
        declared.n_strategies,
        declared.n_key_tasks,
        declared.n_action_tasks,
        declared.n_target_tasks,
        plans.plan_depth,
        plans.plan_order,
        plans.source_file,
        plans.source_sha256,
        plans.source_locator
    from plans
    left join declared
        on plans.source_file = declared.source_file and plans.plan_order = declared.plan_order
    left join formulators on plans.formulator_code = formulators.formulator_code
)

select * from final
