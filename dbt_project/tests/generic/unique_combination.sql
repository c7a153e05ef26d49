{#- Each combination of the given columns appears at most once (the grain of a model).

Grouping millions of rows by several text columns is the costly part, so rows are first grouped
by one hash of the columns: only rows whose hash repeats (duplicates, or a rare collision) are
grouped again by the columns themselves, and only true duplicates fail the test, with their
columns and count. -#}
{% test unique_combination(model, columns) %}
{%- set key = columns | join(', ') %}
with

repeated_hashes as (
    select hash({{ key }}) as grain_hash
    from {{ model }}
    group by grain_hash
    having count(*) > 1
),

candidates as (
    select {{ key }}
    from {{ model }}
    where hash({{ key }}) in (select grain_hash from repeated_hashes)
)

select
    {{ key }},
    count(*) as n_rows
from candidates
group by {{ key }}
having count(*) > 1
{% endtest %}
