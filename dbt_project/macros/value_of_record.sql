{#- The value of record's rule, shared by every mart that picks one figure among several
    (fct_budget_current, fct_special_account_history_current). The rule is data
    (raw.value_of_record, from `defaults.value_of_record` in data_raw/sources.yml): its criteria
    in rank order, each a key where smaller is better. -#}

{#- The CTEs `criteria` (the criteria by rank) and `phase_authority` (each phase kind's rank),
    from the staged rule `rule`. -#}
{% macro value_of_record_rule(rule) %}
criteria as (
    select
        max(case when item_rank = 1 then item end) as criterion_1,
        max(case when item_rank = 2 then item end) as criterion_2,
        max(case when item_rank = 3 then item end) as criterion_3
    from {{ rule }}
    where rule_kind = 'criterion'
),

phase_authority as (
    select
        item as phase_kind,
        item_rank as authority_rank
    from {{ rule }}
    where rule_kind = 'phase'
)
{% endmacro %}

{#- The phase kind a phase ranks as: supplementary_<n> as `supplementary`. -#}
{% macro phase_kind(phase) %}
case when {{ phase }} like 'supplementary_%' then 'supplementary' else {{ phase }} end
{% endmacro %}

{#- The three keys of a candidate: precision, phase (its kind's rank; supplementary_<n>: the
    highest n first; `unranked` for a phase without a rank) and publication date (the latest
    first, undated last). -#}
{% macro value_of_record_keys(precision, phase, authority_rank, publication_date, unranked=none) %}
cast({{ precision }} as double) as precision_key,
cast(
    {% if unranked is not none %}coalesce({{ authority_rank }}, {{ unranked }}){% else %}{{ authority_rank }}{% endif %} * 10000
    - case
        when {{ phase }} like 'supplementary_%'
            then least(cast(split_part({{ phase }}, '_', 2) as integer), 9999)
        else 0
    end as double
) as phase_key,
cast(
    coalesce(-date_diff('day', date '1900-01-01', {{ publication_date }}), 1e9) as double
) as publication_key
{% endmacro %}

{#- The rule's criteria and key_1, key_2, key_3: the candidate's keys in the rule's order (from
    `candidates` cross joined with `criteria`). -#}
{% macro value_of_record_ordered_keys() %}
criteria.criterion_1,
criteria.criterion_2,
criteria.criterion_3,
{% for rank in [1, 2, 3] %}
case criteria.criterion_{{ rank }}
    when 'precision' then candidates.precision_key
    when 'phase' then candidates.phase_key
    when 'publication_date' then candidates.publication_key
end as key_{{ rank }}{% if not loop.last %},{% endif %}
{% endfor %}
{% endmacro %}

{#- What the runner-up (the next row of `window`) has, to say what separates the two. -#}
{% macro value_of_record_runner_up(window) %}
lead(key_1) over {{ window }} as next_key_1,
lead(key_2) over {{ window }} as next_key_2,
lead(key_3) over {{ window }} as next_key_3,
lead(precision_krw_million) over {{ window }} as next_precision_krw_million,
lead(phase) over {{ window }} as next_phase,
lead(publication_date) over {{ window }} as next_publication_date
{% endmacro %}

{#- The first criterion that separates the chosen figure from the runner-up (null: a tie). -#}
{% macro deciding_criterion() %}
case
    when key_1 != next_key_1 then criterion_1
    when key_2 != next_key_2 then criterion_2
    when key_3 != next_key_3 then criterion_3
end
{% endmacro %}

{#- Why the figure was chosen, in words, from the columns of its row (prefixed `row`):
    `only` where it had no rival, `tie` on a tie on every criterion. -#}
{% macro chosen_because(row, n_candidates, only, tie) %}
case
    when {{ row }}{{ n_candidates }} = 1 then '{{ only }}'
    when {{ row }}deciding_criterion = 'precision'
        then
            'most precise (±' || {{ thousands(row ~ 'precision_krw_million') }}
            || ' vs ±' || {{ thousands(row ~ 'next_precision_krw_million') }}
            || ' KRW million)'
    when {{ row }}deciding_criterion = 'phase'
        then 'phase ' || {{ row }}phase || ' outranks ' || {{ row }}next_phase
    when {{ row }}deciding_criterion = 'publication_date'
        then
            'latest publication ' || strftime({{ row }}publication_date, '%Y-%m-%d')
            || ' (vs '
            || coalesce(strftime({{ row }}next_publication_date, '%Y-%m-%d'), 'undated')
            || ')'
    else {{ tie }}
end
{% endmacro %}
