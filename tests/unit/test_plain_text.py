"""The marts' comments are plain text: each Markdown construct of the descriptions, as BI tools
should show it (``lifecycle.plain_text``)."""

from __future__ import annotations

import pytest

from pipelines.lifecycle.plain_text import markdown_to_text


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        # emphasis keeps its words; a lone star or snake_case is no emphasis
        ("**Grain**: one row per year.", "Grain: one row per year."),
        ("__Unit__: KRW million.", "Unit: KRW million."),
        ("read them as *at least* their rows.", "read them as at least their rows."),
        ("read them as _at most_ that.", "read them as at most that."),
        ("***both*** and **bold with *italic***.", "both and bold with italic."),
        ("~~old~~ new.", "old new."),
        ("a backslash \\ stays, as do 'quotes'", "a backslash \\ stays, as do 'quotes'"),
        ("the note marked * below it; 2 * 3 = 6.", "the note marked * below it; 2 * 3 = 6."),
        ("share_of_year_pct and _private_name.", "share_of_year_pct and _private_name."),
        # code keeps its text, markup inside it included
        ("`amount_krw_million`, in KRW million.", "amount_krw_million, in KRW million."),
        ("marked `*` or `**x**`.", "marked * or **x**."),
        ("``a ` b`` is code.", "a ` b is code."),
        ("`<file>:<line>` of the source.", "<file>:<line> of the source."),
        # links: their text, and an address outside the project in brackets
        ("See [the value of record](sources.md#several).", "See the value of record."),
        ("By [MOEF](https://moef.go.kr).", "By MOEF (https://moef.go.kr)."),
        ('By [MOEF](https://moef.go.kr "title").', "By MOEF (https://moef.go.kr)."),
        ("At <https://example.org/x>.", "At https://example.org/x."),
        ("See [the docs][docs].", "See the docs."),
        ("![a chart](chart.png) shows it.", "a chart shows it."),
        # the YAML's wrapped lines and hard breaks become one line
        (
            "one row per\nfiscal year\n\nSecond paragraph",
            "one row per fiscal year. Second paragraph",
        ),
        ("a hard  \nbreak and\\\nanother", "a hard break and another"),
        ("a<br>b<br/>c", "a b c"),
        # lists, numbered lists, headings, quotes, rules
        (
            "Kinds:\n\n- `local`: cities.\n- `central`: agencies",
            "Kinds: local: cities. central: agencies",
        ),
        ("* one\n* two\n  continued", "one. two continued"),
        ("1. first\n2) second", "first. second"),
        ("## What it holds\n\nThe budget.", "What it holds. The budget."),
        ("> quoted\n> text.", "quoted text."),
        ("above\n\n---\n\nbelow", "above. below"),
        # escapes
        (r"a \*literal\* star and \_ and \`", "a *literal* star and _ and `"),
        # fenced code keeps its lines as they are
        ("Query:\n\n```sql\nselect 1\nfrom t\n```\nafter", "Query: select 1 from t. after"),
        # nothing to convert
        ("Plain words, Korean 회계연도 too.", "Plain words, Korean 회계연도 too."),
        ("", ""),
    ],
)
def test_each_markdown_construct_becomes_plain_text(markdown: str, text: str) -> None:
    assert markdown_to_text(markdown) == text


def test_a_table_reads_row_by_row_with_its_headers() -> None:
    markdown = (
        "The methods.\n\n"
        "| method | account | formulated by |\n"
        "|---|:---:|---|\n"
        "| ① | Local Autonomous | cities and provinces |\n"
        "| ② | `local_autonomous` | si, gun, gu (districts) |\n"
        "\n"
        "After the table."
    )
    assert markdown_to_text(markdown) == (
        "The methods. method: ①, account: Local Autonomous, formulated by: cities and provinces. "
        "method: ②, account: local_autonomous, formulated by: si, gun, gu (districts). "
        "After the table."
    )


def test_a_pipe_that_is_no_table_stays() -> None:
    assert markdown_to_text("a | b, escaped \\| too") == "a | b, escaped | too"
