-- The rows of a revenue statement that states a total (its named sources and the `not_itemised`
-- remainder) add up to that total exactly, and each statement has at most one remainder.
select
    fiscal_year,
    phase,
    stated_by,
    url,
    sum(amount_krw_million) as parts,
    max(statement_total_krw_million) as statement_total,
    count(*) filter (where is_computed) as remainders
from {{ ref('fct_special_account_revenue') }}
where statement_total_krw_million is not null
group by all
having sum(amount_krw_million) != max(statement_total_krw_million)
    or count(*) filter (where is_computed) != 1
