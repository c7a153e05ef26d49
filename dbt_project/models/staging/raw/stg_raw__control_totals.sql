-- Control totals: the rows of registered control-totals files (dated as their file is in
-- sources.yml), and the spending figures of cited-figures files that name a line of today's,
-- each with its own date (a 계정 of an era whose money went to several of today's accounts names
-- none, and is held in marts.fct_cited_figure only).
with

source as (
    select * from {{ source('raw', 'control_totals') }}
),

cited as (
    select * from {{ ref('stg_raw__cited_figures') }}
),

source_files as (
    select * from {{ ref('stg_raw__source_files') }}
),

renamed as (
    select
        source.source_file,
        source.source_sha256,
        source.line_label,
        source.line_code,
        source.amount_text,
        source.unit_label,
        source.stated_by,
        source.phase,
        source.note,
        source.precision_text,
        source.precision_unit_label,
        source_files.publication_date,
        cast(source.line_number as integer) as line_number,
        cast(source.fiscal_year as integer) as fiscal_year,
        cast(source.amount as decimal(38, 6)) as amount_in_source_unit,
        cast(source.amount_decimals as integer) as amount_decimals,
        cast(source.precision_step as decimal(38, 6)) as precision_step,
        -- half a published step in KRW million, derived at ingest (lib.control_totals)
        cast(source.precision_krw_million as decimal(38, 6)) as precision_krw_million,
        cast(null as varchar) as url,
        source.source_file || ':' || source.line_number as source_locator
    from source
    left join source_files on source.source_file = source_files.source_file
),

cited_spending as (
    select
        source_file,
        source_sha256,
        item_printed as line_label,
        line_code,
        amount_text,
        unit_label,
        stated_by,
        phase,
        note,
        line_number,
        fiscal_year,
        amount_in_source_unit,
        amount_decimals,
        precision_text,
        precision_unit_label,
        precision_step,
        precision_krw_million,
        publication_date,
        url,
        source_locator
    from cited
    where measure = 'spending' and line_code is not null
),

final as (
    select * from renamed
    union all by name
    select * from cited_spending
)

select * from final
