with

leaf_amounts as (
    select * from {{ ref('int_budget_cells__mapped') }}
    where line_kind = 'leaf'
),

final as (
    select
        fiscal_year,
        account_code,
        level_code,
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
    from leaf_amounts
)

select * from final
