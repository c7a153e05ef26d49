-- Every figure a public document states about the special account
-- (data_raw/cited_account_figures.csv and any other file of format cited_figures): its spending
-- (the whole or a 계정), revenue by source, subsidies to local governments by region, and shares,
-- as printed, with who stated it, when, the URL and where in the document. Nothing here is
-- computed but the unit conversion.
with

cited as (
    select * from {{ ref('stg_raw__cited_figures') }}
),

items as (
    select * from {{ ref('ref_cited_items') }}
),

budget_lines as (
    select * from {{ ref('ref_budget_lines') }}
),

accounts as (
    select * from {{ ref('dim_account') }}
),

final as (
    select
        cited.fiscal_year,
        cited.measure,
        cited.item_code,
        budget_lines.account_code,
        cited.mapping as era_mapping,
        cited.basis_code,
        basis.name_ko as basis_name_ko,
        basis.name_en as basis_name_en,
        cited.account_printed,
        cited.item_printed,
        cited.amount_text,
        cited.unit_label,
        cited.precision_krw_million,
        cited.share_percent,
        cited.precision_percent,
        cited.stated_by,
        cited.published,
        cited.publication_date,
        cited.url,
        cited.locator,
        cited.note,
        cited.source_locator,
        cast(cited.amount_krw_million as decimal(18, 3)) as amount_krw_million,
        case
            when cited.measure = 'spending'
                then coalesce(cited.sub_account_name_that_year, accounts.name_ko)
            else items.name_ko
        end as item_name_ko,
        case when cited.measure = 'spending' then accounts.name_en else items.name_en end
            as item_name_en,
        coalesce(cited.phase, 'not stated') as phase
    from cited
    left join budget_lines on cited.line_code = budget_lines.line_code
    left join accounts on budget_lines.account_code = accounts.account_code
    left join items on cited.measure = items.measure and cited.item_code = items.item_code
    left join items as basis on basis.measure = 'basis' and cited.basis_code = basis.item_code
)

select * from final
