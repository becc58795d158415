"""The README table of the live checks: every code of a rule book, checked live in the template or by the
validator only, and why."""

from __future__ import annotations

from iupjong_xl.outputs.livecheck.plan import CHECK_WHAT, ERROR_CODE, live_status
from iupjong_xl.rulebook import RuleBook


def readme_table(book: RuleBook) -> str:
    """Every code of a rule book: checked live in the template, or by the validator only and why (README table)."""
    status = {code: (live, why) for code, _sev, _sheet, _col, live, why in live_status(book)}
    rows = ["| code | severity | where | checked | why / what |", "|---|---|---|---|---|"]
    for code, (sev, _messages) in book.all_codes().items():
        if code in status:
            live, why = status[code]
            where = next(f"{sh} · {col}" if col else sh for c, _s, sh, col, _l, _w in live_status(book) if c == code)
        elif code == ERROR_CODE:
            live, why, where = True, CHECK_WHAT[ERROR_CODE], "every input cell"
        elif code.startswith("CONSOLIDATE_"):
            live, why, where = False, "여러 보고서를 함께 보는 취합 단계의 검사", "(consolidation)"
        elif code.startswith("LEDGER_"):
            live, why, where = False, "취합 문서를 원장(iupjong.db)과 비교하는 취합 단계의 검사", "(ledger)"
        else:
            live, why, where = False, "파일 자체(형식, 시트, 제목 행, 크기)에 대한 검사: 파일을 여는 프로그램이 필요", "(file)"
        checked = "checked live in the template" if live else "checked by the validator only"
        rows.append(f"| `{code}` | {sev} | {where} | {checked} | {why} |")
    return "\n".join(rows)


