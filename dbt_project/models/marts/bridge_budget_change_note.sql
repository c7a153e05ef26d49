-- Which years and accounts each "Changes in the Budget" note may explain, and on what basis. The
-- page does not say which year a note is about, so a link is either stated or inferred, and says
-- which:
--   stated                       the note prints the year (a four-digit year in its text), and
--                                the note's account has a change that year
--   inferred_direction_and_size  the note states an amount: every year its account changed in
--                                the note's direction by a size within the tolerance of it
--                                (|change| ÷ stated amount within 1 ± size_tolerance)
--   inferred_direction_only      the note states no amount: every year its account changed in the
--                                note's direction is a candidate
-- A note with a stated year is linked by it alone. Each note's links are ranked (rank 1 the best
-- candidate: the size nearest the stated amount, or the largest change). The change compared is
-- the account's as a whole: its `all_levels` row where it has levels, otherwise its one figure.
-- The tolerance is the dbt variable `budget_change_note_size_tolerance` (default 0.10): a note's
-- amount is a transfer of programmes, and the account's net change also carries the year's other
-- increases and decreases.
with

notes as (
    select * from {{ ref('dim_budget_change_note') }}
),

changes as (
    select * from {{ ref('fct_budget_change') }}
),

settings as (
    select
        cast({{ var('budget_change_note_size_tolerance', 0.10) }} as decimal(9, 4))
            as size_tolerance
),

account_changes as (
    select
        fiscal_year,
        account_code,
        level_code,
        direction,
        change_krw_million
    from changes
    where level_code in ('all_levels', 'account_whole')
    qualify row_number() over (
        partition by fiscal_year, account_code order by level_code = 'all_levels' desc
    ) = 1
),

printed_years as (
    select
        note_number,
        unnest(regexp_extract_all(note_text_en, '\b((?:19|20)[0-9]{2})\b', 1)) as year_text
    from notes
),

stated_years as (
    select distinct
        note_number,
        cast(year_text as integer) as fiscal_year
    from printed_years
),

stated_links as (
    select
        notes.note_number,
        account_changes.fiscal_year,
        account_changes.account_code,
        account_changes.level_code,
        account_changes.change_krw_million,
        notes.stated_amount_krw_million,
        'stated' as link_basis,
        cast(null as decimal(9, 4)) as size_ratio,
        cast(null as decimal(9, 4)) as size_tolerance,
        account_changes.direction = notes.direction as is_same_direction
    from notes
    inner join stated_years on notes.note_number = stated_years.note_number
    inner join account_changes
        on
            notes.account_code = account_changes.account_code
            and stated_years.fiscal_year = account_changes.fiscal_year
),

candidates as (
    select
        notes.note_number,
        account_changes.fiscal_year,
        account_changes.account_code,
        account_changes.level_code,
        account_changes.change_krw_million,
        notes.stated_amount_krw_million,
        true as is_same_direction,
        cast(
            abs(account_changes.change_krw_million)
            / nullif(notes.stated_amount_krw_million, 0) as decimal(9, 4)
        ) as size_ratio,
        case
            when notes.stated_amount_krw_million is not null
                then 'inferred_direction_and_size'
            else 'inferred_direction_only'
        end as link_basis,
        case
            when notes.stated_amount_krw_million is not null then settings.size_tolerance
        end as size_tolerance
    from notes
    inner join account_changes
        on
            notes.account_code = account_changes.account_code
            and notes.direction = account_changes.direction
    cross join settings
    where notes.note_number not in (select stated_years.note_number from stated_years)
),

inferred_links as (
    select * from candidates
    where
        link_basis = 'inferred_direction_only'
        or abs(size_ratio - 1) <= size_tolerance
),

links as (
    select
        note_number,
        fiscal_year,
        account_code,
        level_code,
        change_krw_million,
        stated_amount_krw_million,
        link_basis,
        is_same_direction,
        size_ratio,
        size_tolerance
    from stated_links
    union all
    select
        note_number,
        fiscal_year,
        account_code,
        level_code,
        change_krw_million,
        stated_amount_krw_million,
        link_basis,
        is_same_direction,
        size_ratio,
        size_tolerance
    from inferred_links
),

ranked as (
    select
        links.*,
        row_number() over (
            partition by links.note_number
            order by
                abs(links.size_ratio - 1) asc nulls last,
                abs(links.change_krw_million) desc,
                links.fiscal_year desc
        ) as candidate_rank,
        count(*) over (partition by links.note_number) as n_candidates
    from links
),

final as (
    select
        note_number,
        fiscal_year,
        account_code,
        level_code,
        link_basis,
        cast(candidate_rank as integer) as candidate_rank,
        cast(n_candidates as integer) as n_candidates,
        is_same_direction,
        size_ratio,
        size_tolerance,
        case link_basis
            when 'stated'
                then 'Stated: the note prints the year ' || fiscal_year || '.'
            when 'inferred_direction_and_size'
                then
                    'Inferred, not stated: the account changed by '
                    || {{ thousands('change_krw_million') }} || ' KRW million in '
                    || fiscal_year || ', '
                    || format('{:.1f}', cast(100 * size_ratio as double))
                    || ' % of the ' || {{ thousands('stated_amount_krw_million') }}
                    || ' KRW million the note states (within ±'
                    || format('{:.0f}', cast(100 * size_tolerance as double))
                    || ' %); the page gives no year.'
            else
                'Inferred, not stated: the account changed by '
                || {{ thousands('change_krw_million') }} || ' KRW million in ' || fiscal_year
                || ', in the note''s direction (candidate ' || candidate_rank || ' of '
                || n_candidates || ' by size); the note states no amount and the page no year.'
        end as link_note
    from ranked
)

select * from final
