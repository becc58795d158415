"""Time and peak memory of `iupjong validate` and `iupjong validate --annotate` on a report whose 회원사 sheet holds
800,000 more rows (~20 MB, issue 19 point 8): annotating runs under the same per-file limits as reading, so both
cost at most the configured seconds and megabytes (the copy is refused with FILE_TOO_COMPLEX when over them). A
measurement, not a test: nothing is asserted.

    python benchmarks/annotate_limits.py [--rows 800000] [--memory-mb 1024] [--seconds 60] [--out benchmarks/results]

Writes OUT/annotate_limits.json and OUT/annotate_limits.md (peak RSS: the largest process of the run, workers
included, as benchmarks/hostile.py measures it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT))
sys.path.insert(2, str(ROOT / "tests"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=800_000)
    ap.add_argument("--memory-mb", type=int, default=1024)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--out", type=Path, default=HERE / "results")
    a = ap.parse_args(argv)

    from conftest import club_data
    from hostile import _rule_books, measure  # benchmarks/hostile.py

    from iupjong_xl.outputs.templates import write_template
    from tests.hostile import many_member_rows

    env = {**os.environ, "IUPJONG_IN_PROCESS": "0"}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        write_template(tmp / "club.xlsx", "club", 2009, club_data())
        t = time.perf_counter()
        big = tmp / "in" / "many_rows.xlsx"
        big.parent.mkdir()
        many_member_rows(tmp / "club.xlsx", big, a.rows)
        generated = time.perf_counter() - t
        rules = str(_rule_books(tmp, a.memory_mb, a.seconds))
        runs = {
            "validate": measure(["--rulebook", rules, "validate", str(big), "-q"], env),
            "validate --annotate": measure(["--rulebook", rules, "validate", str(big), "-q", "--annotate",
                                            str(tmp / "ann")], env),
        }
        copies = sorted(p.name for p in (tmp / "ann").iterdir()) if (tmp / "ann").exists() else []
        size = big.stat().st_size
    result = {"rows": a.rows, "bytes": size, "memory_mb": a.memory_mb, "seconds": a.seconds,
              "generation_seconds": round(generated, 2), "runs": runs, "copies_written": copies,
              "python": sys.version.split()[0]}
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "annotate_limits.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lines = [f"# A report with {a.rows:,} more 회원사 rows ({size:,} bytes): limits {a.memory_mb} MiB, {a.seconds} s "
             "per file", "", "| run | exit | seconds | peak RSS MiB |", "|---|---:|---:|---:|"]
    lines += [f"| {k} | {r['exit']} | {r['seconds']} | {r['peak_rss_mib']} |" for k, r in runs.items()]
    lines += ["", f"Marked-up copies written: {', '.join(copies) or 'none (refused with FILE_TOO_COMPLEX)'}."]
    (a.out / "annotate_limits.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
