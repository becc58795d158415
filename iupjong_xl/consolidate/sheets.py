"""Sheet names and column headers of the consolidated workbook, shared by its writer and its reader."""

from __future__ import annotations

import datetime
from typing import Any

from iupjong_xl.consolidate.model import KEY_COLUMNS, PROVENANCE, Consolidation
from iupjong_xl.rulebook import RuleBook
from iupjong_xl.validate.normalize import lenient

S_SUMMARY, S_IND, S_REPORTING, S_FUNDING = "요약", "연합회별 지표", "보고현황", "지원금"
S_FINDINGS, S_REJECTED, S_SOURCES = "검증결과", "제외", "출처"
WHOLE = "보고서 전체 제외: "  # 제외 sheet: the whole report was left out
FIXED_CREATED = datetime.datetime(2009, 1, 1)
UID, UID_HEADER = "_uid", "행 ID"
S_EDITS = "수정 이력"  # corrections, restored rows and rows added by hand, as the ledger recorded them
DERIVED_SHEETS = (S_SUMMARY, S_IND, S_REPORTING, S_FUNDING)  # the sheets refresh recomputes from the data sheets
# 출처's 종류 and 처리 columns in Korean; the reader maps them back to the codes (SOURCE_CODES)
SOURCE_KIND_KO = {"club": "교류회 보고서", "federation": "연합회 보고서", "consolidated": "취합본"}
SOURCE_STATUS_KO = {"created": "신규", "replaced": "교체", "unchanged": "변경 없음", "kept": "유지", "rejected": "제외",
                    "conflict": "충돌", "duplicate": "중복"}
SOURCE_CODES = {v: k for k, v in (*SOURCE_KIND_KO.items(), *SOURCE_STATUS_KO.items())}
KEY_HEADERS = {"year": "연도", "federation": "연합회", "club_code": "교류회코드"}
# _run holds the run's content hash (Consolidation.content_hash), not the ledger's run number (실행 #N of `history`)
PROV_HEADERS = {"_source": "원본 파일", "_sheet": "원본 시트", "_row": "원본 행", "_sha256": "SHA-256",
                "_template": "서식 버전", "_run": "내용 해시"}
LEGACY_PROV_HEADERS = [("_run", "실행 ID")]  # what workbooks of earlier versions call it (read back, never written)
MEASURE_HEADERS = {
    "registered_clubs": "등록 교류회", "reported_clubs": "보고 교류회", "registered_members": "등록 회원사",
    "clubs_info": "정보교환형", "clubs_resource": "자원협력형", "clubs_newproduct": "신제품개발형",
    "clubs_with_tech_results": "기술개발 실적 교류회", "tech_results": "기술개발 실적", "monthly_meetings": "월례회",
    "clubs_attendance_ok": "참석률 70% 이상", "clubs_single_industry": "단일업종 교류회",
}
FUNDING_COLS = [
    ("key", "과제키"), ("federation", "연합회"), ("club_code", "교류회코드"), ("title", "과제명"), ("lead_brn", "주관기업"),
    ("partner_brns", "참여기업"), ("field", "분야"), ("total_won", "총사업비(원)"), ("gov_won", "정부지원금(원)"),
    ("company_won", "기업부담금(원)"), ("submitted", "신청일"), ("score", "평가점수"), ("eligible", "지원자격"),
    ("reasons", "부적격 사유"), ("rank", "순위"), ("selected", "선정"), ("gov_awarded", "정부지원 선정액(원)"),
    ("company_awarded", "기업부담 선정액(원)"), ("note", "비고"),
]


def shown_rows(cons: Consolidation, sheet: str) -> list[dict[str, Any]]:
    """The rows of a data sheet as the workbook shows them: a cell typed with a value its rule refuses shows what was
    typed (cons.invalid_cells); the derived tables use cons.rows(), the last valid values."""
    if not cons.invalid_cells:
        return cons.rows(sheet)
    out = []
    for r in cons.rows(sheet):
        typed = cons.invalid_cells.get(str(r.get(UID)))
        out.append({**r, **typed} if typed else r)
    return out


def empty_note(sheet_name: str) -> str:
    """The line an empty data sheet shows below its table: the program's own text, never data."""
    return f"취합된 {sheet_name} 행이 없습니다."


def is_program_note(row: list[Any], note: str) -> bool:
    """A row whose only content is the program's own note (e.g. "취합된 성과 행이 없습니다.")."""
    filled = [v for v in row if v is not None and not (isinstance(v, str) and not v.strip())]
    return len(filled) == 1 and isinstance(filled[0], str) and filled[0].strip() == note


def data_headers(book: RuleBook, key: str) -> list[tuple[str, str]]:
    """(column key, header) of a consolidated data sheet: key columns, rule-book columns, provenance, and last the row
    id (a hidden column: it ties a row of the workbook to its row in the ledger)."""
    cols = [(k, KEY_HEADERS[k]) for k in KEY_COLUMNS]
    cols += [(c.key, c.header) for c in book.sheets[key].columns if c.key not in KEY_COLUMNS]
    cols += [(k, PROV_HEADERS[k]) for k in PROVENANCE]
    cols.append((UID, UID_HEADER))
    return cols


def _int(v: Any) -> int | None:
    """Whole won from a cell as it was read or typed; anything that is not a whole number counts as missing."""
    return lenient("int", v)


def _float(v: Any) -> float | None:
    return lenient("float", v)


def _date(v: Any) -> datetime.date | None:
    return lenient("date", v)


def _text(v: Any) -> str | None:
    return lenient("text", v)
