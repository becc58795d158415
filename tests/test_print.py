"""Workbooks people read and print (issue 13): every workbook kind the program writes, rendered by LibreOffice to PDF
(one soffice run for all of them) and read back with pdftotext/pdfinfo, plus the rules of the shared xlsx kit checked
in the files themselves: no ###, no cut-off text, Korean throughout, years without separators, a page setup on every
sheet (one page wide, header rows repeated, footer with the sheet name and page x / y), 요약 and 연합회별 지표 on one
page each, charts from zero with Korean titles, empty sheets that say so."""

from __future__ import annotations

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

from iupjong_xl.cli.commands import cli
from iupjong_xl.outputs.xlsx import display_width

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_workbooks"
SOFFICE_TIMEOUT = 240
ENGLISH = re.compile(r"\b(created|replaced|unchanged|kept|rejected|conflicts?|duplicate|national|federation|club|error|"
                     r"warning|support_budget_million_won|rows in)\b")
PAGE_FOOTER = re.compile(r"^\s*(\S.*?)\s{2,}(\d+)\s*/\s*(\d+)\s*$")


def run(*args: str) -> Any:
    res = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert res.exit_code in (0, 1), res.output
    return res


def inputs(year: int) -> list[str]:
    """The 13 federation rosters and the clubs of 제주: every federation on 연합회별 지표, little data to print."""
    base = SAMPLES / str(year)
    return sorted(map(str, base.glob(f"*/*_연합회_{year}.xlsx"))) + sorted(map(str, (base / "제주").glob("*_JJU-*.xlsx")))


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("인쇄")
    out = {"dir": d, "national": d / "전국_2009.xlsx", "national08": d / "전국_2008.xlsx", "findings": d / "검증.xlsx",
           "directory": d / "명부.xlsx", "partners": d / "파트너.xlsx", "trends": d / "추이.xlsx", "copies": d / "사본"}
    # and a club report with an extra column (a warning, nothing rejected)
    out["consolidate"] = run("consolidate", *inputs(2009), str(SAMPLES / "problems" / "16_열_추가.xlsx"), "-o",
                             str(out["national"]), "-q")
    run("consolidate", *inputs(2008), "-o", str(out["national08"]), "-q")
    out["validate"] = run("validate", str(SAMPLES / "problems"), "--format", "xlsx", "-o", str(out["findings"]),
                          "--annotate", str(out["copies"]), "-q")
    run("directory", str(out["national"]), "-o", str(out["directory"]))
    from iupjong_xl.analyses.directory import build_directory

    lead = next(c for c in build_directory(out["national"]).companies if c.division)
    out["partners_cli"] = run("partners", str(out["national"]), "--lead", lead.brn, "--need", "포장 자동화 비전검사",
                              "--format", "xlsx", "-o", str(out["partners"]))
    run("trends", str(out["national08"]), str(out["national"]), "-o", str(out["trends"]))
    return out


@pytest.fixture(scope="module")
def rendered(books: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every workbook kind (the checked-in templates and an annotated copy too) as PDF, from one soffice run."""
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("needs LibreOffice (soffice) and poppler-utils (pdftotext)")
    names = ["national", "findings", "directory", "partners", "trends"]
    copy = books["copies"] / "01_사업자번호_검증번호_검증.xlsx"
    files = [books[n] for n in names] + [ROOT / "templates" / "club_2009.xlsx", ROOT / "templates" / "federation_2009.xlsx",
                                         copy]
    outdir = tmp_path_factory.mktemp("pdf")
    profile = tmp_path_factory.mktemp("lo") / "profile"
    cmd = [shutil.which("soffice") or "soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
           "--nolockcheck", "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        proc.communicate(timeout=SOFFICE_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"soffice --convert-to pdf did not finish in {SOFFICE_TIMEOUT}s")
    out = {}
    for name, f in zip([*names, "club_template", "federation_template", "copy"], files, strict=True):
        pdf = outdir / (f.stem + ".pdf")
        assert pdf.is_file(), f"soffice did not write {pdf.name}"
        out[name] = pdf
    return out


@pytest.fixture(scope="module")
def pdfs(rendered: dict[str, Path]) -> dict[str, list[str]]:
    """The rendered workbooks as pages of text (pdftotext -layout)."""
    pages: dict[str, list[str]] = {}
    for name, pdf in rendered.items():
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                              timeout=60).stdout
        pages[name] = text.split("\f")[:-1]
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
        assert int(re.search(r"Pages:\s+(\d+)", info)[1]) == len(pages[name])  # type: ignore[index]
    return pages


def per_sheet(pages: list[str]) -> dict[str, int]:
    """Printed pages per sheet, from the footer every page carries: "<sheet name> … x / y"."""
    count: dict[str, int] = {}
    for p in pages:
        lines = [ln for ln in p.splitlines() if ln.strip()]
        m = PAGE_FOOTER.match(lines[-1]) if lines else None
        assert m, f"a page without the footer (sheet name, page x / y): {lines[-1:]}"
        count[m[1]] = count.get(m[1], 0) + 1
    return count


# ------------------------------------------------------------------------------------------------ rendered


def test_no_hash_marks_on_any_page(pdfs: dict[str, list[str]]) -> None:
    """Point 1: numbers too wide for their column print as ###; widths come from the content now."""
    for name, pages in pdfs.items():
        bad = [i + 1 for i, p in enumerate(pages) if "###" in p]
        assert not bad, f"{name}: ### on pages {bad}"


def test_summary_and_indicators_print_on_one_page_each(pdfs: dict[str, list[str]]) -> None:
    """Point 5: the national workbook's sheets are one page wide with a footer; 요약 and 연합회별 지표 one page."""
    sheets = per_sheet(pdfs["national"])
    # 8 pt wins over one page (issue 21): 요약 and 연합회별 지표 on at most two pages each, across then down
    assert sheets["요약"] <= 2 and sheets["연합회별 지표"] <= 2
    assert sum(sheets.values()) < 70  # 13 rosters and 4 club reports, none of it under 8 pt
    ind = "\n".join(per_sheet_pages(pdfs["national"], ("연합회별 지표",)))
    assert "제주" in ind and "전국 합계" in ind and "보고율(%)" in ind  # names, ratios and total row on the one page
    summary = pdfs["national"][0]
    assert "지역연합회" in summary and "일치" in summary and "× 1\n" not in summary and "× 1 " not in summary


def test_findings_print_with_every_column_on_the_page(pdfs: dict[str, list[str]]) -> None:
    """Points 5 and 6: file, sheet, cell and the message on the same page, the header repeated on each page."""
    sheets = per_sheet(pdfs["findings"])
    assert sheets["요약"] <= 2  # 8 pt wins over one page (issue 21)
    for p in pdfs["findings"][1:]:  # the file column repeats on the pages that continue a row to the right
        assert "파일" in p and ".xlsx" in p
    assert any("내용" in p for p in pdfs["findings"][1:])
    text = "\n".join(pdfs["findings"])
    assert "사업자등록번호" in text and "FILE_SHEET_MISSING" in text


def test_korean_only_in_korean_output(pdfs: dict[str, list[str]]) -> None:
    """Point 4: no raw rule-book keys or English status words in what a Korean user prints."""
    for name in ("national", "directory", "partners", "trends"):
        found = {m for p in pdfs[name] for m in ENGLISH.findall(p)}
        assert not found, f"{name}: {found}"
    findings = "\n".join(pdfs["findings"])
    assert not re.search(r"\b(error|warning)\b", findings)
    assert "유지" not in "".join(pdfs["trends"])  # levels and statuses are Korean words, not codes
    assert "전국 지표 추이" in pdfs["trends"][0] and "(national)" not in pdfs["trends"][0]


def test_years_print_without_separators(pdfs: dict[str, list[str]]) -> None:
    """Point 2: 1,990 / 2,009 were years printed with a thousands separator."""
    year_like = re.compile(r"\b(1,9\d\d|2,0[01]\d)\b")
    national = per_sheet_pages(pdfs["national"], ("교류회", "교류회 명부", "연합회", "출처", "제외"))
    assert national and not any(year_like.search(p) for p in national)
    assert not any(year_like.search(p) for p in pdfs["trends"])
    assert any(re.search(r"\b2008\b", p) and "지원예산" in p for p in pdfs["trends"])


def per_sheet_pages(pages: list[str], sheets: tuple[str, ...]) -> list[str]:
    out = []
    for p in pages:
        lines = [ln for ln in p.splitlines() if ln.strip()]
        m = PAGE_FOOTER.match(lines[-1]) if lines else None
        if m and m[1] in sheets:
            out.append(p)
    return out


def test_empty_sheets_say_so(pdfs: dict[str, list[str]]) -> None:
    """Point 10: 제외 with nothing rejected is not a bare header."""
    rejected = per_sheet_pages(pdfs["national"], ("제외",))
    assert len(rejected) == 1 and "제외된 행이 없습니다" in rejected[0]


# ------------------------------------------------------------------------------------------------ in the files


def _workbooks(books: dict[str, Any]) -> dict[str, Path]:
    copies = sorted(books["copies"].glob("*.xlsx"))
    return {"national": books["national"], "findings": books["findings"], "directory": books["directory"],
            "partners": books["partners"], "trends": books["trends"], "copy": copies[0]}


def test_every_sheet_has_a_page_setup(books: dict[str, Any]) -> None:
    """Point 5: an explicit scale (issue 21: never "fit to page"), footer with sheet name and page x / y, A4, a print
    area, header rows repeated."""
    for name, path in _workbooks(books).items():
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            if ws.sheet_state != "visible" or (name == "copy" and ws.title != "검증결과"):
                continue
            where = f"{name}/{ws.title}"
            assert not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage, where
            assert int(ws.page_setup.scale or 100) >= 73 and str(ws.page_setup.paperSize) == "9", where
            assert ws.oddFooter.left.text == "&A" and ws.oddFooter.right.text == "&P / &N", where
            assert ws.print_area, where
            if ws.tables or ws.auto_filter.ref:
                assert ws.print_title_rows, where


def test_no_text_is_cut_off(books: dict[str, Any]) -> None:
    """Point 6: a text wider than its column either overflows into an empty neighbour or wraps with a row height."""
    nowrap = {"SHA-256", "내용 해시", "원본 파일", "취합본"}
    for name, path in _workbooks(books).items():
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            if ws.sheet_state != "visible" or (name == "copy" and ws.title != "검증결과"):
                continue
            heads: dict[int, str] = {}
            widths = col_widths(ws)
            for row in ws.iter_rows():
                for cell in row:
                    v = cell.value
                    if not isinstance(v, str) or v.startswith("="):
                        continue
                    if isinstance(v, str) and v in nowrap:
                        heads[cell.column] = v
                    if cell.column in heads:
                        continue
                    width = widths.get(cell.column, 8.43)
                    right = ws.cell(cell.row, cell.column + 1).value
                    fits = display_width(max(v.split("\n"), key=display_width)) <= width or right in (None, "")
                    if width == 0 or (fits and "\n" not in v):  # hidden, or fits / overflows into an empty cell
                        continue
                    where = f"{name}/{ws.title}!{cell.coordinate} {v[:30]!r} (width {width:.1f})"
                    assert cell.alignment.wrap_text, where
                    lines = sum(max(1, -(-display_width(seg) // max(1, int(width) - 1))) for seg in v.split("\n"))
                    if lines > 1:
                        assert (ws.row_dimensions[cell.row].height or 15) >= 15 * min(lines, 20) * 0.95, where


def col_widths(ws: Any) -> dict[int, float]:
    """Column index -> width (0 when hidden); openpyxl groups equal columns into one dimension (min..max)."""
    out: dict[int, float] = {}
    for dim in ws.column_dimensions.values():
        if dim.min is None:
            continue
        for c in range(dim.min, dim.max + 1):
            out[c] = 0 if dim.hidden else (dim.width or 8.43)
    return out


def test_year_and_count_formats(books: dict[str, Any]) -> None:
    """Point 2: year columns carry the number format 0 (in the XML), not #,##0."""
    wb = openpyxl.load_workbook(books["national"])
    for sheet, heads in (("교류회", ("연도", "설립연도", "보고연도", "원본 행")), ("교류회 명부", ("연도", "원본 행")),
                         ("연합회", ("연도", "원본 행"))):
        ws = wb[sheet]
        cols = {c.value: c.column for c in ws[1]}
        for h in heads:
            assert ws.cell(2, cols[h]).number_format == "0", (sheet, h)
    trends = openpyxl.load_workbook(books["trends"])
    assert trends["지원예산"]["A4"].value == 2008 and trends["지원예산"]["A4"].number_format == "0"
    assert trends["출처"]["A2"].number_format == "0"


def test_charts_start_at_zero_with_korean_titles(books: dict[str, Any]) -> None:
    """Point 3: the budget chart started at 370 (400 looked three times 380), titled with a rule-book key."""
    for name in ("national", "directory", "trends"):
        with zipfile.ZipFile(books[name]) as z:
            charts = [z.read(n).decode() for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        assert charts, name
        for xml in charts:
            assert re.search(r'<c:valAx>.*?<c:min val="0"/>', xml, re.S), name
            titles = re.findall(r"<a:t>([^<]*)</a:t>", xml)
            assert titles and all(re.search(r"[가-힣]", t) or re.fullmatch(r"[\d%]+", t) for t in titles), (name, titles)


def test_national_marks_non_reporters_and_colours_findings(books: dict[str, Any]) -> None:
    """Points 10 and 11: 보고현황 marks the clubs that did not report (and has no empty 비고 column); warnings in
    검증결과 are coloured; 지원금 shows company names beside the registration numbers (point 12)."""
    wb = openpyxl.load_workbook(books["national"])
    rep = wb["보고현황"]
    assert [c.value for c in rep[1]] == ["연합회", "교류회코드", "교류회명", "명부 회원사 수", "보고서 접수"]
    missing = [r[4] for r in rep.iter_rows(min_row=2) if r[4].value == "아니오"]
    assert missing and all(c.fill.fgColor.rgb == "FFFFC7CE" for c in missing)
    received = [r[4] for r in rep.iter_rows(min_row=2) if r[4].value == "예"]
    assert received and all(c.fill.fill_type is None for c in received)
    fs = wb["검증결과"]
    sev = {c.value: c for c in fs["G"][1:] if c.value}
    assert "경고" in sev and sev["경고"].fill.fgColor.rgb == "FFFFEB9C"
    fund = wb["지원금"]
    heads = [c.value for c in fund[3]]
    assert heads[heads.index("주관기업") + 1] == "주관기업명" and heads[heads.index("참여기업") + 1] == "참여기업명"
    names = [fund.cell(4, heads.index("주관기업명") + 1).value, fund.cell(4, heads.index("참여기업명") + 1).value]
    assert all(isinstance(n, str) and re.search(r"[가-힣]", n) for n in names)
    assert not any("천원" in str(c.value) for row in fund.iter_rows() for c in row if c.value)  # point 1


def test_no_empty_columns_for_people(books: dict[str, Any]) -> None:
    """Points 9 and 10: 2008 has no published figures, so its 요약 has no empty 공표치 column; a data-sheet column
    no row fills (연합회's 회장사) is hidden, its header kept for the reader; the directory leaves out 교류회별로 다른 값."""
    summary08 = openpyxl.load_workbook(books["national08"])["요약"]
    assert [c.value for c in summary08[3]] == ["항목", "단위", "값", "산식"]
    summary = openpyxl.load_workbook(books["national"])["요약"]
    assert [c.value for c in summary[3]] == ["항목", "단위", "값", "공표치(2009.3)", "비교", "산식"]
    fed = openpyxl.load_workbook(books["national"])["연합회"]
    heads = [c.value for c in fed[1]]
    widths = col_widths(fed)
    empty = [i + 1 for i in range(len(heads)) if all(r[i] in (None, "") for r in fed.iter_rows(min_row=2, values_only=True))]
    assert empty and all(widths.get(c) == 0 for c in empty)
    assert "교류회별로 다른 값" not in [c.value for c in openpyxl.load_workbook(books["directory"])["회원사 명부"][3]]


def test_partners_show_contacts_and_wrap_reasons(books: dict[str, Any]) -> None:
    """Points 6 and 12: the reasons (several lines) get their row height; a contact column (the club's 총무)."""
    ws = openpyxl.load_workbook(books["partners"])["파트너 후보"]
    heads = [c.value for c in ws[4]]
    assert heads[-1] == "연락처 (교류회 총무)"
    first = ws.cell(5, len(heads)).value
    assert re.match(r"[A-Z]{3}-\d{3} 총무 \S+", first)
    assert ws.cell(5, heads.index("순위 근거") + 1).alignment.wrap_text and ws.row_dimensions[5].height >= 30


def test_findings_links(books: dict[str, Any]) -> None:
    """Point 8: links open the marked-up copies when there are any; a sheet the file does not have is not linked
    to; the summary says where links point."""
    wb = openpyxl.load_workbook(books["findings"])
    ws = wb["검증결과"]
    cols = {c.value: c.column for c in ws[1]}
    copies = {p.name for p in books["copies"].glob("*.xlsx")}
    targets = set()
    for r in range(2, ws.max_row + 1):
        code = ws.cell(r, cols["코드"]).value
        for c in (1, 2, 3):
            link = ws.cell(r, c).hyperlink
            if link is None:
                continue
            targets.add(link.target.replace("\\", "/"))
            if code == "FILE_SHEET_MISSING":
                assert not link.location, "a link into the sheet the file does not have"
    assert any(t.startswith("사본/") and t.split("/")[-1] in copies for t in targets)
    assert "01_사업자번호_검증번호_검증.xlsx" in copies
    note = wb["요약"]["A2"].value
    assert "표시한 사본" in note and "폴더" in note
    codes = [r for r in wb["요약"].iter_rows(values_only=True) if r[0] == "MEMBER_BRN_CHECKSUM"]
    assert codes and re.search(r"[가-힣]", codes[0][2])  # the code table says what each code means, in Korean


def test_terminal_tables_are_korean_and_right_align_numbers(books: dict[str, Any]) -> None:
    """Points 4 and 14: consolidate's table in Korean (English only with --lang en), numbers right-aligned."""
    out = books["consolidate"].output
    assert "신규" in out and "입력 행" in out and not ENGLISH.search(out.replace(str(books["dir"]), ""))
    row = next(ln for ln in out.splitlines() if re.match(r"^│\s+\d", ln))
    cells = row.strip("│").split("│")
    assert all(c.endswith(" ") and (c.startswith("  ") or len(c.strip()) + 2 == len(c)) for c in cells)
    assert all(re.fullmatch(r"\s*[\d,]+ ", c) for c in cells), cells
    fed = next(ln for ln in out.splitlines() if ln.startswith("│ 제주"))
    assert re.search(r"│\s+\d+ │\s+\d+ │\s+[\d.]+ │", fed)
    en = run("consolidate", *inputs(2009), "-o", str(books["dir"] / "en.xlsx"), "--lang", "en", "-q").output
    assert "unchanged" in en or "created" in en


# ------------------------------------------------------------------------------------------------ readable type (21)

MIN_BOX = 10.0  # pdftotext word box of 8 pt type (11 pt measures about 14.3)
WORD = re.compile(r'<word xMin="([^"]*)" yMin="([^"]*)" xMax="([^"]*)" yMax="([^"]*)">([^<]*)</word>')


def word_boxes(pdf: Path) -> list[list[tuple[float, str]]]:
    """Per page: (box height, word) of every word LibreOffice printed (pdftotext -bbox)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True,
                         timeout=120).stdout
    return [[(float(y1) - float(y0), w) for _x0, y0, _x1, y1, w in WORD.findall(page)]
            for page in out.split("<page ")[1:]]


def test_no_page_has_type_under_8_points(rendered: dict[str, Path]) -> None:
    """Issue 21 point 1: printed by LibreOffice, the smallest word of every page of every workbook kind (consolidated,
    findings, directory, partners, trends, both templates, an annotated copy) is 8 pt or more; on main the national
    지원금 printed at about 3 pt and the directory's 회원사 명부 at about 3 pt."""
    for name, pdf in rendered.items():
        pages = word_boxes(pdf)
        assert pages, name
        small = [(i + 1, round(min(h for h, _w in words), 1), min(words)[1]) for i, words in enumerate(pages)
                 if words and min(h for h, _w in words) < MIN_BOX]
        assert small == [], f"{name}: pages with type under 8 pt (page, box, word): {small[:5]}"


def test_templates_print_as_forms(pdfs: dict[str, list[str]]) -> None:
    """Issue 21 point 3: a blank club template printed in 50 pages, the federation template in 16 (작성안내 split
    across 7 pages side by side, 회원사 three columns a page); now a form: 작성안내 one page wide, the blank tables
    a page or two each."""
    club, fed = per_sheet(pdfs["club_template"]), per_sheet(pdfs["federation_template"])
    assert sum(club.values()) <= 15 and sum(fed.values()) <= 6, (club, fed)
    assert club["작성안내"] <= 2 and fed["작성안내"] <= 1
    assert club["회원사"] <= 2 and club["교류회"] <= 2
    first = pdfs["club_template"][0]
    assert "[교류회] 시트" in first and "안내 / 허용 값" in first  # all five columns on the first page


def test_templates_have_a_page_setup_on_every_visible_sheet() -> None:
    """Issue 21 point 3: A4, an explicit scale keeping 8 pt, print titles and a print area on every visible sheet of
    both checked-in templates; a blank table prints its first rows as the form, not a thousand empty rows."""
    for kind in ("club", "federation"):
        wb = openpyxl.load_workbook(ROOT / "templates" / f"{kind}_2009.xlsx")
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            where = f"{kind}/{ws.title}"
            assert str(ws.page_setup.paperSize) == "9" and ws.print_area, where
            assert not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage), where
            assert int(ws.page_setup.scale) * 11 >= 800, where
            if ws.title not in ("작성안내", "점검"):
                assert ws.print_title_rows == "$1:$1", where
                last_row = int(re.search(r"(\d+)$", str(ws.print_area))[1])  # type: ignore[index]
                assert last_row <= 31, where


def test_every_printed_cell_is_8_points_or_more_in_the_page_setup(books: dict[str, Any]) -> None:
    """Issue 21 point 1, checked in the files: no "fit to page" (which shrinks wide sheets without limit) but an
    explicit scale, and font size × scale ≥ 8 pt for every cell of the print area."""
    for name, path in _workbooks(books).items():
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            if ws.sheet_state != "visible" or (name == "copy" and ws.title != "검증결과"):
                continue
            where = f"{name}/{ws.title}"
            assert not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage, where
            scale = int(ws.page_setup.scale or 100)
            smallest = min((c.font.sz or 11) for row in ws.iter_rows() for c in row if c.value is not None) \
                if ws.max_row > 1 else 11
            assert smallest * scale / 100 >= 8, (where, smallest, scale)
