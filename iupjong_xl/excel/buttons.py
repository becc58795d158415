"""The 이업종 ribbon's buttons (검증, 취합, 지표·지원금 갱신, 새 서식, 도움말): thin glue between an xlwings Book and the
service functions the CLI uses. The xlwings surface they use is listed in iupjong_xl.excel.live."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import webbrowser
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from iupjong_xl import service
from iupjong_xl.excel.live import (
    as_text,
    book_kind,
    meta,
    saved_path,
    sheet_names,
    shown,
    snapshot,
    unique_path,
    values,
)
from iupjong_xl.excel.ribbon import ButtonError, alert, status

S_FINDINGS = "검증결과"
FINDING_HEADERS = ["시트", "셀", "항목", "코드", "구분", "내용", "값", "원래 칸 색", "칸"]
FINDING_WIDTHS = [14, 8, 16, 30, 6, 80, 24, 0, 0]  # the last two columns are hidden: they undo the marks next time
FILL = {"error": (255, 199, 206), "warning": (255, 235, 156)}
HEADER_FILL = (221, 235, 247)
NOTE_MARK = "[이업종 검증]"
LEVEL_KO = {"national": "전국", "federation": "연합회"}

# -------------------------------------------------------------------------------------------------- 검증


def validate_book(book: Any) -> Any:
    """검증: validate the book's current values; mark offending cells, list findings in 검증결과 with links."""
    app = book.app
    status(app, "이업종: 검증 중…")
    with tempfile.TemporaryDirectory(prefix="iupjong-") as tmp:
        copy = snapshot(book, Path(tmp) / (Path(book.name).stem + ".xlsx"), skip=(S_FINDINGS,))
        report = service.validate([str(copy)])
    kind = report.files[0].kind if report.files else None
    if kind == "consolidated":
        raise ButtonError("이 통합 문서는 취합 문서라서 검증하지 않습니다 (교류회 보고서는 취합할 때 검증됩니다).",
                      "교류회·연합회 보고서 파일을 열고 [검증]을 누르세요. 취합 문서의 지표와 지원금은 "
                      "[지표·지원금 갱신]으로 다시 계산합니다.")
    if kind is None:
        first = next((f for f in report.findings if f.code.startswith("FILE_")), None)
        why = first.message("ko") if first else "서식을 알아보지 못했습니다."
        raise ButtonError(f"이 통합 문서는 이업종 보고서 서식이 아닙니다: {why}",
                      "[새 서식]으로 표준 서식을 만들어 내용을 옮겨 적은 뒤 다시 [검증]을 누르세요.")
    findings = [replace(f, file=book.name) for f in report.findings]
    app.screen_updating = False
    unmark(book)
    if not findings:
        status(app, "이업종 검증: 문제 없음")
        return report
    write_findings(book, findings)
    mark(book, findings)
    errors = sum(f.severity == "error" for f in findings)
    status(app, f"이업종 검증: 오류 {errors}건, 경고 {len(findings) - errors}건 — [{S_FINDINGS}] 시트를 보세요")
    return report


def _hex(color: tuple[int, int, int] | None) -> str:
    return "" if color is None else "#{:02X}{:02X}{:02X}".format(*color)


def _rgb(text: Any) -> tuple[int, int, int] | None:
    text = shown(text)
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", text):
        return None
    return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)


def unmark(book: Any) -> None:
    """Undo the previous run: restore each marked cell's own fill, drop our notes, delete the 검증결과 sheet."""
    if S_FINDINGS not in sheet_names(book):
        return
    names = set(sheet_names(book))
    _r, _c, grid = values(book.sheets[S_FINDINGS])
    for row in reversed(grid[1:]):
        row = list(row) + [None] * (len(FINDING_HEADERS) - len(row))
        sheet, cell = shown(row[0]), shown(row[8])
        if sheet not in names or not cell:
            continue
        rng = book.sheets[sheet].range(cell)
        rng.color = _rgb(row[7])
        note = rng.note
        if note is not None and note.text.startswith(NOTE_MARK):
            note.delete()
    book.sheets[S_FINDINGS].delete()


def write_findings(book: Any, findings: list[Any]) -> None:
    """The 검증결과 sheet: one row per finding, the cell column a link to the cell (HYPERLINK works everywhere)."""
    originals: dict[tuple[str, str], str] = {}
    names = set(sheet_names(book))
    rows: list[list[Any]] = [FINDING_HEADERS]
    for f in findings:
        link, original = None, None
        if f.sheet in names and f.cell:
            key = (f.sheet, f.cell)
            if key not in originals:
                originals[key] = _hex(book.sheets[f.sheet].range(f.cell).color)
            original = originals[key]
            target = f"#'{f.sheet.replace(chr(39), chr(39) * 2)}'!{f.cell}".replace('"', '""')
            link = f'=HYPERLINK("{target}","{f.cell}")'
        rows.append([as_text(f.sheet), link or as_text(f.cell), as_text(f.column), f.code,
                     "오류" if f.severity == "error" else "경고", as_text(f.message("ko")), as_text(f.value),
                     original, as_text(f.cell) if link else None])
    sheet = book.sheets.add(S_FINDINGS, after=book.sheets[len(book.sheets) - 1])
    sheet.range("A1").value = rows
    sheet.range("A1:I1").color = HEADER_FILL
    for i, f in enumerate(findings, start=2):
        sheet.range(f"E{i}").color = FILL[f.severity]
    for col, width in zip("ABCDEFGHI", FINDING_WIDTHS, strict=True):
        sheet.range(f"{col}:{col}").column_width = width
    sheet.activate()


def mark(book: Any, findings: list[Any]) -> None:
    """Fill each offending cell (error red, warning yellow) and give it a note with its messages."""
    names = set(sheet_names(book))
    cells: dict[tuple[str, str], list[Any]] = {}
    for f in findings:
        if f.sheet in names and f.cell:
            cells.setdefault((f.sheet, f.cell), []).append(f)
    for (sheet, cell), items in cells.items():
        rng = book.sheets[sheet].range(cell)
        rng.color = FILL["error" if any(f.severity == "error" for f in items) else "warning"]
        if rng.note is None and hasattr(rng, "add_note"):  # add_note is recent in xlwings; the fill is enough
            lines = list(dict.fromkeys(f"[{f.code}] {f.message('ko')}" for f in items))
            rng.add_note("\n".join([NOTE_MARK, *lines]))


# -------------------------------------------------------------------------------------------------- 취합


def consolidate_folder(book: Any, folder: str | os.PathLike[str] | None = None) -> Any:
    """취합: consolidate a folder of club reports into this federation/national workbook, then reopen it."""
    app = book.app
    kind, path = book_kind(book), saved_path(book)
    level = meta(book).get("level", "national") if kind == "consolidated" else "federation"
    if kind == "club":
        raise ButtonError("이 통합 문서는 단위교류회 보고서입니다. 취합은 연합회 보고서나 취합 문서에서 합니다.",
                      "연합회 보고서(또는 전국 취합 문서)를 열고 [취합]을 누르세요. 전국 취합 문서를 새로 "
                      "만들려면 빈 통합 문서에서 [취합]을 누르세요.")
    if kind in ("federation", "consolidated") and path is None:
        raise ButtonError("이 통합 문서가 아직 파일로 저장되지 않았습니다.", "먼저 저장(Ctrl+S)한 뒤 [취합]을 누르세요.")
    if kind is None:
        answer = alert(app, "이 통합 문서는 연합회 보고서도 취합 문서도 아닙니다.\n폴더를 골라 그 안의 보고서로 "
                            "새 전국 취합 문서를 만들까요?", buttons="ok_cancel")
        if answer != "ok":
            return None
        level = "national"
    default = path.parent if path else Path.home()
    chosen = Path(folder) if folder is not None else ask_folder(app, default)
    if chosen is None:
        status(app, "이업종 취합: 취소")
        return None
    if not chosen.is_dir():
        raise ButtonError(f"'{chosen}' 폴더가 없습니다.", "교류회 보고서가 모인 폴더를 다시 고르세요.")
    if not service.report_files(chosen, exclude=path):
        raise ButtonError(f"'{chosen}' 폴더에 보고서 파일(.xlsx·.xlsm·.xls·.xlsb·.ods)이 없습니다.",
                      "교류회 보고서 파일을 그 폴더에 모으거나, 보고서가 있는 다른 폴더를 고르세요.")
    reopen = kind is not None  # consolidate into this very workbook, else into a new national one
    target = path if reopen and path else unique_path(chosen / "전국취합.xlsx")
    status(app, f"이업종: {chosen} 취합 중…")
    if reopen:
        book.save()  # the library merges into the saved file: scores typed in 지원금 must be in it
        book.close()  # Windows locks an open workbook; it is reopened below, written or not
    try:
        run = service.consolidate([str(chosen)], target, level=level)
    finally:
        if reopen:
            app.books.open(str(target))
    if not reopen:
        app.books.open(str(target))
    status(app, f"이업종 취합: {target.name}")
    alert(app, summary_text(run.data, run.cons, target))
    return run.cons


def summary_text(data: dict[str, Any], cons: Any, target: Path) -> str:
    s = data["summary"]
    lines = [f"취합 완료: {target.name} ({LEVEL_KO.get(s['level'], s['level'])}, {s['year']}년)",
             (f"파일 {s['files']}개 — 새로 {s['created']}, 교체 {s['replaced']}, 변경 없음 {s['unchanged']}, "
              f"제외 {s['rejected']}, 충돌 {s['conflicts']}, 중복 {s['duplicate']}"),
             f"행: 입력 {s['rows_in']}, 반영 {s['rows_accepted']}, 제외 {s['rows_rejected']}"]
    bad = [Path(x.file).name for x in cons.sources if x.status in ("rejected", "conflict")]
    if bad:
        lines.append("제외·충돌 파일: " + ", ".join(bad[:6]) + (f" 외 {len(bad) - 6}개" if len(bad) > 6 else ""))
    clashed = [f"{fed} {code}" for fed, e in data["reporting"].items() for code in e.get("conflicts", [])]
    if clashed:  # two different reports of one club: neither taken (not missing)
        lines.append("충돌 교류회: " + ", ".join(clashed[:10]) + (f" 외 {len(clashed) - 10}곳" if len(clashed) > 10 else ""))
    missing = [f"{fed} {code}" for fed, e in data["reporting"].items() for code in e["missing"]]
    lines.append("미제출 교류회: " + (", ".join(missing[:10]) + (f" 외 {len(missing) - 10}곳" if len(missing) > 10
                                                               else "") if missing else "없음"))
    lines.append(f"오류 {s['errors']}건, 경고 {s['warnings']}건 — [검증결과]·[제외]·[출처] 시트를 보세요.")
    return "\n".join(lines)


def ask_folder(app: Any, default: Path) -> Path | None:
    """The folder to consolidate: Excel's folder picker on Windows, the system's on macOS; None if cancelled."""
    prompt = "취합할 교류회 보고서 폴더를 고르세요"
    if sys.platform.startswith("win"):
        dialog = app.api.FileDialog(4)  # msoFileDialogFolderPicker
        dialog.Title = prompt
        dialog.InitialFileName = str(default) + os.sep
        return Path(dialog.SelectedItems(1)) if dialog.Show() == -1 else None
    if sys.platform == "darwin":
        script = f'POSIX path of (choose folder with prompt "{prompt}" default location (POSIX file "{default}"))'
        done = subprocess.run(["osascript", "-e", script], capture_output=True, text=True, check=False)
        return Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None
    return default if alert(app, f"'{default}' 폴더를 취합할까요?", buttons="ok_cancel") == "ok" else None


# -------------------------------------------------------------------------------------------- 지표·지원금 갱신


def refresh_book(book: Any) -> Any:
    """갱신: recompute indicators and the funding round from the live cells (unsaved edits too), write them back."""
    app = book.app
    if book_kind(book) != "consolidated":
        raise ButtonError("이 통합 문서는 취합 문서가 아닙니다 (지표와 지원금은 취합 문서에만 있습니다).",
                      "[취합]으로 만든 연합회·전국 취합 문서를 열고 [지표·지원금 갱신]을 누르세요.")
    status(app, "이업종: 지표·지원금 계산 중…")
    derived_sheets = service.DERIVED_SHEETS
    with tempfile.TemporaryDirectory(prefix="iupjong-") as tmp:
        live = snapshot(book, Path(tmp) / "live.xlsx")
        run = service.derive_copy(live, Path(tmp) / "derived.xlsx")
        derived = run.derived
        grids = _formula_grids(run.output, derived_sheets)
    app.screen_updating = False
    names = sheet_names(book)
    for name in derived_sheets:
        sheet = book.sheets[name] if name in names else book.sheets.add(name)
        sheet.used_range.clear_contents()
        if grids[name]:
            sheet.range("A1").value = grids[name]
    t = derived.round.totals()
    status(app, f"이업종 갱신: 신청 {t['requests']}건, 적격 {t['eligible']}건, 선정 {t['selected']}건, "
                f"정부지원 {t['selected_gov_won']:,}원 (저장하면 파일에 남습니다)")
    return derived


def _formula_grids(path: Path, names: tuple[str, ...]) -> dict[str, list[list[Any]]]:
    """Cells of the freshly written sheets as Excel takes them: formulas as '=…', text forced to stay text."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    out: dict[str, list[list[Any]]] = {}
    for name in names:
        ws = wb[name]
        out[name] = [[c.value if c.data_type == "f" else as_text(c.value) for c in row]
                     for row in ws.iter_rows(min_row=1, min_col=1, max_row=ws.max_row, max_col=ws.max_column)]
    wb.close()
    return out


# ------------------------------------------------------------------------------------------ 새 서식, 도움말


def new_template(book: Any, kind: str | None = None, year: int | None = None) -> Path | None:
    """새 서식: write a blank club or federation template beside this workbook and open it."""
    app = book.app
    if kind is None:
        answer = alert(app, "어떤 서식을 만들까요?\n\n예: 단위교류회 실적보고서\n아니오: 지역연합회 보고서",
                       buttons="yes_no_cancel")
        kind = {"yes": "club", "no": "federation"}.get(answer or "")
        if kind is None:
            return None
    years = service.rulebook_years()
    if year is None:
        own = shown(meta(book).get("year"))
        year = int(own) if own.isdigit() and int(own) in years else years[-1]
    path = saved_path(book)
    folder = path.parent if path else Path.home()
    target = unique_path(folder / f"{'단위교류회' if kind == 'club' else '지역연합회'}_{year}.xlsx")
    service.template(target, kind, year)
    app.books.open(str(target))
    status(app, f"이업종 새 서식: {target}")
    return target


def show_help(book: Any = None, opener: Callable[[str], Any] | None = None) -> Path:
    """도움말: the README's section for users, as a page in the browser."""
    from iupjong_xl.excel.install import help_page

    page = help_page()
    (opener or webbrowser.open)(page.as_uri())
    return page
