"""A person's doses as they stand, and how a repair restates them (docs/grievances.md).

A dose record is never edited or deleted. What changes a dose is another record in the person's history:
- a correction (`dose#N#fix#<time>#<id>`) supersedes the facts of the record it follows (batch, time,
  day, vaccine); a correction that is `voided` says the dose was not this person's at all, for good;
- a dose repaired onto a person (two records of one person merged, a dose moved to whoever received it)
  is a new record, a copy of the one it `supersedes`. Where a voided record holds its number, the new
  one is keyed after it (`dose#N#v<k>`), so a dose's number is still its place in the history.
`standing` reads all of this from the entries of one Query (oldest first); `restated` says which records
a repair voids and which it writes.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.config import CountryProfile
from chalicelib.domain.records import DoseRecord

DOSE, CORRECTION = "dose", "correction"


def dose_entry(dose: int, voided_before: int = 0) -> str:
    """The key of dose `dose`'s record, after `voided_before` voided records of that number."""
    return f"dose#{dose}" + (f"#v{voided_before}" if voided_before else "")


def voided(counts: Mapping[str, Any], dose: int) -> int:
    """How many records of dose `dose` a person's history holds voided (`BeneficiaryRecord.voided_doses`)."""
    return int(counts.get(str(dose), 0))


@dataclass(frozen=True)
class Standing:
    """A dose that stands: its record (where, by whom) and its facts as the latest correction left them."""

    record: DoseRecord
    current: DoseRecord
    corrections: tuple[DoseRecord, ...] = ()

    @property
    def dose(self) -> int:
        return int(self.record.dose)


def standing(entries: Iterable[DoseRecord]) -> dict[int, Standing]:
    """A person's standing doses by number, from all their entries (oldest first)."""
    entries = list(entries)
    doses: dict[int, Standing] = {}
    for record in (entry for entry in entries if entry.kind == DOSE):
        fixes = tuple(entry for entry in entries
                      if entry.kind == CORRECTION and entry.entry.startswith(f"{record.entry}#fix#"))
        if not any(fix.voided for fix in fixes):  # a void is final: a correction after it brings nothing back
            doses[int(record.dose)] = Standing(record, fixes[-1] if fixes else record, fixes)
    return doses


def in_order(doses: Iterable[Standing]) -> list[Standing]:
    """Doses in the order they were given: the order their numbers must follow."""
    return sorted(doses, key=lambda s: (s.current.given_on, int(s.current.given_at)))


def series_problem(history: Sequence[Standing], profile: CountryProfile) -> str | None:
    """Why a history, in order, cannot be one person's (None when it can): one dose a day, a primary
    series of one vaccine, then at most the precaution dose the pack lets follow it. Intervals and
    cohorts are not asked: these doses were given; a repair only says to whom, and in which order."""
    days = [s.current.given_on for s in history]
    if len(set(days)) != len(days):
        return "two doses on one day cannot be one person's series"
    if not history:
        return None
    series = profile.vaccine(history[0].current.vaccine)
    if series is None:
        return f"{history[0].current.vaccine} is not one of the programme's vaccines"
    for number, dose in enumerate(history[1:], start=2):
        vaccine = profile.vaccine(dose.current.vaccine)
        if number <= series.total_doses and dose.current.vaccine != series.name:
            return f"dose {number} would be {dose.current.vaccine} after a series of {series.name}"
        if number == series.total_doses + 1 and (vaccine is None or vaccine.precaution is None
                                                 or series.name not in vaccine.precaution.follows):
            return f"a precaution dose of {dose.current.vaccine} cannot follow {series.name}"
        if number > series.total_doses + 1:
            return f"the programme has no dose {number} of {series.name}"
    return None


def is_precaution_place(number: int, history: Sequence[Standing], profile: CountryProfile) -> bool:
    """Whether the dose at `number` of this history (in order) is its precaution dose."""
    series = profile.vaccine(history[0].current.vaccine) if history else None
    return series is not None and number > series.total_doses


@dataclass(frozen=True)
class Change:
    """One number of a person's history that a repair changes: the record it voids there, and the dose
    (from wherever it was recorded) that takes the number."""

    dose: int
    voids: Standing | None
    takes: Standing | None


def restated(before: Sequence[Standing], after: Sequence[Standing]) -> list[Change]:
    """The changes that turn a history (in order) into another: a number keeps its record only if the
    same record is still there."""
    changes = []
    for index in range(max(len(before), len(after))):
        old = before[index] if index < len(before) else None
        new = after[index] if index < len(after) else None
        if old is not None and new is not None and old.record.record_id == new.record.record_id:
            continue
        changes.append(Change(index + 1, old, new))
    return changes
