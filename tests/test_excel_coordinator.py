"""The coordinators' buttons (iupjong_xl.excel.coordinator: 회원사 명부, 파트너 찾기) on a real consolidated workbook
through the xlwings test double of test_excel_buttons.py (openpyxl on the file, unsaved edits in memory)."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import BRNS, write_consolidated
from test_excel_buttons import FakeApp, FakeBook, club

from iupjong_xl import excel
from iupjong_xl.analyses.directory import build_directory, open_consolidated
from iupjong_xl.consolidate.merge import consolidate
from iupjong_xl.excel import coordinator
from iupjong_xl.outputs.templates import write_template
from iupjong_xl.validate.normalize import make_brn

DIRECTORY = "iupjong_xl.excel.coordinator:directory_book"
PARTNERS = "iupjong_xl.excel.coordinator:partners_book"


@pytest.fixture
def national(tmp_path: Path) -> Path:
    """A national workbook consolidated from two club reports (서울 SEO-001, 부산 BUS-001; the six members of
    conftest's club in each)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    write_template(folder / "SEO-001.xlsx", "club", 2009, club("SEO-001", "서울", 0))
    write_template(folder / "BUS-001.xlsx", "club", 2009, club("BUS-001", "부산", 0, club_name="부산새빛교류회"))
    out = tmp_path / "center" / "전국취합.xlsx"
    out.parent.mkdir()
    write_consolidated(consolidate([str(folder)], output=out), out)
    return out


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(path: Path, sheet: str, first: int = 2) -> list[tuple[Any, ...]]:
    wb = openpyxl.load_workbook(path)
    return [r for r in wb[sheet].iter_rows(min_row=first, values_only=True) if any(v is not None for v in r)]


def meta(path: Path, sheet: str) -> dict[str, Any]:
    return {r[0]: r[1] for r in rows(path, sheet, 1)}


class InputApp(FakeApp):
    """The double with Excel's InputBox (app.api.InputBox on Windows): answers in order, False = 취소."""

    def __init__(self, texts: list[str | bool]) -> None:
        super().__init__()
        self.texts, self.prompts = list(texts), []
        self.api = self

    def InputBox(self, prompt: str, title: str, default: str, Type: int) -> str | bool:  # Excel's own name
        self.prompts.append((prompt, title, default, Type))
        return self.texts.pop(0)


# ---------------------------------------------------------------------------------------------- 회원사 명부


def test_directory_beside_the_book_from_the_live_cells_and_opened(national: Path) -> None:
    before = sha(national)
    app = FakeApp()
    book = FakeBook(national, app)
    members = book.sheets["회원사"]
    grid = members.used_range.options(ndim=2).value
    brn_col, name_col = grid[0].index("사업자등록번호"), grid[0].index("회사명")
    for i, row in enumerate(grid[1:], start=2):
        if row[brn_col] == BRNS[5]:
            members.range(f"{openpyxl.utils.get_column_letter(name_col + 1)}{i}").value = "'푸른식품(주)"  # not saved
    target = coordinator.directory_book(book)
    assert target == national.parent / "전국취합_회원사명부.xlsx"
    assert app.books[-1].path == target and sha(national) == before
    assert app.statuses[-1] == "이업종 회원사 명부: 전국취합_회원사명부.xlsx (회원사 6곳, 교류회 2곳)"
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["회원사 명부", "업종×연합회", "규모별", "교류회 업종 다양성", "_명부정보"]
    listed = {r[0]: r[1] for r in rows(target, "회원사 명부", 4)}  # title and coverage above the table
    saved = {c.brn: c.name for c in build_directory(open_consolidated(national)).companies}
    assert sorted(listed) == sorted(saved) == sorted(BRNS)
    assert listed == {**saved, BRNS[5]: "푸른식품(주)"}  # the unsaved edit is in, nothing else changed
    assert meta(target, "_명부정보")["source"] == str(national)
    assert meta(target, "_명부정보")["companies"] == "6"
    again = coordinator.directory_book(book)
    assert again.name == "전국취합_회원사명부 (2).xlsx" and target.exists()


def test_directory_refuses_a_report_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "SEO-001.xlsx"
    write_template(path, "club", 2009, club("SEO-001", "서울", 0))
    app = FakeApp()
    assert excel.dispatch(DIRECTORY, FakeBook(path, app)) is None
    assert app.alerts == [("이 통합 문서는 취합 문서가 아닙니다 ([회원사 명부]은(는) 취합 문서의 회원사로 만듭니다).\n\n"
                           "해결: [취합]으로 만든 연합회·전국 취합 문서를 열고 [회원사 명부]을 누르세요.", "이업종", "ok",
                           "critical")]
    assert [p.name for p in tmp_path.iterdir()] == ["SEO-001.xlsx"]


# ---------------------------------------------------------------------------------------------- 파트너 찾기


def test_partners_for_the_lead_and_need_in_a_new_workbook(national: Path) -> None:
    app = FakeApp()
    book = FakeBook(national, app)
    lead = BRNS[4]  # 동양금속, KSIC 29; BRNS[0] 한빛정밀 is 29 too (never a candidate)
    target = coordinator.partners_book(book, brn=lead.replace("-", ""), need="센서 모듈")
    assert target == national.parent / f"파트너찾기_{lead}.xlsx"
    assert app.books[-1].path == target
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["파트너 후보", "협력체 검토", "_파트너정보"]
    candidates = rows(target, "파트너 후보", 5)
    assert candidates[0][:3] == (1, BRNS[1], "새롬전자")
    assert BRNS[0] not in [r[1] for r in candidates] and lead not in [r[1] for r in candidates]
    info = meta(target, "_파트너정보")
    assert (info["source"], info["lead"], info["need"]) == (str(national), lead, "센서 모듈")
    assert app.statuses[-1] == f"이업종 파트너 찾기: {target.name} (후보 {len(candidates)}곳)"


def test_partners_asks_on_windows_and_every_problem_is_a_message(national: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    app = InputApp([BRNS[4], "센서 모듈"])
    target = coordinator.partners_book(FakeBook(national, app))
    assert target is not None and target.name == f"파트너찾기_{BRNS[4]}.xlsx"
    assert app.prompts == [("주관기업의 사업자등록번호를 적으세요 (예: 116-82-00276).", "이업종", "", 2),
                           ("동양금속이(가) 찾는 기술이나 제품을 적으세요 (예: 폐열 회수 열교환기).", "이업종", "", 2)]
    app = InputApp([False])
    assert coordinator.partners_book(FakeBook(national, app)) is None
    assert app.statuses[-1] == "이업종 파트너 찾기: 취소"
    app = InputApp([BRNS[4], False])
    assert coordinator.partners_book(FakeBook(national, app)) is None
    stranger = make_brn("214810002")
    cases = [
        (["123"], "'123'은(는) 사업자등록번호가 아닙니다 (자릿수나 검증 숫자가 맞지 않습니다).\n\n해결: 116-82-00276처럼 "
                  "10자리 번호를 적으세요. 회원사 시트의 사업자등록번호를 복사해 붙여도 됩니다."),
        ([stranger], f"{stranger}은(는) 이 취합 문서의 회원사가 아닙니다 (2009년 회원사 6곳 중 없음).\n\n해결: 회원사 "
                     "시트에서 주관기업의 사업자등록번호를 확인해 다시 누르세요. 명부는 [회원사 명부]로 볼 수 있습니다."),
        ([BRNS[4], "  !!  "], "찾는 기술·제품이 비어 있습니다.\n\n해결: 파트너가 가져올 기술이나 제품을 말로 적으세요. "
                             "예: 폐열 회수 열교환기"),
    ]
    for texts, message in cases:
        app = InputApp(list(texts))
        assert excel.dispatch(PARTNERS, FakeBook(national, app)) is None
        assert app.alerts == [(message, "이업종", "ok", "critical")]
    assert sorted(p.name for p in national.parent.iterdir()) == ["전국취합.xlsx", f"파트너찾기_{BRNS[4]}.xlsx"]


def test_without_a_dialog_the_prompt_says_where_it_works(national: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    app = FakeApp()
    assert excel.dispatch(PARTNERS, FakeBook(national, app)) is None
    assert app.alerts[0][0].startswith("이 컴퓨터에서는 입력 창을 열 수 없습니다")
