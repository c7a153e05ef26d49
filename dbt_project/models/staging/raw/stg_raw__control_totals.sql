with

source as (
    select * from {{ source('raw', 'control_totals') }}
),

renamed as (
    select
        source_file,
        source_sha256,
        line_label,
        line_code,
        amount_text,
        unit_label,
        stated_by,
        phase,
        note,
        cast(line_number as integer) as line_number,
        cast(fiscal_year as integer) as fiscal_year,
        cast(amount as decimal(38, 6)) as amount_in_source_unit,
        cast(amount_decimals as integer) as amount_decimals,
        precision_text,
        precision_unit_label,
        cast(precision_step as decimal(38, 6)) as precision_step,
        -- half a published step in KRW million, derived at ingest (lib.control_totals)
        cast(precision_krw_million as decimal(38, 6)) as precision_krw_million,
        source_file || ':' || line_number as source_locator
    from source
)

select * from renamed
