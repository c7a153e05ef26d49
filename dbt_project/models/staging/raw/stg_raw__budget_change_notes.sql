with

source as (
    select * from {{ source('raw', 'budget_change_notes') }}
),

renamed as (
    select
        source_file,
        source_sha256,
        direction_label,
        direction_code,
        subject_label,
        account_code,
        statement,
        note_text,
        amount_text,
        amount_unit_label,
        cast(note_order as integer) as note_order,
        cast(amount_value as decimal(18, 6)) as amount_value,
        {{ line_locator('source_file', 'line_number', 'last_line_number') }} as source_locator
    from source
)

select * from renamed
