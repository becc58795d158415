"""The benchmark harness runs end to end on a tiny corpus, so it cannot rot. No assertion on time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
SCALE = 6


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, str, Path]:
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "results"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--scale", str(SCALE), "--repeat", "1", "--out", str(out),
         "--corpus-root", str(tmp / "corpus"), "-q"],
        capture_output=True, text=True, timeout=300, cwd=ROOT, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads((out / f"bench-{SCALE}.json").read_text(encoding="utf-8"))
    md = (out / f"bench-{SCALE}.md").read_text(encoding="utf-8")
    return res, md, proc.stdout, tmp


def test_corpus_is_deterministic_and_reused(harness: tuple[dict, str, str, Path]) -> None:
    res, _md, _out, tmp = harness
    c = res["corpus"]
    assert c["club_reports"] == SCALE and c["distinct_clubs"] == SCALE and c["replicas"] == 1
    assert c["files"] == c["club_reports"] + c["federation_reports"] and c["bytes"] > 0
    sys.path.insert(0, str(BENCH))
    try:
        import corpus
    finally:
        sys.path.remove(str(BENCH))
    again = corpus.ensure_corpus(SCALE, tmp / "corpus", log=lambda s: None)
    assert again.reused and again.files == c["files"]
    fresh = corpus.ensure_corpus(SCALE, tmp / "corpus2", workers=1, log=lambda s: None)
    a = sorted((p.relative_to(again.path), p.read_bytes()) for p in Path(again.path).rglob("*.xlsx"))
    b = sorted((p.relative_to(fresh.path), p.read_bytes()) for p in Path(fresh.path).rglob("*.xlsx"))
    assert a == b  # same seed, same bytes, whatever the worker count
    assert corpus.apportion(2740, corpus._federation_weights())[0][1] <= corpus.MAX_PER_FEDERATION
    assert sum(n for _, n in corpus.apportion(2740, corpus._federation_weights())) == 2740


def test_every_measurement_and_ratio_is_there(harness: tuple[dict, str, str, Path]) -> None:
    res, _md, _out, _tmp = harness
    m = res["measures"]
    for key in ("floor", "calamine", "naive", "validate", "consolidate", "write", "bare_python", "help"):
        assert m[key]["wall_s"] > 0 and m[key]["peak_rss_mib"] > 0, key
    for key in ("floor", "calamine", "naive", "write"):
        assert m[key]["work_s"] > 0, key
    files = res["corpus"]["files"]
    assert m["floor"]["files"] == m["naive"]["files"] == m["validate"]["stats"]["files"] == files
    assert m["consolidate"]["summary"]["files"] == files
    # the naive pipeline applies the product's rules: same verdict on the same corpus
    assert m["naive"]["errors"] == m["validate"]["stats"]["errors"]
    assert m["naive"]["rows"] == m["validate"]["stats"]["rows"] > 0
    assert m["write"]["rows"] > 0
    r = res["ratios"]
    for key in ("validate_vs_floor", "consolidate_vs_floor", "consolidate_vs_floor_write", "naive_vs_validate",
                "naive_vs_consolidate"):
        assert isinstance(r[key], float) and r[key] > 0, key
    assert isinstance(r["startup_overhead_s"], float)  # may be ~0 or even negative on a noisy machine
    for key in ("floor", "calamine", "naive", "validate", "consolidate", "write"):
        assert r["s_per_1000_files"][key] > 0, key
        assert r["peak_rss_mib"][key] > 0, key
    for key in ("naive_vs_validate", "naive_vs_consolidate", "consolidate_vs_floor_write", "startup_overhead_s",
                "product_peak_rss_mib"):
        assert r["targets"][key]["met"] in (True, False), key


def test_markdown_table_has_every_row(harness: tuple[dict, str, str, Path]) -> None:
    _res, md, stdout, tmp = harness
    for label in ("floor: unzip", "python-calamine parse", "naive: openpyxl", "`iupjong validate",
                  "`iupjong consolidate", "xlsxwriter alone", "`python -c pass`", "`iupjong --help`",
                  "validate / floor", "consolidate / (floor + xlsxwriter write)", "naive / validate",
                  "naive / consolidate", "`iupjong --help` − `python -c pass` (s)", "product peak RSS (MiB)"):
        assert any(line.startswith(f"| {label}") for line in md.splitlines()), label
    assert md in stdout  # printed too
    summary = (tmp / "results" / "summary.md").read_text(encoding="utf-8")
    header, sep, row = summary.splitlines()[:3]
    assert header.count("|") == sep.count("|") == row.count("|")
    assert row.startswith(f"| {SCALE} |")
