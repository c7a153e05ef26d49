with

notes as (
    select * from {{ ref('stg_raw__budget_change_notes') }}
),

units as (
    select * from {{ ref('ref_units') }}
),

final as (
    select
        notes.note_order as note_number,
        notes.direction_code as direction,
        notes.account_code,
        notes.direction_label,
        notes.subject_label,
        notes.statement as statement_en,
        notes.note_text as note_text_en,
        notes.amount_text as stated_amount_text,
        cast(
            notes.amount_value * units.krw_million_per_unit as bigint
        ) as stated_amount_krw_million,
        notes.source_file,
        notes.source_sha256,
        notes.source_locator
    from notes
    left join units on notes.amount_unit_label = units.unit_label
)

select * from final
