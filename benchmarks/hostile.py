"""Peak memory and time of `iupjong validate` on each file of the hostile corpus (tests/hostile.py), and on all of
them mixed with good reports: the per-file memory cap must hold (peak RSS stays near the worker's start plus the
cap) and no file may take longer than the time limit.  A measurement, not a test: nothing is asserted.

    python benchmarks/hostile.py [--memory-mb 1024] [--seconds 60] [--out benchmarks/results]

Writes OUT/hostile.json and OUT/hostile.md.  Every run is a child process measured by a small wrapper process
(getrusage of its waited-for descendants: the command and its worker processes).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "tests"))

_WRAP = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
         "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode; "
         "print(rc, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def measure(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Exit code, wall seconds and peak RSS (MiB, the largest process) of one `iupjong` run."""
    out = subprocess.run([sys.executable, "-c", _WRAP, sys.executable, "-m", "iupjong_xl", *args], env=env,
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout.split()
    return {"exit": int(out[0]), "seconds": round(float(out[1]), 2), "peak_rss_mib": round(int(out[2]) / 1024, 1)}


def _rule_books(tmp: Path, memory_mb: int, seconds: int) -> Path:
    from iupjong_xl import rulebook

    root = tmp / "rules"
    shutil.copytree(rulebook.packaged_root(), root, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    for year in rulebook.available_years(root):
        p = root / str(year) / "rulebook.yaml"
        text = p.read_text(encoding="utf-8").replace("  file_memory_mb: 1024 ", f"  file_memory_mb: {memory_mb} ", 1)
        p.write_text(text.replace("  file_seconds: 60 ", f"  file_seconds: {seconds} ", 1), encoding="utf-8")
    return root


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--memory-mb", type=int, default=1024)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--out", type=Path, default=HERE / "results")
    a = ap.parse_args(argv)

    from conftest import club_data, federation_data
    from hostile import write_corpus

    from iupjong_xl.outputs.templates import write_template

    env = {**os.environ, "IUPJONG_IN_PROCESS": "0"}
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        good = tmp / "good"
        good.mkdir()
        write_template(good / "club.xlsx", "club", 2009, club_data())
        write_template(good / "federation.xlsx", "federation", 2009, federation_data())
        t = time.perf_counter()
        expected = write_corpus(tmp / "bad", good / "club.xlsx")
        generated = time.perf_counter() - t
        rules = str(_rule_books(tmp, a.memory_mb, a.seconds))
        base = measure(["--rulebook", rules, "validate", str(good / "club.xlsx"), "-q"], env)
        rows.append({"file": "(one good report)", "bytes": (good / "club.xlsx").stat().st_size, **base})
        for name in sorted(expected):
            p = tmp / "bad" / name
            rows.append({"file": name, "bytes": p.stat().st_size,
                         **measure(["--rulebook", rules, "validate", str(p), "-q"], env)})
        mixed = measure(["--rulebook", rules, "validate", str(tmp), str(ROOT / "sample_workbooks" / "2009"), "-q"],
                        env)
    result = {"memory_mb": a.memory_mb, "seconds": a.seconds, "generation_seconds": round(generated, 2),
              "files": rows, "mixed_with_sample_corpus": mixed, "python": sys.version.split()[0]}
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "hostile.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    worst = max(rows, key=lambda r: float(r["peak_rss_mib"]))  # type: ignore[arg-type]
    lines = [f"# Hostile corpus: peak RSS per file (cap {a.memory_mb} MiB, {a.seconds} s per file)", "",
             f"Corpus generated in {generated:.1f} s. Mixed run (every hostile file, 2 good reports, "
             f"sample_workbooks/2009): exit {mixed['exit']}, {mixed['seconds']} s, peak RSS {mixed['peak_rss_mib']} "
             f"MiB. Largest single-file peak: {worst['file']} ({worst['peak_rss_mib']} MiB).", "",
             "| file | bytes | exit | seconds | peak RSS MiB |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {r['file']} | {r['bytes']:,} | {r['exit']} | {r['seconds']} | {r['peak_rss_mib']} |" for r in rows]
    (a.out / "hostile.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
