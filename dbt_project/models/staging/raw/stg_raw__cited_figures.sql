with

source as (
    select * from {{ source('raw', 'cited_figures') }}
),

units as (
    select * from {{ ref('ref_units') }}
),

renamed as (
    select
        source.source_file,
        source.source_sha256,
        source.account_printed,
        source.measure,
        source.item_printed,
        source.item_code,
        source.line_code,
        source.sub_account_name_that_year,
        source.mapping,
        source.basis_code,
        source.amount_text,
        source.unit_label,
        source.precision_text,
        source.precision_unit_label,
        source.phase,
        source.stated_by,
        source.published,
        source.publication_date,
        source.url,
        source.locator,
        source.note,
        cast(source.line_number as integer) as line_number,
        cast(source.fiscal_year as integer) as fiscal_year,
        cast(source.amount as decimal(38, 6)) as amount_in_source_unit,
        cast(source.amount_decimals as integer) as amount_decimals,
        cast(source.precision_step as decimal(38, 6)) as precision_step,
        -- an amount in KRW million and its tolerance (half a printed step, derived at ingest);
        -- a share in percent and its tolerance in percentage points
        cast(source.amount * units.krw_million_per_unit as decimal(38, 6)) as amount_krw_million,
        case when source.unit_label != '%' then cast(source.precision_half as decimal(38, 6)) end
            as precision_krw_million,
        case when source.unit_label = '%' then cast(source.amount as decimal(9, 4)) end
            as share_percent,
        case when source.unit_label = '%' then cast(source.precision_half as decimal(9, 4)) end
            as precision_percent,
        source.source_file || ':' || source.line_number as source_locator
    from source
    left join units on source.unit_label = units.unit_label
)

select * from renamed
