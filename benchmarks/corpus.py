"""Scaled, deterministic corpora of club reports for the benchmark harness.

`ensure_corpus(n)` returns `benchmarks/corpus/<n>/` (git-ignored), generating it once:

* n <= 12,987 (13 federations x 999 club codes): n *distinct* clubs planned by `iupjong_xl.samples.plan_corpus`
  with every registered club reporting, spread over the 13 federations in the proportions of the national sample
  corpus (`samples.NATIONAL` when the package has it, else evenly). 274 = one national program's worth; 2,740 =
  ten years' worth of club reports (as ten times the clubs of one year: the rule book has one year, 2009, and
  club codes are `<FED>-NNN`). Layout: `<federation>/<federation>_<code>_2009.xlsx`, plus one federation report
  per federation (`<federation>/<federation>_연합회_2009.xlsx`) whose roster lists its clubs.
* n > 12,987 and a multiple of 2,740 (the stress case 27,400): the 2,740 corpus copied byte for byte into
  `copy-01/` ... `copy-10/`. Validation is per file, so this measures the same work as 27,400 distinct files;
  consolidation sees 2,740 distinct clubs and 24,660 duplicate inputs (each still read, validated and hashed).

Files are written with `iupjong_xl.templates.write_template` (xlsxwriter) on all cores; the same seed gives the
same bytes. A `manifest.json` records what was generated; a corpus is reused while its fingerprint matches (scale,
seed, spec, and the bytes the generator writes for a one-club probe, so edits that change no output keep it).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_ROOT = HERE / "corpus"
SCALES = (274, 2740, 27400)
REPLICA_BASE = 2740  # larger scales are copies of this corpus
MAX_PER_FEDERATION = 999  # club codes <FED>-001 .. <FED>-999
SEED = 2009
MANIFEST = "manifest.json"


@dataclass
class CorpusInfo:
    scale: int
    path: str
    files: int  # workbook files in the corpus (club + federation reports)
    club_reports: int
    federation_reports: int
    distinct_clubs: int
    replicas: int  # 1, or the number of byte-identical copies of the base corpus
    bytes: int
    generated_s: float | None  # None when reused
    reused: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _federation_weights() -> list[tuple[str, int]]:
    """(federation, weight) in reference order: the national sample's registered clubs, else 1 each."""
    from iupjong_xl import rulebook
    from iupjong_xl.samples import corpus as samples

    names = list(rulebook.load(samples.YEAR).references["federation"].keys)
    national = getattr(samples, "NATIONAL", None)
    regs = {f.name: f.registered for f in getattr(national, "federations", ())}
    return [(n, regs.get(n, 0) if regs else 1) for n in names]


def apportion(n: int, weights: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """n clubs over the federations by largest remainder (deterministic), at most 999 each."""
    total = sum(w for _, w in weights)
    if n > MAX_PER_FEDERATION * len(weights):
        raise ValueError(f"{n} distinct clubs do not fit {len(weights)} x {MAX_PER_FEDERATION} club codes")
    quotas = [(name, n * w / total) for name, w in weights]
    counts = {name: int(q) for name, q in quotas}
    rest = sorted(quotas, key=lambda nq: (-(nq[1] - int(nq[1])), [x for x, _ in weights].index(nq[0])))
    for name, _ in rest[: n - sum(counts.values())]:
        counts[name] += 1
    # cap at 999 and move the overflow to the federations with room, in order
    over = sum(max(0, c - MAX_PER_FEDERATION) for c in counts.values())
    counts = {k: min(c, MAX_PER_FEDERATION) for k, c in counts.items()}
    for name, _ in weights:
        room = min(over, MAX_PER_FEDERATION - counts[name])
        counts[name] += room
        over -= room
    return [(name, counts[name]) for name, _ in weights]


def spec_for(n: int) -> Any:
    """The CorpusSpec of n distinct clubs, all reporting."""
    from iupjong_xl.samples import corpus as samples

    national = getattr(samples, "NATIONAL", None)
    feds = tuple(samples.FederationSpec(name, c, c) for name, c in apportion(n, _federation_weights()) if c)
    like = national or samples.CorpusSpec(())
    members, meetings = like.members, like.meetings
    return samples.CorpusSpec(feds, members=members, meetings=meetings, targets=samples.Targets.scaled(n))


def _probe() -> bytes:
    """The bytes the generator writes for a tiny fixed corpus (one club and its federation report)."""
    import tempfile

    from iupjong_xl.outputs.templates import write_template
    from iupjong_xl.samples import corpus as samples

    spec = samples.CorpusSpec((samples.FederationSpec(_federation_weights()[0][0], 1, 1),),
                              targets=samples.Targets.scaled(1))
    fed = samples.plan_corpus(spec, SEED).federations[0]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind, data in (("club", samples.club_data(fed.clubs[0], spec.year)),
                           ("federation", samples.federation_data(fed, spec.year))):
            out.append(write_template(Path(tmp) / f"{kind}.xlsx", kind, spec.year, data).read_bytes())
    return b"".join(out)


def fingerprint(n: int) -> str:
    """Changes when the files would change: scale, seed, the spec, and what the generator writes (a probe)."""
    import iupjong_xl

    h = hashlib.sha256(f"{n}|{SEED}|{REPLICA_BASE}|{iupjong_xl.__version__}|".encode())
    if n <= MAX_PER_FEDERATION * 13:
        h.update(repr(spec_for(n)).encode())
    h.update(_probe())
    return h.hexdigest()[:16]


def _workbooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.xlsx") if not p.name.startswith(("~$", ".")))


def _write_one(task: tuple[str, str, int, dict[str, Any]]) -> str:
    from iupjong_xl.outputs.templates import write_template

    path, kind, year, data = task
    write_template(path, kind, year, data)
    return path


def _generate_distinct(n: int, out: Path, workers: int, log: Callable[[str], None]) -> None:
    from iupjong_xl.samples import corpus as samples

    spec = spec_for(n)
    t = time.perf_counter()
    corpus = samples.plan_corpus(spec, SEED)
    log(f"  planned {n} clubs in {time.perf_counter() - t:.1f}s")
    year = spec.year
    tasks: list[tuple[str, str, int, dict[str, Any]]] = []
    for fed in corpus.federations:
        (out / fed.name).mkdir(parents=True, exist_ok=True)
        tasks.append((str(out / fed.name / f"{fed.name}_연합회_{year}.xlsx"), "federation", year,
                      samples.federation_data(fed, year)))
        tasks += [(str(out / fed.name / f"{fed.name}_{c.code}_{year}.xlsx"), "club", year, samples.club_data(c, year))
                  for c in fed.clubs if c.reporting]
    t = time.perf_counter()
    if workers > 1 and len(tasks) > 50:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(workers) as pool:
            for _ in pool.imap_unordered(_write_one, tasks, chunksize=16):
                pass
    else:
        for task in tasks:
            _write_one(task)
    log(f"  wrote {len(tasks)} workbooks in {time.perf_counter() - t:.1f}s ({workers} workers)")


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def ensure_corpus(n: int, root: str | os.PathLike[str] = DEFAULT_ROOT, *, workers: int | None = None,
                  log: Callable[[str], None] = lambda s: print(s, file=sys.stderr)) -> CorpusInfo:
    """The corpus of n club reports under root/<n>/, generated unless an up-to-date one is there."""
    if n < 1:
        raise ValueError("scale must be >= 1")
    root = Path(root)
    folder = root / str(n)
    fp = fingerprint(n)
    man = _read_manifest(folder)
    if man and man.get("fingerprint") == fp and len(_workbooks(folder)) == man.get("files"):
        return CorpusInfo(**{**man["info"], "path": str(folder), "generated_s": None, "reused": True})
    workers = workers or os.cpu_count() or 1
    log(f"generating corpus {n} -> {folder}")
    t0 = time.perf_counter()
    tmp = root / f"{n}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    if n <= MAX_PER_FEDERATION * 13:
        _generate_distinct(n, tmp, workers, log)
        replicas, distinct = 1, n
    else:
        if n % REPLICA_BASE:
            raise ValueError(f"scales above {MAX_PER_FEDERATION * 13} must be multiples of {REPLICA_BASE}")
        base = ensure_corpus(REPLICA_BASE, root, workers=workers, log=log)
        replicas, distinct = n // REPLICA_BASE, REPLICA_BASE
        src_files = _workbooks(Path(base.path))
        for k in range(1, replicas + 1):
            dest = tmp / f"copy-{k:02d}"
            for p in src_files:  # copy bytes: the content repeats, the files are distinct
                target = dest / p.relative_to(base.path)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(p, target)
        log(f"  copied {len(src_files)} x {replicas} workbooks")
    files = _workbooks(tmp)
    feds = sum(1 for p in files if "_연합회_" in p.name)
    info = CorpusInfo(n, str(folder), len(files), len(files) - feds, feds, distinct, replicas,
                      sum(p.stat().st_size for p in files), round(time.perf_counter() - t0, 2), False)
    (tmp / MANIFEST).write_text(json.dumps({"fingerprint": fp, "files": len(files), "info": info.to_dict()},
                                           ensure_ascii=False, indent=2), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    log(f"  corpus {n}: {len(files)} files, {info.bytes / 1e6:.1f} MB in {info.generated_s:.1f}s")
    return info


def main(argv: list[str] | None = None) -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=int, action="append", help="club reports (274, 2740, 27400); repeatable")
    ap.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    ap.add_argument("--workers", type=int)
    a = ap.parse_args(argv)
    for n in a.scale or SCALES:
        print(json.dumps(ensure_corpus(n, a.root, workers=a.workers).to_dict(), ensure_ascii=False))


if __name__ == "__main__":
    main()
