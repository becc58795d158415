"""The ribbon's button functions (iupjong_xl.excel) on real workbooks through a test double of the xlwings API.

FakeBook/FakeSheet/FakeRange/FakeApp implement exactly the part of xlwings that excel/ uses (see excel/live.py),
backed by openpyxl on a real .xlsx file: values are read as Excel gives them to xlwings (numbers as float, the
cached result of a formula, None for empty), and written as Excel takes them ("'" keeps text, "=" is a formula).
Edits made through the fake stay in memory until save(), like unsaved edits in Excel.
"""

from __future__ import annotations

import datetime
import hashlib
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import BRNS, club_data, federation_data, write_consolidated
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from iupjong_xl import excel
from iupjong_xl.consolidate.merge import consolidate
from iupjong_xl.errors import OutputError
from iupjong_xl.excel import buttons, ribbon
from iupjong_xl.outputs.templates import write_template

# ------------------------------------------------------------------------------------------- the test double


class FakeApp:
    def __init__(self, answers: list[str] | None = None) -> None:
        self.answers = list(answers or [])
        self.alerts: list[tuple[str, str | None, str, str | None]] = []
        self.statuses: list[Any] = []
        self.screen_updating = True
        self.books = FakeBooks(self)

    @property
    def status_bar(self) -> Any:
        return self.statuses[-1] if self.statuses else False

    @status_bar.setter
    def status_bar(self, value: Any) -> None:
        self.statuses.append(value)

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok", mode: str | None = None,
              callback: str | None = None) -> str:
        self.alerts.append((prompt, title, buttons, mode))
        if self.answers:
            return self.answers.pop(0)
        return {"yes_no": "yes", "yes_no_cancel": "yes"}.get(buttons, "ok")


class FakeBooks(list):
    def __init__(self, app: FakeApp) -> None:
        super().__init__()
        self.app = app

    def open(self, fullname: str | Path) -> FakeBook:  # xlwings' own parameter names (test_xlwings_fakes.py)
        book = FakeBook(fullname, self.app)
        self.append(book)
        return book


class FakeBook:
    def __init__(self, path: str | Path, app: FakeApp) -> None:
        self.path, self.app = Path(path), app
        self.wb = openpyxl.load_workbook(self.path)
        self.cached = openpyxl.load_workbook(self.path, data_only=True)  # what Excel computed for formulas
        self.stale: set[tuple[str, str]] = set()  # formulas written since: Excel would recompute, we cannot
        self.closed = False
        if self not in app.books:
            app.books.append(self)

    name = property(lambda self: self.path.name)
    fullname = property(lambda self: str(self.path))

    @property
    def sheets(self) -> FakeSheets:
        return FakeSheets(self)

    def save(self) -> None:
        self.wb.save(self.path)

    def close(self) -> None:
        self.closed = True
        self.app.books.remove(self)


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self.book = book

    def __iter__(self):
        return (FakeSheet(self.book, ws) for ws in self.book.wb.worksheets)

    def __len__(self) -> int:
        return len(self.book.wb.worksheets)

    def __getitem__(self, key: str | int) -> FakeSheet:
        wb = self.book.wb
        return FakeSheet(self.book, wb.worksheets[key] if isinstance(key, int) else wb[key])

    def add(self, name: str | None = None, before: FakeSheet | None = None, after: FakeSheet | None = None) -> FakeSheet:
        wb = self.book.wb
        index = wb.worksheets.index(after.ws) + 1 if after else (wb.worksheets.index(before.ws) if before else 0)
        return FakeSheet(self.book, wb.create_sheet(name, index))


class FakeSheet:
    def __init__(self, book: FakeBook, ws: Any) -> None:
        self.book, self.ws = book, ws

    name = property(lambda self: self.ws.title)

    @property
    def used_range(self) -> FakeRange:
        ws = self.ws
        return FakeRange(self, ws.min_row, ws.min_column, ws.max_row, ws.max_column)

    def range(self, cell1: str) -> FakeRange:
        c1, r1, c2, r2 = range_boundaries(cell1)
        return FakeRange(self, r1 or 1, c1 or 1, r2 or r1 or 1, c2 or c1 or 1)

    def delete(self) -> None:
        self.book.wb.remove(self.ws)

    def activate(self) -> None:
        self.book.wb.active = self.book.wb.worksheets.index(self.ws)


class FakeNote:
    def __init__(self, cell: Any) -> None:
        self.cell = cell

    text = property(lambda self: self.cell.comment.text)

    def delete(self) -> None:
        self.cell.comment = None


class FakeRange:
    def __init__(self, sheet: FakeSheet, r1: int, c1: int, r2: int, c2: int, ndim: int | None = None) -> None:
        self.sheet, self.row, self.column, self.last_row, self.last_column, self.ndim = sheet, r1, c1, r2, c2, ndim

    def options(self, ndim: int | None = None, **_: Any) -> FakeRange:
        return FakeRange(self.sheet, self.row, self.column, self.last_row, self.last_column, ndim)

    def _cells(self):
        ws = self.sheet.ws
        return [[ws.cell(r, c) for c in range(self.column, self.last_column + 1)]
                for r in range(self.row, self.last_row + 1)]

    def _read(self, cell: Any) -> Any:
        book, key = self.sheet.book, (self.sheet.name, cell.coordinate)
        v = cell.value
        if cell.data_type == "f":
            v = None if key in book.stale else book.cached[self.sheet.name][cell.coordinate].value
        if isinstance(v, int) and not isinstance(v, bool):
            return float(v)
        return None if v == "" else v

    @property
    def value(self) -> Any:
        grid = [[self._read(c) for c in row] for row in self._cells()]
        if self.ndim == 2:
            return grid
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        return grid[0] if len(grid) == 1 else ([r[0] for r in grid] if len(grid[0]) == 1 else grid)

    @value.setter
    def value(self, data: Any) -> None:
        rows = data if isinstance(data, list) and data and isinstance(data[0], list) else (
            [data] if isinstance(data, list) else [[data]])
        ws, book = self.sheet.ws, self.sheet.book
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                cell = ws.cell(self.row + i, self.column + j)
                if isinstance(v, str) and v.startswith("'"):
                    cell.value = v[1:]
                    cell.data_type = "s"
                else:
                    cell.value = v
                    if isinstance(v, str) and v.startswith("="):
                        book.stale.add((self.sheet.name, cell.coordinate))

    @property
    def color(self) -> tuple[int, int, int] | None:
        fill = self.sheet.ws.cell(self.row, self.column).fill
        if fill is None or fill.fill_type is None:
            return None
        rgb = fill.fgColor.rgb if isinstance(fill.fgColor.rgb, str) else "FF000000"
        return tuple(int(rgb[i:i + 2], 16) for i in (2, 4, 6))

    @color.setter
    def color(self, rgb: tuple[int, int, int] | None) -> None:
        fill = PatternFill() if rgb is None else PatternFill("solid", fgColor="FF{:02X}{:02X}{:02X}".format(*rgb))
        for row in self._cells():
            for cell in row:
                cell.fill = fill

    @property
    def note(self) -> FakeNote | None:
        cell = self.sheet.ws.cell(self.row, self.column)
        return FakeNote(cell) if cell.comment is not None else None

    def add_note(self, text: str) -> FakeNote:
        if self.note is not None:
            raise ValueError("This cell already has a note")
        cell = self.sheet.ws.cell(self.row, self.column)
        cell.comment = Comment(text, "iupjong")
        return FakeNote(cell)

    @property
    def column_width(self) -> float:
        return self.sheet.ws.column_dimensions[get_column_letter(self.column)].width

    @column_width.setter
    def column_width(self, width: float) -> None:
        for c in range(self.column, self.last_column + 1):
            dim = self.sheet.ws.column_dimensions[get_column_letter(c)]
            dim.width, dim.hidden = width, width == 0

    def clear_contents(self) -> None:
        for row in self._cells():
            for cell in row:
                cell.value = None


# ------------------------------------------------------------------------------------------------- helpers


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table(book: FakeBook, name: str) -> list[dict[str, Any]]:
    """A sheet's table as dicts keyed by its header row (the first row with three or more values)."""
    rows = book.sheets[name].used_range.options(ndim=2).value
    head = next(i for i, r in enumerate(rows) if isinstance(r[0], str) and sum(v is not None for v in r) > 2)
    out = []
    for r in rows[head + 1:]:
        if all(v is None for v in r):
            break  # the table ends at the first empty row (totals may follow)
        out.append(dict(zip(rows[head], r, strict=False)))
    return out


def club(code: str, federation: str, offset: int, **profile: Any) -> dict[str, list[dict[str, Any]]]:
    data = club_data()
    data["club"][0].update(club_code=code, federation=federation, **profile)
    return data


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    """A folder with two club reports (서울 SEO-001, 부산 BUS-001) and the 서울 federation report."""
    folder = tmp_path / "reports"
    folder.mkdir()
    write_template(folder / "SEO-001.xlsx", "club", 2009, club("SEO-001", "서울", 0))
    write_template(folder / "BUS-001.xlsx", "club", 2009, club("BUS-001", "부산", 0, club_name="부산새빛교류회"))
    write_template(folder / "서울연합회.xlsx", "federation", 2009, federation_data())
    return folder


def blank_book(tmp_path: Path, app: FakeApp, name: str = "Book1.xlsx") -> FakeBook:
    path = tmp_path / "elsewhere" / name
    path.parent.mkdir(exist_ok=True)
    wb = openpyxl.Workbook()
    wb.active["A1"] = "메모"
    wb.save(path)
    return FakeBook(path, app)


# --------------------------------------------------------------------------------------------------- 검증


def test_validate_marks_the_cell_links_it_and_clears_after_a_live_fix(write_report: Any) -> None:
    data = club_data()
    data["member"][1]["brn"] = "134-86-72684"  # wrong check digit
    path = write_report(data)
    before = sha(path)
    app = FakeApp()
    book = FakeBook(path, app)

    report = excel.dispatch("iupjong_xl.excel:validate_book", book)

    assert not app.alerts, app.alerts
    rows = table(book, excel.S_FINDINGS)
    hit = next(r for r in rows if r["코드"] == "MEMBER_BRN_CHECKSUM")
    assert hit["시트"] == "회원사" and hit["구분"] == "오류" and "검증번호" in hit["내용"]
    cell = hit["칸"]
    link = book.sheets[excel.S_FINDINGS].ws.cell(rows.index(hit) + 2, 2).value
    assert link == f'=HYPERLINK("#\'회원사\'!{cell}","{cell}")'
    target = book.sheets["회원사"].range(cell)
    assert target.color == excel.FILL["error"]
    assert target.note.text.startswith(excel.NOTE_MARK) and "MEMBER_BRN_CHECKSUM" in target.note.text
    errors = sum(f.severity == "error" for f in report.findings)
    assert f"오류 {errors}건, 경고 {len(report.findings) - errors}건" in app.status_bar
    assert book.wb.active.title == excel.S_FINDINGS and len(rows) == len(report.findings)
    worst = {}
    for f in report.findings:  # the BRN also breaks 성과/협력과제 rows that name it: every cell marked, error wins
        worst[(f.sheet, f.cell)] = "error" if f.severity == "error" else worst.get((f.sheet, f.cell), "warning")
    assert all(book.sheets[s].range(c).color == excel.FILL[v] for (s, c), v in worst.items())
    original = hit["원래 칸 색"]

    target.value = "'" + BRNS[1]  # the user fixes the cell and does not save
    excel.dispatch("iupjong_xl.excel:validate_book", book)

    assert app.status_bar == "이업종 검증: 문제 없음"
    assert excel.S_FINDINGS not in excel.sheet_names(book)
    assert buttons._hex(target.color) == (original or "") and target.note is None
    assert sha(path) == before  # the validator read the live values, the file was never touched


def test_validate_lists_file_level_and_warning_findings_without_links(write_report: Any) -> None:
    data = club_data()
    data["activity"][0]["attendees"] = 60  # more attendees than members: a rule finding
    path = write_report(data)
    wb = openpyxl.load_workbook(path)
    del wb["성과"]  # a missing sheet: a file-level finding without a cell
    wb.save(path)
    app = FakeApp()
    book = FakeBook(path, app)
    report = excel.validate_book(book)
    rows = table(book, excel.S_FINDINGS)
    assert {f.code for f in report.findings} == {r["코드"] for r in rows}
    missing = next(r for r in rows if r["코드"] == "FILE_SHEET_MISSING")
    assert missing["칸"] is None and missing["셀"] is None


def test_validate_refuses_what_is_not_a_report(tmp_path: Path) -> None:
    app = FakeApp()
    book = blank_book(tmp_path, app)
    assert excel.dispatch("iupjong_xl.excel:validate_book", book) is None
    (prompt, title, _buttons, mode), = app.alerts
    assert "이업종 보고서 서식이 아닙니다" in prompt and "해결: [새 서식]" in prompt
    assert title == "이업종" and mode == "critical" and "Traceback" not in prompt


PROBLEMS = Path(__file__).resolve().parent.parent / "sample_workbooks" / "problems"
NOT_WORKBOOKS = {"20_엑셀아님_HTML.xlsx": "FILE_NOT_WORKBOOK", "21_빈파일.xlsx": "FILE_EMPTY"}


@pytest.mark.parametrize("path", sorted(PROBLEMS.glob("*.xlsx")), ids=lambda p: p.name)
def test_the_button_finds_what_the_validator_finds_in_the_file(path: Path) -> None:
    """The live snapshot is faithful: each sample problem gives the same findings at the same cells."""
    from iupjong_xl.validate.pipeline import validate

    direct = validate([str(path)])
    if path.name in NOT_WORKBOOKS:  # Excel cannot open these either: the validator says what they are
        with pytest.raises((zipfile.BadZipFile, InvalidFileException)):
            FakeBook(path, FakeApp())
        assert [f.code for f in direct.findings] == [NOT_WORKBOOKS[path.name]]
        return
    book = FakeBook(path, FakeApp())
    if direct.files[0].kind in (None, "consolidated"):
        assert excel.dispatch("iupjong_xl.excel:validate_book", book) is None and book.app.alerts
        return
    report = excel.validate_book(book)
    key = lambda f: (f.code, f.sheet, f.cell, f.severity, f.value)
    assert sorted(map(key, report.findings)) == sorted(map(key, direct.findings))


# --------------------------------------------------------------------------------------------------- 취합


def test_consolidate_a_folder_into_a_new_national_workbook_then_again(tmp_path: Path, reports: Path) -> None:
    app = FakeApp(answers=["ok"])
    start = blank_book(tmp_path, app)
    cons = excel.consolidate_folder(start, reports)

    target = reports / "전국취합.xlsx"
    assert target.exists() and cons.level == "national"
    national = app.books[-1]
    assert national.path == target
    assert {"요약", "연합회별 지표", "지원금", "회원사", "검증결과", "출처", "_취합정보"} <= set(excel.sheet_names(national))
    prompt = app.alerts[-1][0]
    assert "새로 3" in prompt and "충돌 0" in prompt and "미제출 교류회: 서울 SEO-002" in prompt
    members = table(national, "회원사")
    assert {r["교류회코드"] for r in members} == {"SEO-001", "BUS-001"} and len(members) == 12

    excel.consolidate_folder(national, reports)  # the national workbook is in the folder: kept, the rest unchanged
    assert national.closed and app.books[-1].path == target
    assert "변경 없음 3" in app.alerts[-1][0] and "새로 0" in app.alerts[-1][0]


def test_consolidate_into_the_federation_report_in_place(reports: Path) -> None:
    app = FakeApp()
    fed = FakeBook(reports / "서울연합회.xlsx", app)
    cons = excel.consolidate_folder(fed, reports)
    assert cons.level == "federation" and cons.target_federation == "서울"
    reopened = app.books[-1]
    assert fed.closed and reopened.path == fed.path and excel.book_kind(reopened) == "consolidated"
    assert excel.meta(reopened)["level"] == "federation"
    prompt = app.alerts[-1][0]  # the 부산 club is not 서울's: rejected, and named
    assert "새로 2" in prompt and "제외 1" in prompt and "제외·충돌 파일: BUS-001.xlsx" in prompt
    assert "미제출 교류회: 서울 SEO-002" in prompt


def test_consolidate_shows_unreadable_files_and_goes_on(reports: Path) -> None:
    (reports / "깨진파일.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    app = FakeApp()
    national = reports / "national.xlsx"
    write_consolidated(consolidate([str(reports / "SEO-001.xlsx")], output=national), national)
    cons = excel.consolidate_folder(FakeBook(national, app), reports)
    assert any(s.status == "rejected" and s.file.endswith("깨진파일.xlsx") for s in cons.sources)
    assert "깨진파일.xlsx" in app.alerts[-1][0] and "제외 1" in app.alerts[-1][0]


def test_consolidate_failures_are_messages(tmp_path: Path, reports: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    app = FakeApp()
    fed = FakeBook(reports / "서울연합회.xlsx", app)
    excel.dispatch("iupjong_xl.excel:consolidate_folder", fed)  # the default folder is asked for: here "ok"
    monkeypatch.setattr(buttons, "ask_folder", lambda app, default: empty)
    fed = app.books[-1]
    excel.dispatch("iupjong_xl.excel:consolidate_folder", fed)
    assert "보고서 파일(.xlsx·.xlsm·.xls·.xlsb·.ods)이 없습니다" in app.alerts[-1][0] and not fed.closed

    club_book = FakeBook(reports / "SEO-001.xlsx", app)
    excel.dispatch("iupjong_xl.excel:consolidate_folder", club_book)
    assert "단위교류회 보고서입니다" in app.alerts[-1][0]

    monkeypatch.setattr(buttons, "ask_folder", lambda app, default: reports)
    import iupjong_xl.outputs.workbook as wbmod

    def fail(cons: Any, path: Any, derived: Any = None) -> None:  # the signature of write_workbook
        raise OutputError(f"{path}: [Errno 13] Permission denied")

    monkeypatch.setattr(wbmod, "write_workbook", fail)
    excel.dispatch("iupjong_xl.excel:consolidate_folder", fed)
    assert "파일을 쓰지 못했습니다" in app.alerts[-1][0] and "원래 파일은 그대로" in app.alerts[-1][0]
    assert fed.closed and app.books[-1].path == fed.path  # reopened after the failed write
    assert table(app.books[-1], "회원사") == table(fed, "회원사") and not list(reports.glob(".*.tmp"))


# ----------------------------------------------------------------------------------------- 지표·지원금 갱신


def test_refresh_uses_the_unsaved_score_and_flips_the_selection(reports: Path) -> None:
    national = reports / "national.xlsx"
    write_consolidated(consolidate([str(reports)], output=national), national)
    before = sha(national)
    app = FakeApp()
    book = FakeBook(national, app)
    funding = table(book, "지원금")
    assert [r["선정"] for r in funding] == ["아니오", "아니오"] and all(r["평가점수"] is None for r in funding)
    sheet = book.sheets["지원금"]
    rows = sheet.used_range.options(ndim=2).value
    head = next(i for i, r in enumerate(rows) if r[0] == "과제키")
    score_col = rows[head].index("평가점수") + 1
    sheet.range(f"{get_column_letter(score_col)}{head + 2}").value = 87.5  # typed, not saved

    derived = excel.refresh_book(book)

    after = table(book, "지원금")
    assert [r["선정"] for r in after] == ["예", "아니오"] and after[0]["평가점수"] == 87.5
    assert after[0]["순위"] == 1.0 and after[0]["정부지원 선정액(원)"] == 15_000_000.0
    assert derived.round.totals()["selected"] == 1 and "선정 1건" in app.status_bar
    formulas = [c.value for row in book.sheets["요약"].ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas and all(f.startswith("=") for f in formulas)  # live formulas: Excel recomputes them
    assert sha(national) == before  # written into the live book only: saving is the user's choice


def test_refresh_refuses_a_report(write_report: Any) -> None:
    app = FakeApp()
    excel.dispatch("iupjong_xl.excel:refresh_book", FakeBook(write_report(club_data()), app))
    assert "취합 문서가 아닙니다" in app.alerts[-1][0] and "해결:" in app.alerts[-1][0]


# ------------------------------------------------------------------------------------------ 새 서식, 도움말


def test_new_template_beside_the_book_and_opened(write_report: Any, tmp_path: Path) -> None:
    app = FakeApp(answers=["no"])
    book = FakeBook(write_report(club_data()), app)
    path = excel.dispatch("iupjong_xl.excel:new_template", book)
    assert path == tmp_path / "지역연합회_2009.xlsx" and app.books[-1].path == path
    assert excel.meta(app.books[-1])["kind"] == "federation"
    again = excel.new_template(book, "club", 2009)
    assert again.name == "단위교류회_2009.xlsx" and excel.new_template(book, "club", 2009).name == "단위교류회_2009 (2).xlsx"
    app.answers = ["cancel"]
    assert excel.new_template(book) is None


def test_help_opens_the_users_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    page = excel.show_help(None, opener=opened.append)
    assert opened == [page.as_uri()] and "<h" in page.read_text(encoding="utf-8")
    monkeypatch.setattr(buttons.webbrowser, "open", opened.append)
    app = FakeApp()
    excel.dispatch("iupjong_xl.excel:show_help", blank_book(tmp_path, app))
    assert len(opened) == 2 and not app.alerts


# ------------------------------------------------------------------------------------------------ dispatch


def test_dispatch_turns_every_error_into_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = FakeApp()
    book = blank_book(tmp_path, app)
    for tag in ("os:system", "iupjong_xl.excel:_quiet", "iupjong_xl.excel:nothing", "iupjong_xl.nomodule:x", "x"):
        excel.dispatch(tag, book)
        assert "리본 단추" in app.alerts[-1][0] and app.alerts[-1][3] == "critical"

    def boom(book: Any) -> None:
        raise KeyError("surprise")

    monkeypatch.setattr(excel, "validate_book", boom)
    monkeypatch.setattr(ribbon.tempfile, "gettempdir", lambda: str(tmp_path))
    excel.dispatch("iupjong_xl.excel:validate_book", book)
    prompt = app.alerts[-1][0]
    assert "예상하지 못한 오류" in prompt and "surprise" in prompt and "Traceback" not in prompt
    assert "Traceback" in (tmp_path / "iupjong-addin.log").read_text(encoding="utf-8")
    assert app.screen_updating is True and app.status_bar is False


def test_snapshot_keeps_cells_types_and_hidden_sheets(tmp_path: Path) -> None:
    src = tmp_path / "src.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "표"
    ws["C3"], ws["D3"], ws["C4"], ws["D4"] = "0012", 1200, datetime.datetime(2009, 3, 1), "=1+1"
    ws["D4"].data_type = "s"
    wb.create_sheet("_숨김").sheet_state = "hidden"
    wb["_숨김"]["A1"] = "kind"
    wb.save(src)
    out = excel.snapshot(FakeBook(src, FakeApp()), tmp_path / "snap.xlsx")
    back = openpyxl.load_workbook(out)
    t = back["표"]
    assert (t["C3"].value, t["D3"].value, t["C4"].value) == ("0012", 1200, datetime.datetime(2009, 3, 1))
    assert t["D4"].value == "=1+1" and t["D4"].data_type == "s" and back["_숨김"]["A1"].value == "kind"
