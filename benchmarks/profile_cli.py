"""Profile one product command on a benchmark corpus with cProfile (in process, imports included).

    python benchmarks/profile_cli.py validate --scale 2740 [--top 40] [--out benchmarks/results]
    python benchmarks/profile_cli.py consolidate --scale 2740

Writes OUT/profile-<command>-<scale>.txt (top functions by cumulative and by own time) and
benchmarks/corpus/profile-<command>-<scale>.prof (git-ignored; for snakeviz or `python -m pstats`). cProfile roughly doubles the run time of pure-Python code; read shares, not seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

import corpus as corpus_mod  # noqa: E402 - found through the sys.path entry above


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=["validate", "consolidate"])
    ap.add_argument("--scale", type=int, default=2740)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--out", type=Path, default=HERE / "results")
    ap.add_argument("--corpus-root", type=Path, default=corpus_mod.DEFAULT_ROOT)
    ap.add_argument("--workers", default="1", help="IUPJONG_WORKERS for the run (cProfile sees only this process, "
                    "so the default 1 keeps the per-file work visible)")
    a = ap.parse_args(argv)
    os.environ["IUPJONG_WORKERS"] = a.workers
    if a.workers == "1":
        os.environ["IUPJONG_IN_PROCESS"] = "1"  # files are read in worker processes otherwise, unseen by cProfile
    info = corpus_mod.ensure_corpus(a.scale, a.corpus_root)
    a.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        args = [a.command, info.path, "--format", "json", "-q"]
        if a.command == "consolidate":
            args += ["-o", str(Path(tmp) / "out.xlsx")]
        prof = cProfile.Profile()
        t = time.perf_counter()
        prof.enable()
        from iupjong_xl.cli import cli  # imports are part of the profile

        with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
            cli.main(args=args, prog_name="iupjong")
        prof.disable()
        wall = time.perf_counter() - t
    base = a.out / f"profile-{a.command}-{a.scale}"
    prof_path = corpus_mod.DEFAULT_ROOT / f"profile-{a.command}-{a.scale}.prof"  # binary: kept out of git
    prof.dump_stats(str(prof_path))
    buf = io.StringIO()
    buf.write(f"iupjong {' '.join(args[:1])} on {info.files} files (scale {a.scale}), IUPJONG_WORKERS={a.workers}: "
              f"{wall:.1f} s under cProfile\n\n")
    for key in ("cumulative", "tottime"):
        buf.write(f"==== by {key} ====\n")
        pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key).print_stats(a.top)
    Path(str(base) + ".txt").write_text(buf.getvalue(), encoding="utf-8")
    print(buf.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
