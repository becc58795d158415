"""Every code of the 2009 rule book is triggered by a real workbook, at the right place, with the right words.

How the file is organised
-------------------------
* Column checks (``RuleBook.column_codes()``) are generated: for every (sheet, column, check) a bad value is
  injected into the valid report of tests/conftest.py and the finding is expected at the cell the template
  layout puts that value in.
* Cross-field rules (rules.yaml) have hand-written triggers with exact cells and messages, and near-boundary
  cases that must *not* trigger them.
* Tolerant reading (aliases, full-width text, reordered columns, typed dates and numbers, ...) must produce
  no findings at all; moved cells must be reported where they really are.
* File-level codes each get a broken file next to a valid one in the same ``validate()`` call.

All batch workbooks are written once per module and validated in ONE ``validate()`` call (fast, and it also
checks that files in one batch do not leak findings into each other).  ``test_every_code_is_exercised``
collects the codes whose expected finding was actually produced and requires it to equal
``set(rulebook.load(2009).all_codes())``: a new code in the rule book without a trigger here fails CI.
"""

from __future__ import annotations

import copy
import datetime
import os
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import BRNS, club_data, federation_data

from iupjong_xl import rulebook
from iupjong_xl.errors import UsageError
from iupjong_xl.io.reader import a1
from iupjong_xl.outputs.templates import Formula, write_template
from iupjong_xl.validate.findings import Finding, Report
from iupjong_xl.validate.normalize import make_brn
from iupjong_xl.validate.pipeline import validate
from tests import hostile

YEAR = 2009
BOOK = rulebook.load(YEAR)
ALL_CODES = BOOK.all_codes()
COLUMN_CODES = BOOK.column_codes()
SEVERITY = {code: sev for code, (sev, _templates) in ALL_CODES.items()}

# Codes the rule book defines for `iupjong consolidate` (not emitted by validate()); they are named one by one so
# that any other new code still needs a trigger in this file.
NOT_VALIDATE_CODES = {
    "CONSOLIDATE_CONFLICT": "consolidation",
    "CONSOLIDATE_DUPLICATE_INPUT": "consolidation",
    "CONSOLIDATE_MEMBER_COUNT": "consolidation",
    "CONSOLIDATE_NOT_IN_ROSTER": "consolidation",
    "CONSOLIDATE_OTHER_FEDERATION": "consolidation",
    "CONSOLIDATE_REPORT_REJECTED": "consolidation",
    "LEDGER_BOOTSTRAP": "ledger",  # tests/test_ledger.py triggers each LEDGER_ code
    "LEDGER_CORRECTION_INVALID": "ledger",
    "LEDGER_EDIT_NOT_TAKEN": "ledger",
    "LEDGER_ROW_ADDED": "ledger",
    "LEDGER_ROW_RESTORED": "ledger",
    "LEDGER_SCORE_INVALID": "ledger",  # tests/test_typed_inputs.py: a score typed into 지원금 against its rule
    "MEMBER_EMPLOYEES_YOY": "year over year",  # need the previous year in a ledger: tests/test_year_over_year.py
    "MEMBER_SALES_YOY": "year over year",
    "CLUB_MEMBERS_YOY": "year over year",
    "CLUB_MEMBERS_ALL_NEW": "year over year",
}

# Codes no real file can trigger on purpose: a worker process that dies of something other than a limit, and a bug
# of the program itself. tests/test_isolation.py triggers both through the pipeline (with a worker function that
# aborts or raises) and checks their exact messages.
ISOLATION_CODES = {
    "FILE_READ_CRASHED": "tests/test_isolation.py::test_a_worker_that_dies_gives_file_read_crashed",
    "FILE_INTERNAL_ERROR": "tests/test_isolation.py::test_exit_codes_of_validate",
}

OUTSIDER = make_brn("123815678")  # valid check digit, not a member of the test club
OUTSIDER2 = make_brn("130810001")
ANY = object()


def _digits(brn: str) -> str:
    return brn.replace("-", "")


def _bad_checksum(brn: str) -> str:
    return brn[:-1] + str((int(brn[-1]) + 1) % 10)


# ----------------------------------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class Exp:
    """One expected finding: code at sheet/cell/column; value and messages checked when given."""

    code: str
    sheet: str | None
    cell: str | None
    column: str | None
    value: Any = ANY
    ko: str | None = None
    en: str | None = None
    row: Any = ANY

    def matches(self, f: Finding) -> bool:
        if (f.code, f.sheet, f.cell, f.column) != (self.code, self.sheet, self.cell, self.column):
            return False
        return self.value is ANY or f.value == self.value


@dataclass
class Case:
    """A workbook of the batch: report data (+ an optional openpyxl edit) and what validate() must say about it."""

    id: str
    data: dict[str, list[dict[str, Any]]]
    kind: str = "club"
    expect: tuple[Exp, ...] = ()
    only: bool = False  # the expected findings are ALL the file's findings (no expect + only: no findings)
    absent: frozenset[str] = frozenset()  # codes that must not appear (near misses)
    edit: Callable[[openpyxl.Workbook], None] | None = None
    column_check: tuple[str, str, str] | None = None  # (sheet key, column key, check) for generated cases


def _set(data: dict[str, list[dict[str, Any]]], sheet: str, rec: int, **values: Any) -> dict[str, list[dict[str, Any]]]:
    data[sheet][rec].update(values)
    return data


def _layout_cell(sheet: rulebook.Sheet, col_key: str, rec: int = 0) -> str:
    """Where the template puts a value: form = label in A, value in B, one row per column from row 2;
    table = header in row 1, one record per row from row 2, columns in rule-book order."""
    ci = [c.key for c in sheet.columns].index(col_key)
    if sheet.layout == "form":
        return a1(ci + 1, 1)
    return a1(rec + 1, ci)


def _kind_of(sheet_key: str) -> str:
    for kind, rep in BOOK.reports.items():
        if sheet_key in rep.sheets:
            return kind
    raise KeyError(sheet_key)


def _data_for(kind: str) -> dict[str, list[dict[str, Any]]]:
    return club_data() if kind == "club" else federation_data()


def _column_case(code: str, variant: str = "") -> Case:
    sheet, col, check = COLUMN_CODES[code]
    kind = _kind_of(sheet.key)
    data = _data_for(kind)
    recs = data[sheet.key]
    assert recs, f"the valid {kind} data has no {sheet.key} records"
    first = recs[0]
    rec = 0
    shown: Any
    if check == "REQUIRED":
        value, shown = None, None
    elif check == "TYPE":
        value = 1.5 if variant == "fraction" else "abc"
        shown = "1.5" if variant == "fraction" else "abc"
    elif check == "FORMAT":
        value = shown = "12-34"
    elif check == "CHECKSUM":
        value = shown = _bad_checksum(BRNS[0])
    elif check == "ALLOWED":
        value = shown = "없는값"
    elif check == "RANGE":
        if variant == "max":
            value = col.max + 1
        else:
            value = col.min - 1 if col.min is not None else col.max + 1
        shown = str(int(value)) if float(value).is_integer() else str(value)
    elif check == "PATTERN":
        value = shown = "bad value"
    elif check == "DUPLICATE":
        assert len(recs) >= 2, f"{code}: need two records"
        recs[1][col.key] = first[col.key]
        rec, value, shown = 1, None, str(first[col.key])
    else:  # pragma: no cover - a new check kind needs a new injection
        raise AssertionError(f"no injection for check {check}")
    if col.type == "brn_list" and check in ("FORMAT", "CHECKSUM"):
        value = f"{BRNS[0]}, {value}"  # one good number, one bad: only the bad piece is reported
    if check != "DUPLICATE":
        first[col.key] = value
    exp = Exp(code, sheet.name, _layout_cell(sheet, col.key, rec), col.header, shown)
    return Case(f"{code}[{variant}]" if variant else code, data, kind, (exp,), column_check=(sheet.key, col.key, check))


def _column_cases() -> list[Case]:
    cases = []
    for code, (_sheet, col, check) in COLUMN_CODES.items():
        cases.append(_column_case(code))
        if check == "RANGE" and col.min is not None and col.max is not None:
            cases.append(_column_case(code, "max"))
        if check == "TYPE" and col.type == "int":
            cases.append(_column_case(code, "fraction"))
    return cases


COLUMN_CASES = _column_cases()

# Exact messages of a few generated cases (ko, en); the rest are checked for the header and for leftover {placeholders}.
COLUMN_MESSAGES = {
    "CLUB_CODE_REQUIRED": (
        "'교류회코드' 칸이 비어 있습니다. 값을 입력하세요. 안내: 연합회에서 받은 코드 (예: SEO-001)",
        "'교류회코드' is empty. Enter a value. Hint: Code given by your federation (e.g. SEO-001)",
    ),
    "MEMBER_EMPLOYEES_TYPE": (
        "'종업원수' 값 'abc'은(는) 정수가 아닙니다. 숫자만 입력하세요 (쉼표 가능, 예: 1,200).",
        "'종업원수' value 'abc' is not a whole number. Enter digits only (commas allowed, e.g. 1,200).",
    ),
    "CONSORTIUM_SCORE_TYPE": (
        "'평가점수' 값 'abc'은(는) 숫자가 아닙니다. 숫자만 입력하세요.",
        "'평가점수' value 'abc' is not a number. Enter a number.",
    ),
    "ACTIVITY_DATE_TYPE": (
        "'일자' 값 'abc'은(는) 날짜로 읽을 수 없습니다. 2009-03-01, 2009.3.1, 2009년 3월 1일 처럼 입력하세요.",
        "'일자' value 'abc' is not a date. Type it like 2009-03-01, 2009.3.1 or 2009년 3월 1일.",
    ),
    "CLUB_ACTIVITY_INFO_TYPE": (
        "'활동유형-정보교환' 값 'abc'은(는) 예/아니오가 아닙니다. 목록에서 '예' 또는 '아니오'를 고르세요.",
        "'활동유형-정보교환' value 'abc' is not yes/no. Pick '예' (yes) or '아니오' (no) from the list.",
    ),
    "RESULT_PARTICIPANTS_FORMAT": (
        "'참여기업 사업자등록번호' 값 '12-34'은(는) 사업자등록번호 형식이 아닙니다. 10자리 숫자로 입력하세요 (예: 116-82-00276).",
        "'참여기업 사업자등록번호' value '12-34' is not a business registration number. Enter 10 digits (e.g. 116-82-00276).",
    ),
    "MEMBER_BRN_CHECKSUM": (
        "'사업자등록번호' 값 '116-82-00277'의 검증번호(마지막 자리)가 맞지 않습니다. 사업자등록증을 보고 번호를 다시 확인하세요.",
        "'사업자등록번호' value '116-82-00277' has a wrong check digit (last digit). "
        "Check the number against the registration certificate.",
    ),
    "ACTIVITY_KIND_ALLOWED": (
        "'구분' 값 '없는값'은(는) 허용된 값이 아닙니다. 목록에서 고르세요 (월례회, 세미나, 기업방문, 교육, 사회봉사, 기타).",
        "'구분' value '없는값' is not allowed. Pick one from the list (월례회, 세미나, 기업방문, 교육, 사회봉사, 기타).",
    ),
    "MEMBER_KSIC_ALLOWED": (
        "'업종(KSIC)' 값 '없는값'은(는) 허용된 값이 아닙니다. 목록에서 고르세요 (칸의 드롭다운 목록 참조).",
        "'업종(KSIC)' value '없는값' is not allowed. Pick one from the list (see the cell's drop-down list).",
    ),
    "MEMBER_EMPLOYEES_RANGE": (
        "'종업원수' 값 -1이(가) 허용 범위 0~100,000를 벗어났습니다. 값을 확인하세요.",
        "'종업원수' value -1 is outside the allowed range 0..100,000. Check the value.",
    ),
    "CLUB_PHONE_PATTERN": (
        "'연락처' 값 'bad value'의 형식이 올바르지 않습니다. 예: 02-1234-5678",
        "'연락처' value 'bad value' is not in the expected form. e.g. 02-1234-5678",
    ),
    "MEMBER_BRN_DUPLICATE": (
        "'사업자등록번호' 값 '116-82-00276'이(가) 2행과 중복됩니다. 한 번만 입력하세요.",
        "'사업자등록번호' value '116-82-00276' repeats row 2. Enter it only once.",
    ),
}


# ---- cross-field rules: triggers (exact) and near misses


def _rule_cases() -> list[Case]:
    cases: list[Case] = []
    add = cases.append

    # CLUB_REPORT_YEAR_MISMATCH: 2008 in a 2009 template
    add(Case("report_year_2008", _set(club_data(), "club", 0, report_year=2008), expect=(
        Exp("CLUB_REPORT_YEAR_MISMATCH", "교류회", "B6", "보고연도", "2008",
            "보고연도 2008이(가) 서식 연도 2009와 다릅니다. 2009년 실적이면 2009로 고치고, 다른 해 실적이면 그 해 서식을 쓰세요.",
            "Report year 2008 differs from the template year 2009. Enter 2009, or use that year's template.", row=6),
    ), only=True))
    add(Case("report_year_fullwidth_2009", _set(club_data(), "club", 0, report_year="２００９"), only=True))

    # CLUB_CHAIR_NOT_MEMBER (the 회장 member then no longer matches the chair either)
    add(Case("chair_not_member", _set(club_data(), "club", 0, chair_brn=OUTSIDER), expect=(
        Exp("CLUB_CHAIR_NOT_MEMBER", "교류회", "B7", "회장사 사업자등록번호", OUTSIDER,
            f"회장사 {OUTSIDER}이(가) 회원사 시트에 없습니다. 회장 회사를 회원사 명단에 추가하거나 번호를 고치세요.",
            f"Chair company {OUTSIDER} is not on the 회원사 sheet. Add it to the members or fix the number."),
        Exp("MEMBER_CHAIR_ROLE_MISMATCH", "회원사", "H2", "역할", "회장"),
    ), only=True))
    add(Case("chair_brn_digits_only", _set(club_data(), "club", 0, chair_brn=_digits(BRNS[0])), only=True))

    # CLUB_CODE_FEDERATION
    add(Case("club_code_busan_in_seoul", _set(club_data(), "club", 0, club_code="BUS-001"), expect=(
        Exp("CLUB_CODE_FEDERATION", "교류회", "B2", "교류회코드", "BUS-001",
            "교류회코드 BUS-001의 앞자리가 소속연합회 코드(SEO)와 다릅니다. 연합회에서 받은 코드를 쓰세요.",
            "Club code BUS-001 does not start with the federation's code (SEO). "
            "Use the code your federation gave you."),
    ), only=True))
    add(Case("club_code_busan_in_busan", _set(club_data(), "club", 0, club_code="BUS-001", federation="부산"), only=True))

    # CLUB_NO_MEMBERS (every reference to a member then fails too)
    data = club_data()
    data["member"] = []
    add(Case("no_members", data, expect=(
        Exp("CLUB_NO_MEMBERS", "회원사", "A2", None, None,
            "회원사 시트에 회원사가 한 곳도 없습니다. 회원사 명단을 입력하세요.",
            "The 회원사 sheet lists no member companies. Enter the members.", row=2),
        Exp("CLUB_CHAIR_NOT_MEMBER", "교류회", "B7", "회장사 사업자등록번호", BRNS[0]),
        Exp("RESULT_COMPANY_NOT_MEMBER", "성과", "C2", "참여기업 사업자등록번호", BRNS[0]),
        Exp("CONSORTIUM_LEAD_NOT_MEMBER", "협력과제", "B2", "주관기업 사업자등록번호", BRNS[4]),
    ), absent=frozenset({"ACTIVITY_ATTENDANCE_EXCEEDS_MEMBERS", "CLUB_NOT_CROSS_INDUSTRY"})))
    data = club_data()
    data["member"] = data["member"][:1]
    data["activity"] = [{"date": datetime.date(2009, 1, 15), "kind": "월례회", "attendees": 1}]
    data["result"] = []
    data["consortium"] = []
    add(Case("one_member", data, absent=frozenset({"CLUB_NO_MEMBERS", "ACTIVITY_ATTENDANCE_EXCEEDS_MEMBERS"}), expect=(
        Exp("CLUB_NOT_CROSS_INDUSTRY", "회원사", "D1", "업종(KSIC)", "29"),
    ), only=True))

    # CLUB_NOT_CROSS_INDUSTRY: all members in KSIC 29 (the consortium then is single-industry too)
    data = club_data()
    for m in data["member"]:
        m["ksic"] = "29 기타 기계 및 장비 제조업"
    data["member"][3]["ksic"] = "C29"  # the same division typed another way
    add(Case("one_division", data, expect=(
        Exp("CLUB_NOT_CROSS_INDUSTRY", "회원사", "D1", "업종(KSIC)", "29",
            "회원사가 모두 같은 업종(29)입니다. 이업종 교류회는 서로 다른 업종의 회원사로 구성됩니다. 업종을 다시 확인하세요.",
            "All members share one KSIC division (29); a cross-industry club needs members from different industries. "
            "Check the divisions.", row=1),
        Exp("CONSORTIUM_SINGLE_INDUSTRY", "협력과제", "B2", "주관기업 사업자등록번호", BRNS[4]),
    ), only=True))
    data = club_data()
    for m in data["member"]:
        m["ksic"] = "29"
    data["member"][5]["ksic"] = "10 식료품 제조업"
    add(Case("two_divisions", data, absent=frozenset({"CLUB_NOT_CROSS_INDUSTRY"})))

    # MEMBER_CHAIR_ROLE_MISMATCH: the 회장 role is on another company than chair_brn
    data = club_data()
    data["member"][0]["role"] = "회원"
    data["member"][1]["role"] = "회장"
    add(Case("chair_role_elsewhere", data, expect=(
        Exp("MEMBER_CHAIR_ROLE_MISMATCH", "회원사", "H3", "역할", "회장",
            f"역할이 '회장'인 회원사가 교류회 시트의 회장사({BRNS[0]})와 다릅니다. 회장사 번호나 역할을 맞추세요.",
            f"The member marked '회장' is not the chair company on the 교류회 sheet ({BRNS[0]}). Make them agree."),
    ), only=True))
    data = club_data()
    data["club"][0]["chair_brn"] = int(_digits(BRNS[0]))
    data["member"][0]["role"] = " 회 장 "
    add(Case("chair_role_spaced", data, only=True))

    # ACTIVITY_ATTENDANCE_EXCEEDS_MEMBERS: 6 members
    add(Case("attendance_7_of_6", _set(club_data(), "activity", 0, attendees=7), expect=(
        Exp("ACTIVITY_ATTENDANCE_EXCEEDS_MEMBERS", "활동", "C2", "참석 회원사 수", "7",
            "참석 회원사 수 7이(가) 회원사 수 6보다 많습니다. 참석한 회원사 수를 확인하세요.",
            "7 members attending is more than the 6 member companies. Check the attendance."),
    ), only=True))
    add(Case("attendance_6_of_6", _set(club_data(), "activity", 0, attendees="6"), only=True))

    # ACTIVITY_DATE_OUTSIDE_YEAR
    data = club_data()
    data["activity"][0]["date"] = datetime.date(2008, 12, 31)
    data["activity"][2]["date"] = "2010. 1. 4."
    add(Case("activity_2008", data, expect=(
        Exp("ACTIVITY_DATE_OUTSIDE_YEAR", "활동", "A2", "일자", "2008-12-31",
            "활동 일자 2008-12-31이(가) 2009년이 아닙니다. 2009년 활동만 적으세요.",
            "Activity date 2008-12-31 is not in 2009. List only 2009 activities."),
        Exp("ACTIVITY_DATE_OUTSIDE_YEAR", "활동", "A4", "일자", "2010-01-04"),
    ), only=True))
    data = club_data()
    data["activity"][0]["date"] = datetime.date(2009, 1, 1)
    data["activity"][2]["date"] = "2009년 12월 31일"
    add(Case("activity_year_edges", data, only=True))

    # RESULT_COMPANY_NOT_MEMBER
    add(Case("result_outsider", _set(club_data(), "result", 0, participants=f"{BRNS[0]}, {OUTSIDER}"), expect=(
        Exp("RESULT_COMPANY_NOT_MEMBER", "성과", "C2", "참여기업 사업자등록번호", OUTSIDER,
            f"참여기업 {OUTSIDER}이(가) 이 교류회의 회원사가 아닙니다. 회원사 시트의 사업자등록번호를 쓰세요.",
            f"Participant {OUTSIDER} is not a member of this club. Use registration numbers from the 회원사 sheet."),
    ), only=True))
    add(Case("result_all_members", _set(club_data(), "result", 0,
                                        participants="; ".join(_digits(b) for b in BRNS)), only=True))

    # CONSORTIUM_SHARES_SUM: 15,000,000 + 6,000,000 != 20,000,000 (shares themselves within limits)
    add(Case("shares_sum", _set(club_data(), "consortium", 0, gov_won=15_000_000, company_won=6_000_000), expect=(
        Exp("CONSORTIUM_SHARES_SUM", "협력과제", "F2", "정부지원금(원)", "15000000",
            "정부지원금 15,000,000원 + 기업부담금 6,000,000원 = 21,000,000원이 총사업비 20,000,000원과 다릅니다. 합계가 맞도록 고치세요.",
            "Government 15,000,000 + company 6,000,000 = 21,000,000 won differs from the total 20,000,000 won. "
            "Make them add up."),
    ), only=True))
    add(Case("shares_sum_typed", _set(club_data(), "consortium", 0, total_won="20,000,000원", gov_won="15,000,000",
                                      company_won="5,000,000원"), only=True))

    # CONSORTIUM_TOTAL_CAP: 20,000,000 is fine, 20,000,001 is over
    add(Case("total_cap_plus_1", _set(club_data(), "consortium", 0, total_won=20_000_001, gov_won=15_000_000,
                                      company_won=5_000_001), expect=(
        Exp("CONSORTIUM_TOTAL_CAP", "협력과제", "E2", "총사업비(원)", "20000001",
            "총사업비 20,000,001원이 협력체당 한도 20,000,000원을 넘어 지원 대상에서 제외됩니다. 한도 이내로 조정하세요.",
            "Total cost 20,000,001 won exceeds the cap of 20,000,000 won per consortium; the request is not eligible. "
            "Reduce it."),
    ), only=True))
    add(Case("total_cap_exact", _set(club_data(), "consortium", 0, total_won=20_000_000, gov_won=14_000_000,
                                     company_won=6_000_000), only=True))

    # CONSORTIUM_GOV_SHARE_MAX / CONSORTIUM_COMPANY_SHARE_MIN: 75 % + 1 won (and so 25 % - 1 won)
    add(Case("gov_share_plus_1_won", _set(club_data(), "consortium", 0, total_won=20_000_000, gov_won=15_000_001,
                                          company_won=4_999_999), expect=(
        Exp("CONSORTIUM_GOV_SHARE_MAX", "협력과제", "F2", "정부지원금(원)", "15000001",
            "정부지원금이 총사업비의 75.0%로 한도 75%를 넘어 지원 대상에서 제외됩니다. 기업부담금을 늘리세요.",
            "The government share is 75.0% of the total, above the 75% limit; not eligible. Raise the company share."),
        Exp("CONSORTIUM_COMPANY_SHARE_MIN", "협력과제", "G2", "기업부담금(원)", "4999999",
            "기업부담금이 총사업비의 25.0%로 최소 25%에 못 미쳐 지원 대상에서 제외됩니다.",
            "The company share is 25.0% of the total, below the 25% minimum; not eligible."),
    ), only=True))
    add(Case("gov_share_80", _set(club_data(), "consortium", 0, total_won=10_000_000, gov_won=8_000_000,
                                  company_won=2_000_000), expect=(
        Exp("CONSORTIUM_GOV_SHARE_MAX", "협력과제", "F2", "정부지원금(원)", "8000000",
            "정부지원금이 총사업비의 80.0%로 한도 75%를 넘어 지원 대상에서 제외됩니다. 기업부담금을 늘리세요.",
            "The government share is 80.0% of the total, above the 75% limit; not eligible. Raise the company share."),
        Exp("CONSORTIUM_COMPANY_SHARE_MIN", "협력과제", "G2", "기업부담금(원)", "2000000",
            "기업부담금이 총사업비의 20.0%로 최소 25%에 못 미쳐 지원 대상에서 제외됩니다."),
    ), only=True))
    # company short by 1 won, government exactly 75 %: only the company share (and the sum) are wrong
    add(Case("company_share_minus_1_won", _set(club_data(), "consortium", 0, total_won=20_000_000,
                                               gov_won=15_000_000, company_won=4_999_999), expect=(
        Exp("CONSORTIUM_COMPANY_SHARE_MIN", "협력과제", "G2", "기업부담금(원)", "4999999"),
        Exp("CONSORTIUM_SHARES_SUM", "협력과제", "F2", "정부지원금(원)", "15000000"),
    ), only=True))
    # exactly 75 % / 25 % of an odd total (no float rounding either way)
    add(Case("shares_exact_odd_total", _set(club_data(), "consortium", 0, total_won=10_000_004, gov_won=7_500_003,
                                            company_won=2_500_001), only=True))
    add(Case("shares_exact_small_total", _set(club_data(), "consortium", 0, total_won=4, gov_won=3, company_won=1),
             only=True))

    # CONSORTIUM_LEAD_NOT_MEMBER / CONSORTIUM_PARTNER_NOT_MEMBER
    add(Case("lead_outsider", _set(club_data(), "consortium", 0, lead_brn=OUTSIDER), expect=(
        Exp("CONSORTIUM_LEAD_NOT_MEMBER", "협력과제", "B2", "주관기업 사업자등록번호", OUTSIDER,
            f"주관기업 {OUTSIDER}이(가) 이 교류회의 회원사가 아닙니다. 다른 교류회 회원사가 아니면 지원 대상에서 제외됩니다.",
            f"Lead company {OUTSIDER} is not a member of this club; unless it is a member elsewhere, "
            "the request is not eligible."),
    ), only=True))
    add(Case("partner_outsider", _set(club_data(), "consortium", 0, partner_brns=f"{BRNS[2]}, {OUTSIDER2}"), expect=(
        Exp("CONSORTIUM_PARTNER_NOT_MEMBER", "협력과제", "C2", "참여기업 사업자등록번호", OUTSIDER2,
            f"참여기업 {OUTSIDER2}이(가) 이 교류회의 회원사가 아닙니다. 다른 교류회 회원사가 아니면 지원 대상에서 제외됩니다.",
            f"Partner {OUTSIDER2} is not a member of this club; unless it is a member elsewhere, "
            "the request is not eligible."),
    ), only=True))

    # CONSORTIUM_SINGLE_INDUSTRY: BRNS[4] and BRNS[0] are both KSIC 29
    add(Case("consortium_one_division", _set(club_data(), "consortium", 0, partner_brns=BRNS[0]), expect=(
        Exp("CONSORTIUM_SINGLE_INDUSTRY", "협력과제", "B2", "주관기업 사업자등록번호", BRNS[4],
            "협력체 기업 2곳의 업종이 1개뿐입니다. 서로 다른 업종 2개 이상, 기업 2곳 이상이어야 지원 대상입니다.",
            "The consortium's 2 companies span 1 KSIC division(s); at least 2 companies from 2 divisions are needed."),
    ), only=True))
    add(Case("consortium_lead_alone", _set(club_data(), "consortium", 0, partner_brns=BRNS[4]), expect=(
        Exp("CONSORTIUM_SINGLE_INDUSTRY", "협력과제", "B2", "주관기업 사업자등록번호", BRNS[4],
            "협력체 기업 1곳의 업종이 1개뿐입니다. 서로 다른 업종 2개 이상, 기업 2곳 이상이어야 지원 대상입니다."),
    ), only=True))
    add(Case("consortium_two_companies_two_divisions", _set(club_data(), "consortium", 0, partner_brns=BRNS[3]),
             only=True))

    # FED_REPORT_YEAR_MISMATCH
    add(Case("fed_report_year_2010", _set(federation_data(), "federation", 0, report_year=2010), "federation", expect=(
        Exp("FED_REPORT_YEAR_MISMATCH", "연합회", "B3", "보고연도", "2010",
            "보고연도 2010이(가) 서식 연도 2009와 다릅니다. 2009로 고치세요.",
            "Report year 2010 differs from the template year 2009. Enter 2009."),
    ), only=True))

    # ROSTER_EMPTY
    data = federation_data()
    data["roster"] = []
    add(Case("roster_empty", data, "federation", expect=(
        Exp("ROSTER_EMPTY", "교류회 명부", "A2", None, None,
            "교류회 명부에 교류회가 한 곳도 없습니다. 등록된 교류회를 모두 입력하세요.",
            "The club roster is empty. List every registered club.", row=2),
    ), only=True))
    data = federation_data()
    data["roster"] = data["roster"][:1]
    add(Case("roster_one_club", data, "federation", only=True))

    # ROSTER_CLUB_OTHER_FEDERATION
    add(Case("roster_busan_club", _set(federation_data(), "roster", 1, club_code="BUS-003"), "federation", expect=(
        Exp("ROSTER_CLUB_OTHER_FEDERATION", "교류회 명부", "A3", "교류회코드", "BUS-003",
            "교류회코드 BUS-003의 앞자리가 이 연합회 코드(SEO)와 다릅니다. 다른 연합회 교류회가 아닌지 확인하세요.",
            "Club code BUS-003 does not start with this federation's code (SEO). Check it belongs here."),
    ), only=True))
    data = federation_data()
    data["federation"][0]["federation"] = "부산"
    data["roster"][0]["club_code"] = "BUS-001"
    data["roster"][1]["club_code"] = "BUS-002"
    add(Case("roster_busan_in_busan", data, "federation", only=True))

    # CELL_EXCEL_ERROR inside the batch too: on a form sheet and in a BRN list; never also REQUIRED/TYPE
    data = club_data()
    data["club"][0]["founded_year"] = Formula("=1/0", "#DIV/0!")
    data["result"][0]["participants"] = Formula("=NA()", "#N/A")
    add(Case("excel_errors", data, expect=(
        Exp("CELL_EXCEL_ERROR", "교류회", "B5", "설립연도", "#DIV/0!",
            "'설립연도' 칸에 엑셀 오류값 #DIV/0!이(가) 있습니다. 수식을 고치거나 값을 직접 입력하세요.",
            "'설립연도' holds the Excel error #DIV/0!. Fix the formula or type the value."),
        Exp("CELL_EXCEL_ERROR", "성과", "C2", "참여기업 사업자등록번호", "#N/A"),
    ), only=True))
    return cases


RULE_CASES = _rule_cases()


# ---- tolerant reading: no findings; moved cells reported where they are


def _permute_columns(ws: Any, order: list[int]) -> None:
    """Rewrite a sheet so that new column i holds old column order[i] (values only)."""
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    for r, values in enumerate(rows, start=1):
        for new, old in enumerate(order, start=1):
            ws.cell(r, new).value = values[old] if old < len(values) else None


def _header_variants(wb: openpyxl.Workbook) -> None:
    ws = wb["회원사"]
    ws["A1"] = "  사업자  등록번호 "      # alias with extra spaces
    ws["B1"] = "업체명"                 # alias
    ws["D1"] = "업종（ＫＳＩＣ）"          # full-width brackets and letters
    ws["E1"] = "종업원 수(필수)"          # alias + required marker
    ws["H1"] = "*직책"                  # alias + required marker
    ws["I1"] = "주요 제품 및 기술"
    ws.title = "회원사 명단"              # sheet alias
    wb["교류회"]["A2"] = "교류회 코드"
    wb["교류회"]["A7"] = "회장사  사업자번호"
    wb["교류회"]["A6"] = "보고 연도 (필수)"
    wb["활동"]["A1"] = "Date"             # English header
    wb["활동"]["C1"] = "참석인원"
    wb["협력과제"]["F1"] = "정부지원금（원）"


def _reorder(wb: openpyxl.Workbook) -> None:
    _permute_columns(wb["회원사"], list(range(8, -1, -1)))
    _permute_columns(wb["협력과제"], [8, 3, 0, 7, 1, 6, 2, 5, 4])


def _title_rows(wb: openpyxl.Workbook) -> None:
    for name, n in (("활동", 1), ("회원사", 2)):
        ws = wb[name]
        ws.insert_rows(1, n)
        ws["A1"] = f"2009년 {name} 현황"


def _no_meta(wb: openpyxl.Workbook) -> None:
    del wb["_서식정보"]


def _tolerant_cases() -> list[Case]:
    cases: list[Case] = []
    add = cases.append
    add(Case("valid_club", club_data(), only=True))
    add(Case("valid_club_copy", club_data(), only=True))  # same BRNs in another file: no DUPLICATE across files
    add(Case("valid_federation", federation_data(), "federation", only=True))
    add(Case("headers_aliases_fullwidth", club_data(), edit=_header_variants, only=True))
    add(Case("reordered_columns", club_data(), edit=_reorder, only=True))
    add(Case("title_rows_above_header", club_data(), edit=_title_rows, only=True))
    add(Case("no_meta_sheet", club_data(), edit=_no_meta, only=True))

    data = club_data()
    m = data["member"]
    m[0]["employees"] = "1,200"
    m[1]["employees"] = "１２"
    m[2]["employees"] = Formula("=2+3", 5)
    m[3]["employees"] = "12명"
    m[0]["sales_mwon"] = "4,200"
    data["result"][0]["amount_won"] = "15,000,000원"
    data["consortium"][0]["score"] = "87.5"
    data["club"][0]["founded_year"] = "１９９５"
    add(Case("typed_numbers", data, only=True))

    data = club_data()
    m = data["member"]
    m[0]["joined"] = "2001-03-01"
    m[1]["joined"] = "2003.5.12"
    m[2]["joined"] = "2005. 9. 1."
    m[3]["joined"] = "20060120"
    m[4]["joined"] = "2007년 4월 2일"
    m[5]["joined"] = 20080707
    data["activity"][0]["date"] = "2009-03-01"
    data["activity"][1]["date"] = "2009.3.1"
    data["activity"][2]["date"] = "2009. 3. 1."
    data["result"][0]["date"] = "2009년 3월 1일"
    data["consortium"][0]["submitted"] = "20090301"
    add(Case("typed_dates", data, only=True))

    data = club_data()
    m = data["member"]
    m[0]["brn"] = _digits(BRNS[0])
    m[1]["brn"] = int(_digits(BRNS[1]))
    m[2]["brn"] = BRNS[2].replace("-", " ")
    data["club"][0]["chair_brn"] = int(_digits(BRNS[0]))
    data["result"][0]["participants"] = f"{_digits(BRNS[0])}; {BRNS[1]}"
    data["consortium"][0]["lead_brn"] = _digits(BRNS[4])
    data["consortium"][0]["partner_brns"] = f"{BRNS[2]}\n{_digits(BRNS[1])}"
    add(Case("brn_forms", data, only=True))

    data = club_data()
    data["club"][0].update(activity_info="○", activity_resource="N", activity_newproduct="예 ")
    data["club"][0]["federation"] = " 서울 "
    data["member"][0]["ksic"] = "29"
    data["member"][1]["ksic"] = "C26"
    data["member"][3]["role"] = "회 원"
    data["activity"][0]["kind"] = " 월 례 회 "
    add(Case("choices_and_yes_no", data, only=True))

    # blank rows between records are skipped (cells below them keep their real row)
    data = club_data()
    data["activity"].insert(1, {"date": None, "kind": None, "attendees": None, "note": None})
    add(Case("blank_row_between_records", data, only=True))

    # range bounds themselves are allowed
    data = club_data()
    data["club"][0]["founded_year"] = 1989
    data["member"][0].update(employees=0, sales_mwon=0)
    data["member"][1].update(employees=100_000, sales_mwon=100_000_000)
    data["activity"][0]["attendees"] = 0
    data["result"][0]["amount_won"] = 0
    data["consortium"][0]["score"] = 0
    data["consortium"].append(dict(data["consortium"][0], score=100, total_won=1, gov_won=0, company_won=1))
    add(Case("range_bounds_club", data, absent=frozenset(c for c in COLUMN_CODES if c.endswith("_RANGE")), only=True))
    data = club_data()
    data["club"][0]["founded_year"] = 2009
    data["result"][0]["amount_won"] = 100_000_000_000
    data["consortium"][0].update(total_won=10_000_000_000, gov_won=0, company_won=10_000_000_000)
    data["activity"][0]["attendees"] = 10_000
    add(Case("range_bounds_club_max", data, absent=frozenset(c for c in COLUMN_CODES if c.endswith("_RANGE"))))
    data = federation_data()
    data["roster"][0].update(member_count=0, founded_year=1989)
    data["roster"][1].update(member_count=1000, founded_year=2009, reported="X")
    add(Case("range_bounds_roster", data, "federation", only=True))

    # moved cells: the finding points at the real cell
    add(Case("reordered_bad_role", _set(club_data(), "member", 2, role="대표"), edit=_reorder, expect=(
        Exp("MEMBER_ROLE_ALLOWED", "회원사", "B4", "역할", "대표"),
    ), only=True))
    data = _set(club_data(), "activity", 1, attendees="abc")
    data["member"][3]["brn"] = _digits(BRNS[1])
    add(Case("title_rows_bad_values", data, edit=_title_rows, expect=(
        Exp("ACTIVITY_ATTENDEES_TYPE", "활동", "C4", "참석 회원사 수", "abc", row=4),
        Exp("MEMBER_BRN_DUPLICATE", "회원사", "A7", "사업자등록번호", BRNS[1],
            f"'사업자등록번호' 값 '{BRNS[1]}'이(가) 5행과 중복됩니다. 한 번만 입력하세요.", row=7),
    ), only=True))

    def form_shift(wb: openpyxl.Workbook) -> None:
        ws = wb["교류회"]
        ws.insert_cols(1)
        ws.insert_rows(1)
        ws["A1"] = "교류회 현황"

    add(Case("form_shifted", _set(club_data(), "club", 0, founded_year=1900), edit=form_shift, expect=(
        Exp("CLUB_FOUNDED_YEAR_RANGE", "교류회", "C6", "설립연도", "1900", row=6),
    ), only=True))
    data = club_data()
    data["activity"].insert(1, {"date": None, "kind": None, "attendees": None, "note": None})
    data["activity"][2]["kind"] = "회식"
    add(Case("blank_row_then_bad_kind", data, expect=(Exp("ACTIVITY_KIND_ALLOWED", "활동", "B4", "구분", "회식"),),
             only=True))
    return cases


TOLERANT_CASES = _tolerant_cases()
BATCH_CASES = COLUMN_CASES + RULE_CASES + TOLERANT_CASES
assert len({c.id for c in BATCH_CASES}) == len(BATCH_CASES), "case ids must be unique"


@dataclass
class Batch:
    report: Report
    by_case: dict[str, list[Finding]]
    paths: dict[str, str]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """Write every batch workbook and validate them all in one call."""
    d = tmp_path_factory.mktemp("rule_codes")
    paths: dict[str, str] = {}
    for i, case in enumerate(BATCH_CASES):
        p = d / f"{i:03d}_{case.kind}.xlsx"
        write_template(p, case.kind, YEAR, copy.deepcopy(case.data))
        if case.edit is not None:
            wb = openpyxl.load_workbook(p)
            case.edit(wb)
            wb.save(p)
        paths[case.id] = str(p)
    report = validate(list(paths.values()))
    by_file = report.by_file()
    return Batch(report, {cid: by_file.get(p, []) for cid, p in paths.items()}, paths)


def _describe(findings: list[Finding]) -> str:
    return "\n".join(f"  {f.code} {f.severity} {f.sheet}!{f.cell} row={f.row} column={f.column} value={f.value!r}: "
                     f"{f.message('en')}" for f in findings) or "  (none)"


def _check_expected(findings: list[Finding], exp: Exp) -> Finding:
    hits = [f for f in findings if exp.matches(f)]
    where = f"{exp.code} at {exp.sheet}!{exp.cell} ({exp.column})"
    assert len(hits) == 1, f"expected one {where}; got:\n{_describe(findings)}"
    f = hits[0]
    assert f.severity == SEVERITY[exp.code]
    if exp.value is not ANY:
        assert f.value == exp.value
    if exp.row is not ANY:
        assert f.row == exp.row
    if exp.ko is not None:
        assert f.message("ko") == exp.ko
        assert f.message() == exp.ko
    if exp.en is not None:
        assert f.message("en") == exp.en
        assert f.to_dict("en")["message"] == exp.en
    return f


def _check_case(b: Batch, case: Case) -> None:
    findings = b.by_case[case.id]
    matched = [_check_expected(findings, exp) for exp in case.expect]
    if case.only:
        extra = [f for f in findings if f not in matched]
        assert not extra, f"{case.id}: unexpected findings:\n{_describe(extra)}"
    bad = [f for f in findings if f.code in case.absent]
    assert not bad, f"{case.id}: near miss triggered:\n{_describe(bad)}"


# ----------------------------------------------------------------------------------------------- batch tests


@pytest.mark.parametrize("case", COLUMN_CASES, ids=lambda c: c.id)
def test_column_check_code(batch: Batch, case: Case) -> None:
    (exp,) = case.expect
    findings = batch.by_case[case.id]
    f = _check_expected(findings, exp)
    # nothing else is a column check: the one bad cell gives one column finding (rules may follow from it)
    others = [g for g in findings if g is not f and (g.code in COLUMN_CODES or g.code.startswith("FILE_")
                                                      or g.code == "CELL_EXCEL_ERROR")]
    assert not others, f"{case.id}: other column findings:\n{_describe(others)}"
    for lang in ("ko", "en"):
        text = f.message(lang)
        assert text.startswith(f"'{exp.column}'"), text
        assert "{" not in text and "}" not in text, text
    if case.id in COLUMN_MESSAGES:
        ko, en = COLUMN_MESSAGES[case.id]
        assert (f.message("ko"), f.message("en")) == (ko, en)
    # and the valid reports of the same kind never raise it
    for valid in ("valid_club", "valid_club_copy", "valid_federation"):
        assert all(g.code != exp.code for g in batch.by_case[valid])


def test_column_codes_are_generated_for_every_check() -> None:
    generated = {c.expect[0].code for c in COLUMN_CASES}
    assert generated == set(COLUMN_CODES)
    assert {c.column_check[2] for c in COLUMN_CASES} == set(rulebook.COLUMN_CHECKS)


RULE_TRIGGERS = [c for c in RULE_CASES if c.expect]
RULE_NEAR_MISSES = [c for c in RULE_CASES if not c.expect]


@pytest.mark.parametrize("case", RULE_TRIGGERS, ids=lambda c: c.id)
def test_rule_triggers(batch: Batch, case: Case) -> None:
    _check_case(batch, case)


@pytest.mark.parametrize("case", RULE_NEAR_MISSES, ids=lambda c: c.id)
def test_rule_near_misses(batch: Batch, case: Case) -> None:
    _check_case(batch, case)


@pytest.mark.parametrize("case", TOLERANT_CASES, ids=lambda c: c.id)
def test_tolerant_reading(batch: Batch, case: Case) -> None:
    _check_case(batch, case)


def test_batch_stats_and_file_results(batch: Batch) -> None:
    stats = batch.report.stats
    assert stats["files"] == len(BATCH_CASES)
    assert stats["errors"] + stats["warnings"] == len(batch.report.findings)
    valid_ids = [c.id for c in BATCH_CASES if c.only and not c.expect]
    assert stats["files_valid"] >= len(valid_ids)
    results = {fr.file: fr for fr in batch.report.files}
    club = results[batch.paths["valid_club"]]
    assert (club.kind, club.year, club.readable) == ("club", 2009, True)
    assert club.template_version == BOOK.version
    assert club.rows == {"club": 1, "member": 6, "activity": 3, "result": 1, "consortium": 1}
    guessed = results[batch.paths["no_meta_sheet"]]
    assert (guessed.kind, guessed.year, guessed.template_version) == ("club", 2009, "2009(추정)")
    fed = results[batch.paths["valid_federation"]]
    assert (fed.kind, fed.rows) == ("federation", {"federation": 1, "roster": 2})


def test_email_pattern_is_only_a_warning(batch: Batch) -> None:
    for code in ("CLUB_EMAIL_PATTERN", "FED_EMAIL_PATTERN"):
        (f,) = [f for f in batch.by_case[code] if f.code == code]
        assert f.severity == "warning"
        assert all(g.severity == "warning" for g in batch.by_case[code])


def test_every_message_is_fully_rendered(batch: Batch, file_reports: dict[str, FileRun]) -> None:
    findings = list(batch.report.findings) + [f for run in file_reports.values() for f in run.report.findings]
    assert findings
    for f in findings:
        for lang in ("ko", "en"):
            text = f.message(lang)
            assert text and "{" not in text and "}" not in text, (f.code, lang, text)
        assert f.code in ALL_CODES


def test_findings_are_sorted_by_file_then_place(batch: Batch) -> None:
    order = list(batch.paths.values())
    pos = [order.index(f.file) for f in batch.report.findings]
    assert pos == sorted(pos)


# ------------------------------------------------------------------------------------------- file-level codes


@dataclass
class FileCase:
    id: str
    make: Callable[[Path, Path], tuple[list[str], str]]  # (dir, valid report) -> (paths to validate, bad file display)
    exp: Exp
    kwargs: dict[str, Any] = field(default_factory=dict)
    files: int = 2  # stats["files"]: the bad file and the valid one
    valid_kind: str = "club"
    skip: str | None = None


@dataclass
class FileRun:
    report: Report
    bad: str
    valid: str


def _fc_empty(d: Path, valid: Path) -> tuple[list[str], str]:
    p = d / "empty.xlsx"
    p.write_bytes(b"")
    return [str(p), str(valid)], str(p)


def _fc_text_as_xlsx(d: Path, valid: Path) -> tuple[list[str], str]:
    p = d / "export.xlsx"
    p.write_text("교류회코드,교류회명\nSEO-001,서울한빛교류회\n", encoding="utf-8")
    return [str(p), str(valid)], str(p)


def _fc_txt(d: Path, valid: Path) -> tuple[list[str], str]:
    p = d / "notes.txt"
    p.write_text("보고서는 다음 주에 보냅니다.\n", encoding="utf-8")
    return [str(p), str(valid)], str(p)


def _fc_truncated(d: Path, valid: Path) -> tuple[list[str], str]:
    p = d / "truncated.xlsx"
    raw = valid.read_bytes()
    p.write_bytes(raw[: len(raw) // 2])
    return [str(p), str(valid)], str(p)


def _fc_broken_sheet(d: Path, valid: Path) -> tuple[list[str], str]:
    p = d / "broken_sheet.xlsx"
    with zipfile.ZipFile(valid) as zin, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zout:
        wbxml = zin.read("xl/workbook.xml").decode()
        order = [part.split('"')[0] for part in wbxml.split('<sheet name="')[1:]]
        target = f"xl/worksheets/sheet{order.index('활동') + 1}.xml"
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename == target:
                body = body[: len(body) // 2]
            zout.writestr(info, body)
    return [str(p), str(valid)], str(p)


def _fc_encrypted(d: Path, valid: Path) -> tuple[list[str], str]:
    from msoffcrypto.format.ooxml import OOXMLFile

    p = d / "secret.xlsx"
    with open(valid, "rb") as fin, open(p, "wb") as fout:
        OOXMLFile(fin).encrypt("pw1234", fout)
    return [str(p), str(valid)], str(p)


def _fc_fifo(d: Path, valid: Path) -> tuple[list[str], str]:
    p = d / "pipe.xlsx"
    os.mkfifo(p)
    return [str(p), str(valid)], str(p)


def _fc_missing(d: Path, valid: Path) -> tuple[list[str], str]:
    p = d / "nowhere" / "report.xlsx"
    return [str(p), str(valid)], str(p)


def _fc_lock(d: Path, valid: Path) -> tuple[list[str], str]:
    folder = d / "inbox"
    folder.mkdir()
    (folder / "~$report.xlsx").write_bytes(b"\x06kim" + b"\x00" * 161)  # what Excel leaves next to an open file
    shutil.copy(valid, folder / "report.xlsx")
    return [str(folder)], os.path.join(str(folder), "~$report.xlsx")


def _fc_consolidated(d: Path, valid: Path) -> tuple[list[str], str]:
    from conftest import write_consolidated

    from iupjong_xl.consolidate.merge import consolidate

    p = d / "national.xlsx"
    write_consolidated(consolidate([str(valid)], output=p), p)
    return [str(p), str(valid)], str(p)


def _fc_findings(d: Path, valid: Path) -> tuple[list[str], str]:
    from iupjong_xl.outputs.findings_xlsx import write_findings

    p = d / "검증결과.xlsx"
    write_findings(Report([], []), p)
    return [str(p), str(valid)], str(p)


def _fc_unknown(d: Path, valid: Path) -> tuple[list[str], str]:
    p = d / "own_format.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(["회사", "매출"])
    wb.active.append(["한빛정밀", 4200])
    wb.save(p)
    return [str(p), str(valid)], str(p)


def _copy_and_edit(d: Path, valid: Path, name: str, fn: Callable[[openpyxl.Workbook], None]) -> Path:
    p = d / name
    shutil.copy(valid, p)
    wb = openpyxl.load_workbook(p)
    fn(wb)
    wb.save(p)
    return p


def _meta_year(year: str) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb["_서식정보"]
        for key, value in ws.iter_rows(max_col=2):
            if key.value == "year":
                value.value = year
                return
        raise AssertionError("no year row in _서식정보")

    return edit


def _fc_year(d: Path, valid: Path) -> tuple[list[str], str]:
    p = _copy_and_edit(d, valid, "report_2008.xlsx", _meta_year("2008"))
    return [str(p), str(valid)], str(p)


def _fc_year_unsupported(d: Path, valid: Path) -> tuple[list[str], str]:
    p = _copy_and_edit(d, valid, "report_2007.xlsx", _meta_year("2007"))
    return [str(p), str(valid)], str(p)


_YEARS = "/".join(map(str, rulebook.available_years()))


def _fc_sheet_missing(d: Path, valid: Path) -> tuple[list[str], str]:
    def drop(wb: openpyxl.Workbook) -> None:
        del wb["활동"]

    p = _copy_and_edit(d, valid, "no_activity.xlsx", drop)
    return [str(p), str(valid)], str(p)


def _fc_column_missing(d: Path, valid: Path) -> tuple[list[str], str]:
    def drop(wb: openpyxl.Workbook) -> None:
        ws = wb["회원사"]
        assert ws["E1"].value == "종업원수"
        ws["E1"].value = None

    p = _copy_and_edit(d, valid, "no_employees_header.xlsx", drop)
    return [str(p), str(valid)], str(p)


def _fc_form_label_missing(d: Path, valid: Path) -> tuple[list[str], str]:
    def drop(wb: openpyxl.Workbook) -> None:
        ws = wb["교류회"]
        assert ws["A8"].value == "총무"
        ws["A8"].value = None

    p = _copy_and_edit(d, valid, "no_secretary_label.xlsx", drop)
    return [str(p), str(valid)], str(p)


Maker = Callable[[Path, Path], tuple[list[str], str]]


def _fc_written(name: str, data: dict[str, list[dict[str, Any]]], kind: str = "club") -> Maker:
    def make(d: Path, valid: Path) -> tuple[list[str], str]:
        p = d / name
        write_template(p, kind, YEAR, data)
        return [str(p), str(valid)], str(p)

    return make


def _extra_column_data() -> dict[str, list[dict[str, Any]]]:
    data = club_data()
    data["member"][0]["+메모"] = "회장사"
    return data


def _excel_error_data() -> dict[str, list[dict[str, Any]]]:
    data = club_data()
    data["member"][0]["employees"] = Formula("=1/0", "#DIV/0!")
    return data


def _fc_bytes(name: str, make: Callable[[], bytes]) -> Maker:
    def write(d: Path, valid: Path) -> tuple[list[str], str]:
        p = d / name
        p.write_bytes(make())
        return [str(p), str(valid)], str(p)

    return write


def _fc_xlsb_panic(d: Path, valid: Path) -> tuple[list[str], str]:
    p = d / "panic.xlsb"
    hostile.xlsb_panic(p)
    return [str(p), str(valid)], str(p)


def _fc_macro_sheet(d: Path, valid: Path) -> tuple[list[str], str]:
    p = d / "with_macro.xlsm"
    hostile.with_extra_sheet(valid, p, "macro")
    return [str(p), str(valid)], str(p)


def _roster_3_rows() -> dict[str, list[dict[str, Any]]]:
    data = federation_data()
    data["roster"].append(dict(data["roster"][1], club_code="SEO-003", club_name="서울새빛교류회"))
    return data


FILE_CASES = [
    FileCase("empty", _fc_empty, Exp(
        "FILE_EMPTY", None, None, None, None,
        "파일이 비어 있습니다 (0바이트). 저장된 보고서 파일을 다시 보내 주세요.",
        "The file is empty (0 bytes). Send the saved report again.")),
    FileCase("text_named_xlsx", _fc_text_as_xlsx, Exp("FILE_NOT_WORKBOOK", None, None, None, None)),
    FileCase("txt_given_explicitly", _fc_txt, Exp("FILE_NOT_WORKBOOK", None, None, None, None)),
    FileCase("truncated_xlsx", _fc_truncated, Exp("FILE_CORRUPT", None, None, None, None)),
    FileCase("broken_sheet_part", _fc_broken_sheet, Exp("FILE_CORRUPT", None, None, None, None)),
    FileCase("encrypted", _fc_encrypted, Exp(
        "FILE_ENCRYPTED", None, None, None, None,
        "암호가 걸린 파일입니다. 엑셀에서 [파일 > 정보 > 통합 문서 보호]의 암호를 지우고 다시 저장해 보내 주세요.",
        "The file is password-protected. Remove the password in Excel (File > Info > Protect Workbook) and resend.")),
    FileCase("fifo", _fc_fifo, Exp(
        "FILE_UNREADABLE", None, None, None, None,
        "파일을 읽을 수 없습니다 (not a regular file). 경로와 권한을 확인하세요.",
        "The file cannot be read (not a regular file). Check the path and permissions."),
        skip=None if hasattr(os, "mkfifo") else "no named pipes on this platform"),
    FileCase("missing", _fc_missing, Exp(
        "FILE_NOT_FOUND", None, None, None, None,
        "파일이나 폴더가 없습니다. 경로를 확인하세요.", "No such file or folder. Check the path.")),
    FileCase("lock_file", _fc_lock, Exp(
        "FILE_LOCK_SKIPPED", None, None, None, None,
        "엑셀 잠금 파일(~$)이라 건너뜁니다. 엑셀이 열고 있는 파일이 있으면 닫고 다시 실행하세요.",
        "Excel lock file (~$), skipped. If the workbook is open in Excel, close it and run again."), files=1),
    FileCase("consolidated_workbook", _fc_consolidated, Exp(
        "FILE_CONSOLIDATED_SKIPPED", None, None, None, None,
        "취합 문서입니다 — `iupjong verify`로 확인하세요. 보고서가 아니므로 검증하지 않고 건너뜁니다.",
        "A consolidated workbook — check it with `iupjong verify`. It is not a report: skipped, not validated.")),
    FileCase("findings_workbook", _fc_findings, Exp(
        "FILE_FINDINGS_SKIPPED", None, None, None, None,
        "검증결과 문서입니다 (`iupjong validate --format xlsx`가 쓴 파일). 보고서가 아니므로 건너뜁니다.",
        "A findings workbook (written by `iupjong validate --format xlsx`): not a report, skipped.")),
    FileCase("unknown_template", _fc_unknown, Exp("FILE_TEMPLATE_UNKNOWN", None, None, None, None)),
    FileCase("template_2007_no_rule_book", _fc_year_unsupported, Exp(
        "FILE_TEMPLATE_YEAR", None, None, None, None,
        f"2007년 서식입니다. {_YEARS}년 서식에 작성해 주세요.", f"This is the 2007 template. Use the {_YEARS} template.")),
    FileCase("template_2008_year_given", _fc_year, Exp(
        "FILE_TEMPLATE_YEAR", None, None, None, None, "2008년 서식입니다. 2009년 서식에 작성해 주세요."),
        kwargs={"year": 2009}),
    FileCase("sheet_missing", _fc_sheet_missing, Exp(
        "FILE_SHEET_MISSING", "활동", None, None, None,
        "'활동' 시트가 없습니다. 서식의 시트 이름을 바꾸거나 지우지 마세요.",
        "Sheet '활동' is missing. Do not rename or delete the template's sheets.")),
    FileCase("column_missing", _fc_column_missing, Exp(
        "FILE_COLUMN_MISSING", "회원사", "A1", "종업원수", None,
        "'회원사' 시트에 필수 항목 '종업원수'이(가) 없습니다. 서식의 제목 행을 되살리세요.",
        "Sheet '회원사' has no '종업원수' column. Restore the template's header row.", row=1)),
    FileCase("form_label_missing", _fc_form_label_missing, Exp(
        "FILE_COLUMN_MISSING", "교류회", None, "총무", None,
        "'교류회' 시트에 필수 항목 '총무'이(가) 없습니다. 서식의 제목 행을 되살리세요.")),
    FileCase("column_extra", _fc_written("extra_column.xlsx", _extra_column_data()), Exp(
        "FILE_COLUMN_EXTRA", "회원사", "J1", None, "메모",
        "'회원사' 시트의 '메모' 열은 서식에 없는 열이라 읽지 않습니다. 필요하면 비고에 적으세요.",
        "Column '메모' in sheet '회원사' is not in the template and is ignored. Use the note column if needed.", row=1)),
    FileCase("too_many_rows", _fc_written("roster_3.xlsx", _roster_3_rows(), "federation"), Exp(
        "FILE_TOO_MANY_ROWS", "교류회 명부", None, None, None), kwargs={"max_rows": 2}, valid_kind="federation"),
    FileCase("looping_compound_file", _fc_bytes("loop.xls", hostile.cfb_directory_loop), Exp(
        "FILE_TOO_COMPLEX", None, None, None, None,
        "이 파일은 한 파일에 허용된 한도 안에서 읽을 수 없습니다 (needs more than 1024 MiB of memory). 파일이 손상되었거나 "
        "너무 큽니다. 엑셀에서 열어 빈 행·불필요한 시트를 지우고 .xlsx로 다시 저장해 보내 주세요.",
        "This file cannot be read within the limits allowed per file (needs more than 1024 MiB of memory). It is "
        "damaged or too large. Open it in Excel, remove empty rows and extra sheets, save it as .xlsx and resend.")),
    FileCase("xor_obfuscated_xls", _fc_bytes("xor.xls", hostile.xor_obfuscated_xls), Exp("FILE_ENCRYPTED", None, None, None, None)),
    FileCase("excel4_xls", _fc_bytes("excel4.xls", hostile.biff4_xls), Exp(
        "FILE_OLD_FORMAT", None, None, None, None,
        "아주 오래된 엑셀 형식입니다 (Excel 4.0 (BIFF4) file). 엑셀에서 열어 [다른 이름으로 저장]에서 'Excel 통합 문서(*.xlsx)'로 "
        "저장한 뒤 보내 주세요.")),
    FileCase("excel95_xls", _fc_bytes("excel95.xls", hostile.biff5_xls), Exp("FILE_OLD_FORMAT", None, None, None, None)),
    FileCase("reader_panics_on_xlsb", _fc_xlsb_panic, Exp(
        "FILE_XLSB_UNREADABLE", None, None, None, None,
        "엑셀 바이너리 통합 문서(.xlsb)를 읽을 수 없습니다 (cannot be parsed: range end index 132 out of range for slice "
        "of length 26). 엑셀에서 열어 'Excel 통합 문서(*.xlsx)'로 저장한 뒤 보내 주세요.")),
    FileCase("macro_sheet", _fc_macro_sheet, Exp(
        "FILE_SHEET_SKIPPED", "매크로1", None, None, None,
        "'매크로1' 시트는 엑셀 4.0 매크로 시트라서 읽지 않고 건너뜁니다. 보고서 내용이 있다면 일반 워크시트로 옮겨 주세요.",
        "Sheet '매크로1' is an Excel 4.0 macro sheet and is skipped. Move any report data to an ordinary worksheet.")),
    FileCase("excel_error", _fc_written("div0.xlsx", _excel_error_data()), Exp(
        "CELL_EXCEL_ERROR", "회원사", "E2", "종업원수", "#DIV/0!",
        "'종업원수' 칸에 엑셀 오류값 #DIV/0!이(가) 있습니다. 수식을 고치거나 값을 직접 입력하세요.",
        "'종업원수' holds the Excel error #DIV/0!. Fix the formula or type the value.", row=2)),
]


@pytest.fixture(scope="module")
def file_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, FileRun]:
    """Each broken file validated together with a valid report (one validate() call per case)."""
    base = tmp_path_factory.mktemp("file_codes")
    valid = {"club": base / "valid_club.xlsx", "federation": base / "valid_federation.xlsx"}
    write_template(valid["club"], "club", YEAR, club_data())
    write_template(valid["federation"], "federation", YEAR, federation_data())
    runs: dict[str, FileRun] = {}
    for fc in FILE_CASES:
        if fc.skip:
            continue
        d = base / fc.id
        d.mkdir()
        paths, bad = fc.make(d, valid[fc.valid_kind])
        good = str(valid[fc.valid_kind]) if fc.id != "lock_file" else os.path.join(paths[0], "report.xlsx")
        runs[fc.id] = FileRun(validate(paths, **fc.kwargs), bad, good)
    return runs


@pytest.mark.parametrize("fc", FILE_CASES, ids=lambda fc: fc.id)
def test_file_level_code(file_reports: dict[str, FileRun], fc: FileCase) -> None:
    if fc.skip:
        pytest.skip(fc.skip)
    run = file_reports[fc.id]
    by_file = run.report.by_file()
    bad = by_file.get(run.bad, [])
    assert len(bad) == 1, f"{fc.id}: expected exactly one finding for the bad file:\n{_describe(bad)}"
    f = _check_expected(bad, fc.exp)
    assert f.file == run.bad
    # the batch went on: the valid file was read and is clean
    assert by_file.get(run.valid) == [], _describe(by_file.get(run.valid, []))
    assert run.valid in {fr.file for fr in run.report.files}
    stats = run.report.stats
    assert stats["files"] == fc.files
    assert stats["files_valid"] == fc.files - (1 if f.severity == "error" and fc.files == 2 else 0)
    assert len(run.report.findings) == 1
    assert run.report.valid is (f.severity != "error")


def test_file_problem_details_name_the_cause(file_reports: dict[str, FileRun]) -> None:
    def one(case: str) -> Finding:
        (f,) = file_reports[case].report.findings
        return f

    assert "text file" in one("text_named_xlsx").message("en")
    assert "'.txt'" in one("txt_given_explicitly").message("ko")
    assert one("truncated_xlsx").message("ko").startswith("파일이 손상되어 열 수 없습니다 (damaged ZIP container")
    assert "'활동'" in one("broken_sheet_part").message("en")
    assert one("unknown_template").message("ko") == (
        "표준 서식으로 작성된 파일이 아닙니다 (서식 정보 시트와 보고서 시트를 찾지 못함). "
        "'iupjong template'으로 만든 서식에 옮겨 작성하세요.")
    assert one("too_many_rows").message("ko").startswith("'교류회 명부' 시트의 행이 ")
    assert "한도 2개를 넘어 검증하지 않았습니다" in one("too_many_rows").message("ko")


def test_unreadable_by_permissions(tmp_path: Path) -> None:
    if not hasattr(os, "geteuid") or os.geteuid() == 0:
        pytest.skip("root (or no POSIX permissions) can read a chmod 000 file")
    p = tmp_path / "locked.xlsx"
    write_template(p, "club", YEAR, club_data())
    p.chmod(0)
    try:
        report = validate([str(p)])
    finally:
        p.chmod(0o644)
    (f,) = report.findings
    assert (f.code, f.file, f.severity) == ("FILE_UNREADABLE", str(p), "error")


def test_unknown_rule_book_year_is_a_usage_error(tmp_path: Path) -> None:
    p = tmp_path / "report.xlsx"
    write_template(p, "club", YEAR, club_data())
    with pytest.raises(UsageError, match="2010"):
        validate([str(p)], year=2010)
    assert validate([str(p)], year=2009).findings == []


def test_too_many_rows_boundary(tmp_path: Path) -> None:
    p = tmp_path / "roster_3.xlsx"
    write_template(p, "federation", YEAR, _roster_3_rows())
    assert validate([str(p)], max_rows=3).findings == []
    (f,) = validate([str(p)], max_rows=2).findings
    assert f.code == "FILE_TOO_MANY_ROWS"


# ---------------------------------------------------------------------------------------------- coverage


def _exercised(b: Batch, runs: dict[str, FileRun]) -> set[str]:
    """Codes whose expected finding (code, sheet, cell, column, severity) really came out of validate()."""
    out: set[str] = set()
    for case in BATCH_CASES:
        for exp in case.expect:
            if any(exp.matches(f) and f.severity == SEVERITY[exp.code] for f in b.by_case[case.id]):
                out.add(exp.code)
    for fc in FILE_CASES:
        run = runs.get(fc.id)
        if run is not None and any(fc.exp.matches(f) and f.file == run.bad for f in run.report.findings):
            out.add(fc.exp.code)
    return out


def test_every_code_has_a_trigger_case() -> None:
    declared = {e.code for c in BATCH_CASES for e in c.expect} | {fc.exp.code for fc in FILE_CASES}
    wanted = set(ALL_CODES) - set(NOT_VALIDATE_CODES) - set(ISOLATION_CODES)
    assert sorted(wanted - declared) == [], "rule-book codes without a trigger case in tests/test_rule_codes.py"
    assert sorted(declared - set(ALL_CODES)) == [], "trigger cases for codes the rule book does not define"


def test_every_code_is_exercised(batch: Batch, file_reports: dict[str, FileRun]) -> None:
    exercised = _exercised(batch, file_reports)
    platform_skipped = {fc.exp.code for fc in FILE_CASES if fc.skip} - exercised
    others = set(NOT_VALIDATE_CODES) | set(ISOLATION_CODES)
    assert exercised | platform_skipped | others == set(ALL_CODES), (
        f"not exercised: {sorted(set(ALL_CODES) - exercised - platform_skipped - others)}")


def test_non_validate_codes_are_still_defined_and_never_emitted(batch: Batch, file_reports: dict[str, FileRun]) -> None:
    assert set(NOT_VALIDATE_CODES) <= set(ALL_CODES), "stale entries in NOT_VALIDATE_CODES"
    emitted = {f.code for f in batch.report.findings}
    emitted |= {f.code for run in file_reports.values() for f in run.report.findings}
    assert not emitted & set(NOT_VALIDATE_CODES)


# ------------------------------------------------------------------------------------------- known bugs


def _club_with_few_rows() -> dict[str, list[dict[str, Any]]]:
    """A valid club report whose tables have at most 2 rows, except 활동 with 3."""
    data = club_data()
    data["member"] = data["member"][:2]
    data["result"][0]["participants"] = f"{BRNS[0]}, {BRNS[1]}"
    data["consortium"][0].update(lead_brn=BRNS[0], partner_brns=BRNS[1])
    for a in data["activity"]:
        a["attendees"] = 2
    return data


def test_max_rows_club_activity_sheet_is_flagged(tmp_path: Path) -> None:
    p = tmp_path / "club.xlsx"
    write_template(p, "club", YEAR, _club_with_few_rows())
    assert validate([str(p)], max_rows=3).findings == []
    report = validate([str(p)], max_rows=2)
    hits = [f for f in report.findings if f.code == "FILE_TOO_MANY_ROWS"]
    assert [(f.sheet, f.cell, f.column) for f in hits] == [("활동", None, None)]


def test_max_rows_does_not_truncate_the_form_sheet(tmp_path: Path) -> None:
    p = tmp_path / "club.xlsx"
    write_template(p, "club", YEAR, _club_with_few_rows())
    report = validate([str(p)], max_rows=2)
    assert [f.code for f in report.findings] == ["FILE_TOO_MANY_ROWS"], _describe(report.findings)


def test_too_many_rows_message_counts_data_rows(file_reports: dict[str, FileRun]) -> None:
    (f,) = file_reports["too_many_rows"].report.findings
    assert f.message("ko") == ("'교류회 명부' 시트의 행이 3개로 한도 2개를 넘어 검증하지 않았습니다. "
                               "빈 행이나 다른 자료가 붙어 있지 않은지 확인하세요.")


def test_range_message_of_a_year_column(batch: Batch) -> None:
    (f,) = [f for f in batch.by_case["CLUB_FOUNDED_YEAR_RANGE"] if f.code == "CLUB_FOUNDED_YEAR_RANGE"]
    assert f.message("ko") == "'설립연도' 값 1988이(가) 허용 범위 1989~2009를 벗어났습니다. 값을 확인하세요."
    assert f.message("en") == "'설립연도' value 1988 is outside the allowed range 1989..2009. Check the value."


def test_template_unknown_english_message_is_english(file_reports: dict[str, FileRun]) -> None:
    (f,) = file_reports["unknown_template"].report.findings
    assert "서식" not in f.message("en")
