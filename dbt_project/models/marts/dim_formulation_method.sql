with

methods as (
    select * from {{ ref('stg_raw__formulation_methods') }}
),

formulators as (
    select * from {{ ref('ref_formulators') }}
),

final as (
    select
        methods.method_number,
        methods.method_marker,
        methods.description as description_en,
        methods.starred_note as starred_note_en,
        methods.account_code,
        methods.formulator_code,
        formulators.formulated_by,
        methods.column_label,
        methods.row_labels,
        methods.source_file,
        methods.source_sha256,
        methods.source_locator
    from methods
    left join formulators on methods.formulator_code = formulators.formulator_code
)

select * from final
