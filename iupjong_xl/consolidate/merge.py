"""Consolidation: validated reports -> one set of keyed rows with provenance, conservation counts and a summary."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iupjong_xl import rulebook
from iupjong_xl.consolidate.model import KEY_COLUMNS, Consolidation, Previous, SourceFile, Unit
from iupjong_xl.consolidate.readback import read_consolidated
from iupjong_xl.consolidate.sheets import SOURCE_CODES
from iupjong_xl.errors import UsageError
from iupjong_xl.io.reader import discover, sha256_file
from iupjong_xl.validate.findings import Finding, FindingFactory
from iupjong_xl.validate.pipeline import Checked, ParsedFile, check
from iupjong_xl.validate.rules import PriorYear

if TYPE_CHECKING:
    pass

Progress = Callable[[str], None]


READ_OUTPUT: Any = object()  # previous state: read it from the output workbook (no ledger)


def consolidate(inputs: Iterable[str], *, year: int | None = None, level: str = "national",
                output: str | os.PathLike[str] | None = None, progress: Progress | None = None,
                previous: Previous | Any | None = READ_OUTPUT,
                prior: Mapping[int, PriorYear] | None = None) -> Consolidation:
    """Validate the inputs, then merge them by natural key into the previous state: the ledger's (`previous`, None
    for a workbook the ledger has never written) or, without a ledger, what the output workbook holds."""
    if level not in ("federation", "national"):
        raise UsageError(f"취합 수준은 federation(연합회) 또는 national(전국)이어야 합니다: {level!r}",
                         f"the level must be federation or national, not {level!r}")
    paths = [str(p) for p in inputs]
    out_path = Path(output).resolve() if output else None
    from_ledger = previous is not READ_OUTPUT
    if not from_ledger:
        previous = None
    if out_path is not None and out_path.exists():
        if not from_ledger:
            previous = read_consolidated(out_path)
        if previous is None and level == "national":
            raise UsageError(f"{output}은(는) 이미 있는 파일인데 취합본이 아닙니다. 다른 출력 파일을 고르세요.",
                             f"{output} exists and is not a consolidated workbook; choose another output file",
                             file=str(output))
        if previous is None:
            paths.append(str(output))  # the federation report being consolidated into: its profile and roster count
        elif year is not None and previous.year != year:
            raise UsageError(f"{output}에는 {previous.year}년 보고서가 들어 있습니다({year}년이 아님). 다른 출력 파일을 고르세요.",
                             f"{output} holds {previous.year} reports, not {year}; choose another output file",
                             file=str(output))
    reuse, order, digests = _reusable(paths, previous if from_ledger else None, out_path)
    if reuse:
        paths = [d for d in order if d not in reuse]
    checked = check(paths, year=year or (previous.year if previous else None), progress=progress, prior=prior)
    years = sorted({pf.book.year for pf in checked.files if pf.book is not None})
    run_year = year or (previous.year if previous else None) or (years[-1] if years else rulebook.available_years()[-1])
    book = rulebook.load(run_year)
    ff = FindingFactory(book)
    is_output = {pf.index: out_path is not None and Path(pf.found.path).resolve() == out_path for pf in checked.files}
    if level == "federation" and previous is None:
        own = [pf for pf in checked.files if is_output[pf.index]]
        if own and own[0].kind != "federation":
            raise UsageError(f"{output}은(는) 연합회 보고서도 취합본도 아닙니다. 다른 출력 파일을 고르세요.",
                             f"{output} exists and is neither a federation report nor a consolidated workbook; "
                             "choose another output file", file=str(output))
    # the output itself, found again among the inputs (e.g. written into the folder being consolidated): not an input
    files = [pf for pf in checked.files if not (is_output[pf.index] and previous is not None)]
    hashes = {pf.index: digests.get(pf.found.display) or sha256_file(pf.found.path)  # hashed once per run
              for pf in files if pf.result.readable}
    all_hashes = [*hashes.values(), *(sha for _s, sha in reuse.values())]
    content_hash = hashlib.sha256(("|".join(sorted(all_hashes)) + book.version + level).encode()).hexdigest()[:12]
    findings = list(checked.report.findings)
    sources: list[SourceFile] = []
    candidates: list[tuple[Unit, SourceFile]] = []
    rejected_rows: list[dict[str, Any]] = []

    def take(batch: Checked, parsed: list[ParsedFile], digests: dict[int, str]) -> None:
        for pf in parsed:
            src = SourceFile(pf.found.display, str(pf.found.path), digests.get(pf.index), pf.kind,
                             template_version=pf.result.template_version)
            sources.append(src)
            if pf.book is not None and pf.kind is not None and pf.book.year != book.year:
                findings.append(ff.make("FILE_TEMPLATE_YEAR", src.file, found=pf.book.year, expected=book.year))
            unit = _unit_from_file(pf, batch, book, content_hash, src, findings, ff, rejected_rows)
            if unit is not None:
                candidates.append((unit, src))
            if pf.result.readable and pf.kind == "consolidated":
                candidates.extend(_carried(pf, src, book, ff, findings))

    take(checked, files, hashes)
    if reuse:
        # a file unchanged since the ledger's last run is not read again, unless a file of this run claims its unit
        # (a conflict or a duplicate must be judged between both, exactly as a full run would)
        keys = {(u.kind, u.key) for u, _ in candidates} | {("sha", u.sha256) for u, _ in candidates}
        again = [d for d, (s, sha) in reuse.items() if _unit_key(s, run_year) in keys or ("sha", sha) in keys]
        if again:
            second = check(again, year=run_year, progress=progress, prior=prior)
            findings += second.report.findings
            take(second, second.files, {pf.index: sha256_file(pf.found.path) for pf in second.files
                                        if pf.result.readable})
            for d in again:
                del reuse[d]
        assert previous is not None
        for d, (s, _sha) in reuse.items():
            sources.append(replace(s, status="unchanged", outcomes=["unchanged"], rows_in=dict(s.rows_in),
                                   accepted=dict(s.accepted), rejected=dict(s.rejected)))
            findings += [f for f in previous.findings if f.file == d and not f.code.startswith("CONSOLIDATE_")]
            rejected_rows += [r for r in previous.rejected_rows if r["file"] == d
                              and not any(str(c).startswith("CONSOLIDATE_") for c in r.get("codes") or ())]
        rank = {d: i for i, d in enumerate(order)}
        sources.sort(key=lambda x: rank.get(x.file, len(rank)))
        findings.sort(key=lambda f: rank.get(f.file, len(rank)))
        rejected_rows.sort(key=lambda r: rank.get(r["file"], len(rank)))
    target = None
    if level == "federation":
        feds = {u.federation for u, _ in candidates if u.kind == "federation"}
        feds |= {s.federation for s in sources if s.kind == "federation" and s.federation}  # even if rejected
        if previous is not None and previous.target_federation:
            feds.add(previous.target_federation)
        if len(feds) != 1:
            found = ", ".join(sorted(feds))
            raise UsageError(f"연합회 취합에는 입력 가운데 연합회 보고서가 꼭 하나 있어야 합니다 (찾은 것: {found or '없음'}).",
                             "a federation consolidation needs exactly one federation workbook among the inputs "
                             f"(found: {found or 'none'})")
        target = feds.pop()
    units = dict(previous.units) if previous else {}
    conflicts: dict[tuple[str, str], list[str]] = {}
    _merge(candidates, units, ff, findings, rejected_rows, target, conflicts)
    _roster_checks(units, book, ff, findings)
    _finish_sources(sources)
    cons = Consolidation(book, run_year, level, content_hash, units, sources, findings, rejected_rows,
                         previous.scores if previous else {}, target,
                         score_titles=previous.score_titles if previous else {},
                         invalid_cells=previous.invalid_cells if previous else {},
                         invalid_scores=previous.invalid_scores if previous else {})
    cons.files_reused = len(reuse)
    cons.conflicts = conflicts
    if previous is not None:
        _keep_history(cons, previous)
    return cons


REUSABLE = ("created", "replaced", "unchanged", "kept")


def _reusable(paths: list[str], previous: Previous | None, out_path: Path | None
              ) -> tuple[dict[str, tuple[SourceFile, str]], list[str], dict[str, str]]:
    """Files of this run that the ledger's previous state already holds unchanged (same path, same sha256, its unit
    still current, recorded by this program and rule book): display -> (their earlier source, sha256); and every
    input file in discovery order; and the sha256 of every file it hashed (display -> sha256)."""
    if previous is None or not previous.reusable or not previous.sources:
        return {}, [], {}
    found = discover(paths)
    order = [f.display for f in found]
    known = {(s.file, s.sha256): s for s in previous.sources
             if s.sha256 and s.kind in ("club", "federation") and s.status in REUSABLE}
    live = {u.sha256 for u in previous.units.values() if u.via is None}
    reuse: dict[str, tuple[SourceFile, str]] = {}
    digests: dict[str, str] = {}
    for f in found:
        if f.skipped is not None or (out_path is not None and f.path.resolve() == out_path):
            continue
        try:
            sha = digests[f.display] = sha256_file(f.path)
        except OSError:
            continue
        s = known.get((f.display, sha))
        if s is not None and sha in live:
            reuse[f.display] = (s, sha)
    return reuse, order, digests


def _unit_key(s: SourceFile, year: int) -> tuple[str, tuple[int, str]]:
    return ("club", (year, str(s.club_code))) if s.kind == "club" else ("federation", (year, str(s.federation)))


def _carried(pf: ParsedFile, src: SourceFile, book: rulebook.RuleBook, ff: FindingFactory,
             findings: list[Finding]) -> list[tuple[Unit, SourceFile]]:
    """The units a consolidated (federation) workbook carries; their rows keep the original provenance. The workbook
    is a submitted file: it is read in a worker process under the per-file limits, as every report is (a workbook
    over them is FILE_TOO_COMPLEX, nothing of it taken)."""
    from iupjong_xl.io.sandbox import INTERNAL, run_isolated
    from iupjong_xl.validate.pipeline import file_limits

    (outcome,) = run_isolated(read_consolidated, [Path(pf.found.path)], limits=file_limits(book.year),
                              initializer=rulebook.use_root, initargs=(rulebook.default_root(),))
    if not outcome.ok:
        findings.append(ff.make(outcome.code or INTERNAL, src.file, detail=outcome.detail))
        return []
    inner = outcome.value
    if inner is None:
        return []
    src.federation = inner.target_federation
    src.template_version = f"{inner.level} {inner.content_hash}"
    if inner.year != book.year:
        findings.append(ff.make("FILE_TEMPLATE_YEAR", src.file, found=inner.year, expected=book.year))
        n = sum(len(rows) for u in inner.units.values() for rows in u.rows.values())
        src.rows_in["carried"] = src.rejected["carried"] = n
        return []
    out = []
    for unit in inner.club_units():
        unit.via = src.file
        src.rows_in["carried"] = src.rows_in.get("carried", 0) + sum(len(v) for v in unit.rows.values())
        out.append((unit, src))
    return out


def _error_codes(pf: ParsedFile, findings: list[Finding]) -> tuple[list[str], bool, dict[str, dict[int, list[str]]]]:
    """For one file: (error codes that reject the whole report, whether the profile sheet has one,
    sheet key -> record -> error codes that reject that row)."""
    names = {d.name: k for k, d in pf.sheets.items()}
    profile = pf.book.report_sheets(pf.kind)[0].key if pf.book and pf.kind else None
    whole: list[str] = []
    profile_error = False
    bad: dict[str, dict[int, list[str]]] = {}
    for f in findings:
        if f.file != pf.found.display or f.severity != "error":
            continue
        key = names.get(f.sheet or "")
        if key is not None and key != profile and f.record is not None:
            bad.setdefault(key, {}).setdefault(f.record, []).append(f.code)
        else:  # file-level, profile, or a whole sheet (e.g. no members at all): the report cannot stand
            whole.append(f.code)
            profile_error |= key is not None and key == profile
    return list(dict.fromkeys(whole)), profile_error, bad


def _unit_from_file(pf: ParsedFile, checked: Checked, book: rulebook.RuleBook, content_hash: str, src: SourceFile,
                    findings: list[Finding], ff: FindingFactory, rejected_rows: list[dict[str, Any]]) -> Unit | None:
    for key, data in pf.sheets.items():
        src.rows_in[key] = data.n_records
    if pf.book is None or pf.kind is None or pf.book.year != book.year:
        for key, n in src.rows_in.items():
            src.accepted[key], src.rejected[key] = 0, n
        return None
    whole_codes, profile_error, bad = _error_codes(pf, checked.report.findings)
    typed = checked.records.pop(pf.index, {})  # taken over: each typed record becomes a consolidated row
    recs = {k: typed.get(k, []) for k in pf.sheets}
    profile_key = book.report_sheets(pf.kind)[0].key
    profile = recs.get(profile_key, [{}])[0] if recs.get(profile_key) else {}
    fed = profile.get("federation")
    code = profile.get("club_code") if pf.kind == "club" else fed
    src.federation, src.club_code = fed, profile.get("club_code")
    whole = bool(whole_codes) or not code or not fed
    if profile_error and pf.kind == "club" and not any(c.startswith("FILE_") for c in whole_codes):
        findings.append(ff.make("CONSOLIDATE_REPORT_REJECTED", pf.found.display, sheet=pf.sheets[profile_key].name))
        whole_codes.append("CONSOLIDATE_REPORT_REJECTED")
    rows: dict[str, list[dict[str, Any]]] = {}
    for key, items in recs.items():
        data = pf.sheets[key]
        keep = []
        for rec in items:
            r = rec.pop("_r")
            rec.pop("_f", None)
            cell_row = data.cell(r, "")[1] if data.layout == "table" else 1
            if whole or r in bad.get(key, {}):
                rejected_rows.append({"file": pf.found.display, "sheet": data.name, "row": cell_row,
                                      "codes": whole_codes if whole else list(dict.fromkeys(bad[key][r])),
                                      "whole": whole})
                continue
            keep.append({"year": book.year, "federation": fed, "club_code": code if pf.kind == "club" else None,
                         **{k: v for k, v in rec.items() if k not in KEY_COLUMNS or v is not None},
                         "_source": pf.found.display, "_sheet": data.name, "_row": cell_row, "_sha256": src.sha256,
                         "_template": src.template_version, "_run": content_hash})
        rows[key] = keep
        src.accepted[key] = len(keep)
        src.rejected[key] = len(items) - len(keep)
    if whole:
        return None
    return Unit(pf.kind, (book.year, str(code)), str(fed), src.sha256 or "", pf.found.display, rows)


def _merge(candidates: list[tuple[Unit, SourceFile]], units: dict[tuple[str, tuple[int, str]], Unit],
           ff: FindingFactory, findings: list[Finding], rejected_rows: list[dict[str, Any]],
           target: str | None, conflicts: dict[tuple[str, str], list[str]] | None = None) -> None:
    """Apply candidates by natural key: created / replaced / unchanged / duplicate / conflict (the clubs whose files
    conflict, (federation, club code) -> files, noted in `conflicts`)."""
    by_key: dict[tuple[str, tuple[int, str]], list[tuple[Unit, SourceFile]]] = {}
    for unit, src in candidates:
        if target is not None and unit.federation != target:
            findings.append(ff.make("CONSOLIDATE_OTHER_FEDERATION", src.file, club=unit.key[1], found=unit.federation,
                                    expected=target))
            _reject(src, unit, "rejected", "CONSOLIDATE_OTHER_FEDERATION", rejected_rows)
            continue
        by_key.setdefault((unit.kind, unit.key), []).append((unit, src))
    for key, items in sorted(by_key.items()):
        shas = {u.sha256 for u, _ in items}
        if len(shas) > 1:
            for unit, src in items:
                other = next(s.file if s.file != src.file else u.source for u, s in items if u.sha256 != unit.sha256)
                findings.append(ff.make("CONSOLIDATE_CONFLICT", src.file, club=key[1][1], year=key[1][0], other=other))
                _reject(src, unit, "conflict", "CONSOLIDATE_CONFLICT", rejected_rows)
                if conflicts is not None and unit.kind == "club":
                    conflicts.setdefault((unit.federation, key[1][1]), []).append(src.file)
            continue
        first_unit, first_src = items[0]
        for unit, src in items[1:]:
            findings.append(ff.make("CONSOLIDATE_DUPLICATE_INPUT", src.file, other=first_unit.via or first_unit.source))
            _reject(src, unit, "duplicate", "CONSOLIDATE_DUPLICATE_INPUT", rejected_rows)
        old = units.get(key)
        if old is not None and old.sha256 == first_unit.sha256:
            first_src.outcomes.append("unchanged")
        else:
            first_src.outcomes.append("replaced" if old is not None else "created")
            units[key] = first_unit


def _reject(src: SourceFile, unit: Unit, outcome: str, code: str, rejected_rows: list[dict[str, Any]]) -> None:
    """A unit that was read but not consolidated: its rows move from accepted to rejected and are listed."""
    src.outcomes.append(outcome)
    for key, rows in unit.rows.items():
        if unit.via:
            src.rejected["carried"] = src.rejected.get("carried", 0) + len(rows)
        else:
            src.accepted[key] = src.accepted.get(key, 0) - len(rows)
            src.rejected[key] = src.rejected.get(key, 0) + len(rows)
        if outcome == "duplicate" and rows:  # the same rows are consolidated from the other copy: one line per sheet
            rejected_rows.append({"file": unit.source if unit.via else src.file, "sheet": rows[0].get("_sheet"),
                                  "row": None, "codes": [f"{code} ({len(rows)}행)"], "whole": True})
            continue
        for r in rows:
            rejected_rows.append({"file": unit.source if unit.via else src.file, "sheet": r.get("_sheet"),
                                  "row": r.get("_row"), "codes": [code], "whole": True})


_STRENGTH = ("conflict", "replaced", "created", "unchanged", "duplicate", "rejected")


def _finish_sources(sources: list[SourceFile]) -> None:
    """Carried rows are accepted unless rejected above (in = accepted + rejected); a file's status is its strongest."""
    for src in sources:
        if "carried" in src.rows_in:
            src.accepted["carried"] = src.rows_in["carried"] - src.rejected.get("carried", 0)
        src.status = next((s for s in _STRENGTH if s in src.outcomes), "rejected")


def _keep_history(cons: Consolidation, previous: Any) -> None:
    """Sources of earlier runs whose rows are still in the workbook stay listed (status kept), with their findings."""
    names = {s.file for s in cons.sources}
    shas = {s.sha256 for s in cons.sources if s.sha256}
    live = {u.sha256 for u in cons.units.values()}
    kept: list[SourceFile] = []
    for s in previous.sources:
        s.kind = SOURCE_CODES.get(s.kind or "", s.kind)  # 출처 shows them in Korean
        s.status = SOURCE_CODES.get(s.status, s.status)
        if s.file in names or (s.sha256 and s.sha256 in shas):
            continue  # given again in this run: this run's row stands
        if s.kind == "consolidated" or (s.sha256 and s.sha256 in live):
            s.status = "kept"
            kept.append(s)
    files = {s.file for s in kept}
    cons.kept_sources = kept
    cons.kept_findings = [f for f in previous.findings if f.file in files and not f.code.startswith("CONSOLIDATE_")]
    cons.kept_rejected = [r for r in previous.rejected_rows if r["file"] in files]


def _roster_checks(units: dict[tuple[str, tuple[int, str]], Unit], book: rulebook.RuleBook, ff: FindingFactory,
                   findings: list[Finding]) -> None:
    """Reports vs rosters: clubs missing from their federation's roster, member counts that disagree."""
    rosters: dict[str, dict[str, Any]] = {}
    for (kind, _key), unit in units.items():
        if kind == "federation":
            rosters[unit.federation] = {r["club_code"]: r for r in unit.rows.get("roster", [])}
    for (kind, key), unit in sorted(units.items()):
        if kind != "club" or unit.federation not in rosters:
            continue
        entry = rosters[unit.federation].get(key[1])
        if entry is None:
            findings.append(ff.make("CONSOLIDATE_NOT_IN_ROSTER", unit.source, club=key[1], federation=unit.federation))
            continue
        n = len(unit.rows.get("member", []))
        expected = entry.get("member_count")
        if expected is not None and int(expected) != n:
            findings.append(ff.make("CONSOLIDATE_MEMBER_COUNT", unit.source, sheet=book.sheets["member"].name,
                                    expected=int(expected), found=n))
