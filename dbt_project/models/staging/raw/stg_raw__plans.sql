with

source as (
    select * from {{ source('raw', 'plans') }}
),

renamed as (
    select
        source_file,
        source_sha256,
        plan_kind,
        plan_label,
        heading_text,
        cycle_label,
        formulator_label,
        formulator_code,
        legal_basis_text,
        cast(plan_order as integer) as plan_order,
        cast(parent_plan_order as integer) as parent_plan_order,
        cast(period_start_year as integer) as period_start_year,
        cast(period_end_year as integer) as period_end_year,
        cast(legal_basis_line_number as integer) as legal_basis_line_number,
        cast(line_number as integer) as line_number,
        {{ line_locator('source_file', 'line_number', 'last_line_number') }} as source_locator
    from source
)

select * from renamed
