"""The 이업종 ribbon (Excel add-in, xlwings): the ribbon's tags name the functions re-exported here
(`iupjong_xl.excel:validate_book`) and `iupjong_xl.excel.coordinator` (회원사 명부, 파트너 찾기).

- ribbon.py: tag -> function, every error a Korean message box
- live.py: the open workbook (sheets, values, meta, kind, a snapshot of its current values)
- buttons.py: 검증, 취합, 지표·지원금 갱신, 새 서식, 도움말
- coordinator.py: 회원사 명부, 파트너 찾기
- portal.py: 포털에 제출 (the portal's JSON API, urllib.request)
- build.py, install.py, doctor.py: the add-in itself (build iupjong.xlam, install it into Excel, check the setup)

Every button calls only iupjong_xl.service (tests/test_layout.py holds the front ends to it)."""

from iupjong_xl.excel.buttons import (
    FILL,
    NOTE_MARK,
    S_FINDINGS,
    consolidate_folder,
    new_template,
    refresh_book,
    show_help,
    validate_book,
)
from iupjong_xl.excel.live import book_kind, meta, sheet_names, snapshot
from iupjong_xl.excel.portal import submit_to_portal
from iupjong_xl.excel.ribbon import ButtonError, dispatch, resolve

__all__ = [
    "FILL",
    "NOTE_MARK",
    "S_FINDINGS",
    "ButtonError",
    "book_kind",
    "consolidate_folder",
    "dispatch",
    "meta",
    "new_template",
    "refresh_book",
    "resolve",
    "sheet_names",
    "show_help",
    "snapshot",
    "submit_to_portal",
    "validate_book",
]
