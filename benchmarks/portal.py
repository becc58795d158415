"""The portal over loopback: upload a typical club report → its findings page, as a club secretary's browser does
(POST /club/upload/ with the session and CSRF token, then the redirect to /submissions/<id>/), timed end to end.

    python benchmarks/portal.py                    # 1 client x 20 uploads, 10 clients x 3 uploads, ~1 min
    python benchmarks/portal.py --single 40 --each 5

A fresh portal folder (`iupjong portal init`, one club account) is served by `iupjong portal serve` in its own
process. One upload first warms the server up (reported apart). Then: p50, p95 and max of the wall time per upload
with 1 client and with 10 concurrent clients (each its own session, all starting together), and the server's RSS
(current and peak, /proc) and its worker processes: the validation's sandboxed workers are kept between requests,
so their PIDs stay the same and pandas/pandera are imported once, not per request. Every loop is bounded (a fixed
number of uploads, each with a timeout). Goals (issue 22): p95 ≤ 0.5 s at 1 client, ≤ 3 s at 10.
Results: benchmarks/results/portal.json and portal.md."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.portal import served  # noqa: E402  (the same HTTP client the reliability tests use)

REPORT = ROOT / "sample_workbooks" / "2009" / "서울" / "서울_SEO-001_2009.xlsx"
GOALS = {1: 0.5, 10: 3.0}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def memory(pid: int) -> dict[str, Any]:
    """RSS and peak RSS (MiB) of the server, and its child processes (the kept validation workers)."""
    def status(p: int) -> dict[str, int]:
        out = {}
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) // 1024
        return out

    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    own = status(pid)
    workers = {c: status(c) for c in children if Path(f"/proc/{c}").exists()}
    return {"rss_mb": own.get("VmRSS"), "peak_rss_mb": own.get("VmHWM"), "worker_pids": sorted(workers),
            "workers_rss_mb": sum(w.get("VmRSS", 0) for w in workers.values())}


def upload(browser: served.Browser, data: bytes) -> float:
    start = time.perf_counter()
    status, url, page = browser.post("/club/upload/", {}, file=(REPORT.name, data))
    took = time.perf_counter() - start
    if status != 200 or "/submissions/" not in url or "검증" not in page:
        raise RuntimeError(f"unexpected answer: {status} {url}")
    return took


def run(clients: int, each: int, url: str, data: bytes) -> list[float]:
    browsers = [served.Browser(url).login("seo001") for _ in range(clients)]
    times: list[list[float]] = [[] for _ in range(clients)]
    barrier = threading.Barrier(clients)
    failures: list[BaseException] = []

    def client(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            for _ in range(each):
                times[i].append(upload(browsers[i], data))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    if failures:
        raise failures[0]
    return [t for ts in times for t in ts]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--single", type=int, default=20, help="uploads by the one client")
    parser.add_argument("--each", type=int, default=3, help="uploads by each of the 10 concurrent clients")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    data = REPORT.read_bytes()
    with tempfile.TemporaryDirectory(prefix="iupjong-bench-portal-") as tmp:
        folder = Path(tmp) / "portal"
        served.init(folder, {"seo001": "SEO-001"})
        proc, url = served.start(folder)
        try:
            results: dict[str, Any] = {"report": REPORT.relative_to(ROOT).as_posix(), "bytes": len(data)}
            results["memory_at_start"] = memory(proc.pid)
            results["warm_up_s"] = round(run(1, 1, url, data)[0], 3)
            results["memory_after_warm_up"] = memory(proc.pid)
            for clients, each in ((1, args.single), (10, args.each)):
                times = run(clients, each, url, data)
                results[f"clients_{clients}"] = {
                    "uploads": len(times), "p50_s": round(statistics.median(times), 3),
                    "p95_s": round(percentile(times, 0.95), 3), "max_s": round(max(times), 3),
                    "goal_p95_s": GOALS[clients], "met": percentile(times, 0.95) <= GOALS[clients],
                    "memory": memory(proc.pid)}
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    same = results["memory_after_warm_up"]["worker_pids"] == results["clients_1"]["memory"]["worker_pids"]
    results["workers_kept_between_requests"] = same
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "portal.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    lines = ["# portal: upload → findings page over loopback", "",
             f"Report `{results['report']}` ({results['bytes']:,} bytes); first upload after start (warm-up) "
             f"{results['warm_up_s']} s.", "",
             "| clients | uploads | p50 s | p95 s | max s | goal p95 s | met | server RSS MiB | peak MiB | workers MiB |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for clients in (1, 10):
        r = results[f"clients_{clients}"]
        m = r["memory"]
        lines.append(f"| {clients} | {r['uploads']} | {r['p50_s']} | {r['p95_s']} | {r['max_s']} | {r['goal_p95_s']} | "
                     f"{'yes' if r['met'] else 'NO'} | {m['rss_mb']} | {m['peak_rss_mb']} | {m['workers_rss_mb']} |")
    lines += ["", f"Validation workers kept between requests (same PIDs): {'yes' if same else 'no'} "
                  f"({results['clients_1']['memory']['worker_pids']})."]
    (args.out / "portal.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
