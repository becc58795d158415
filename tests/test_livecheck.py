"""Live checks inside the template, against a second engine: LibreOffice recalculates every workbook and its 점검
column, 점검 sheet and CHECK_ERRORS / CHECK_WARNINGS agree with `iupjong validate` on the same file.

The workbooks are re-saved with openpyxl first, which keeps the formulas but stores no cached results, so LibreOffice
has to compute every formula. All of them go through ONE soffice invocation (module fixture).
"""

from __future__ import annotations

import csv
import datetime
import os
import shutil
import signal
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import BRNS, club_data, federation_data
from test_libreoffice import SOFFICE_TIMEOUT
from test_rule_codes import COLUMN_CASES

from iupjong_xl import rulebook
from iupjong_xl.outputs import livecheck, templates
from iupjong_xl.outputs.templates import write_template
from iupjong_xl.samples.corpus import NATIONAL, plan_corpus
from iupjong_xl.samples.corpus import club_data as corpus_club_data
from iupjong_xl.samples.corpus import federation_data as corpus_federation_data
from iupjong_xl.validate.normalize import make_brn
from iupjong_xl.validate.pipeline import validate

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not on PATH"),
]

REPO = Path(__file__).resolve().parent.parent
BOOK = rulebook.load(2009)
LIVE = {code for code, _sev, _sheet, _col, live, _why in livecheck.live_status(BOOK) if live} | {livecheck.ERROR_CODE}
SHEET_LEVEL = {r.code for r in BOOK.rules if r.kind in livecheck.SHEET_LEVEL_KINDS}
REPORT_SHEETS = {s.name for s in BOOK.sheets.values()}
OUTSIDER = make_brn("123815678")
OUTSIDER2 = make_brn("130810001")
PROBLEMS = REPO / "sample_workbooks" / "problems"
NOT_WORKBOOKS = {"20_엑셀아님_HTML.xlsx", "21_빈파일.xlsx"}
SHEET_DELETED = "17_시트_삭제.xlsx"
CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"  # UTF-8, every sheet
CLEAN_CLUBS = ("SEO-001", "SEO-002", "GGI-001")  # clean sample reports (the corpus is written without the formulas)


@dataclass
class Live:
    """What the recalculated workbook says."""

    flagged: set[tuple[str, int]] = field(default_factory=set)  # (sheet, 1-based row) with a 점검 message
    messages: dict[tuple[str, int], str] = field(default_factory=dict)
    errors: Any = None
    warnings: Any = None
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)  # (code, sheet) -> count on the 점검 sheet


def _number(v: str) -> Any:
    try:
        return int(v)
    except ValueError:
        return v  # an error value such as #REF! or Err:504


def read_live(stem: Path) -> Live:
    """The recalculated sheets of one workbook, exported by LibreOffice as <stem>-<sheet>.csv (values as computed).
    CHECK_ERRORS / CHECK_WARNINGS are the 합계 row of the 점검 sheet (tests/test_templates.py checks the names)."""
    out = Live()
    for name in REPORT_SHEETS:
        path = stem.with_name(f"{stem.name}-{name}.csv")
        if not path.is_file():
            continue
        rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
        col = rows[0].index(livecheck.CHECK_HEADER)
        for r, row in enumerate(rows[1:], start=2):
            if col < len(row) and row[col]:
                out.flagged.add((name, r))
                out.messages[(name, r)] = row[col]
    started = False
    for row in csv.reader(stem.with_name(f"{stem.name}-{livecheck.CHECK_SHEET}.csv").open(encoding="utf-8", newline="")):
        if row and row[0] == "합계" and out.errors is None:
            out.errors, out.warnings = _number(row[1]), _number(row[2])
        elif row and row[:2] == ["시트", "구분"]:  # the rules table: sheet, severity, ..., count (F), ..., code (H)
            started = True
        elif started and row and len(row) > 7 and row[7] and row[5] not in ("", "0"):
            n = _number(row[5])
            out.counts[(row[7], row[0])] += n if isinstance(n, int) else 1000  # an error value: never equal
    return out


def soffice_csv(files: list[Path], outdir: Path, profile: Path) -> list[Path]:
    """Recalculate and export every sheet of every file as CSV with one soffice invocation; returns the stems."""
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [shutil.which("soffice") or "soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
           "--norestore", "--nolockcheck", "--convert-to", CSV_ALL_SHEETS, "--outdir", str(outdir), *map(str, files)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=SOFFICE_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"soffice --convert-to csv did not finish in {SOFFICE_TIMEOUT}s")
    stems = [outdir / f.stem for f in files]
    missing = [s.name for s in stems if not s.with_name(f"{s.name}-{livecheck.CHECK_SHEET}.csv").is_file()]
    assert not missing, f"soffice did not export {missing} (rc={proc.returncode}): {out!r} {err!r}"
    return stems


def expected(path: Path) -> Live:
    """What `iupjong validate` says, restricted to the codes a formula covers."""
    out = Live(errors=0, warnings=0)
    for f in validate([str(path)]).findings:
        if f.code not in LIVE:
            continue
        out.counts[(f.code, f.sheet)] += 1
        if f.severity == "error":
            out.errors += 1
        else:
            out.warnings += 1
        if f.code not in SHEET_LEVEL:
            out.flagged.add((f.sheet, f.row))
    return out


# ------------------------------------------------------------------------------------------------ the cases


def _rule_cases() -> dict[str, dict[str, Any]]:
    """Cross-field rules and tolerated typing, one club/federation report each (kind, data)."""
    cases: dict[str, dict[str, Any]] = {}

    def club(name: str, **edits: Any) -> dict[str, list[dict[str, Any]]]:
        d = club_data()
        cases[name] = {"kind": "club", "data": d}
        return d

    d = club("chair_outsider")
    d["club"][0]["chair_brn"] = OUTSIDER  # CLUB_CHAIR_NOT_MEMBER + MEMBER_CHAIR_ROLE_MISMATCH
    d = club("code_other_federation")
    d["club"][0]["club_code"] = "BUS-001"
    d = club("date_2008")
    d["activity"][0]["date"] = datetime.date(2008, 12, 31)
    d["activity"][1]["date"] = "2008.12.1"
    d = club("lead_and_partners_outside")
    d["consortium"][0].update(lead_brn=OUTSIDER, partner_brns=f"{BRNS[2]}; {OUTSIDER2}, {OUTSIDER}")
    d["result"][0]["participants"] = f"{BRNS[0]}/{OUTSIDER2}"
    d = club("shares")
    d["consortium"].append({**d["consortium"][0], "title": "둘째", "total_won": 20_000_000, "gov_won": 15_000_001,
                            "company_won": 4_999_999})
    d["consortium"].append({**d["consortium"][0], "title": "셋째", "total_won": 30_000_000, "gov_won": 20_000_000,
                            "company_won": 1_000_000})
    d = club("no_members")
    d["member"] = []
    d = club("one_industry")
    for m in d["member"]:
        m["ksic"] = "29 기타 기계 및 장비 제조업"
    d["member"][1]["ksic"] = "29"
    d = club("attendance_and_duplicate")
    d["activity"][0]["attendees"] = 7
    d["member"].append(dict(d["member"][2]))
    d["member"][-1]["role"] = "회원"
    d = club("tolerated_typing")
    d["member"][0]["employees"] = "1,200"
    d["member"][1].update(ksic="26", role=" 부회장 ", brn=BRNS[1].replace("-", ""))
    d["member"][2]["joined"] = "2005년 9월 1일"
    d["activity"][0]["date"] = "2009.1.15"
    d["activity"][1]["date"] = "20090212"
    d["club"][0].update(activity_info="네", activity_resource="x", founded_year="1995")
    d["consortium"][0]["partner_brns"] = f"{BRNS[2]} ,{BRNS[1]}"
    d = club("bad_typing")
    d["member"][0]["employees"] = 12.5
    d["member"][1]["joined"] = "2009.2.30"
    d["member"][2]["ksic"] = "04 없는 업종"
    d["member"][3]["brn"] = "000-00-00000"
    d["activity"][2]["kind"] = "야유회"
    d["club"][0].update(activity_newproduct="글쎄", founded_year=1980, report_year="이천구년")
    fed = federation_data()
    fed["roster"][1]["club_code"] = "BUS-009"
    fed["roster"].append({**fed["roster"][0], "member_count": -1, "reported": "제출", "founded_year": 2010})
    cases["roster"] = {"kind": "federation", "data": fed}
    cases["roster_empty"] = {"kind": "federation", "data": {**federation_data(), "roster": []}}
    return cases


def _column_cases() -> list[Any]:
    return [c for c in COLUMN_CASES if c.column_check and c.expect[0].code in LIVE and c.edit is None]


def _diff(kind: str, data: dict[str, list[dict[str, Any]]]) -> list[tuple[str, int, str, Any]]:
    base = club_data() if kind == "club" else federation_data()
    return [(sheet, i, k, rec.get(k)) for sheet, recs in data.items() for i, rec in enumerate(recs)
            for k in set(rec) | set(base[sheet][i]) if rec.get(k) != base[sheet][i].get(k)]


def merged_column_cases() -> list[tuple[str, dict[str, list[dict[str, Any]]], list[Any]]]:
    """The generated column-check cases of test_rule_codes packed into few workbooks: one mistake per column per
    workbook (mistakes in different columns do not hide each other; parity is checked on the whole workbook)."""
    files: list[tuple[str, dict[str, list[dict[str, Any]]], list[Any], set[tuple[str, str]]]] = []
    for case in _column_cases():
        sheet, col, _check = case.column_check
        slot = next((f for f in files if f[0] == case.kind and (sheet, col) not in f[3]), None)
        if slot is None:
            slot = (case.kind, club_data() if case.kind == "club" else federation_data(), [], set())
            files.append(slot)
        for sh, i, k, v in _diff(case.kind, case.data):
            slot[1][sh][i][k] = v
        slot[2].append(case)
        slot[3].add((sheet, col))
    return [(kind, data, cases) for kind, data, cases, _used in files]


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """name -> (original workbook, LibreOffice-recalculated copy); one soffice run for all.

    Workbooks written by the generator carry "" as the cached result of every live-check formula, so LibreOffice
    computes them on load; one workbook is the blank template filled in with openpyxl (no cached results at all)."""
    root = tmp_path_factory.mktemp("live")
    originals: dict[str, Path] = {}
    for p in sorted(PROBLEMS.glob("*.xlsx")):
        if p.name not in NOT_WORKBOOKS:
            originals[p.stem] = p
    for name, (kind, data) in clean_reports().items():
        originals["clean_" + name] = write_template(root / f"clean_{name}.xlsx", kind, 2009, data)
    for name, case in _rule_cases().items():
        originals["rule_" + name] = write_template(root / f"rule_{name}.xlsx", case["kind"], 2009, case["data"])
    for i, (kind, data, _cases) in enumerate(merged_column_cases()):
        originals[f"col_{i:02d}"] = write_template(root / f"col_{i:02d}.xlsx", kind, 2009, data)
    originals["filled_by_openpyxl"] = fill_blank_template(root / "filled.xlsx", mistakes())
    for p in sorted((REPO / "templates").glob("*.xlsx")):
        originals["template_" + p.stem] = p
    converted = soffice_csv(list(originals.values()), root / "lo", root / "lo_profile")
    return {name: (originals[name], conv) for name, conv in zip(originals, converted, strict=True)}


def clean_reports() -> dict[str, tuple[str, dict[str, list[dict[str, Any]]]]]:
    """A few clean reports of the sample corpus, written through the template with its live checks."""
    corpus = plan_corpus(NATIONAL, 2009)
    clubs = {c.code: c for fed in corpus.federations for c in fed.clubs}
    out = {code: ("club", corpus_club_data(clubs[code], 2009)) for code in CLEAN_CLUBS}
    out["서울_연합회"] = ("federation", corpus_federation_data(corpus.federations[0], 2009))
    return out


def mistakes() -> dict[str, list[dict[str, Any]]]:
    d = club_data()
    bad = BRNS[3]
    d["member"][3]["brn"] = bad[:-1] + str((int(bad[-1]) + 1) % 10)  # wrong check digit, 회원사!A5
    d["member"][4]["ksic"] = "04 없는 업종"  # 회원사!D6
    d["activity"][1]["attendees"] = 9  # 9 attending > 6 members, 활동!C3
    d["activity"][2]["date"] = "2009.3.1"  # a date typed as text: fine
    d["consortium"][0].update(gov_won=16_000_000, company_won=4_000_000)  # government share 80 %
    return d


def fill_blank_template(path: Path, data: dict[str, list[dict[str, Any]]]) -> Path:
    """The blank template with the values written by openpyxl, which keeps the formulas and stores no results."""
    saved = templates.CHECK_ROWS
    templates.CHECK_ROWS = 12  # the checked-in template has 200 rows of formulas; 12 are enough here (and fast)
    try:
        blank = write_template(path.with_name("blank.xlsx"), "club", 2009)
    finally:
        templates.CHECK_ROWS = saved
    wb = openpyxl.load_workbook(blank)
    for sheet in BOOK.report_sheets("club"):
        ws = wb[sheet.name]
        for r, rec in enumerate(data[sheet.key]):
            for c, col in enumerate(sheet.columns):
                if sheet.layout == "form":
                    ws.cell(row=2 + c, column=2, value=rec.get(col.key))
                else:
                    ws.cell(row=2 + r, column=1 + c, value=rec.get(col.key))
    wb.save(path)
    return path


def _compare(original: Path, converted: Path) -> tuple[Live, Live]:
    got, want = read_live(converted), expected(original)
    assert got.flagged == want.flagged, got.messages
    assert (got.errors, got.warnings) == (want.errors, want.warnings)
    assert got.counts == want.counts
    return got, want


@pytest.mark.parametrize("name", sorted(p.stem for p in PROBLEMS.glob("*.xlsx")
                                        if p.name not in NOT_WORKBOOKS | {SHEET_DELETED}))
def test_problem_workbooks_agree_with_the_validator(recalculated: dict[str, tuple[Path, Path]], name: str) -> None:
    _compare(*recalculated[name])


def test_problem_workbooks_flag_what_the_mistake_is(recalculated: dict[str, tuple[Path, Path]]) -> None:
    """Exact messages and totals of a few problem workbooks (the mistakes of sample_workbooks/problems/README.md)."""
    got = read_live(recalculated["01_사업자번호_검증번호"][1])
    [(where, msg)] = got.messages.items()
    assert where == ("회원사", 7) and (got.errors, got.warnings) == (1, 0)
    assert msg.startswith("[오류] '사업자등록번호' 값 '") and msg.endswith(
        "'의 검증번호(마지막 자리)가 맞지 않습니다. 사업자등록증을 보고 번호를 다시 확인하세요.")
    got = read_live(recalculated["05_정부지원금_80퍼센트"][1])
    assert got.messages == {("협력과제", 2): "[경고] 정부지원금이 총사업비의 80.0%로 한도 75%를 넘어 지원 대상에서 제외됩니다. "
                                           "기업부담금을 늘리세요. (외 1건)"}
    assert (got.errors, got.warnings) == (0, 2)
    got = read_live(recalculated["09_회장사_명단누락"][1])
    assert got.counts == Counter({("CLUB_CHAIR_NOT_MEMBER", "교류회"): 1})
    got = read_live(recalculated["12_날짜_13월"][1])
    assert got.messages[("활동", 2)] == ("[오류] '일자' 값 '2009.13.01'은(는) 날짜로 읽을 수 없습니다. "
                                       "2009-03-01, 2009.3.1, 2009년 3월 1일 처럼 입력하세요.")


def test_deleted_sheet_breaks_only_the_totals(recalculated: dict[str, tuple[Path, Path]]) -> None:
    """A deleted sheet leaves references to nothing: the totals show an error, the validator says FILE_SHEET_MISSING."""
    original, converted = recalculated[SHEET_DELETED.removesuffix(".xlsx")]
    got = read_live(converted)
    assert not got.flagged
    assert isinstance(got.errors, str) and got.errors.startswith(("#", "Err:"))
    assert [f.code for f in validate([str(original)]).findings] == ["FILE_SHEET_MISSING"]


def test_clean_sample_reports_have_no_flag(recalculated: dict[str, tuple[Path, Path]]) -> None:
    for name in clean_reports():
        original, converted = recalculated["clean_" + name]
        assert not validate([str(original)]).findings
        got = read_live(converted)
        assert (got.flagged, got.errors, got.warnings, got.counts) == (set(), 0, 0, Counter())


@pytest.mark.parametrize("name", sorted(_rule_cases()))
def test_rule_cases_agree_with_the_validator(recalculated: dict[str, tuple[Path, Path]], name: str) -> None:
    got, _want = _compare(*recalculated["rule_" + name])
    if name.startswith("tolerated"):
        assert (got.errors, got.warnings) == (0, 0)
    else:
        assert got.errors + got.warnings > 0


def test_column_code_cases_agree_with_the_validator(recalculated: dict[str, tuple[Path, Path]]) -> None:
    covered = set()
    for i, (_kind, _data, cases) in enumerate(merged_column_cases()):
        _got, want = _compare(*recalculated[f"col_{i:02d}"])
        for case in cases:
            exp = case.expect[0]
            assert want.counts[(exp.code, exp.sheet)] >= 1, case.id
            covered.add(exp.code)
    assert covered == {c for c in LIVE if c in BOOK.column_codes()}


def test_template_filled_by_openpyxl_agrees_with_the_validator(recalculated: dict[str, tuple[Path, Path]]) -> None:
    got, _want = _compare(*recalculated["filled_by_openpyxl"])
    assert got.flagged == {("회원사", 5), ("회원사", 6), ("활동", 3), ("협력과제", 2)}
    assert (got.errors, got.warnings) == (3, 2)


FORMULA_ERRORS = ("#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:")


@pytest.mark.parametrize("name", sorted(p.stem for p in (REPO / "templates").glob("*.xlsx")))
def test_templates_open_without_formula_errors(recalculated: dict[str, tuple[Path, Path]], name: str) -> None:
    """Every cell of every sheet of the checked-in templates, as LibreOffice computes it: no #NAME?, no Err:."""
    original, stem = recalculated["template_" + name]
    sheets = openpyxl.load_workbook(original, read_only=True).sheetnames
    for sheet in sheets:
        with stem.with_name(f"{stem.name}-{sheet}.csv").open(encoding="utf-8", newline="") as fh:
            bad = [v for row in csv.reader(fh) for v in row if v.startswith(FORMULA_ERRORS)]
        assert not bad, (sheet, bad[:5])
    got = read_live(stem)
    # issue 21: a blank template reads 작성 전 (it showed "오류 12건" in red before anything was typed); required
    # fields and the row minimums count once something is typed (the validator still reports an empty report)
    assert (got.errors, got.warnings) == (0, 0)
    with stem.with_name(f"{stem.name}-{livecheck.CHECK_SHEET}.csv").open(encoding="utf-8", newline="") as fh:
        status = list(csv.reader(fh))[2][0]
    assert status == "작성 전: 아직 입력한 내용이 없습니다"
