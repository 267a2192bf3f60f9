"""A campaign's programme, pure: who may receive which dose of which vaccine on which day.

The country pack declares it (docs/programmes.md): cohorts (an age band, optionally narrowed to
occupations or to people with a comorbidity, each opening on a date, with the vaccines it may start a
series with, and the date its precaution doses open) and, per vaccine, the primary series (doses,
interval) and the precaution dose (which series it may follow, how long after). Booking and dose
capture both ask `check`: one implementation, so the two cannot disagree; they differ only in
`keep_to_window` (booking keeps to an interval's end; a late dose is still given, as vaccination
guidance says not to restart a series).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.config import CountryProfile, Vaccine
from chalicelib.domain import errors
from chalicelib.domain.calendar import format_cowin_date
from chalicelib.domain.errors import ApiError

# What a dose takes of a session's capacity: CoWIN's two counters and the precaution dose's.
FIRST, LATER, PRECAUTION = "dose1", "dose2", "precaution"


@dataclass(frozen=True)
class Person:
    """What the programme needs of a person."""

    birth_year: int
    doses_given: int
    series_vaccine: str | None  # the primary series' vaccine, once dose 1 is given
    dose_dates: tuple[date, ...] = ()  # the date of each dose given, by number
    occupation: str | None = None
    comorbidity: bool = False


def age_on(day: date, birth_year: int) -> int:
    """CoWIN knows only the birth year; the age is reckoned as in CoWIN, by calendar year."""
    return day.year - birth_year


def is_precaution(dose: int, series: Vaccine | None) -> bool:
    """The dose after a completed primary series."""
    return series is not None and dose > series.total_doses


def seat_kind(dose: int, series: Vaccine | None) -> str:
    """Which of a session's capacities a dose takes, for a person whose series is `series`."""
    return kind_of(dose, is_precaution(dose, series))


def kind_of(dose: int, precaution: bool) -> str:
    """Which capacity a dose (or an appointment for one) holds, once known whether it is a precaution dose."""
    if dose == 1:
        return FIRST
    return PRECAUTION if precaution else LATER


def window(previous: date, min_days: int, max_days: int) -> tuple[date, date | None]:
    """When the next dose is due after `previous`: from the minimum interval to the maximum (none: 0)."""
    return previous + timedelta(days=min_days), previous + timedelta(days=max_days) if max_days else None


def cohorts_of(person: Person, on: date, profile: CountryProfile) -> list:
    """The pack's cohorts this person is in on `on` (whether or not they are open yet)."""
    age = age_on(on, person.birth_year)
    return [cohort for cohort in profile.cohorts if cohort.includes(age, person.occupation, person.comorbidity)]


def check(person: Person, dose: int, vaccine: Vaccine, on: date, profile: CountryProfile, *,
          keep_to_window: bool) -> None:
    """Raise the first programme rule broken by giving `dose` of `vaccine` to `person` on `on`.
    The caller has checked that `dose` is the person's next (doses_given == dose - 1)."""
    if dose == 1:
        _check_first(person, vaccine, on, profile)
        return
    series = profile.vaccine(person.series_vaccine) if person.series_vaccine else None
    if series is None or len(person.dose_dates) < dose - 1:
        raise ApiError(errors.DOSE_ORDER, f"Dose {dose} needs dose {dose - 1} first")
    previous = person.dose_dates[dose - 2]
    if dose <= series.total_doses:
        if vaccine.name != series.name:
            raise ApiError(errors.DIFFERENT_VACCINE, f"Dose {dose} must be {series.name}, as dose 1 was")
        _check_interval(f"Dose {dose} of {vaccine.name}", previous, series.min_interval_days,
                        series.max_interval_days, on, keep_to_window)
        return
    if dose > series.total_doses + 1:
        raise ApiError(errors.DOSE_ORDER, f"After {series.total_doses} doses of {series.name} and a precaution "
                                          "dose, the programme has no further dose")
    _check_precaution(person, series, vaccine, previous, on, profile, keep_to_window)


def _check_first(person: Person, vaccine: Vaccine, on: date, profile: CountryProfile) -> None:
    cohorts = cohorts_of(person, on, profile)
    if not any(cohort.opens_on <= on for cohort in cohorts):
        raise ApiError(errors.NOT_IN_OPEN_COHORT, f"On {format_cowin_date(on)} no cohort open for vaccination "
                                                  "includes this beneficiary")
    if age_on(on, person.birth_year) < vaccine.min_age_years or not any(
            cohort.opens_on <= on and vaccine.name in cohort.vaccines for cohort in cohorts):
        allowed = sorted({name for cohort in cohorts if cohort.opens_on <= on for name in cohort.vaccines})
        raise ApiError(errors.VACCINE_NOT_FOR_COHORT, f"This beneficiary's cohort receives {', '.join(allowed)}, "
                                                      f"not {vaccine.name}")


def _check_precaution(person: Person, series: Vaccine, vaccine: Vaccine, previous: date, on: date,
                      profile: CountryProfile, keep_to_window: bool) -> None:
    precaution = vaccine.precaution
    if precaution is None or series.name not in precaution.follows:
        followers = sorted(v.name for v in profile.vaccines if v.precaution and series.name in v.precaution.follows)
        raise ApiError(errors.PRECAUTION_NOT_ALLOWED, f"After {series.name}, the precaution dose is "
                                                      f"{' or '.join(followers) or 'not given'}, not {vaccine.name}")
    if precaution.opens_on and on < precaution.opens_on:
        raise ApiError(errors.PRECAUTION_NOT_ALLOWED, f"{vaccine.name} is given as a precaution dose from "
                                                      f"{format_cowin_date(precaution.opens_on)}")
    if not any(cohort.precaution_opens_on and cohort.precaution_opens_on <= on
               for cohort in cohorts_of(person, on, profile)):
        raise ApiError(errors.NOT_IN_OPEN_COHORT, f"On {format_cowin_date(on)} no cohort open for precaution doses "
                                                  "includes this beneficiary")
    _check_interval(f"The precaution dose of {vaccine.name}", previous, precaution.min_interval_days,
                    precaution.max_interval_days, on, keep_to_window)


def _check_interval(what: str, previous: date, min_days: int, max_days: int, on: date, keep_to_window: bool) -> None:
    first, last = window(previous, min_days, max_days)
    if on < first or (keep_to_window and last is not None and on > last):
        until = f" to {format_cowin_date(last)}" if keep_to_window and last is not None else ""
        raise ApiError(errors.OUTSIDE_INTERVAL, f"{what} is due from {format_cowin_date(first)}{until}")


def precaution_due(birth_year: int, series: Vaccine, last_primary: date, profile: CountryProfile) -> date | None:
    """The first day a person of `birth_year` who completed `series` on `last_primary` may have a
    precaution dose by age alone (a cohort of occupation or comorbidity may open earlier for some),
    or None when no cohort of their ages ever gets one."""
    candidates = []
    for vaccine in profile.vaccines:
        precaution = vaccine.precaution
        if precaution is None or series.name not in precaution.follows:
            continue
        earliest = max(last_primary + timedelta(days=precaution.min_interval_days), precaution.opens_on or date.min)
        for cohort in profile.cohorts:
            if cohort.precaution_opens_on is None or cohort.occupations or cohort.comorbidity:
                continue
            day = max(earliest, cohort.precaution_opens_on, date(birth_year + cohort.min_age, 1, 1))
            ends = window(last_primary, precaution.min_interval_days, precaution.max_interval_days)[1]
            if (cohort.max_age is None or age_on(day, birth_year) <= cohort.max_age) and (ends is None or day <= ends):
                candidates.append(day)
    return min(candidates, default=None)
