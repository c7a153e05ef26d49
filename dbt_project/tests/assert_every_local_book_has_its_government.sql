-- Every landed local budget book reaches staging with its government: none is lost by the join
-- to ref_local_governments (ingest refuses a code the list does not hold for the book's year).
select books.source_file
from {{ source('raw', 'local_books') }} as books
left join {{ ref('stg_raw__local_books') }} as staged
    on books.source_file = staged.source_file
where staged.source_file is null
