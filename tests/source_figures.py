"""The budget table of the published page, typed by hand from data_raw/000_cad87574ba41ba74.txt.

These figures are the test oracle: they come from the source document, never from the code under
test. Lines are the 1-based line numbers of the page file.
"""

PAGE_FILE = "000_cad87574ba41ba74.txt"
PAGE_SHA256 = "fea2b6ea35d698e4def07a4ed3b19f9c0e6e7ee47e7919021eb4994a55d12768"
YEARS = (2015, 2016, 2017, 2018, 2019, 2020)
UNIT = "KRW 1 million"
REFERENCE = "The Ministry of Economy and Finance"
TITLE_LINE, HEADER_LINE, REFERENCE_LINE = 50, 53, 62

# label as printed → (line, amounts 2015..2020 in KRW million)
ROWS = {
    "Total": (54, (10338940, 9973926, 9462271, 9889905, 10748531, 9232811)),
    "Local Support Account": (55, (5368589, 4918356, 4728768, 4203522, 4760211, 6613132)),
    "Local Autonomous Account Sub-total": (
        56,
        (4498064, 4590081, 4304873, 5264103, 5548288, 2313150),
    ),
    "By Cities and Provinces": (57, (2808074, 2862799, 2914059, 3530440, 3720106, 1192590)),
    "By Si, Gun, Gu(Lower level local government)": (
        58,
        (1689990, 1727282, 1390814, 1733663, 1828182, 1120560),
    ),
    "Sejong Special Self-Governing City Account": (
        59,
        (102218, 103694, 102649, 100428, 103496, 72808),
    ),
    "Jeju Special Self-Governing Province Account": (
        60,
        (370069, 361795, 325981, 321852, 336536, 233721),
    ),
}

# The same figures by warehouse key: (account_code, level_code) for leaves.
LEAVES = {
    ("local_support", "account_whole"): ROWS["Local Support Account"][1],
    ("local_autonomous", "city_province"): ROWS["By Cities and Provinces"][1],
    ("local_autonomous", "si_gun_gu"): ROWS["By Si, Gun, Gu(Lower level local government)"][1],
    ("sejong", "account_whole"): ROWS["Sejong Special Self-Governing City Account"][1],
    ("jeju", "account_whole"): ROWS["Jeju Special Self-Governing Province Account"][1],
}
TOTALS = {
    "bnd_special_account": ROWS["Total"][1],
    "local_autonomous": ROWS["Local Autonomous Account Sub-total"][1],
}

# The plan documents of the page, typed by hand from the same file (lines are the file's).
FIVE_YEAR_PLAN = "Five-Year Balanced National Development Plan"
PLAN_PERIOD = (2018, 2022)
PLAN_LINE = 11
LEGAL_BASIS = "Article 4 of the Special Act on Balanced National Development"
LEGAL_BASIS_LINE = 7
# what is counted, as printed → (count, line)
PLAN_COUNTS = {"Strategies": (3, 13), "Key Tasks": (9, 14), "Action Tasks": (37, 15)}
IMPLEMENTATION_PLAN = ("Implementation Plan", "Annual", 17)  # name, cycle, line
IMPLEMENTATION_TARGET = ("Tasks", 334, 19)  # what, count, line
# action plan → (who draws it up, as printed; line)
ACTION_PLANS = {
    "Sectoral Action Plans": ("Central Administrative Agencies", 21),
    "Regional Action Plans": ("Cities and Provinces", 22),
}

FUNDING_LINE = 24
FUNDING_SOURCES = (
    "General Accounts",
    "Special Accounts for Balanced National Development",
    "other special accounts",
    "funds",
)
INCLUDED_PROJECT_KINDS = (
    "new projects",
    "non-budget projects",
    "projects carried out with local governments’ own funds",
)

PROJECT_AREAS_FIRST_LINE = 28
PROJECT_AREAS = (
    "Matters relating to establishing and activating regional innovation systems",
    "Matters relating to invigorating regional economies, such as the fostering of regional "
    "industries and job creation",
    "Matters relating to improving educational conditions in the region, fostering regional "
    "human resources",
    "Matters relating to promoting science and technology in the region",
    "Matters relating to developing regional development hubs and expanding transport and "
    "logistics networks",
    "Matters relating to promoting regional culture/tourism and preserving environment",
    "Matters relating to expanding regional welfare, health and medical care",
    "Matters relating to activating regional finances",
    "Matters relating to accelerating the development of growth promotion areas, areas of "
    "special concern, rural areas, etc.",
    "Matters relating to relocating public entities, etc. to provincial areas and reinvigorating "
    "innovation cities",
    "Matters relating to designating and fostering national innovation clusters",
)

# The structure matrix (lines 79-86), method → (account, formulator, description, starred note,
# first line). Accounts and formulators by warehouse key; Sejong's ③ and Jeju's ④ ⑤ stand in
# cells that span both local rows, so local governments as a whole formulate them.
_BY_DISTRICTS = "Projects Formulated Autonomously by Districts, Cities and Provinces"
_INFRASTRUCTURE = "Including Infrastructure Projects by Districts, Cities and Provinces"
_BY_AGENCIES = "Projects Formulated by Government Agencies"
METHODS = {
    1: (
        "local_autonomous",
        "city_province",
        "Formulated Autonomously by Cities and Provinces",
        None,
        80,
    ),
    2: (
        "local_autonomous",
        "si_gun_gu",
        "Formulated Autonomously by Districts, Cities and Provinces",
        None,
        85,
    ),
    3: ("sejong", "local_governments", _BY_DISTRICTS, _INFRASTRUCTURE, 80),
    4: ("jeju", "local_governments", _BY_DISTRICTS, _INFRASTRUCTURE, 82),
    5: (
        "jeju",
        "local_governments",
        "Expenses for Transferring Special Local Administrative Agencies’ Work Outside the "
        "Capital Area.",
        None,
        84,
    ),
    6: ("local_support", "government_agencies", _BY_AGENCIES, None, 86),
    7: ("sejong", "government_agencies", _BY_AGENCIES, None, 86),
    8: ("jeju", "government_agencies", _BY_AGENCIES, None, 86),
}

# "Changes in the Budget" (lines 66-69): note → (direction, account as printed, account key,
# amount stated in KRW million or None, line).
BUDGET_CHANGE_NOTES = {
    1: ("Increase", "Support Accounts", "local_support", None, 66),
    2: ("Decrease", "Autonomous Accounts", "local_autonomous", None, 67),
    3: ("Increase", "Autonomous Accounts", "local_autonomous", None, 68),
    4: ("Decrease", "Autonomous Accounts", "local_autonomous", 3_500_000, 69),
}

# The budget table's row labels in Korean, as Korean editions of the table print them (typed from
# the issue that lists them; each is in dbt_project/seeds/ref_budget_line_aliases.csv).
KOREAN_LABELS = {
    "Total": "합계",
    "Local Support Account": "지역지원계정",
    "Local Autonomous Account Sub-total": "지역자율계정 소계",
    "By Cities and Provinces": "시·도 자율편성",
    "By Si, Gun, Gu(Lower level local government)": "시·군·구 자율편성",
    "Sejong Special Self-Governing City Account": "세종특별자치시계정",
    "Jeju Special Self-Governing Province Account": "제주특별자치도계정",
}


def in_unit(amount_krw_million: int, krw_million_per_unit: int, decimals: int = 0):
    """A page figure as a table in a coarser unit prints it: 10,338,940 → 103,389 억원 (per unit
    100) or 10.3 조원 (per unit 1,000,000, one decimal); rounded half up, as statistics are.

    The only way the oracle holds figures of other formats: derived from the page's, never typed.
    """
    from decimal import ROUND_HALF_UP, Decimal

    step = Decimal(1).scaleb(-decimals)
    return (Decimal(amount_krw_million) / krw_million_per_unit).quantize(step, ROUND_HALF_UP)


# The second registered source: the figures public documents state about the special account
# across its history (format cited_figures: each row naming who stated it, when, where and at
# which place), 65 rows below the header.
HISTORY_FILE = "cited_account_figures.csv"
# The one real local budget book of data_raw/ (구리시, 2025 third supplementary budget).
GURI_BOOK = "local_budget_books/guri_2025_supplementary_3_expenditure.xlsx"
HISTORY_ROWS = 65
