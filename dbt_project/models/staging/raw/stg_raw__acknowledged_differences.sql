with

source as (
    select * from {{ source('raw', 'acknowledged_differences') }}
),

renamed as (
    select
        source_file,
        source_sha256,
        cast(line_number as integer) as line_number,
        cast(fiscal_year as integer) as fiscal_year,
        line_label,
        line_code,
        source,
        other_source,
        other_stated_by,
        figure_text,
        other_figure_text,
        -- as the comparison states each side: a table's figure exact, a control total's rounded
        -- to the KRW million (audit_source_comparison.controls_in_krw_million)
        cast(figure_krw_million as decimal(38, 6)) as figure_krw_million,
        cast(other_figure_krw_million as decimal(38, 6)) as other_figure_krw_million,
        reason,
        accepted_by,
        cast(accepted_on as date) as accepted_on,
        source_file || ':' || line_number as acknowledgement_locator
    from source
)

select * from renamed
