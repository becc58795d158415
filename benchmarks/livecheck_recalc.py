"""How long LibreOffice takes to recalculate the live checks of a full clean club report (reported, not asserted).

A club report with 30 members and 15 activities (plus results and consortium requests) is written by the
template generator, re-saved with openpyxl (formulas kept, no cached results, so LibreOffice has to compute every
formula) and converted headless to xlsx. The same is done for a workbook without formulas to subtract LibreOffice's
start-up. Prints JSON; `--check` also verifies that the recalculated report shows no error and no warning.

    python benchmarks/livecheck_recalc.py [--repeat 3] [--check]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import openpyxl

from iupjong_xl.outputs import livecheck
from iupjong_xl.outputs.templates import write_template
from iupjong_xl.validate.normalize import make_brn
from iupjong_xl.validate.pipeline import validate

KSIC = ["29 기타 기계 및 장비 제조업", "26 전자 부품, 컴퓨터, 영상, 음향 및 통신장비 제조업", "20 화학물질 및 화학제품 제조업; 의약품 제외",
        "58 출판업", "10 식료품 제조업", "25 금속 가공제품 제조업; 기계 및 가구 제외"]
ROLES = ["회장", "부회장", "총무"]


def full_report(members: int = 30, activities: int = 15) -> dict[str, list[dict[str, Any]]]:
    brns = [make_brn(f"{116 + i}8{i % 9 + 1}{1000 + 37 * i:04d}") for i in range(members)]
    return {
        "club": [{"club_code": "SEO-001", "club_name": "서울한빛교류회", "federation": "서울", "founded_year": 1995,
                  "report_year": 2009, "chair_brn": brns[0], "secretary": "김민수", "phone": "02-1234-5678",
                  "email": "hanbit@example.kr", "activity_info": "예", "activity_resource": "아니오",
                  "activity_newproduct": "예"}],
        "member": [{"brn": b, "company_name": f"회원사{i + 1:02d}(주)", "ceo": f"대표{i + 1:02d}", "ksic": KSIC[i % len(KSIC)],
                    "employees": 10 + 3 * i, "sales_mwon": 500 + 120 * i, "joined": datetime.date(2000 + i % 9, 1 + i % 12, 1),
                    "role": ROLES[i] if i < len(ROLES) else "회원", "products": f"제품 {i + 1}, 기술 {i + 2}"}
                   for i, b in enumerate(brns)],
        "activity": [{"date": datetime.date(2009, 1 + i % 12, 5 + i // 12), "kind": "월례회" if i < 12 else "세미나",
                      "attendees": members - 2 - i % 5, "note": f"{i + 1}회차"} for i in range(activities)],
        "result": [{"kind": "신제품", "title": f"공동개발 {i + 1}", "participants": f"{brns[i]}, {brns[i + 1]}",
                    "amount_won": 10_000_000 + i, "date": datetime.date(2009, 2 + i, 10)} for i in range(3)],
        "consortium": [{"title": f"협력과제 {i + 1}", "lead_brn": brns[i], "partner_brns": f"{brns[i + 1]}, {brns[i + 2]}",
                        "field": "그린에너지·환경", "total_won": 20_000_000, "gov_won": 15_000_000, "company_won": 5_000_000,
                        "submitted": datetime.date(2009, 3, 20)} for i in range(2)],
    }


def convert(files: list[Path], outdir: Path, profile: Path, timeout: float = 300) -> float:
    cmd = [shutil.which("soffice") or "soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
           "--norestore", "--nolockcheck", "--convert-to", "xlsx", "--outdir", str(outdir), *map(str, files)]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--check", action="store_true", help="fail unless the recalculated report is clean")
    args = ap.parse_args(argv)
    if shutil.which("soffice") is None:
        print(json.dumps({"skipped": "LibreOffice (soffice) is not on PATH"}))
        return 0
    with tempfile.TemporaryDirectory() as tmp_:
        tmp = Path(tmp_)
        data = full_report()
        report = write_template(tmp / "report.xlsx", "club", 2009, data)
        assert not validate([str(report)]).findings, "the benchmark report must be clean"
        wb = openpyxl.load_workbook(report)
        wb.save(stripped := tmp / "full_report.xlsx")
        wb.close()
        plain = openpyxl.Workbook()
        plain.active["A1"] = 1
        plain.save(baseline := tmp / "baseline.xlsx")
        profile = tmp / "lo_profile"
        convert([baseline], tmp / "warm", profile)  # the first start creates the profile
        base, full = [], []
        for i in range(args.repeat):
            base.append(convert([baseline], tmp / f"b{i}", profile))
            full.append(convert([stripped], tmp / f"f{i}", profile))
        out = tmp / f"f{args.repeat - 1}" / "full_report.xlsx"
        got = openpyxl.load_workbook(out, data_only=True)[livecheck.CHECK_SHEET]
        totals = next(r for r in got.iter_rows(values_only=True) if r[0] == "합계")[1:3]
        formulas = sum(1 for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f")
        result = {
            "report": {"members": len(data["member"]), "activities": len(data["activity"]),
                       "results": len(data["result"]), "consortia": len(data["consortium"]), "formulas": formulas},
            "soffice_startup_s": round(min(base), 2),
            "convert_full_report_s": round(min(full), 2),
            "recalculation_s": round(min(full) - min(base), 2),
            "check_errors_warnings": list(totals),
            "repeat": args.repeat,
        }
        print(json.dumps(result, ensure_ascii=False, indent=2))
        if args.check and list(totals) != [0, 0]:
            print("the recalculated clean report is flagged", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
