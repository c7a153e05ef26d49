"""The READMEs and docs/ say only what the project does.

In README.md, docs/ and every other README of the repository (``expectations/``, ``bench/``,
``data_raw/``, ``warehouse/``…): every relative link and anchor resolves; every ``make`` target
and ``BND_…`` setting named exists; every path named in inline code is in the repository (or is
output it ignores); every sample query runs against the marts' contracts; every sample of printed
output is text the code prints. The figures of docs/bench.md are those of bench/results.md, and
the limits table is the one in ``core/limits.py``. Each check is a function returning the
problems it found, and is also run on a bad example of its own, so that it can be seen to fail.
"""

from __future__ import annotations

import ast
import itertools
import os
import re
import subprocess
from functools import cache
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.core.limits import ENV_PREFIX, LIMITS
from pipelines.core.settings import PROJECT_ROOT

# Folders of other projects' files (dbt packages) or of generated ones.
NOT_OURS = {"dbt_packages", "target", ".venv"}


@cache
def repository_files() -> tuple[str, ...]:
    """The repository's files (tracked, or new and not ignored), relative to its root."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return tuple(
        name for name in listed.split("\0") if name and not NOT_OURS & set(name.split("/"))
    )


README = PROJECT_ROOT / "README.md"
DOCS = sorted((PROJECT_ROOT / "docs").glob("*.md"))  # docs/research/ is research, not docs
# Every other README of the repository: expectations/, bench/, data_raw/, warehouse/ …
READMES = sorted(
    PROJECT_ROOT / name
    for name in repository_files()
    if re.fullmatch(r"README.*\.md", name.rsplit("/", 1)[-1]) and name != "README.md"
)
PAGES = [README, *READMES, *DOCS]
MAX_README_LINES = 200
# A docs page longer than this starts with a table of contents (links to its own headings).
TOC_FROM_LINES = 150

FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def fenced_blocks(text: str, info: str | None = None) -> list[str]:
    """The bodies of the fenced code blocks of ``text`` (only those tagged ``info``, if given)."""
    return [body for tag, body in FENCE.findall(text) if info is None or tag.strip() == info]


def prose(text: str) -> str:
    """``text`` without its code blocks and inline code, where a link is not a link."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: markup dropped, lower case, punctuation dropped (letters,
    digits, ``_``, ``-`` and spaces kept), spaces turned into ``-``."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every anchor of a page's headings; a repeated heading gets ``-1``, ``-2``… as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for _, heading in HEADING.findall(FENCE.sub("", text)):
        anchor = github_anchor(heading)
        if anchor in seen:
            seen[anchor] += 1
            anchor = f"{anchor}-{seen[anchor]}"
        else:
            seen[anchor] = 0
        found.add(anchor)
    return found


def shown(page: Path) -> str:
    """The page as a reader finds it: its path in the repository (``bench/README.md``)."""
    return (
        page.relative_to(PROJECT_ROOT).as_posix()
        if page.is_relative_to(PROJECT_ROOT)
        else page.name
    )


def link_problems(page: Path) -> list[str]:
    """Relative links of ``page`` whose file is missing, or whose ``#anchor`` is no heading."""
    problems = []
    for target in LINK.findall(prose(read(page))):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto: …: not a file here
            continue
        path_part, _, anchor = target.partition("#")
        path = (page.parent / path_part).resolve() if path_part else page
        if not path.exists():
            problems.append(f"{shown(page)}: {target}: no such file {path}")
        elif anchor and (path.suffix != ".md" or anchor not in anchors(read(path))):
            problems.append(f"{shown(page)}: {target}: no heading #{anchor} in {path.name}")
    return problems


def make_targets(makefile: str) -> set[str]:
    return set(re.findall(r"^([A-Za-z][\w.-]*)\s*:(?!=)", makefile, re.MULTILINE))


def make_commands(text: str) -> set[str]:
    """The targets of every ``make <target>`` in the code of ``text`` (prose may "make a copy")."""
    code = "\n".join([*fenced_blocks(text), *INLINE_CODE.findall(FENCE.sub("", text))])
    return set(re.findall(r"\bmake ([a-z][\w-]*)", code))


def settings_named(text: str) -> set[str]:
    """Every ``BND_…`` variable ``text`` names (``BND_LIMIT_<NAME>`` stands for its prefix)."""
    return set(re.findall(r"\bBND_[A-Z0-9_]*[A-Z0-9]", text))


# Code that reads settings: the pipeline, the benchmarks, and the fuzz and mutation commands.
SETTINGS_READERS = ("pipelines", "bench", "tests/fuzz", "tests/mutation")


# dbt reads the settings of its profile itself (env_var in profiles.yml).
DBT_PROFILE = PROJECT_ROOT / "dbt_project" / "profiles.yml"


@cache
def pipelines_source() -> str:
    return "\n".join(
        [
            *(
                read(path)
                for folder in SETTINGS_READERS
                for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
            ),
            read(DBT_PROFILE),
        ]
    )


def unread_settings(names: set[str], source: str) -> list[str]:
    """Names that no code reads: neither in ``source`` nor a limit of ``core/limits.py``."""
    return sorted(
        name
        for name in names
        if name not in source
        and not (name.startswith(ENV_PREFIX) and name.removeprefix(ENV_PREFIX) in LIMITS)
    )


# --- paths named in inline code: in the repository, or output it ignores ------------------------

# A file the pages may name bare, wherever it is (``run.py``, ``great_expectations.yml``).
SOURCE_SUFFIXES = (".py", ".md", ".sql", ".yml", ".yaml", ".j2", ".toml")
# Where people put raw files: its folders need not exist before their first file.
RAW_FOLDER = "data_raw/"
# A placeholder or pattern in a path (``builds/<build_id>/``, ``gx_*.html.j2``, ``.../parquet``):
# the path is checked up to the part that holds one.
PLACEHOLDER = re.compile(r"[<>*?\[\]{}|…]|\.\.\.")


def named_paths(text: str) -> list[str]:
    """Inline code of the prose that looks like a path (``pipelines/core/``, ``run.py``): not a
    command, option, URL, SQL name, absolute path or setting."""
    return [
        code
        for code in (span.strip("`") for span in INLINE_CODE.findall(FENCE.sub("", text)))
        if code
        and not re.search(r"[\s:=$\\'\"(),]", code)
        and not code.startswith(("/", "~", "-"))
        and ("/" in code or code.endswith(SOURCE_SUFFIXES))
    ]


def git_ignored(paths: list[str]) -> set[str]:
    """Those of ``paths`` (relative to the root; a folder ends in ``/``) that git ignores."""
    if not paths:
        return set()
    listed = subprocess.run(
        ["git", "check-ignore", "--stdin", "-z"],
        input="".join(f"{path}\0" for path in paths),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,  # 1: none of them is ignored
    ).stdout
    return set(filter(None, listed.split("\0")))


def ignore_queries(path: str, folder: bool) -> list[str]:
    """What to ask ``git check-ignore`` about ``path`` (relative to the root): it and each folder
    above it (output is ignored whole, ``bench/data/``), up to a symbolic link, past which git
    answers nothing (``warehouse/reports`` links into a build)."""
    parts = path.split("/")
    queries = []
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        if (PROJECT_ROOT / prefix).is_symlink():
            return [*queries, prefix]
        queries.append(prefix + ("/" if depth < len(parts) or folder else ""))
    return queries


def missing_path(code: str, page: Path) -> tuple[list[str], bool] | None:
    """Where the path ``code`` would be in the repository (relative to the root; up to a part
    holding a placeholder) and whether it names a folder, when it is the repository's and is not
    there; else None.

    It is read from the page's folder, the root or ``pipelines/`` (``lifecycle/build.py``); one
    whose first part is in none of them, or that leads out of the repository, is not the
    repository's (``duckdb_tmp/``, made next to a database). A folder of ``data_raw/`` is where a
    person puts raw files (``data_raw/budget_lines/<year>/``): it need not exist yet.
    """
    parts = code.rstrip("/").split("/")
    kept = list(itertools.takewhile(lambda part: not PLACEHOLDER.search(part), parts))
    if not kept:
        return None
    folder = len(kept) < len(parts) or code.endswith("/")
    candidates = [
        Path(os.path.normpath(root / "/".join(kept)))
        for root in (page.parent, PROJECT_ROOT, PROJECT_ROOT / "pipelines")
        if (root / kept[0]).exists()
    ]
    candidates = [path for path in candidates if path.is_relative_to(PROJECT_ROOT)]
    if not candidates or any(path.exists() for path in candidates):
        return None
    relative = [path.relative_to(PROJECT_ROOT).as_posix() for path in candidates]
    if folder and any(path.startswith(RAW_FOLDER) for path in relative):
        return None
    return relative, folder


def path_problems(page: Path) -> list[str]:
    """Paths ``page`` names in inline code that are neither in the repository nor output that it
    ignores (``warehouse/bnd.duckdb``, ``bench/data/``). A bare file name (``run.py``) may be
    beside the page or anywhere in the repository."""
    names = {name.rsplit("/", 1)[-1] for name in repository_files()}
    problems, missing = [], {}
    for code in named_paths(read(page)):
        if "/" not in code:
            if not (PLACEHOLDER.search(code) or code in names or (page.parent / code).exists()):
                problems.append(f"{shown(page)}: `{code}`: no such file in the repository")
        elif (where := missing_path(code, page)) is not None:
            missing[code] = where
    queries = {
        code: {query for path in paths for query in ignore_queries(path, folder)}
        for code, (paths, folder) in missing.items()
    }
    ignored = git_ignored(sorted(set().union(*queries.values())))
    problems += [
        f"{shown(page)}: `{code}`: no such file or folder {' or '.join(missing[code][0])}"
        for code, asked in queries.items()
        if not ignored & asked
    ]
    return problems


# --- sample queries: run against empty tables made from the marts' dbt contracts ---------------


@cache
def mart_contracts() -> dict[str, list[tuple[str, str]]]:
    """Every mart of the dbt project: its columns and their contract types."""
    marts: dict[str, list[tuple[str, str]]] = {}
    for path in sorted((PROJECT_ROOT / "dbt_project" / "models" / "marts").rglob("*.yml")):
        for model in (yaml.safe_load(read(path)) or {}).get("models", []):
            columns = [(c["name"], c["data_type"]) for c in model.get("columns", [])]
            if columns and all(data_type for _, data_type in columns):
                marts[model["name"]] = columns
    return marts


def query_problems(queries: list[str], marts: dict[str, list[tuple[str, str]]]) -> list[str]:
    """Queries that DuckDB cannot bind against empty ``marts.*`` tables with these columns."""
    con = duckdb.connect()
    con.execute("create schema marts")
    for table, columns in marts.items():
        con.execute(
            f"create table marts.{table} ("
            + ", ".join(f'"{name}" {data_type}' for name, data_type in columns)
            + ")"
        )
    problems = []
    for query in queries:
        try:
            con.execute(query)
        except duckdb.Error as error:
            problems.append(f"{query.strip()[:60]}…: {error}")
    return problems


# --- sample output: every printed line is one the code can print -------------------------------

# A pattern needs this much literal text to vouch for a line alone, so that ``f"{a}: {b}"`` does not
# match everything; a looser pattern must hold a stricter one (``f"error: {fault}"``).
MIN_LITERAL = 12
MIN_WRAPPER_LITERAL = 4
# A variable part of a sample: ``…`` or ``<placeholder>`` in the docs, a value in the code.
WILD = "(.*?)"
STEP_LINE = re.compile(r"^  (\S+)\s+(.*?)\s+\d+\.\d s$")


def _pattern(node: ast.AST) -> tuple[str, int] | None:
    """A regular expression for the strings an expression can make, and its literal length."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value), len(node.value)
    if isinstance(node, ast.JoinedStr):
        parts = [_pattern(value) or (WILD, 0) for value in node.values]
        return "".join(p for p, _ in parts), sum(n for _, n in parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _pattern(node.left), _pattern(node.right)
        if left is None and right is None:
            return None
        (lp, ln), (rp, rn) = left or (WILD, 0), right or (WILD, 0)
        return lp + rp, ln + rn
    if isinstance(node, ast.IfExp):
        body, orelse = _pattern(node.body), _pattern(node.orelse)
        if body and orelse:
            return f"(?:{body[0]}|{orelse[0]})", min(body[1], orelse[1])
    return None


@cache
def printed_patterns() -> tuple[list[tuple[re.Pattern[str], int]], frozenset[str]]:
    """Patterns of every string expression in ``pipelines/`` (docstrings left out), and every
    plain string constant (the step names)."""
    patterns, constants = [], set()
    for path in sorted((PROJECT_ROOT / "pipelines").rglob("*.py")):
        tree = ast.parse(read(path))
        docstrings = {
            id(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        }
        for node in ast.walk(tree):
            if id(node) in docstrings:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                constants.add(node.value)
            made = _pattern(node)
            if made and made[1]:
                patterns.append((re.compile(made[0], re.DOTALL), made[1]))
    return patterns, frozenset(constants)


def printable(text: str, patterns: list[tuple[re.Pattern[str], int]], depth: int = 1) -> bool:
    """Whether some pattern makes ``text`` whole: one with enough literal text of its own (or all
    of it), or one with some literal text whose variable part another such pattern makes."""
    text = re.sub(r"<[^<>\s]+>", "…", text)
    for pattern, literal in patterns:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        if literal >= MIN_LITERAL or literal == len(text):
            return True
        if (
            depth
            and literal >= MIN_WRAPPER_LITERAL
            and any(group and printable(group, patterns, depth - 1) for group in match.groups())
        ):
            return True
    return False


def sample_problems(sample: str) -> list[str]:
    """Lines of a sample of printed output that no code prints (``…`` and ``<…>``: any value)."""
    patterns, constants = printed_patterns()
    problems = []
    for line in filter(str.strip, sample.splitlines()):
        step = STEP_LINE.match(line)
        if step:  # core.progress: "  <step> <what> <seconds> s"
            name, summary = step.groups()
            if name not in constants:
                problems.append(f"no step named {name!r}: {line}")
            elif not (summary.startswith(("/", "…/")) or printable(summary, patterns)):
                problems.append(f"no code prints {summary!r}: {line}")
        elif not printable(line.strip(), patterns):
            problems.append(f"no code prints: {line}")
    return problems


# --- figures copied from generated files -------------------------------------------------------

FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?\s?(?:s|MiB|×|%)(?!\w)")
VERSION = re.compile(r"\b([A-Za-z][\w-]*) (\d+\.\d+\.\d+)\b")


def bench_problems(page: str, results: str) -> list[str]:
    """Figures of the page's tables, and tool versions it names, that bench/results.md lacks."""
    table = "\n".join(line for line in page.splitlines() if line.startswith("|"))
    problems = [f"figure {figure!r}" for figure in FIGURE.findall(table) if figure not in results]
    problems += [
        f"version {' '.join(pair)!r}"
        for pair in VERSION.findall(page)
        if " ".join(pair).lower() not in results.lower()
    ]
    return problems


def limits_in_table(page: str) -> dict[str, int]:
    return {
        name: int(default.replace(",", ""))
        for name, default in re.findall(r"^\| `BND_LIMIT_(\w+)` \| ([\d,]+) ", page, re.MULTILINE)
    }


# --- the checks ---------------------------------------------------------------------------------


def test_readme_is_read_in_five_minutes() -> None:
    lines = len(read(README).splitlines())
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines (at most {MAX_README_LINES})"


def test_readme_starts_with_the_two_commands() -> None:
    text = read(README)
    first_block = FENCE.search(text)
    assert first_block is not None, "README.md has no code block"
    assert "make run" in first_block[2] and "make test" in first_block[2], first_block[2]
    first_section = text.find("\n## ")
    assert first_section == -1 or first_block.start() < first_section, "the commands come first"


@pytest.mark.parametrize("page", PAGES, ids=shown)
def test_relative_links_and_anchors_resolve(page: Path) -> None:
    assert link_problems(page) == []


def test_readme_links_every_docs_page() -> None:
    linked = {
        (README.parent / target.partition("#")[0]).resolve()
        for target in LINK.findall(prose(read(README)))
    }
    assert [page.name for page in DOCS if page.resolve() not in linked] == []


@pytest.mark.parametrize("page", DOCS, ids=shown)
def test_long_docs_pages_have_a_table_of_contents(page: Path) -> None:
    text = read(page)
    if len(text.splitlines()) > TOC_FROM_LINES:
        own_links = [target for target in LINK.findall(prose(text)) if target.startswith("#")]
        assert len(own_links) >= 3, f"{page.name}: no table of contents"


def test_every_make_target_named_exists() -> None:
    assert {"run", "test", "dev", "docs", "rollback", "bench", "lint"} <= make_commands(
        read(README)
    )
    named = set().union(*(make_commands(read(page)) for page in PAGES))
    assert sorted(named - make_targets(read(PROJECT_ROOT / "Makefile"))) == []


def test_every_readme_of_the_repository_is_checked() -> None:
    assert {"expectations", "bench", "data_raw", "warehouse"} <= {
        page.parent.name for page in READMES
    }


@pytest.mark.parametrize("page", PAGES, ids=shown)
def test_paths_named_are_in_the_repository(page: Path) -> None:
    assert path_problems(page) == []


def test_every_setting_named_is_read_by_the_code() -> None:
    texts = [read(page) for page in PAGES] + [read(PROJECT_ROOT / ".env.example")]
    names = set().union(*map(settings_named, texts))
    assert {"BND_DATA_RAW", "BND_WAREHOUSE_DIR", "BND_ENV_FILE"} <= names
    assert unread_settings(names, pipelines_source()) == []


def test_sample_queries_run_against_the_marts() -> None:
    queries = [block for page in PAGES for block in fenced_blocks(read(page), "sql")]
    assert len(queries) >= 3, "the README shows example queries"
    assert query_problems(queries, mart_contracts()) == []


@pytest.mark.parametrize("page", PAGES, ids=shown)
def test_sample_output_is_what_the_code_prints(page: Path) -> None:
    problems = [
        problem
        for sample in fenced_blocks(read(page), "text")
        for problem in sample_problems(sample)
    ]
    assert problems == []


def test_bench_figures_are_those_of_the_results() -> None:
    page = read(PROJECT_ROOT / "docs" / "bench.md")
    assert FIGURE.search(page), "docs/bench.md shows figures"
    assert bench_problems(page, read(PROJECT_ROOT / "bench" / "results.md")) == []


def test_limits_table_is_the_code_s() -> None:
    documented = limits_in_table(read(PROJECT_ROOT / "docs" / "sources.md"))
    assert documented == {name: limit.default for name, limit in LIMITS.items()}


# --- and each check fails where it should --------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Adding next year's file", "adding-next-years-file"),
        ("dq.json, for machines", "dqjson-for-machines"),
        ("Scale: `make bench`", "scale-make-bench"),
        ("The run's output and logs", "the-runs-output-and-logs"),
    ],
)
def test_anchors_follow_github(heading: str, anchor: str) -> None:
    assert github_anchor(heading) == anchor


def test_broken_links_are_found(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n\n## A part\n\n## A part\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n[ok](other.md#a-part) [repeated](other.md#a-part-1) [self](#page)\n"
        "[web](https://example.org/x.md) `[code](missing.md)`\n"
        "[gone](missing.md) [no anchor](other.md#b-part) [not here](#nowhere)\n",
        encoding="utf-8",
    )
    problems = link_problems(page)
    assert len(problems) == 3, problems
    assert [p for p in problems if "missing.md" in p and "no such file" in p]


def test_paths_not_in_the_repository_are_found(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n", encoding="utf-8")
    page = tmp_path / "README.md"
    page.write_text(
        "Found: `pipelines/core/settings.py`, `lifecycle/build.py`, `other.md`, `run.py`,\n"
        "`pipelines/reports/templates/gx_*.html.j2`, `data_raw/budget_lines/<year>/`.\n"
        "Output git ignores: `warehouse/.build/reports/index.html`, `bench/data/<size>/`,\n"
        "`warehouse/reports/dbt_docs/index.html` (through a link, in a published warehouse).\n"
        "Not paths: `make run`, `sheet: <name>`, `https://example.org/a.py`, `/tmp/x.py`,\n"
        "`duckdb_tmp/`, `marts.fct_budget`, `../../reports/dbt_docs/index.html`.\n"
        "```sh\npython pipelines/nowhere.py   # a command, not prose\n```\n"
        "Missing: `pipelines/checks/gx_docs.py`, `lifecycle/gone.py`, `nowhere_at_all.py`,\n"
        "`expectations/gx/nothing/`.\n",
        encoding="utf-8",
    )
    problems = path_problems(page)
    assert [problem.split("`")[1] for problem in problems] == [
        "nowhere_at_all.py",
        "pipelines/checks/gx_docs.py",
        "lifecycle/gone.py",
        "expectations/gx/nothing/",
    ], problems


def test_unknown_make_targets_and_settings_are_found() -> None:
    targets = make_targets("run: x\n\t$(PY) run\nVAR := 1\n.PHONY: run\n")
    assert targets == {"run"}
    assert make_commands("`make run`, `make deploy FAST=1`; make a copy") - targets == {"deploy"}
    assert make_commands("```sh\nmake run   # build\nmake deploy\n```\n") == {"run", "deploy"}
    names = settings_named("BND_DATA_RAW, BND_LIMIT_<NAME>, BND_LIMIT_LINE_BYTES, BND_NOWHERE")
    assert names == {"BND_DATA_RAW", "BND_LIMIT", "BND_LIMIT_LINE_BYTES", "BND_NOWHERE"}
    assert unread_settings(names, 'os.environ["BND_DATA_RAW"]; "BND_LIMIT_"') == ["BND_NOWHERE"]


def test_queries_on_missing_columns_are_found() -> None:
    marts = {"fct_budget": [("fiscal_year", "integer"), ("amount_krw_million", "bigint")]}
    good = "select fiscal_year, sum(amount_krw_million) from marts.fct_budget group by 1"
    bad = "select fiscal_year, amount_krw from marts.fct_budget"
    assert query_problems([good], marts) == []
    assert len(query_problems([good, bad, "select * from marts.dim_nowhere"], marts)) == 2


def test_output_the_code_does_not_print_is_found() -> None:
    assert sample_problems("up to date (build <id>, published <when>)") == []
    assert sample_problems("  startup    Python and the command line's imports    0.1 s") == []
    assert len(sample_problems("up to date since <when>; nothing to build")) == 1
    assert len(sample_problems("  warmup     Python and the command line's imports    0.1 s")) == 1
    assert len(sample_problems("  startup    Python, warmed up    0.1 s")) == 1
    assert len(sample_problems("error: the disk is on fire")) == 1


def test_figures_missing_from_the_results_are_found() -> None:
    results = "| 10,000,000 | 8.4 s | 22.6 s | 2.69× |\n- Packages: duckdb 2.0.1"
    assert bench_problems("| 10 M | 8.4 s | 22.6 s | 2.69× |\nDuckDB 2.0.1", results) == []
    problems = bench_problems("| 10 M | 8.4 s | 21.0 s | 2.50× |\nDuckDB 2.1.0", results)
    assert problems == ["figure '21.0 s'", "figure '2.50×'", "version 'DuckDB 2.1.0'"]


def test_limits_table_is_read() -> None:
    page = "| `BND_LIMIT_LINE_BYTES` | 65,536 | bytes |\n| `BND_LIMIT_HTML_SPAN` | 999 | span |\n"
    assert limits_in_table(page) == {"LINE_BYTES": 65_536, "HTML_SPAN": 999}
