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
