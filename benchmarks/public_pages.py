"""Speed of the portal's public pages: p50 / p95 / max per page at 10 concurrent clients over loopback, against the
real server (`iupjong portal serve`, waitress) reading a published snapshot. A measurement, not a test: nothing is
asserted; the target (issue 23) is p95 <= 200 ms per page on the 2-core machine.

    python benchmarks/public_pages.py [--portal DIR] [--clients 10] [--requests 200] [--out benchmarks/results]

Without --portal it builds one (the 2008 + 2009 sample corpus consolidated into a portal folder's ledger and
published with `iupjong portal publish`: about a minute). Bounded: each page gets exactly --requests requests
(spread over --clients threads), then the server is stopped. Writes OUT/public-pages.json and OUT/public-pages.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PAGES = {
    "통계 (전국)": "public/stats/",
    "통계 (서울)": "public/stats/?scope=%EC%84%9C%EC%9A%B8",
    "회원사 찾기 (빈 검색)": "public/companies/",
    "회원사 찾기 (기계)": "public/companies/?q=%EA%B8%B0%EA%B3%84",
    "회원사 찾기 (전자, 부산, 2008)": "public/companies/?q=%EC%A0%84%EC%9E%90&federation=%EB%B6%80%EC%82%B0&year=2008",
    "회원사": "public/companies/2009/2/",
    "교류회": "public/clubs/2009/SEO-001/",
    "자료 내려받기": "public/data/",
    "CSV (지표 하나)": "public/stats.csv?scope=%EC%A0%84%EA%B5%AD&key=reporting_rate",
}


def _cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "iupjong_xl", *args], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def build_portal(folder: Path) -> Path:
    _cli("portal", "init", str(folder))
    for year in (2008, 2009):
        _cli("consolidate", str(ROOT / "sample_workbooks" / str(year)), "-o", str(folder / f"national_{year}.xlsx"),
             "--year", str(year), "--ledger", str(folder / "iupjong.db"), "-q")
    _cli("portal", "publish", str(folder))
    return folder


def _get(url: str) -> float:
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as r:
        r.read()
        assert r.status == 200, (url, r.status)
    return time.perf_counter() - t


def _percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))]


def measure(base: str, clients: int, requests: int) -> dict[str, dict[str, float]]:
    out = {}
    for name, path in PAGES.items():
        url = base + path
        _get(url)  # warm
        with ThreadPoolExecutor(max_workers=clients) as pool:
            times = list(pool.map(lambda _i, u=url: _get(u), range(requests)))
        out[name] = {"requests": requests, "p50_ms": round(_percentile(times, 50) * 1000, 1),
                     "p95_ms": round(_percentile(times, 95) * 1000, 1), "max_ms": round(max(times) * 1000, 1)}
        print(f"{name}: p95 {out[name]['p95_ms']} ms", file=sys.stderr)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--portal", type=Path, help="a portal folder with a published snapshot (default: build one)")
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--requests", type=int, default=200, help="requests per page (bounded)")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="iupjong-public-bench-") as tmp:
        folder = a.portal or build_portal(Path(tmp) / "portal")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen([sys.executable, "-m", "iupjong_xl", "portal", "serve", str(folder), "--port", "0"],
                                cwd=ROOT, env=env, text=True, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
        try:
            assert proc.stderr is not None
            base = None
            for line in proc.stderr:
                found = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
                if found:
                    base = found.group(1)
                    break
            if base is None:
                raise SystemExit("the server did not start")
            threading.Thread(target=proc.stderr.read, daemon=True).start()
            results = measure(base, a.clients, a.requests)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    a.out.mkdir(parents=True, exist_ok=True)
    meta = {"clients": a.clients, "requests_per_page": a.requests, "cpus": os.cpu_count(), "server": "waitress, 4 threads"}
    (a.out / "public-pages.json").write_text(json.dumps({"meta": meta, "pages": results}, ensure_ascii=False,
                                                        indent=2) + "\n", encoding="utf-8")
    lines = [f"# Public pages: {a.clients} concurrent clients over loopback, {a.requests} requests per page",
             "", f"CPUs: {os.cpu_count()} (shared); server: waitress, 4 threads; target p95 ≤ 200 ms", "",
             "| page | p50 (ms) | p95 (ms) | max (ms) |", "|---|---:|---:|---:|"]
    lines += [f"| {n} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} |" for n, r in results.items()]
    (a.out / "public-pages.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
