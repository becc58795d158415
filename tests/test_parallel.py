"""Reading files in worker processes gives exactly the same result as reading them in one process."""

from __future__ import annotations

from pathlib import Path

from iupjong_xl.validate import pipeline as validate_mod
from iupjong_xl.validate.pipeline import check

CORPUS = Path(__file__).resolve().parent.parent / "sample_workbooks"


def test_worker_count_does_not_change_the_result() -> None:
    paths = [str(CORPUS / "2009"), str(CORPUS / "problems")]
    assert len(list((CORPUS / "2009").rglob("*.xlsx"))) >= validate_mod.PARALLEL_MIN_FILES
    one = check(paths, workers=1)
    two = check(paths, workers=2)
    assert one.report.to_dict() == two.report.to_dict()
    assert one.report.to_dict("en") == two.report.to_dict("en")
    assert one.records == two.records
    assert sorted(one.frames) == sorted(two.frames)
    for key, df in one.frames.items():
        assert df.equals(two.frames[key]), key


def test_small_batches_stay_in_one_process() -> None:
    assert validate_mod._workers(2, validate_mod.PARALLEL_MIN_FILES - 1) == 1
    assert validate_mod._workers(2, validate_mod.PARALLEL_MIN_FILES) == 2
    assert validate_mod._workers(0, 1000) == 1
