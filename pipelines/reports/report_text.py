"""The report's words, in English and Korean: the names of every code it shows, and its sentences.

The report is written twice from one template: ``index.html`` in English and ``index.ko.html`` in
Korean, each linking to the other. The Korean sentences are written for a Korean budget analyst
(검증 통과/실패, 불일치, 단위 백만원 …), not translated word for word. Names of accounts and
levels come from the build (``marts.dim_account``, ``marts.dim_level``: name_ko, name_en); the
names of the warehouse's own codes (statuses, phases, kinds of total and of source, who
formulates) are here, and ``dq.json`` carries them too (``names``).

Sentences are trusted HTML written here; every value put into them is escaped
(``markupsafe.Markup.format``).
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

LANGUAGES = ("en", "ko")
PAGES = {"en": "index.html", "ko": "index.ko.html"}
UNIT = {"en": "KRW million", "ko": "백만원"}

# The warehouse's own codes → (English, Korean). Statuses of a comparison keep their English
# code on the English page (the terms docs/quality.md defines).
VOCABULARY: dict[str, dict[str, tuple[str, str]]] = {
    "status": {
        "EXACT": ("EXACT", "일치"),
        "WITHIN_TOLERANCE": ("WITHIN_TOLERANCE", "허용오차 이내"),
        "MISMATCH": ("MISMATCH", "불일치"),
        "ACKNOWLEDGED": ("ACKNOWLEDGED", "검토 후 인정된 차이"),
        "UNIT_MISMATCH": ("UNIT_MISMATCH", "단위 불일치"),
        "NOT_COMPARED": ("NOT_COMPARED", "비교 안 함"),
    },
    # A figure of the history against the year's value of record (audit_history_figures).
    "against_record": {
        "RECORD": ("the year's value of record", "그해의 기준값"),
        "MATCH": ("agrees within precision", "정밀도 안에서 일치"),
        "MISMATCH": ("differs beyond precision", "정밀도를 넘어 다름"),
        "NOT_COMPARED": ("another phase: not compared", "다른 예산 단계: 비교 안 함"),
    },
    "check_status": {
        "pass": ("pass", "통과"),
        "fail": ("fail", "실패"),
        "warn": ("warn", "경고"),
        "error": ("error", "오류"),
        "not_run": ("not run", "미실행"),
    },
    "severity": {"error": ("blocking", "차단"), "warn": ("warning only", "경고만")},
    "phase": {
        "enacted": ("enacted", "확정 예산"),
        "proposed": ("proposed", "정부안"),
        "not stated": ("phase not stated", "단계 미기재"),
    },
    "total_kind": {"total": ("total", "합계"), "subtotal": ("sub-total", "소계")},
    "source_kind": {
        "summary table": ("summary table", "요약표"),
        "detail lines": ("detail lines", "세부 사업 내역"),
        "control total": ("control total", "외부 발표 총액"),
    },
    "comparison_kind": {
        "control_total": ("control total", "외부 발표 총액"),
        "detail_lines": ("sum of detail lines", "세부 사업 내역의 합"),
        "cross_source": ("another table", "다른 표"),
    },
    "direction": {
        "increase": ("Increase", "증가"),
        "decrease": ("Decrease", "감소"),
        "no change": ("No change", "변동 없음"),
    },
    "link_basis": {
        "stated": ("stated: the note prints the year", "원자료에 연도가 적혀 있음"),
        "inferred_direction_and_size": (
            "inferred from its direction and size; the page gives no year",
            "증감 방향과 규모로 추정 (원자료에 연도 없음)",
        ),
        "inferred_direction_only": (
            "inferred from its direction alone; the page gives no year",
            "증감 방향만으로 추정 (원자료에 연도 없음)",
        ),
    },
    "formulated_by": {
        "local_government": ("Local governments", "지방자치단체"),
        "central_agency": ("Central government agencies", "중앙행정기관"),
        "mixed": ("Mixed (Sejong, Jeju: not split)", "혼합 (세종·제주, 구분 불가)"),
    },
}

# The eras of the account's name, shortened as Korean budget analysts say them.
ERA_SHORT = {
    "국가균형발전특별회계": "균특",
    "광역·지역발전특별회계": "광특",
    "지역발전특별회계": "지특",
    "지역균형발전특별회계": "지균특",
}

TEXT: dict[str, tuple[str, str]] = {
    # Page
    "html_title": (
        "Data quality · Balanced National Development finance warehouse",
        "데이터 품질 보고서 · 국가균형발전특별회계 재정 웨어하우스",
    ),
    "h1": ("Data quality report", "데이터 품질 보고서"),
    "subtitle": (
        "Balanced National Development finance warehouse",
        "국가균형발전특별회계 재정 웨어하우스",
    ),
    "build": ("build", "빌드"),
    "run": ("run", "실행"),
    "generated": ("report generated {at} UTC", "보고서 작성 {at} (UTC)"),
    "other_language": ("한국어", "English"),
    "other_language_title": ("이 보고서의 한국어판", "This report in English"),
    # Verdict
    "published": (
        "<b>Published.</b> Every blocking check passed; the figures in this build reconcile with "
        "their published totals.",
        "<b>검증 통과 · 게시됨.</b> 차단 검사를 모두 통과했습니다. 이 빌드의 수치는 "
        "원자료에 인쇄된 "
        "합계·소계와 맞습니다.",
    ),
    "published_warnings": (
        " {n} warning(s), not blocking, are listed after the figures.",
        " 게시를 막지 않는 경고 {n}건은 수치 아래에 있습니다.",
    ),
    "failed": (
        "<b>Not published.</b> {n} check(s) failed; this build was kept out of the warehouse, "
        "which still holds the previous build. Do not quote figures from this build.",
        "<b>검증 실패 · 게시되지 않음.</b> 검사 {n}건이 실패하여 이 빌드는 웨어하우스에 반영되지 "
        "않았습니다. 웨어하우스에는 이전 빌드가 그대로 있으니, 이 빌드의 수치는 인용하지 마십시오.",
    ),
    "failed_published_link": (
        'The figures still published are in <a href="{href}">the published build\'s report</a>.',
        '지금 게시된 수치는 <a href="{href}">게시된 빌드의 보고서</a>에 있습니다.',
    ),
    "failed_nothing_published": (
        "Nothing is published yet in this warehouse.",
        "이 웨어하우스에는 아직 게시된 빌드가 없습니다.",
    ),
    "checks": ("checks", "검사"),
    "passed": ("passed", "통과"),
    "failed_count": ("failed", "실패"),
    "warnings": ("warnings", "경고"),
    "not_run": ("not run", "미실행"),
    "acknowledged": ("acknowledged (not warnings)", "검토 후 인정된 차이 (경고 아님)"),
    "built_when": (
        "Built {started} – {finished} UTC",
        "빌드 {started} – {finished} (UTC)",
    ),
    "from_code": (" from code {code}", ", 코드 {code}"),
    "latest_refresh": ("The latest refresh", "최근 갱신"),
    # Failures
    "failures_h2": ("What failed, and where", "실패한 검사와 그 위치"),
    "failures_intro": (
        "Each blocking failure first names the figure of the source that differs: its file and "
        "line, the row as the source prints it, the year, the figure printed, what it should be, "
        "and the difference (KRW million). The check and its rows follow.",
        "게시를 막은 실패마다 먼저 값이 어긋난 원자료의 칸을 밝힙니다. 파일과 행, 원자료에 적힌 "
        "행 이름, 연도, 인쇄된 값, 맞아야 할 값과 그 차이입니다(단위: 백만원). 그 아래에 검사와 "
        "해당 행이 이어집니다.",
    ),
    "cell_where": ("{file}, line {line}", "{file} {line}행"),
    "cell_column": ("column {year}", "{year}년 열"),
    "printed": ("printed", "인쇄된 값"),
    "expected": ("expected", "맞아야 할 값"),
    "difference": ("difference", "차이"),
    "in_unit": ("KRW million", "백만원"),
    "one_of_its_parts": ("One of its parts", "세부 항목 중 하나"),
    "candidates": ("Its parts that may hold the difference:", "차이가 있을 수 있는 세부 항목:"),
    "the_check": ("The check", "검사"),
    "rows_that_broke": (
        "The row{s} that broke it (amounts in KRW million):",
        "검사에 걸린 행 (단위: 백만원):",
    ),
    "observed": ("Observed", "관측값"),
    "message": ("Message", "메시지"),
    # How the cell was found
    "basis_own_check": (
        "This figure fails a check of its own too: {checks}.",
        "이 값은 자체 검사에서도 어긋납니다: {checks}.",
    ),
    "basis_published": (
        "The {total} for {year} ({where}: {total_printed}) differs from the sum of its parts "
        "({total_sum}) by {total_difference}. Of its parts, only this figure differs from the "
        "published build's ({previous}), and by exactly that difference.",
        "{year}년 {total}({where}: {total_printed})와 세부 항목의 합({total_sum})이 "
        "{total_difference}만큼 다릅니다. 세부 항목 가운데 게시된 빌드의 값({previous})과 "
        "다른 것은 "
        "이 값 하나뿐이며, 그 차이가 정확히 같습니다.",
    ),
    "basis_published_partial": (
        "The {total} for {year} ({where}: {total_printed}) differs from the sum of its parts "
        "({total_sum}) by {total_difference}. Of its parts, only this figure differs from the "
        "published build's ({previous}); that change is {change}, not the whole difference.",
        "{year}년 {total}({where}: {total_printed})와 세부 항목의 합({total_sum})이 "
        "{total_difference}만큼 다릅니다. 게시된 빌드의 값({previous})과 다른 세부 항목은 이 값 "
        "하나뿐이지만, 그 변화({change})가 차이 전체를 설명하지는 못합니다.",
    ),
    "basis_total_changed": (
        "The printed {total} itself differs from the published build's ({previous}); none of its "
        "parts changed. Expected: the sum of its parts.",
        "인쇄된 {total} 자체가 게시된 빌드의 값({previous})과 다르며, 세부 항목은 바뀌지 "
        "않았습니다. 맞아야 할 값은 세부 항목의 합입니다.",
    ),
    "basis_only_candidate": (
        "The {total} for {year} ({where}: {total_printed}) differs from the sum of its parts "
        "({total_sum}) by {total_difference}. Every other part agrees with a sub-total that adds "
        "up; this one is the only part left.",
        "{year}년 {total}({where}: {total_printed})와 세부 항목의 합({total_sum})이 "
        "{total_difference}만큼 다릅니다. 다른 세부 항목은 모두 맞는 소계로 확인되어, 남는 항목은 "
        "이것 하나입니다.",
    ),
    "basis_undetermined": (
        "The {total} for {year} ({where}: {total_printed}) differs from the sum of its parts "
        "({total_sum}) by {total_difference}. The build cannot tell which part holds the "
        "difference{why}.",
        "{year}년 {total}({where}: {total_printed})와 세부 항목의 합({total_sum})이 "
        "{total_difference}만큼 다릅니다. 어느 세부 항목에 차이가 있는지는 이 빌드만으로 알 수 "
        "없습니다{why}.",
    ),
    "why_no_published": (
        " (no published build to compare with)",
        "(비교할 게시된 빌드가 없음)",
    ),
    "why_several_changed": (
        " (several parts differ from the published build)",
        "(게시된 빌드와 다른 세부 항목이 여럿임)",
    ),
    "why_none_changed": (
        " (no part differs from the published build)",
        "(게시된 빌드와 다른 세부 항목이 없음)",
    ),
    "basis_row": (
        "The other side: {other} ({other_where}).",
        "비교한 값: {other} ({other_where}).",
    ),
    # Rejected files
    "rejected_h2": ("Rejected input files", "거부된 입력 파일"),
    "rejected_headers": (
        "file|where|expected|found",
        "파일|위치|기대한 내용|실제 내용",
    ),
    # Figures
    "figures_h2": ("The figures", "수치"),
    "figures_failed": (
        "The figures of this build, which was not published: read them only to see what the "
        "failure changes.",
        "게시되지 않은 이 빌드의 수치입니다. 실패가 무엇을 바꾸는지 확인하는 용도로만 보십시오.",
    ),
    "chart_by_account": (
        "Special Accounts for Balanced National Development by account (KRW million)",
        "국가균형발전특별회계 계정별 예산 (단위: 백만원)",
    ),
    "chart_formulator": (
        "Who formulates it: local governments, central agencies, or mixed (share of the year)",
        "예산 편성 주체별 비중: 지방자치단체, 중앙행정기관, 혼합",
    ),
    "chart_history": (
        "The special account as a whole since its creation, every source's figure (KRW trillion, "
        "조원)",
        "국가균형발전특별회계 전체 규모의 추이, 출처별 수치 (단위: 조원)",
    ),
    "axis_krw_million": ("KRW million", "백만원"),
    "axis_share": ("share of the year, %", "연도별 비중, %"),
    "axis_trillion": ("KRW trillion (조원)", "조원"),
    "history_caption": (
        "Colour: the kind of source. Marker: the phase (filled: enacted; hollow: proposed; with a "
        "dot: not stated). Bars: ± half the step the figure is printed to. Markers of one year "
        "that would overlap stand side by side. Bands: the account's name in each era — {eras}.",
        "색은 출처의 종류, 점의 모양은 예산 단계(꽉 찬 원: 확정 예산, 빈 원: 정부안, "
        "가운데 점이 있는 원: 단계 미기재)를 뜻합니다. 막대는 인쇄된 자릿수의 반 단위 오차입니다. "
        "같은 해에 겹치는 점은 나란히 "
        "놓았습니다. 배경 띠는 시기별 회계 이름입니다: {eras}.",
    ),
    "history_tooltip": (
        "{year} · {kind}: {source} ({phase}): {value} ± {precision} 조원",
        "{year}년 · {kind}: {source} ({phase}): {value}조원 ± {precision}",
    ),
    "era_since": ("since {first}", "{first}년부터"),
    "mixed_note": (
        'Amounts in KRW million as published. "Mixed" are accounts whose one published figure '
        "funds methods formulated by both local governments and central agencies (Sejong, "
        "Jeju): the source does not let them be split.",
        "금액은 원자료대로 백만원 단위입니다. ‘혼합’은 하나의 금액이 지방자치단체와 중앙행정기관이 "
        "함께 편성하는 사업에 쓰이는 계정(세종·제주)으로, 원자료만으로는 나눌 수 없습니다.",
    ),
    # Warnings
    "warnings_h2": ("Warnings (not blocking)", "경고 (게시를 막지 않음)"),
    "warnings_intro": (
        "These checks are reported but never stop a build: mostly totals stated elsewhere (press, "
        "memos) that differ from the table's.",
        "게시를 막지 않고 알리기만 하는 검사입니다. 대부분 언론 보도나 내부 문서에 나온 "
        "총액이 표의 "
        "값과 다른 경우입니다.",
    ),
    # Audit detail
    "audit_h2": ("Audit detail", "감사 세부 내역"),
    "reconciliation_h3": (
        "Reconciliation: published totals against the facts",
        "대사: 인쇄된 합계·소계와 세부 수치의 합",
    ),
    "reconciliation_intro": (
        "Every total and sub-total a source prints, against the sum of the figures below it in "
        "the warehouse (KRW million).",
        "원자료에 인쇄된 합계와 소계를 웨어하우스에 담긴 세부 수치의 합과 맞춰 본 결과입니다 "
        "(단위: 백만원).",
    ),
    "reconciliation_none": (
        "The reconciliation did not run in this build (it stopped earlier; see above).",
        "이 빌드에서는 대사를 하지 못했습니다 (그 전에 멈췄습니다. 위를 보십시오).",
    ),
    "reconciliation_headers": (
        "year|account|total|source|phase|expected (printed)|actual (sum of parts)|difference|"
        "tolerance|status",
        "연도|계정|구분|출처|단계|인쇄된 값|세부 수치의 합|차이|허용오차|결과",
    ),
    "comparisons_h3": (
        "Comparisons across sources and with control totals",
        "다른 출처 및 외부 발표 총액과의 비교",
    ),
    "comparisons_intro": (
        "Each figure against the same year and line in another table or a control total (KRW "
        "million). UNIT_MISMATCH: off by a power of ten, a figure in the wrong unit. "
        "ACKNOWLEDGED: a difference people reviewed and accepted "
        "(data_raw/acknowledged_differences.csv) while both figures are still the ones accepted; "
        "who, when and why are beside it.",
        "같은 연도·같은 항목을 다른 표나 외부에 발표된 총액과 맞춰 본 결과입니다(단위: 백만원). "
        "단위 불일치는 10의 거듭제곱만큼 차이가 나는 경우로, 단위를 잘못 적은 값입니다. "
        "검토 후 인정된 차이는 담당자가 검토하여 받아들인 차이로"
        "(data_raw/acknowledged_differences.csv), 두 값이 그때와 같을 때만 이렇게 "
        "표시하며, 누가·언제·왜 인정했는지 옆에 적혀 있습니다.",
    ),
    "comparisons_headers": (
        "year|account|phase|this figure, where|the other source, where|its figure|"
        "difference, ± tolerance|ratio|status",
        "연도|계정|단계|이 값과 위치|비교한 출처와 위치|그 값|차이, ± 허용오차|비율|결과",
    ),
    "not_compared_summary": (
        "{n} stated figure(s) not compared: NOT_COMPARED, no table holds their year or phase "
        "(not a failure)",
        "비교하지 않은 외부 발표 수치 {n}건: 해당 연도나 단계를 담은 표가 없음 (실패 아님)",
    ),
    "not_compared_headers": (
        "year|phase|stated by|where|figure|why not compared",
        "연도|단계|발표한 곳|위치|금액|비교하지 않은 이유",
    ),
    "history_figures_summary": (
        "The figures behind the history chart ({n}): each source's own, with its precision and "
        "phase, never averaged",
        "추이 그래프의 수치 {n}건: 출처마다 원래 값과 정밀도, 예산 단계 (평균 내지 않음)",
    ),
    "history_figures_headers": (
        "year|the account that year|source|phase|KRW million|± precision|against the year's record",
        "연도|그해의 회계 이름|출처|단계|백만원|± 정밀도|그해 기준값과 비교",
    ),
    "regions_h3": (
        "The account by region: local governments' own budget books",
        "지역별 특별회계: 지방자치단체 예산서",
    ),
    "regions_intro": (
        "In a local government's budget book the special account is not a 회계 but a funding "
        "source of each line: its own column ({column}). For each 시·도, the books loaded: the "
        "account's funding of their lines, its share of the same lines, and how many of the "
        "시·도's governments have a book of that year and phase. Nothing is extrapolated to a "
        "government without a book. In a supplementary budget every amount is the change it "
        "makes.",
        "지방자치단체 예산서에서 특별회계는 회계가 아니라 각 사업의 재원으로, 재원별 열 하나"
        "({column})에 나옵니다. 시·도마다 적재된 예산서의 특별회계 재원, 같은 사업 금액 중 그 "
        "비중, 그 연도·단계의 예산서가 적재된 자치단체 수를 보여 줍니다. 예산서가 없는 "
        "자치단체에는 아무것도 추정해 넣지 않습니다. 추가경정예산의 금액은 모두 그 추경의 "
        "증감입니다.",
    ),
    "regions_headers": (
        "year|phase|시·도|governments with a book|the account's funding, KRW million|"
        "share of the same lines|by government|against the summary table",
        "연도|단계|시·도|예산서가 적재된 자치단체|특별회계 재원 (백만원)|같은 사업 중 비중|"
        "자치단체별|요약표와 비교",
    ),
    "regions_loaded": ("{loaded} of {total}", "{total}곳 중 {loaded}곳"),
    "regions_change": ("change", "증감"),
    "regions_why_some": (
        "not compared until all {total} are loaded; even then the summary table gives the "
        "시·도 and 시·군·구 levels for the whole country only",
        "{total}곳이 모두 적재되기 전에는 비교하지 않음. 모두 적재되어도 요약표는 시·도와 "
        "시·군·구 수준을 전국 합계로만 밝힘",
    ),
    "regions_why_all": (
        "all loaded; the summary table gives the 시·도 and 시·군·구 levels for the whole "
        "country only (see docs/quality.md)",
        "모두 적재됨. 요약표는 시·도와 시·군·구 수준을 전국 합계로만 밝힘 (docs/quality.md 참고)",
    ),
    "twenty_h3": ("The account year by year since 2005", "2005년 이후 연도별 특별회계"),
    "twenty_intro": (
        "For each year, under the account's name of that era: the value of record of its "
        "spending among every figure the warehouse holds (the budget tables, the budget lines, "
        "and what ministries, institutes and newspapers stated, each with its source and date), "
        "chosen by precision, phase and publication date, with how many figures the year has "
        "and how many agree with it within their precision; the revenue and the shares that "
        "public documents state. A year without any figure says so: nothing is filled in.",
        "연도마다 그 시기의 회계 이름 아래에, 창고가 가진 모든 수치(예산표, 세부 사업, "
        "부처·연구기관·언론이 출처와 날짜를 밝혀 발표한 수치) 가운데 정밀도, 예산 단계, "
        "발표일 순으로 고른 세출의 기준값과, 그해 수치의 개수 및 정밀도 안에서 일치하는 "
        "수치의 개수, 공개 문서가 밝힌 세입과 비중을 보여 줍니다. 수치가 없는 연도는 없다고 "
        "적고, 아무것도 채워 넣지 않습니다.",
    ),
    "twenty_headers": (
        "year|spending, KRW million|phase · source, why this figure|revenue stated, "
        "KRW million|shares stated",
        "연도|세출 (백만원)|단계 · 출처, 이 수치를 고른 이유|발표된 세입 (백만원)|발표된 비중",
    ),
    "twenty_agreeing": (
        "{n} figure(s) this year, {agree} other(s) agree within precision",
        "그해 수치 {n}건, 그중 정밀도 안에서 일치하는 다른 수치 {agree}건",
    ),
    "twenty_none": (
        "no figure of the whole account found in any source (searches listed in "
        "docs/research/cited_account_figures.md)",
        "어느 출처에서도 회계 전체의 수치를 찾지 못함 (검색 내역: "
        "docs/research/cited_account_figures.md)",
    ),
    "twenty_revenue_total": ("of a stated total of {total}", "발표된 합계 {total} 중"),
    "twenty_computed": (
        "{pct}% computed from the same document's amounts",
        "같은 문서의 금액으로 계산하면 {pct}%",
    ),
    "twenty_note": (
        "* not itemised: the part of a stated revenue total that its statement does not name, "
        "computed as the total less the named sources, never spread over them. Shares on "
        "different bases (consolidated budget, total expenditure, a basis not specified) are "
        "not comparable with each other.",
        "* 항목 미기재: 발표된 세입 합계 가운데 발표가 출처를 밝히지 않은 부분으로, 합계에서 밝힌 "
        "항목을 뺀 값입니다. 항목들에 나누어 넣지 않습니다. 기준이 다른 비중(통합재정, 총지출, "
        "기준 미상)은 서로 비교할 수 없습니다.",
    ),
    "excluded_h3": ("Rows of other accounts, left out", "제외한 다른 회계의 행"),
    "excluded_intro": (
        "Publishers' downloads hold every 회계 (the general account, other special accounts, "
        "funds); only the special account's rows become budget lines. The others, counted by "
        "the 회계 each names:",
        "기관이 내려받게 한 파일에는 일반회계, 다른 특별회계, 기금 등 모든 회계가 들어 있습니다. "
        "국가균형발전특별회계의 행만 예산 항목으로 쓰고, 나머지는 회계별로 세었습니다:",
    ),
    "excluded_headers": (
        "file|year|회계 as published|rows left out",
        "파일|연도|원자료의 회계 이름|제외한 행 수",
    ),
    "built_from_h3": ("Built from", "원자료"),
    "built_from_headers": (
        "raw file, as published|publisher|published|licence|sha256 of the bytes read|bytes",
        "원자료 파일|발행처|발행일|이용 조건|읽은 파일의 sha256|바이트",
    ),
    "not_recorded": ("not recorded", "기록 없음"),
    "not_stated": ("not stated", "밝히지 않음"),
    "no_raw_files": (
        "No raw file was landed in this build.",
        "이 빌드에는 적재된 원자료가 없습니다.",
    ),
    "no_plan_documents": (
        "No plan documents: no registered source carries them (<code>plan_documents:</code> in "
        "<code>data_raw/sources.yml</code>), so the plan marts (plans, project areas, funding "
        "scope, formulation methods, budget-change notes, who formulates each budget line) are "
        "empty and the plan-structure rules were not applied. The budget figures are complete.",
        "계획 문서가 없습니다. 등록된 원자료 중 계획 문서를 담은 것이 없어"
        "(<code>data_raw/sources.yml</code>의 <code>plan_documents:</code>) 계획 관련 표(계획, "
        "사업 분야, 지원 범위, 편성 방식, 예산 증감 설명, 편성 주체)는 비어 있고 계획 구조 검사는 "
        "적용하지 않았습니다. 예산 수치는 모두 들어 있습니다.",
    ),
    "all_checks_h3": ("Every check", "모든 검사"),
    "all_checks_summary": (
        "{n} checks: dbt tests, GX expectations{steps}",
        "검사 {n}건: dbt 테스트, GX 기대치{steps}",
    ),
    "all_checks_steps": (" and failed steps", ", 실패한 단계"),
    "all_checks_note": (
        "",
        "검사 설명은 dbt와 Great Expectations가 기록한 영어 원문 그대로입니다.",
    ),
    "all_checks_headers": (
        "status|source|what it checks|on|severity",
        "결과|도구|검사 내용|대상|심각도",
    ),
    "more_h3": ("More detail", "더 자세한 자료"),
    "link_gx": (
        '<a href="{href}">Great Expectations Data Docs</a> (every expectation with its '
        "result; readable offline)",
        '<a href="{href}">Great Expectations 데이터 문서</a> (모든 기대치와 그 결과, 오프라인에서 '
        "열림)",
    ),
    "no_gx": (
        "Great Expectations Data Docs: none for this build (it stopped before the audit).",
        "Great Expectations 데이터 문서: 이 빌드에는 없습니다 (검증 전에 멈췄습니다).",
    ),
    "link_dbt": (
        '<a href="{href}">dbt docs</a> (every table and column, with lineage; written by '
        "<code>make run</code> after it publishes; after a run started elsewhere or a rollback, "
        "<code>make docs</code> writes it)",
        '<a href="{href}">dbt 문서</a> (모든 표와 열, 계보; <code>make run</code>이 게시 후 '
        "작성하며, 다른 곳에서 시작한 실행이나 되돌림 뒤에는 <code>make docs</code>가 작성합니다)",
    ),
    "link_dbt_published": (
        '<a href="{href}">dbt docs of the published build</a> (a build that was not published '
        "has none of its own; the published build's describe the same models unless this run "
        "changed the dbt project)",
        '<a href="{href}">게시된 빌드의 dbt 문서</a> (게시되지 않은 빌드에는 자체 dbt 문서가 '
        "없습니다. 이번 실행에서 dbt 프로젝트를 바꾸지 않았다면 같은 모델을 설명합니다)",
    ),
    "no_dbt": (
        "dbt docs: none. A build that was not published has none of its own, and the published "
        "build has none yet (<code>make docs</code> writes them).",
        "dbt 문서: 없습니다. 게시되지 않은 빌드에는 자체 dbt 문서가 없고, 게시된 빌드에도 아직 "
        "없습니다 (<code>make docs</code>로 작성).",
    ),
    "link_dq": (
        '<a href="{href}">dq.json</a> (this report as data)',
        '<a href="{href}">dq.json</a> (이 보고서의 기계 판독용 자료)',
    ),
    # Rollback
    "rolled_back": (
        "<b>Rolled back.</b> This build was published again on {at} UTC by "
        "<code>make rollback</code>{replacing}. Its figures and checks are those of build "
        "<code>{build}</code>{built}; newer raw files are not in it.",
        "<b>되돌림.</b> 이 빌드는 {at} (UTC)에 <code>make rollback</code>으로 다시 "
        "게시되었습니다{replacing}. 수치와 검사 결과는 빌드 <code>{build}</code>{built}의 것이며, "
        "그 뒤에 들어온 원자료는 반영되지 않았습니다.",
    ),
    "rolled_back_replacing": (
        ", replacing build <code>{build}</code>",
        " (빌드 <code>{build}</code> 대체)",
    ),
    "rolled_back_built": (" as built on {at} UTC", "({at} UTC 빌드)"),
    # Budget change by year and account
    "changes_intro": (
        "Each account's budget against the year before (KRW million, and %), and beside it the "
        "page's notes on why the budget changed. The page gives no year for its notes: each "
        "note is linked to the years its account moved in the note's direction (and by about "
        "the amount it states), the most likely first; a circled number in a cell marks a year "
        "a note may explain (bold: its most likely year).",
        "계정별 예산을 전년과 비교한 증감(백만원, %)이며, 오른쪽에 원자료의 예산 증감 설명을 함께 "
        "실었습니다. 원자료는 설명에 연도를 밝히지 않았으므로, 설명과 같은 방향으로(금액이 적힌 "
        "경우 그 규모만큼) 움직인 연도를 가능성이 높은 순서로 연결했습니다. 칸 안의 원 숫자는 그 "
        "설명이 해당될 수 있는 연도이며, 굵은 숫자가 가장 가능성이 높은 연도입니다.",
    ),
    "changes_headers_first": ("account", "계정"),
    "changes_headers_notes": ("the page's notes on the change", "원자료의 증감 설명"),
    "changes_year": ("{previous} → {year}", "{previous} → {year}년"),
    "changes_note_years": ("May explain: ", "해당 가능 연도: "),
    "changes_candidate": ("{year} ({rank} of {n})", "{year}년 ({n}개 중 {rank}순위)"),
    "changes_where": ("{file}, line {line}", "{file} {line}행"),
    "changes_original": ("", "설명 원문(영문): "),
    "changes_no_link": (
        "No year matches it: no change of its account goes its way.",
        "해당하는 연도 없음: 이 계정에 설명과 같은 방향의 증감이 없습니다.",
    ),
    "changes_h3": (
        "Change by year and account, with the page's notes beside it",
        "연도·계정별 증감과 원자료의 증감 설명",
    ),
}


def text(key: str, lang: str, **values: Any) -> Markup:
    """The sentence ``key`` in ``lang``, its values escaped into it."""
    english, korean = TEXT[key]
    return Markup(korean if lang == "ko" else english).format(**values)


_SUPPLEMENTARY = re.compile(r"supplementary_(\d{1,2})")


def word(kind: str, code: Any, lang: str) -> str:
    """The name of one of the warehouse's codes (a status, a phase …) in ``lang``; the code
    itself where it has none."""
    supplementary = _SUPPLEMENTARY.fullmatch(str(code)) if kind == "phase" else None
    if supplementary:
        number = supplementary[1]
        return f"제{number}회 추가경정예산" if lang == "ko" else f"supplementary budget {number}"
    names = VOCABULARY.get(kind, {}).get(str(code))
    if names is None:
        return "" if code is None else str(code)
    return names[1] if lang == "ko" else names[0]


def vocabulary() -> dict[str, dict[str, dict[str, str]]]:
    """Every code the report names, with both names: ``dq.json``'s ``names``."""
    return {
        kind: {code: {"en": english, "ko": korean} for code, (english, korean) in names.items()}
        for kind, names in VOCABULARY.items()
    }
