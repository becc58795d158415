"""The corpus's personal data, to prove that nothing published or shown to the public holds any of it: the people
(CEOs, secretaries, federation chairs and staff) and the numbers (phones, e-mails, BRNs with and without hyphens,
consortium BRNs included) as a ledger holds them, and a scan of a text for them."""

from __future__ import annotations

import re
from pathlib import Path


def personal(ledger: Path) -> tuple[set[str], set[str]]:
    """(people, numbers) of every year the ledger holds."""
    from iupjong_xl.analyses.trends import ledger_years

    people: set[str] = set()
    numbers: set[str] = set()
    for o in ledger_years(ledger):
        f = o.frames
        for r in f["member"].to_dict("records"):
            people.add(r["ceo"])
            numbers.add(r["brn"])
        for r in f["club"].to_dict("records"):
            people.add(r["secretary"])
            numbers.update([r["phone"], r["email"], r["chair_brn"]])
        for r in f["federation"].to_dict("records"):
            people.update([r["chair"], r["staff"]])
            numbers.update([r["phone"], r["email"]])
        for r in f["consortium"].to_dict("records"):
            numbers.update([r["lead_brn"], *r["partner_brns"]])
    people.discard(None)  # type: ignore[arg-type]
    numbers.discard(None)  # type: ignore[arg-type]
    numbers |= {n.replace("-", "") for n in numbers if re.fullmatch(r"[\d-]+", n)}
    return people, numbers


def found_personal(text: str, people: set[str], numbers: set[str]) -> set[str]:
    """The people and numbers of the corpus that a text contains."""
    lengths = {len(p) for p in people}
    hits = {run[i:i + n] for run in re.findall(r"[가-힣]+", text) for n in lengths for i in range(len(run) - n + 1)
            if run[i:i + n] in people}
    return hits | (set(re.findall(r"[\w.+-]+@[\w.-]+|[\d-]{7,}", text)) & numbers)
