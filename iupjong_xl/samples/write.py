"""Writing the sample corpus: every year's federation and club reports, and the problem workbooks beside them."""

from __future__ import annotations

import shutil
from pathlib import Path

from iupjong_xl.outputs.templates import write_template
from iupjong_xl.samples.corpus import (
    NATIONAL,
    PROBLEMS_DIR,
    Corpus,
    CorpusSpec,
    club_data,
    corpus_folder,
    federation_data,
    owned_folders,
    plan_corpus,
    plan_earlier,
)
from iupjong_xl.samples.problems import write_problems


def write_corpus(out_dir: str | Path, seed: int = 2009, spec: CorpusSpec = NATIONAL) -> list[Path]:
    """(Re)write <year>/<federation>/… (and the earlier year's folder) and problems/ in out_dir, byte-reproducibly;
    nothing else there is touched.

    The year folder is what `iupjong consolidate <out_dir>/<year>` takes; the problem files are copies of its clubs with
    one mistake each, kept apart so that they never meet their originals in a consolidation."""
    out, corpus, year = Path(out_dir), plan_corpus(spec, seed), spec.year
    earlier = [plan_earlier(corpus)] if spec.earlier else []
    for name in owned_folders(year, [c.spec.year for c in earlier]):
        if (out / name).is_dir():
            shutil.rmtree(out / name)
    written = []
    for c in (corpus, *earlier):
        written += _write_year(c, out)
    for c in earlier:
        written.append(_write_jumps(c, out))
    return written + write_problems(corpus, out / PROBLEMS_DIR)


def _write_year(corpus: Corpus, out: Path) -> list[Path]:
    """<year>/<federation>/: each federation's report and its clubs' reports that came in."""
    year, written = corpus.spec.year, []
    for fed in corpus.federations:
        (folder := out / corpus_folder(year) / fed.name).mkdir(parents=True)
        # the bulk corpus leaves out the template's live-check formulas (small files, fast to write and read);
        # the problem workbooks and tests/test_livecheck.py carry them
        written.append(write_template(folder / f"{fed.name}_연합회_{year}.xlsx", "federation", year,
                                      federation_data(fed, year), live=False))
        written += [write_template(folder / f"{fed.name}_{c.code}_{year}.xlsx", "club", year, club_data(c, year),
                                   live=False) for c in fed.clubs if c.reporting]
    return written


def _write_jumps(earlier: Corpus, out: Path) -> Path:
    """<earlier year>/README.md: the year-over-year jumps planted in that year (what `iupjong validate --ledger`
    must find in the later year, and nothing else)."""
    year = earlier.spec.year
    lines = [f"# {year}년 예제: 심어 둔 전년 대비 급변 (planted year-over-year jumps)", "",
             f"`{year}` 취합본을 원장에 넣은 뒤 {year + 1}년 보고서를 `iupjong validate --ledger`로 검사하면 다음 경고가"
             " 나와야 하고, 그 밖의 전년 대비 경고는 없어야 합니다 (tests/test_year_over_year.py).", "",
             "| 연합회 | 교류회 | 사업자등록번호 | 항목 | " + f"{year}년 | {year + 1}년 | 코드 |", "|---|---|---|---|---:|---:|---|"]
    for j in earlier.jumps:
        what, code = ("종업원수", "MEMBER_EMPLOYEES_YOY") if j.column == "employees" else \
            ("매출액(백만원)", "MEMBER_SALES_YOY")
        lines.append(f"| {j.federation} | {j.club} | {j.brn} | {what} | {j.earlier:,} | {j.later:,} | `{code}` |")
    path = out / corpus_folder(year) / "README.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path

