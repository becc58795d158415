"""The written national workbook: sheets, tables, formats, provenance, live totals (recomputed by LibreOffice),
the chart, links to source cells, and `iupjong refresh` after edited scores and amounts."""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import shutil
import signal
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import BRNS, club_data, federation_data

from iupjong_xl import rulebook
from iupjong_xl.cli import cli
from iupjong_xl.consolidate.derive import Derived, derive
from iupjong_xl.consolidate.merge import consolidate
from iupjong_xl.consolidate.sheets import data_headers
from iupjong_xl.outputs.templates import write_template

BOOK = rulebook.load(2009)
SHEETS = ["요약", "연합회별 지표", "보고현황", "지원금", "교류회", "회원사", "활동", "성과", "협력과제", "연합회", "교류회 명부",
          "검증결과", "제외", "출처", "수정 이력", "변경 내역", "_취합정보"]  # 수정 이력: the ledger's record of hand edits
DATA = {"club": "교류회", "member": "회원사", "activity": "활동", "result": "성과", "consortium": "협력과제",
        "federation": "연합회", "roster": "교류회 명부"}
PROVENANCE = ["원본 파일", "원본 시트", "원본 행", "SHA-256", "서식 버전", "내용 해시"]
SOFFICE_TIMEOUT = 120


def club(code: str, federation: str) -> dict[str, list[dict[str, Any]]]:
    d = club_data()
    d["club"][0].update(club_code=code, federation=federation, club_name=f"{code} 교류회")
    return d


def federation(name: str, codes: list[str]) -> dict[str, list[dict[str, Any]]]:
    d = federation_data()
    d["federation"][0]["federation"] = name
    d["roster"] = [{"club_code": c, "club_name": f"{c} 교류회", "member_count": 6, "founded_year": 2000,
                    "chair_company": "한빛정밀(주)", "reported": "예"} for c in codes]
    return d


def consolidate_cli(*args: str) -> None:
    res = CliRunner().invoke(cli, ["consolidate", "-q", *args])
    assert res.exit_code in (0, 1), res.output


def refresh_cli(path: Path) -> None:
    res = CliRunner().invoke(cli, ["refresh", str(path)])
    assert res.exit_code == 0, res.output


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """서울 (roster of 3: SEO-001 clean, SEO-002 with a rejected activity row, SEO-003 missing) and 부산 (roster of 2:
    BUS-001 resource cooperation only, with a second, ineligible consortium request; BUS-002 missing)."""
    d = tmp_path_factory.mktemp("national")
    files = {}

    def write(name: str, kind: str, data: dict[str, list[dict[str, Any]]]) -> None:
        files[name] = d / name
        write_template(files[name], kind, 2009, data)

    write("서울_2009.xlsx", "federation", federation("서울", ["SEO-001", "SEO-002", "SEO-003"]))
    write("부산_2009.xlsx", "federation", federation("부산", ["BUS-001", "BUS-002"]))
    write("SEO-001.xlsx", "club", club("SEO-001", "서울"))
    seo2 = club("SEO-002", "서울")
    seo2["activity"][1]["attendees"] = 9  # rejected row: 활동!C3
    write("SEO-002.xlsx", "club", seo2)
    bus1 = club("BUS-001", "부산")
    bus1["club"][0].update(activity_info="아니오", activity_resource="예", activity_newproduct="아니오")
    bus1["result"][0]["kind"] = "공동사업"  # not a technology result
    bus1["consortium"].append(dict(bus1["consortium"][0], title="스마트 포장재", gov_won=16_000_000, company_won=4_000_000,
                                   submitted=datetime.date(2009, 3, 21)))
    write("BUS-001.xlsx", "club", bus1)
    out = d / "out" / "전국_2009.xlsx"
    consolidate_cli(*map(str, files.values()), "-o", str(out))
    cons = consolidate(list(map(str, files.values())), output=out)  # what the file holds, recomputed in Python
    return {"out": out, "files": files, "cons": cons, "derived": derive(cons), "dir": d}


@pytest.fixture(scope="module")
def wb(national: dict[str, Any]) -> Any:
    return openpyxl.load_workbook(national["out"])


@pytest.fixture(scope="module")
def cached(national: dict[str, Any]) -> Any:
    return openpyxl.load_workbook(national["out"], data_only=True)


def header(ws: Any, row: int = 1) -> list[Any]:
    return [c.value for c in ws[row]]


# ------------------------------------------------------------------------------------------------- structure


def test_sheet_names_and_the_hidden_meta_sheet(wb: Any, national: dict[str, Any]) -> None:
    assert wb.sheetnames == SHEETS
    assert [ws.sheet_state for ws in wb.worksheets] == ["visible"] * 16 + ["hidden"]
    meta = {r[0]: r[1] for r in wb["_취합정보"].iter_rows(values_only=True)}
    assert meta == {"kind": "consolidated", "level": "national", "year": "2009", "version": BOOK.version,
                    "content_hash": national["cons"].content_hash, "federation": ""}
    assert wb.active.title == "요약"


def test_data_sheets_are_filtered_tables_with_frozen_headers(wb: Any) -> None:
    for key, name in DATA.items():
        ws = wb[name]
        assert header(ws) == [h for _k, h in data_headers(BOOK, key)], name
        assert header(ws)[-7:] == [*PROVENANCE, "행 ID"]  # the hidden row id of the ledger comes last
        assert len(ws.tables) == 1, name
        table = next(iter(ws.tables.values()))
        assert table.ref == f"A1:{openpyxl.utils.get_column_letter(len(header(ws)))}{max(ws.max_row, 2)}", name
        assert table.autoFilter is not None and table.headerRowCount in (None, 1)
        assert ws.freeze_panes == "A2", name
    for name in ("보고현황", "지원금", "검증결과", "제외", "출처"):
        assert len(wb[name].tables) == 1, name
    assert (wb["지원금"].freeze_panes, wb["연합회별 지표"].freeze_panes, wb["요약"].freeze_panes) == ("A4", "B4", "A4")
    assert wb["연합회별 지표"].auto_filter.ref == "A3:S5"  # 연합회, 11 measures, 7 ratios


def test_number_formats(wb: Any) -> None:
    ws = wb["협력과제"]
    cols = {h: i + 1 for i, h in enumerate(header(ws))}
    for h in ("총사업비(원)", "정부지원금(원)", "기업부담금(원)"):
        assert {ws.cell(r, cols[h]).number_format for r in range(2, ws.max_row + 1)} == {"#,##0"}, h
    assert ws.cell(2, cols["신청일"]).number_format == "yyyy-mm-dd"
    assert wb["성과"].cell(2, header(wb["성과"]).index("금액(원)") + 1).number_format == "#,##0"
    assert wb["회원사"].cell(2, header(wb["회원사"]).index("매출액(백만원)") + 1).number_format == "#,##0"
    fund = wb["지원금"]
    fcols = {h: i + 1 for i, h in enumerate(header(fund, 3))}
    for h in ("총사업비(원)", "정부지원금(원)", "기업부담금(원)", "정부지원 선정액(원)", "기업부담 선정액(원)"):
        assert fund.cell(4, fcols[h]).number_format == "#,##0", h
    assert fund.cell(4, fcols["평가점수"]).number_format == "0.0"
    ind = wb["연합회별 지표"]
    assert ind["B4"].number_format == "#,##0" and ind["M4"].number_format == "0.0"
    total_won = next(r for r in fund.iter_rows() if r[0].value == "선정 총사업비(원)")
    assert total_won[1].number_format == "#,##0"  # no redundant "단위: 천원 →" cell beside it (issue 13, point 1)
    assert all(c.value is None for c in total_won[4:])
    club = wb["교류회"]  # years and row numbers without thousands separators (point 2)
    ccols = {h: i + 1 for i, h in enumerate(header(club))}
    for h in ("연도", "설립연도", "보고연도", "원본 행"):
        assert club.cell(2, ccols[h]).number_format == "0", h


def test_provenance_columns(wb: Any, national: dict[str, Any]) -> None:
    ws = wb["활동"]
    cols = {h: i for i, h in enumerate(header(ws))}
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True)]
    seo2 = [r for r in rows if r[cols["교류회코드"]] == "SEO-002"]
    path = national["files"]["SEO-002.xlsx"]
    assert [r[cols["원본 행"]] for r in seo2] == [2, 4]  # row 3 was rejected
    assert {r[cols["원본 파일"]] for r in seo2} == {str(path)}
    assert {r[cols["원본 시트"]] for r in seo2} == {"활동"}
    assert {r[cols["SHA-256"]] for r in seo2} == {hashlib.sha256(path.read_bytes()).hexdigest()}
    assert {r[cols["서식 버전"]] for r in rows} == {BOOK.version}
    assert {r[cols["내용 해시"]] for r in rows} == {national["cons"].content_hash}  # not 실행 ID: the ledger's run
    assert re.fullmatch(r"[0-9a-f]{12}", national["cons"].content_hash)
    src = wb["출처"]
    scols = {h: i for i, h in enumerate(header(src))}
    for r in src.iter_rows(min_row=2, values_only=True):
        p = Path(r[scols["파일"]])
        assert r[scols["SHA-256"]] == hashlib.sha256(p.read_bytes()).hexdigest()


def test_indicator_totals_are_sum_formulas_with_python_values(wb: Any, cached: Any, national: dict[str, Any]) -> None:
    d: Derived = national["derived"]
    ws, vals = wb["연합회별 지표"], cached["연합회별 지표"]
    assert [ws.cell(r, 1).value for r in (4, 5, 6)] == ["서울", "부산", "전국 합계"]
    t = d.table.total
    assert (t["registered_clubs"], t["reported_clubs"], t["registered_members"], t["clubs_info"],
            t["clubs_resource"], t["clubs_with_tech_results"], t["tech_results"], t["monthly_meetings"]) == (
        5, 3, 30, 2, 1, 2, 2, 5)
    for c in range(2, 13):
        col = openpyxl.utils.get_column_letter(c)
        assert ws.cell(6, c).value == f"=SUM({col}4:{col}5)"
        assert vals.cell(6, c).value == list(t.values())[c - 2]
    ratio = [i for i in BOOK.indicators if i.denominator]
    for i, ind in enumerate(ratio):
        assert ws.cell(6, 13 + i).value.startswith("=IF(")
        assert vals.cell(6, 13 + i).value == d.table.value(ind)
    assert vals["M6"].value == 60.0  # reporting rate: 3 of 5, from summed numerators and denominators


def test_summary_values_are_live_and_equal_python(wb: Any, cached: Any, national: dict[str, Any]) -> None:
    d: Derived = national["derived"]
    ws, vals = wb["요약"], cached["요약"]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    for ind in BOOK.indicators:
        r = rows[ind.ko]
        assert ws.cell(r, 3).value.startswith("='연합회별 지표'!")  # 항목, 단위, 값, 공표치, 비교, 산식
        assert vals.cell(r, 3).value == d.table.value(ind), ind.key
        assert vals.cell(r, 2).value == ind.unit
        if ind.paper is not None:
            assert vals.cell(r, 4).value == ind.paper
    t = d.round.totals()
    for label, key in [("신청", "requests"), ("지원 적격", "eligible"), ("선정", "selected"),
                       ("선정 총사업비(원)", "selected_total_won"), ("정부지원 합계(원)", "selected_gov_won"),
                       ("기업부담 합계(원)", "selected_company_won")]:
        assert ws.cell(rows[label], 3).value.startswith("='지원금'!B"), label
        assert vals.cell(rows[label], 3).value == t[key], label
    assert t == {"requests": 4, "eligible": 3, "selected": 0, "selected_total_won": 0, "selected_gov_won": 0,
                 "selected_company_won": 0, "max_consortia": 50, "budget_won": 1_000_000_000}


def test_funding_sheet(wb: Any, cached: Any) -> None:
    ws = wb["지원금"]
    rows = [r for r in cached["지원금"].iter_rows(min_row=4, max_row=7, values_only=True)]
    cols = {h: i for i, h in enumerate(header(ws, 3))}
    # federations in reference order (서울 before 부산), then club code, then the club's request number
    assert [r[cols["과제키"]] for r in rows] == ["2009/SEO-001/1", "2009/SEO-002/1", "2009/BUS-001/1", "2009/BUS-001/2"]
    assert [r[cols["지원자격"]] for r in rows] == ["적격", "적격", "적격", "부적격"]
    assert rows[3][cols["부적격 사유"]] == "정부지원 80.0% > 75%; 기업부담 20.0% < 25%"
    assert [r[cols["비고"]] for r in rows] == ["평가점수 미입력", "평가점수 미입력", "평가점수 미입력", None]
    assert all(type(r[cols["총사업비(원)"]]) is int for r in rows)
    formulas = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(9, ws.max_row + 1)}
    assert formulas["선정 건수"] == '=COUNTIF(R4:R7,"예")'
    assert formulas["선정 총사업비(원)"] == '=SUMIF(R4:R7,"예",J4:J7)'
    assert formulas["정부지원 합계(원)"] == "=SUM(S4:S7)"


def test_a_chart_of_the_reporting_rate(national: dict[str, Any]) -> None:
    with zipfile.ZipFile(national["out"]) as z:
        names = z.namelist()
        assert "xl/charts/chart1.xml" in names
        chart = z.read("xl/charts/chart1.xml").decode()
        rels = z.read("xl/worksheets/_rels/sheet2.xml.rels").decode()  # sheet2 = 연합회별 지표
    assert "'연합회별 지표'!$M$4:$M$5" in chart and "'연합회별 지표'!$A$4:$A$5" in chart
    assert "drawing" in rels


def test_findings_link_to_their_source_cells(wb: Any, national: dict[str, Any]) -> None:
    ws = wb["검증결과"]
    cols = {h: i + 1 for i, h in enumerate(header(ws))}
    rows = {ws.cell(r, cols["코드"]).value: r for r in range(2, ws.max_row + 1)}
    r = rows["ACTIVITY_ATTENDANCE_EXCEEDS_MEMBERS"]
    cell = ws.cell(r, cols["셀"])
    assert cell.value == "C3"
    target = os.path.relpath(national["files"]["SEO-002.xlsx"], national["out"].parent)
    assert cell.hyperlink.target.replace("\\", "/") == Path(target).as_posix()
    assert cell.hyperlink.location == "'활동'!C3"
    rejected = [list(x) for x in wb["제외"].iter_rows(min_row=2, values_only=True)]
    assert rejected == [[str(national["files"]["SEO-002.xlsx"]), "활동", 3, "ACTIVITY_ATTENDANCE_EXCEEDS_MEMBERS"]]


def test_reporting_sheet(cached: Any) -> None:
    rows = [r[:5] for r in cached["보고현황"].iter_rows(min_row=2, values_only=True)]
    assert rows == [("서울", "SEO-001", "SEO-001 교류회", 6, "예"), ("서울", "SEO-002", "SEO-002 교류회", 6, "예"),
                    ("서울", "SEO-003", "SEO-003 교류회", 6, "아니오"), ("부산", "BUS-001", "BUS-001 교류회", 6, "예"),
                    ("부산", "BUS-002", "BUS-002 교류회", 6, "아니오")]


# ------------------------------------------------------------------------------------------ LibreOffice recalc


def _without_cached_values(src: Path, dst: Path) -> int:
    """A copy whose formula cells have 0 as cached value: whatever LibreOffice shows then, it computed."""
    n = 0
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        for item in zi.infolist():
            data = zi.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data, k = re.subn(rb"(<f>[^<]*</f>)<v>[^<]*</v>", rb"\1<v>0</v>", data)
                data = re.sub(rb'<c ([^>]*?) t="str">(<f>)', rb"<c \1>\2", data)  # "" results were strings
                n += k
            zo.writestr(item, data)
    return n


def _soffice(files: list[Path], outdir: Path, profile: Path) -> list[Path]:
    """Convert to xlsx with one soffice run, own profile set to recalculate every formula on load, hard timeout."""
    xcu = profile / "user" / "registrymodifications.xcu"
    xcu.parent.mkdir(parents=True, exist_ok=True)
    xcu.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">'
        "<value>0</value></prop></item>\n</oor:items>\n", encoding="utf-8")
    cmd = [shutil.which("soffice") or "soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
           "--norestore", "--nolockcheck", "--convert-to", "xlsx", "--outdir", str(outdir), *map(str, files)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=SOFFICE_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"soffice did not finish in {SOFFICE_TIMEOUT}s")
    converted = [outdir / f.name for f in files]
    assert all(p.is_file() for p in converted), (proc.returncode, out, err)
    return converted


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not on PATH")
def test_libreoffice_recalculates_the_same_totals(national: dict[str, Any], tmp_path: Path) -> None:
    blank = tmp_path / "in" / "blank.xlsx"
    blank.parent.mkdir()
    assert _without_cached_values(national["out"], blank) > 30
    as_is = tmp_path / "in" / "as_is.xlsx"
    shutil.copy(national["out"], as_is)
    lo_blank, lo_as_is = _soffice([blank, as_is], tmp_path / "lo", tmp_path / "profile")
    d: Derived = national["derived"]
    t = d.round.totals()
    for path in (lo_blank, lo_as_is):
        wb = openpyxl.load_workbook(path, data_only=True)
        ind = wb["연합회별 지표"]
        for r, row in ((4, d.table.measures["서울"]), (5, d.table.measures["부산"]), (6, d.table.total)):
            assert [ind.cell(r, c).value for c in range(2, 13)] == list(row.values()), (path.name, r)
            for i, indicator in enumerate(x for x in BOOK.indicators if x.denominator):
                value = d.table.value(indicator) if r == 6 else indicator_value_of(indicator, row)
                assert ind.cell(r, 13 + i).value == pytest.approx(value, rel=1e-12), (path.name, r, indicator.key)
        summary = wb["요약"]
        labels = {summary.cell(r, 1).value: summary.cell(r, 3).value for r in range(1, summary.max_row + 1)}
        for indicator in BOOK.indicators:
            assert labels[indicator.ko] == pytest.approx(d.table.value(indicator), rel=1e-12), indicator.key
        assert (labels["선정"], labels["지원 적격"], labels["선정 총사업비(원)"]) == (t["selected"], t["eligible"], 0)
        fund = wb["지원금"]
        lines = {fund.cell(r, 1).value: [fund.cell(r, c).value for c in (2, 3, 4)] for r in range(9, fund.max_row + 1)}
        assert lines["선정 건수"] == [0, 50, 50]
        assert lines["선정 총사업비(원)"] == [0, 1_000_000_000, 1_000_000_000]
        assert lines["신청 건수"][0] == 4 and lines["지원 적격"][0] == 3


def indicator_value_of(ind: Any, row: dict[str, int]) -> float | None:
    from iupjong_xl.consolidate.indicators import indicator_value

    return indicator_value(ind, row)


# ------------------------------------------------------------------------------------------------- refresh


N_REQ = 51
A, B = 50, 51  # request numbers competing for the 50th slot


@pytest.fixture
def round_workbook(tmp_path: Path) -> Path:
    """One club with 51 eligible requests: 50 of 19,000,000 won and the 51st of 10,000,000 won. The count (50)
    binds: 51 × 19,000,000 < 1,000,000,000."""
    d = club("SEO-001", "서울")
    base = d["consortium"][0]
    d["consortium"] = [dict(base, title=f"과제 {i:02d}", lead_brn=BRNS[0], partner_brns=BRNS[1], total_won=19_000_000,
                            gov_won=14_250_000, company_won=4_750_000) for i in range(1, N_REQ + 1)]
    d["consortium"][B - 1].update(total_won=10_000_000, gov_won=7_500_000, company_won=2_500_000)
    src = tmp_path / "SEO-001.xlsx"
    write_template(src, "club", 2009, d)
    out = tmp_path / "전국.xlsx"
    consolidate_cli(str(src), "-o", str(out))
    return out


def _funding_rows(path: Path) -> dict[int, dict[str, Any]]:
    ws = openpyxl.load_workbook(path, data_only=True)["지원금"]
    heads = header(ws, 3)
    out = {}
    for r in ws.iter_rows(min_row=4, values_only=True):
        if not r[0]:
            break
        out[int(r[0].rsplit("/", 1)[1])] = dict(zip(heads, r, strict=True))
    return out


def _funding_totals(path: Path) -> dict[str, Any]:
    ws = openpyxl.load_workbook(path, data_only=True)["지원금"]
    return {r[0].value: r[1].value for r in ws.iter_rows(min_row=4) if (r[0].value and "(원)" in str(r[0].value))
            or r[0].value == "선정 건수"}


def _type_scores(path: Path, scores: dict[int, float]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["지원금"]
    col = header(ws, 3).index("평가점수") + 1
    for r in range(4, 4 + N_REQ):
        n = int(ws.cell(r, 1).value.rsplit("/", 1)[1])
        if n in scores:
            ws.cell(r, col).value = scores[n]
    wb.save(path)


def test_refresh_after_an_edited_score(round_workbook: Path) -> None:
    out = round_workbook
    assert all(r["비고"] == "평가점수 미입력" for r in _funding_rows(out).values())
    _type_scores(out, {**{i: 80 for i in range(1, 50)}, A: 70, B: 60})
    refresh_cli(out)
    rows = _funding_rows(out)
    assert (rows[A]["선정"], rows[A]["순위"], rows[B]["선정"], rows[B]["순위"]) == ("예", 50, "아니오", 51)
    assert rows[B]["비고"] == "선정 한도 50건 초과"
    assert _funding_totals(out) == {"선정 건수": 50, "선정 총사업비(원)": 950_000_000, "정부지원 합계(원)": 712_500_000,
                                    "기업부담 합계(원)": 237_500_000}
    _type_scores(out, {B: 75})  # B now beats A for the last slot
    refresh_cli(out)
    rows = _funding_rows(out)
    assert (rows[B]["선정"], rows[B]["순위"], rows[A]["선정"], rows[A]["순위"]) == ("예", 50, "아니오", 51)
    assert rows[A]["비고"] == "선정 한도 50건 초과" and rows[A]["정부지원 선정액(원)"] == 0
    assert (rows[B]["평가점수"], rows[A]["평가점수"], rows[1]["평가점수"]) == (75, 70, 80)  # typed scores kept
    assert _funding_totals(out) == {"선정 건수": 50, "선정 총사업비(원)": 941_000_000, "정부지원 합계(원)": 705_750_000,
                                    "기업부담 합계(원)": 235_250_000}
    summary = openpyxl.load_workbook(out, data_only=True)["요약"]
    labels = {r[0]: r[2] for r in summary.iter_rows(values_only=True)}
    assert (labels["선정 총사업비(원)"], labels["정부지원 합계(원)"]) == (941_000_000, 705_750_000)
    # a later consolidation of the same file keeps the typed scores and the selection
    consolidate_cli(str(out.parent / "SEO-001.xlsx"), "-o", str(out))
    rows = _funding_rows(out)
    assert (rows[B]["평가점수"], rows[B]["선정"], rows[A]["선정"]) == (75, "예", "아니오")


def test_refresh_after_a_corrected_amount(round_workbook: Path) -> None:
    out = round_workbook
    _type_scores(out, {**{i: 80 for i in range(1, 50)}, A: 70, B: 60})
    wb = openpyxl.load_workbook(out)
    ws = wb["협력과제"]
    cols = {h: i + 1 for i, h in enumerate(header(ws))}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, cols["과제명"]).value == "과제 01")
    ws.cell(row, cols["정부지원금(원)"]).value = 15_200_000  # 80 %: no longer eligible
    ws.cell(row, cols["기업부담금(원)"]).value = 3_800_000
    wb.save(out)
    refresh_cli(out)
    rows = _funding_rows(out)
    assert (rows[1]["지원자격"], rows[1]["선정"], rows[1]["순위"]) == ("부적격", "아니오", None)
    assert rows[1]["부적격 사유"] == "정부지원 80.0% > 75%; 기업부담 20.0% < 25%"
    assert rows[1]["평가점수"] == 80  # the score stays typed in
    assert (rows[A]["선정"], rows[B]["선정"]) == ("예", "예")  # 50 eligible with a score: all fit now
    assert _funding_totals(out)["선정 총사업비(원)"] == 48 * 19_000_000 + 19_000_000 + 10_000_000
    data = openpyxl.load_workbook(out)["협력과제"]
    assert data.cell(row, cols["정부지원금(원)"]).value == 15_200_000  # the edited input is kept
    # correcting it back makes it eligible again; it outranks A and B (score 80) and takes the last slot of them
    wb = openpyxl.load_workbook(out)
    wb["협력과제"].cell(row, cols["정부지원금(원)"]).value = 14_250_000
    wb["협력과제"].cell(row, cols["기업부담금(원)"]).value = 4_750_000
    wb.save(out)
    refresh_cli(out)
    rows = _funding_rows(out)
    assert (rows[1]["지원자격"], rows[1]["선정"], rows[A]["선정"], rows[B]["선정"]) == ("적격", "예", "예", "아니오")


def test_refresh_rewrites_only_what_is_derived(national: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "copy.xlsx"
    shutil.copy(national["out"], out)
    before = openpyxl.load_workbook(out)
    refresh_cli(out)
    after = openpyxl.load_workbook(out)
    assert after.sheetnames == SHEETS
    for name in [*DATA.values(), "요약", "연합회별 지표", "보고현황", "지원금", "검증결과", "제외", "출처"]:
        rows = [[c.value for c in r] for r in after[name].iter_rows()]
        if name == "검증결과":  # a copy without its ledger is taken into a new one, with a warning saying so
            assert [r[5] for r in rows].count("LEDGER_BOOTSTRAP") == 1
            rows = [r for r in rows if r[5] != "LEDGER_BOOTSTRAP"]
        assert rows == [[c.value for c in r] for r in before[name].iter_rows()], name
    assert openpyxl.load_workbook(out)["검증결과"]["C2"].hyperlink is not None


def test_refresh_of_a_workbook_that_is_not_consolidated(national: dict[str, Any]) -> None:
    res = CliRunner().invoke(cli, ["refresh", str(national["files"]["SEO-001.xlsx"])])
    assert res.exit_code == 2 and "not a workbook written by" in res.output
