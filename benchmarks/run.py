"""Speed at national scale, side by side in one run: the floor, the naive pipeline, `iupjong validate`,
`iupjong consolidate`, an xlsxwriter-only write of the same cells, and start-up.

    python benchmarks/run.py --scale 2740 [--scale 27400 ...] [--repeat N] [--out benchmarks/results]
                             [--skip naive] [--corpus-root benchmarks/corpus]

Every measurement is a child process (timed with perf_counter around it, best of N; peak RSS from os.wait4 of
that child). Children that are reference tasks also report their in-process work time (no start-up, no imports):

  floor         unzip every workbook and decompress every sheet XML + shared strings (benchmarks/tasks.py floor)
  calamine      python-calamine parse of every sheet of every workbook (a parse floor, informative)
  naive         openpyxl per file -> pandera per sheet per file -> concat -> to_excel(openpyxl) (benchmarks/naive.py)
  validate      iupjong validate CORPUS --format json -q                       (whole process)
  consolidate   iupjong consolidate CORPUS -o TMP.xlsx --format json -q        (whole process, real write)
  write         every cell of that consolidated workbook written by xlsxwriter alone (benchmarks/tasks.py write)
  bare_python   python -c pass
  help          iupjong --help

Ratios (the issue's targets): naive/validate >= 10, naive/consolidate >= 5, consolidate/(floor + write) <= 8
(floor and write as work time, the product as whole process), s/1000 files at 27,400 <= 1.3 x at 2,740,
help - bare_python <= 0.15 s, peak RSS < 2 GiB at 27,400. Results: OUT/bench-<scale>.json and .md, and
OUT/summary.md over every bench-*.json in OUT. No assertion on time anywhere: this reports.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(REPO))

import corpus as corpus_mod  # noqa: E402 - found through the sys.path entry above

MEASURES = ("floor", "calamine", "naive", "validate", "consolidate", "write", "bare_python", "help")
RATIOS = ("validate_vs_floor", "consolidate_vs_floor", "consolidate_vs_floor_write", "naive_vs_validate",
          "naive_vs_consolidate", "startup_overhead_s", "ledger_vs_no_ledger", "rerun_vs_first",
          "ledger_bytes_per_report")
TARGETS = {  # ratio -> (comparison, bound)
    "naive_vs_validate": (">=", 10.0),
    "naive_vs_consolidate": (">=", 5.0),
    "consolidate_vs_floor_write": ("<=", 8.0),
    "startup_overhead_s": ("<=", 0.15),
    "ledger_vs_no_ledger": ("<=", 1.25),  # the ledger's cost: consolidate with it / the same run without one
    "rerun_vs_first": ("<=", 0.5),  # a re-run of unchanged inputs / the first run (both with the ledger)
}
RSS_LIMIT_MIB = 2048
LINEARITY_LIMIT = 1.3
MD_ROWS = {  # measure -> label in the Markdown table
    "floor": "floor: unzip + read sheet XML (work)",
    "calamine": "python-calamine parse, every sheet (work)",
    "naive": "naive: openpyxl → pandera per file → to_excel",
    "validate": "`iupjong validate --format json`",
    "consolidate_no_ledger": "`iupjong consolidate -o out.xlsx --no-ledger`",
    "consolidate": "`iupjong consolidate -o out.xlsx` (ledger, first run)",
    "consolidate_rerun": "the same again (ledger, unchanged inputs)",
    "write": "xlsxwriter alone, same cells (work)",
    "bare_python": "`python -c pass`",
    "help": "`iupjong --help`",
}


GNU_TIME = next((t for t in ("/usr/bin/time",) if os.access(t, os.X_OK)), None)


def product_cmd() -> list[str]:
    """The installed `iupjong` console script of this interpreter, else `python -m iupjong_xl`."""
    script = Path(sys.executable).parent / "iupjong"
    return [str(script)] if script.exists() else [sys.executable, "-m", "iupjong_xl"]


def _tree(pid: int) -> list[int]:
    """pid and its descendants (Linux /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            continue
    return out


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class _TreeSampler(threading.Thread):
    """Samples the summed PSS of a process tree (the command and its worker processes) every `every` seconds."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak_kib = pid, every, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak_kib = max(self.peak_kib, sum(_pss_kib(p) for p in _tree(self.pid)))
            self.done.wait(self.every)


def run_child(cmd: list[str], ok: tuple[int, ...] = (0,)) -> dict[str, Any]:
    """Run one child: wall time around it, its peak memory, its stdout.

    rss_mib: the command's own peak RSS (GNU time %M: the largest single process of the tree; a forked child's
    ru_maxrss would include the harness's RSS at fork, which GNU time avoids; without GNU time os.wait4 is used).
    tree_pss_mib: the peak of the summed PSS of the command and its worker processes, sampled every 50 ms
    (Linux /proc; 0 elsewhere). peak_mib = the larger of the two: what the run costs the machine."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        full = [GNU_TIME, "-f", "%M", "-o", rss.name, *cmd] if GNU_TIME else cmd
        t = time.perf_counter()
        p = subprocess.Popen(full, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=REPO)
        sampler = _TreeSampler(p.pid)
        sampler.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        sampler.done.set()
        sampler.join()
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
        kib = ru.ru_maxrss
        if GNU_TIME:
            lines = [x for x in rss.read().split() if x.isdigit()]
            kib = int(lines[-1]) if lines else kib
    if p.returncode not in ok:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}:\n{stderr[-3000:]}")
    tree = sampler.peak_kib / 1024
    return {"wall_s": wall, "rss_mib": max(kib / 1024, tree), "proc_rss_mib": kib / 1024, "tree_pss_mib": tree,
            "rc": p.returncode, "stdout": stdout}


def _json_tail(text: str) -> Any:
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        return json.loads(text.splitlines()[-1])


def warm_cache(folder: Path) -> int:
    """Read every file once so every measurement sees the same (warm) page cache."""
    n = 0
    for p in folder.rglob("*.xlsx"):
        n += len(p.read_bytes())
    return n


def measure_scale(scale: int, repeat: int, skip: set[str], corpus_root: Path, log: Any) -> dict[str, Any]:
    info = corpus_mod.ensure_corpus(scale, corpus_root, log=log)
    folder = Path(info.path)
    warm_cache(folder)
    iup = product_cmd()
    py = sys.executable
    best: dict[str, dict[str, Any]] = {}
    work = Path(tempfile.mkdtemp(prefix="iupjong-bench-"))

    def keep(name: str, res: dict[str, Any], extra: dict[str, Any] | None = None) -> None:
        entry = {"wall_s": res["wall_s"], "rss_mib": res["rss_mib"], "proc_rss_mib": res["proc_rss_mib"],
                 "tree_pss_mib": res["tree_pss_mib"], **(extra or {})}
        old = best.get(name)
        if old is None:
            best[name] = {**entry, "runs": 1, "peak_rss_mib": res["rss_mib"], "walls": [res["wall_s"]]}
            return
        runs, peak, walls = old["runs"] + 1, max(old["peak_rss_mib"], res["rss_mib"]), [*old["walls"], res["wall_s"]]
        best[name] = {**(entry if res["wall_s"] < old["wall_s"] else old), "runs": runs, "peak_rss_mib": peak,
                      "walls": walls}

    load = {"before": _loadavg()}  # other work on the machine skews wall times: recorded, not corrected
    try:
        for i in range(repeat):
            log(f"  [{scale}] round {i + 1}/{repeat}")
            r = run_child([py, str(HERE / "tasks.py"), "floor", str(folder)])
            keep("floor", r, _json_tail(r["stdout"]))
            r = run_child([py, str(HERE / "tasks.py"), "calamine", str(folder)])
            keep("calamine", r, _json_tail(r["stdout"]))
            if "naive" not in skip:
                r = run_child([py, str(HERE / "naive.py"), str(folder), "-o", str(work / f"naive-{i}.xlsx")])
                keep("naive", r, _json_tail(r["stdout"]))
                (work / f"naive-{i}.xlsx").unlink(missing_ok=True)
            if "validate" not in skip:
                r = run_child([*iup, "validate", str(folder), "--format", "json", "-q"], ok=(0, 1))
                stats = _json_tail(r["stdout"])["stats"]
                keep("validate", r, {"stats": stats})
            out = work / f"run-{i}" / "consolidated.xlsx"  # a fresh folder each time: a new ledger, a new output
            out.parent.mkdir()
            if "consolidate" not in skip:
                plain = work / f"plain-{i}.xlsx"  # the workbook as the only record (no ledger): the path before it
                r = run_child([*iup, "consolidate", str(folder), "-o", str(plain), "--no-ledger", "--format", "json",
                               "-q"], ok=(0, 1))
                keep("consolidate_no_ledger", r)
                plain.unlink(missing_ok=True)
                r = run_child([*iup, "consolidate", str(folder), "-o", str(out), "--format", "json", "-q"], ok=(0, 1))
                summ = _json_tail(r["stdout"])["summary"]
                ledger_bytes = (out.parent / "iupjong.db").stat().st_size
                keep("consolidate", r, {"summary": {k: summ.get(k) for k in (
                    "files", "created", "duplicate", "rejected", "rows_in", "rows_accepted", "errors", "warnings")},
                    "output_bytes": out.stat().st_size, "ledger_bytes": ledger_bytes,
                    "ledger_bytes_per_report": round(ledger_bytes / max(summ.get("files") or 1, 1))})
                r = run_child([*iup, "consolidate", str(folder), "-o", str(out), "--format", "json", "-q"], ok=(0, 1))
                keep("consolidate_rerun", r, {"unchanged": _json_tail(r["stdout"])["summary"].get("unchanged")})
                r = run_child([py, str(HERE / "tasks.py"), "write", str(out), str(work / f"write-{i}.xlsx")])
                keep("write", r, _json_tail(r["stdout"]))
                shutil.rmtree(out.parent, ignore_errors=True)
                (work / f"write-{i}.xlsx").unlink(missing_ok=True)
        for _ in range(max(repeat, 5)):  # start-up: cheap, so always at least 5 tries
            keep("bare_python", run_child([py, "-c", "pass"]))
            keep("help", run_child([*iup, "--help"]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load["after"] = _loadavg()
    return {"scale": scale, "corpus": info.to_dict(), "repeat": repeat, "measures": best, "load": load,
            "ratios": ratios(best, info.files), "product_cmd": " ".join(iup)}


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def ratios(m: dict[str, dict[str, Any]], files: int) -> dict[str, Any]:
    def wall(k: str) -> float | None:
        return m[k]["wall_s"] if k in m else None

    def work(k: str) -> float | None:
        return m[k].get("work_s") if k in m else None

    def div(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    floor, write = work("floor"), work("write")
    out: dict[str, Any] = {
        "validate_vs_floor": div(wall("validate"), floor),
        "consolidate_vs_floor": div(wall("consolidate"), floor),
        "consolidate_vs_floor_write": div(wall("consolidate"), floor + write if floor and write else None),
        "naive_vs_validate": div(wall("naive"), wall("validate")),
        "naive_vs_consolidate": div(wall("naive"), wall("consolidate")),
        "ledger_vs_no_ledger": div(wall("consolidate"), wall("consolidate_no_ledger")),
        "rerun_vs_first": div(wall("consolidate_rerun"), wall("consolidate")),
        "ledger_bytes_per_report": m["consolidate"].get("ledger_bytes_per_report") if "consolidate" in m else None,
        "startup_overhead_s": m["help"]["wall_s"] - m["bare_python"]["wall_s"] if "help" in m and "bare_python" in m
        else None,
        "s_per_1000_files": {k: div(wall(k) if k not in ("floor", "calamine", "write") else work(k), files / 1000)
                             for k in ("floor", "calamine", "naive", "validate", "consolidate", "write") if k in m},
        "peak_rss_mib": {k: v["peak_rss_mib"] for k, v in m.items()},
    }
    out["targets"] = {name: {"value": out[name], "target": f"{op} {bound:g}",
                             "met": None if out[name] is None else (out[name] >= bound if op == ">=" else out[name] <= bound)}
                      for name, (op, bound) in TARGETS.items()}
    rss = max((m[k]["peak_rss_mib"] for k in ("validate", "consolidate") if k in m), default=None)
    out["targets"]["product_peak_rss_mib"] = {"value": rss, "target": f"< {RSS_LIMIT_MIB}",
                                              "met": None if rss is None else rss < RSS_LIMIT_MIB}
    return out


def _f(v: Any, digits: int = 2) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "**no**"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def markdown(res: dict[str, Any]) -> str:
    c, m, r = res["corpus"], res["measures"], res["ratios"]
    title = (f"### {res['scale']:,} club reports ({c['files']:,} files, {c['bytes'] / 1e6:,.0f} MB"
             + (f", {c['replicas']} copies of {c['distinct_clubs']:,} clubs" if c["replicas"] > 1 else "")
             + f"), best of {res['repeat']}")
    load = res.get("load") or {}
    where = f"{res['machine']}; load average before/after {_f(load.get('before'))} / {_f(load.get('after'))}"
    lines = [title, "", where, "",
             "| measurement | wall s (whole process) | work s | s / 1,000 files | peak RSS MiB |",
             "|---|---:|---:|---:|---:|"]
    per = r["s_per_1000_files"]
    for k, label in MD_ROWS.items():
        if k not in m:
            lines.append(f"| {label} | skipped | | | |")
            continue
        e = m[k]
        lines.append(f"| {label} | {_f(e['wall_s'])} | {_f(e.get('work_s'))} | {_f(per.get(k), 3)} | "
                     f"{_f(e['peak_rss_mib'], 0)} |")
    lines += ["", "| ratio | value | target | met |", "|---|---:|---|---|"]
    labels = {"validate_vs_floor": "validate / floor", "consolidate_vs_floor": "consolidate / floor",
              "consolidate_vs_floor_write": "consolidate / (floor + xlsxwriter write)",
              "naive_vs_validate": "naive / validate", "naive_vs_consolidate": "naive / consolidate",
              "startup_overhead_s": "`iupjong --help` − `python -c pass` (s)",
              "ledger_vs_no_ledger": "consolidate with ledger / without", "rerun_vs_first": "re-run / first run",
              "ledger_bytes_per_report": "ledger bytes per input file"}
    for k in RATIOS:
        t = r["targets"].get(k, {})
        lines.append(f"| {labels[k]} | {_f(r[k])} | {t.get('target', '')} | {_f(t.get('met')) if t else ''} |")
    t = r["targets"]["product_peak_rss_mib"]
    lines.append(f"| product peak RSS (MiB) | {_f(t['value'], 0)} | {t['target']} | {_f(t['met'])} |")
    return "\n".join(lines) + "\n"


def summary_markdown(results: list[dict[str, Any]]) -> str:
    results = sorted(results, key=lambda x: x["scale"])
    keys = ("floor", "naive", "validate", "consolidate", "write")
    lines = ["| scale | files | " + " | ".join(f"{k} s" for k in keys) + " | naive / validate | naive / consolidate "
             "| consolidate / (floor + write) | validate s/1k | consolidate s/1k | peak RSS MiB (validate / consolidate) "
             "| run (best of) |",
             "|---:|---:|" + "---:|" * (len(keys) + 6) + "---|"]
    for res in results:
        m, r = res["measures"], res["ratios"]
        t = [_f(m[k]["work_s"] if k in ("floor", "write") else m[k]["wall_s"]) if k in m else "—" for k in keys]
        rss = r["peak_rss_mib"]
        lines.append(f"| {res['scale']:,} | {res['corpus']['files']:,} | " + " | ".join(t)
                     + f" | {_f(r['naive_vs_validate'], 1)} | {_f(r['naive_vs_consolidate'], 1)} | "
                     f"{_f(r['consolidate_vs_floor_write'], 1)} | {_f(r['s_per_1000_files'].get('validate'))} | "
                     f"{_f(r['s_per_1000_files'].get('consolidate'))} | {_f(rss.get('validate'), 0)} / "
                     f"{_f(rss.get('consolidate'), 0)} | {str(res.get('when', ''))[:16]} ({res.get('repeat')}) |")
    lin = linearity(results)
    if lin:
        text = ", ".join(f"{k} {v['from']:,}→{v['to']:,}: {v['ratio']:.2f}" for k, v in lin.items())
        lines += ["", f"Linearity (s / 1,000 files at the larger scale ÷ at the smaller; target ≤ 1.3): {text}"]
    starts = [(res["measures"].get("help"), res["measures"].get("bare_python")) for res in results]
    starts = [(h["wall_s"], b["wall_s"]) for h, b in starts if h and b]
    if starts:
        h, b = min(starts)
        lines += ["", (f"Start-up: `iupjong --help` {h:.3f} s, `python -c pass` {b:.3f} s: overhead {h - b:.3f} s "
                       "(target ≤ 0.15 s).")]
    return "\n".join(lines) + "\n"


def linearity(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """s/1000 files of the largest scale over the next smaller one, per product command."""
    rs = sorted(results, key=lambda x: x["scale"])
    out: dict[str, dict[str, Any]] = {}
    if len(rs) < 2:
        return out
    big = rs[-1]
    small = next((x for x in reversed(rs[:-1]) if x["scale"] >= 1000), rs[-2])
    for k in ("validate", "consolidate", "naive"):
        a, b = small["ratios"]["s_per_1000_files"].get(k), big["ratios"]["s_per_1000_files"].get(k)
        if a and b:
            out[k] = {"from": small["scale"], "to": big["scale"], "ratio": b / a}
    return out


def _git_describe() -> str | None:
    try:
        return subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True,
                              timeout=10, check=False).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return (f"{os.cpu_count()} cores ({cpu}){mem}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="iupjong-xl benchmark harness (see benchmarks/README.md)")
    ap.add_argument("--scale", type=int, action="append", help="club reports: 274, 2740, 27400 (repeatable)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement; the best wall time is kept")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    ap.add_argument("--corpus-root", type=Path, default=corpus_mod.DEFAULT_ROOT)
    ap.add_argument("--skip", action="append", default=[], choices=["naive", "validate", "consolidate"],
                    help="leave out a measurement (e.g. naive at 27400: it takes long)")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args(argv)

    def log(s: str) -> None:
        if not a.quiet:
            print(s, file=sys.stderr, flush=True)

    a.out.mkdir(parents=True, exist_ok=True)
    results = []
    for scale in a.scale or [274]:
        res = measure_scale(scale, max(1, a.repeat), set(a.skip), a.corpus_root, log)
        res["machine"] = machine()
        res["when"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        res["command"] = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
        res["git"] = _git_describe()
        results.append(res)
        md = markdown(res)
        (a.out / f"bench-{scale}.json").write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (a.out / f"bench-{scale}.md").write_text(md, encoding="utf-8")
        print(md)
    # the summary: every result in OUT (earlier runs of other scales included), with linearity across scales
    every = []
    for p in sorted(a.out.glob("bench-*.json")):
        try:
            every.append(json.loads(p.read_text(encoding="utf-8")))
        except ValueError:
            continue
    summary = summary_markdown(every)
    lin = linearity(every)
    (a.out / "summary.md").write_text(summary, encoding="utf-8")
    (a.out / "summary.json").write_text(json.dumps({"scales": sorted(x["scale"] for x in every), "linearity": lin,
                                                    "linearity_target": LINEARITY_LIMIT}, indent=2) + "\n",
                                        encoding="utf-8")
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
