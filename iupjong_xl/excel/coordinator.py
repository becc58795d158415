"""The coordinators' buttons of the 이업종 ribbon (group 회원사): 회원사 명부 and 파트너 찾기.

Thin glue like the buttons of iupjong_xl.excel.buttons, on the same xlwings surface (see iupjong_xl.excel.live), plus one
prompt for text: Excel's InputBox on Windows (app.api), the system's dialog on macOS. Both buttons read the
consolidated workbook as it is now (unsaved edits included, through the same live snapshot 검증 uses), write a new
workbook beside it (never overwriting: `… (2).xlsx`) and open it; the open workbook itself is not changed.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from iupjong_xl import service
from iupjong_xl.excel.live import book_kind, saved_path, snapshot, unique_path
from iupjong_xl.excel.ribbon import ButtonError, status

BRN_EXAMPLE = "116-82-00276"
NEED_EXAMPLE = "폐열 회수 열교환기"


def _require_consolidated(book: Any, button: str) -> None:
    if book_kind(book) != "consolidated":
        raise ButtonError(f"이 통합 문서는 취합 문서가 아닙니다 ([{button}]은(는) 취합 문서의 회원사로 만듭니다).",
                      f"[취합]으로 만든 연합회·전국 취합 문서를 열고 [{button}]을 누르세요.")


def _folder(book: Any) -> Path:
    path = saved_path(book)
    return path.parent if path else Path.home()


def _open_live(book: Any, tmp: Path) -> Any:
    """The consolidated workbook as the user sees it now, opened for the directory and partner matching."""
    return service.open_consolidated(snapshot(book, tmp / (Path(book.name).stem + ".xlsx")))


def ask_text(app: Any, prompt: str, default: str = "") -> str | None:
    """A line of text from the user: Excel's InputBox on Windows, the system's dialog on macOS; None if cancelled."""
    if sys.platform.startswith("win"):
        answer = app.api.InputBox(prompt, "이업종", default, Type=2)  # Type 2: text; False when cancelled
        return None if answer is False else str(answer)
    if sys.platform == "darwin":
        def quoted(text: str) -> str:
            return text.replace("\\", "\\\\").replace('"', '\\"')

        script = (f'text returned of (display dialog "{quoted(prompt)}" default answer "{quoted(default)}" with title "이업종" '
                  'buttons {"취소", "확인"} default button "확인" cancel button "취소")')
        done = subprocess.run(["osascript", "-e", script], capture_output=True, text=True, check=False)
        return done.stdout.rstrip("\n") if done.returncode == 0 else None
    raise ButtonError("이 컴퓨터에서는 입력 창을 열 수 없습니다 (Windows·macOS의 Excel에서만 됩니다).",
                  "Windows나 macOS의 Excel에서 다시 누르세요. 명령 프롬프트에서는 iupjong partners를 쓰세요.")


# ---------------------------------------------------------------------------------------------- 회원사 명부


def directory_book(book: Any) -> Path:
    """회원사 명부: write the directory of this consolidated workbook beside it and open it."""
    app = book.app
    _require_consolidated(book, "회원사 명부")
    status(app, "이업종: 회원사 명부 만드는 중…")
    with tempfile.TemporaryDirectory(prefix="iupjong-") as tmp:
        directory = service.directory(_open_live(book, Path(tmp)), source=book.fullname or book.name)
    if not directory.companies:
        raise ButtonError("이 취합 문서에는 회원사가 없습니다.", "교류회 보고서를 [취합]한 뒤 다시 누르세요.")
    target = unique_path(_folder(book) / f"{Path(book.name).stem}_회원사명부.xlsx")
    service.write_directory(directory, target)
    app.books.open(str(target))
    status(app, f"이업종 회원사 명부: {target.name} (회원사 {len(directory.companies):,}곳, "
                f"교류회 {len(directory.clubs):,}곳)")
    return target


# ---------------------------------------------------------------------------------------------- 파트너 찾기


def partners_book(book: Any, brn: str | None = None, need: str | None = None) -> Path | None:
    """파트너 찾기: ask for the lead company's BRN and the technology needed, write the ranked partners and the
    proposed consortium's check into a new workbook and open it."""
    app = book.app
    _require_consolidated(book, "파트너 찾기")
    if brn is None:
        brn = ask_text(app, f"주관기업의 사업자등록번호를 적으세요 (예: {BRN_EXAMPLE}).")
        if brn is None:
            status(app, "이업종 파트너 찾기: 취소")
            return None
    lead_brn = service.normalize_brn(brn)
    if lead_brn is None:
        raise ButtonError(f"'{brn}'은(는) 사업자등록번호가 아닙니다 (자릿수나 검증 숫자가 맞지 않습니다).",
                      f"{BRN_EXAMPLE}처럼 10자리 번호를 적으세요. 회원사 시트의 사업자등록번호를 복사해 붙여도 됩니다.")
    status(app, "이업종: 파트너 찾는 중…")
    with tempfile.TemporaryDirectory(prefix="iupjong-") as tmp:
        opened = _open_live(book, Path(tmp))
        lead = opened.directory.company(lead_brn)
        if lead is None:
            raise ButtonError(f"{lead_brn}은(는) 이 취합 문서의 회원사가 아닙니다 ({opened.year}년 회원사 "
                          f"{len(opened.directory.companies):,}곳 중 없음).",
                          "회원사 시트에서 주관기업의 사업자등록번호를 확인해 다시 누르세요. 명부는 [회원사 명부]로 볼 수 있습니다.")
        if lead.division is None:
            raise ButtonError(f"주관기업 {lead_brn}의 업종(KSIC)이 비어 있습니다.", "회원사 시트의 업종을 채우고 다시 누르세요.")
        if need is None:
            need = ask_text(app, f"{lead.name}이(가) 찾는 기술이나 제품을 적으세요 (예: {NEED_EXAMPLE}).")
            if need is None:
                status(app, "이업종 파트너 찾기: 취소")
                return None
        try:
            matches = service.partners(opened, lead_brn, need, source=book.fullname or book.name)
        except service.EmptyNeedError as exc:
            raise ButtonError("찾는 기술·제품이 비어 있습니다.",
                          f"파트너가 가져올 기술이나 제품을 말로 적으세요. 예: {NEED_EXAMPLE}") from exc
    target = unique_path(_folder(book) / f"파트너찾기_{lead_brn}.xlsx")
    service.write_matches(matches, target)
    app.books.open(str(target))
    status(app, f"이업종 파트너 찾기: {target.name} (후보 {len(matches.candidates)}곳)")
    return target
