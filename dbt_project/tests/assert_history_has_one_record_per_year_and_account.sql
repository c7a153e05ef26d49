-- Every fiscal year × account of the history has exactly one value of record, and it is one of
-- the year's figures (audit_history_figures marks it RECORD).
select
    fiscal_year,
    account_code,
    count(*) filter (where status = 'RECORD') as records
from {{ ref('audit_history_figures') }}
group by all
having count(*) filter (where status = 'RECORD') != 1
