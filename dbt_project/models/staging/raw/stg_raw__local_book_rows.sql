-- Every row of the local budget books, its funding columns by funding source beside it, and the
-- amount its funding splits (`line_amount_krw_million`: the change in a book whose funding
-- columns split the change, otherwise the budget).
{% set funding_sources = ['national_subsidy', 'fund_subsidy', 'special_grant',
    'provincial_subsidy', 'adjustment_grant', 'own_revenue', 'local_bond', 'other'] %}

with

source as (
    select * from {{ source('raw', 'local_book_rows') }}
),

funding as (
    select * from {{ source('raw', 'local_book_funding') }}
),

books as (
    select * from {{ source('raw', 'local_books') }}
),

funding_by_source as (
    select
        source_file,
        line_number,
        {% for funding_source in funding_sources %}
            coalesce(sum(amount_krw_million) filter (
                where funding_source = '{{ funding_source }}'
            ), 0) as {{ funding_source }}_krw_million{{ ',' if not loop.last }}
        {% endfor %}
    from funding
    group by source_file, line_number
),

joined as (
    select
        source.source_file,
        source.source_sha256,
        source.row_place,
        source.row_role,
        source.local_account,
        source.department,
        source.detail_project,
        source.stat_item_code,
        source.stat_item_name,
        source.basis,
        books.split_basis,
        cast(source.line_number as integer) as line_number,
        cast(source.marker_depth as integer) as marker_depth,
        cast(source.budget_krw_million as decimal(38, 6)) as budget_krw_million,
        cast(source.prior_krw_million as decimal(38, 6)) as prior_krw_million,
        cast(source.change_krw_million as decimal(38, 6)) as change_krw_million,
        cast(source.special_account_krw_million as decimal(38, 6))
            as special_account_krw_million,
        cast(
            case when books.split_basis = 'change' then source.change_krw_million
                else source.budget_krw_million
            end as decimal(38, 6)
        ) as line_amount_krw_million,
        {% for funding_source in funding_sources %}
            cast(coalesce(funding_by_source.{{ funding_source }}_krw_million, 0) as decimal(38, 6))
                as {{ funding_source }}_krw_million,
        {% endfor %}
        source.source_file || ' (' || source.row_place || ')' as source_locator
    from source
    inner join books on source.source_file = books.source_file
    left join funding_by_source
        on
            source.source_file = funding_by_source.source_file
            and source.line_number = funding_by_source.line_number
)

select * from joined
