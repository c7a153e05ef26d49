with

published_totals as (
    select * from {{ ref('int_budget_cells__mapped') }}
    where line_kind in ('total', 'subtotal')
),

final as (
    select
        fiscal_year,
        account_code,
        line_kind as total_kind,
        phase,
        source_file,
        amount_krw_million,
        precision_krw_million,
        amount_text as source_amount_text,
        source_unit_label,
        source_sha256,
        source_locator,
        source_line_number,
        source_column_label
    from published_totals
)

select * from final
