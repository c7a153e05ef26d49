with

source as (
    select * from {{ source('raw', 'budget_cells') }}
),

renamed as (
    select
        source_file,
        source_sha256,
        row_label,
        column_label,
        amount_text,
        line_code,
        cell_place,
        source_locator,
        cast(row_number as integer) as row_number,
        cast(line_number as integer) as line_number,
        cast(fiscal_year as integer) as fiscal_year,
        cast(amount as decimal(38, 6)) as amount_in_source_unit,
        cast(amount_decimals as integer) as amount_decimals
    from source
)

select * from renamed
