with

source as (
    select * from {{ source('raw', 'budget_cells') }}
),

renamed as (
    select
        source_file,
        source_sha256,
        cast(row_number as integer) as row_number,
        row_label,
        lower(row_label) as row_label_key,
        cast(line_number as integer) as line_number,
        column_label,
        cast(fiscal_year as integer) as fiscal_year,
        amount_text,
        cast(amount as bigint) as amount_in_source_unit
    from source
)

select * from renamed
