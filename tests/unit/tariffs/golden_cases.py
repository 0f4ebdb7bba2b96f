"""Generated pricing cases whose outputs are frozen in tests/data/tariffs/golden_outputs.json.

A performance change must not change one byte of what the engine says: every case is the
seeded random choice of a tariff (official or generated, every restriction kind), a session
(reservations; DST days in zones with 1 h, 30 min, midnight and no DST; fractional minutes;
missing current) and a set of options. `fingerprint` hashes the `--json` document plus each period's
chosen components; regenerate with `python -m tests.data.tariffs.make_golden` only when a
result is meant to change.
"""

import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from evroam.modules.tariffs.model import Tariff
from evroam.tariffs import (
    DayOfWeekReading,
    FlatCharging,
    PricingOptions,
    SessionState,
    SessionTimeline,
    StepTotal,
    TimelineError,
    TimelinePoint,
    TimeRounding,
    price_session,
)
from evroam.tariffs.report import json_text, result_document
from evroam.tariffs.session_file import load_json
from tests.examples import EXAMPLES

GOLDEN = Path(__file__).parents[2] / "data" / "tariffs" / "golden_outputs.json"
CASES = 2400
D = Decimal
# tariff_put_example is a PUT body without last_updated, not a whole Tariff.
OFFICIAL = sorted(p.stem for p in EXAMPLES.glob("tariff_[0-9]*.json"))
# (zone, local days worth testing: DST changes, a plain weekday, a weekend, new year)
ZONES = (
    ("Europe/Amsterdam", ("2024-03-31", "2024-10-27", "2024-06-07", "2024-12-31")),
    ("America/New_York", ("2024-03-10", "2024-11-03", "2024-06-08")),
    ("Australia/Lord_Howe", ("2024-04-07", "2024-10-06", "2024-02-29")),  # 30 min DST
    ("Asia/Kolkata", ("2024-06-07", "2024-12-31")),  # +05:30, no DST
    ("America/Santiago", ("2024-04-06", "2024-09-07", "2024-09-08")),  # DST at midnight
    ("Pacific/Chatham", ("2024-04-07", "2024-09-29")),  # +12:45 / +13:45
    ("UTC", ("2024-01-01", "2024-06-09")),
)
TIMES = ("00:00", "06:00", "08:30", "09:00", "12:00", "17:45", "18:00", "22:00", "23:59")
DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
DATES = ("2024-01-01", "2024-03-31", "2024-06-08", "2024-10-27", "2024-11-03", "2025-01-01")


@dataclass(frozen=True)
class Case:
    tariff: Tariff
    timeline: SessionTimeline
    zone: str
    options: PricingOptions


def cases() -> Iterator[tuple[int, Case | str]]:
    """Every case by number; a timeline the engine refuses to build is its error text."""
    official = {name: _official(name) for name in OFFICIAL}
    for number in range(CASES):
        rng = random.Random(number)
        tariff = official[rng.choice(OFFICIAL)] if rng.random() < 0.3 else _tariff(rng)
        try:
            yield number, Case(tariff, *_session(rng), _options(rng))
        except TimelineError as exc:
            yield number, f"timeline: {exc}"


def fingerprint(case: Case) -> str:
    """SHA-256 of everything the engine answers, or the error it raises."""
    try:
        result = price_session(case.tariff, case.timeline, case.zone, case.options)
    except TimelineError as exc:
        return f"error: {exc}"
    chosen = [sorted((d.value, a.key) for d, a in p.active.items()) for p in result.periods]
    text = json_text(result_document(result)) + json.dumps(chosen)
    return hashlib.sha256(text.encode()).hexdigest()


def fingerprints() -> dict[str, str]:
    return {
        str(number): case if isinstance(case, str) else fingerprint(case)
        for number, case in cases()
    }


def _official(name: str) -> Tariff:
    return Tariff.model_validate(load_json((EXAMPLES / f"{name}.json").read_text()))


def _options(rng: random.Random) -> PricingOptions:
    if rng.random() < 0.5:
        return PricingOptions()
    return PricingOptions(
        day_of_week=rng.choice(list(DayOfWeekReading)),
        step_total=rng.choice(list(StepTotal)),
        time_rounding=rng.choice(list(TimeRounding)),
        flat=rng.choice(list(FlatCharging)),
    )


def _tariff(rng: random.Random) -> Tariff:
    data: dict[str, Any] = {
        "country_code": "NL",
        "party_id": "EVR",
        "id": f"G{rng.randrange(1000)}",
        "currency": "EUR",
        "elements": [_element(rng) for _ in range(rng.randint(1, 5))],
        "last_updated": "2024-01-01T00:00:00Z",
    }
    for bound in ("min_price", "max_price"):
        if rng.random() < 0.15:
            price = {"excl_vat": _amount(rng, 30)}
            if rng.random() < 0.6:
                price["incl_vat"] = _amount(rng, 36)
            data[bound] = price
    if rng.random() < 0.1:
        data["start_date_time"] = rng.choice(["2024-01-01T00:00:00Z", "2024-07-01T00:00:00Z"])
    if rng.random() < 0.1:
        data["end_date_time"] = rng.choice(["2024-06-08T12:00:00Z", "2025-01-01T00:00:00Z"])
    return Tariff.model_validate(load_json(json.dumps(data, default=str)))


def _amount(rng: random.Random, most: int) -> str:
    return str(D(rng.randrange(most * 1000)) / 1000)


def _element(rng: random.Random) -> dict[str, Any]:
    restrictions = _restrictions(rng)
    kinds = ["FLAT", "TIME"] if "reservation" in restrictions else ["ENERGY", "FLAT", "TIME"]
    if "reservation" not in restrictions:
        kinds.append("PARKING_TIME")
    chosen = rng.sample(kinds, rng.randint(1, min(3, len(kinds))))
    element: dict[str, Any] = {"price_components": [_component(rng, kind) for kind in chosen]}
    if restrictions:
        element["restrictions"] = restrictions
    return element


def _component(rng: random.Random, kind: str) -> dict[str, Any]:
    component: dict[str, Any] = {
        "type": kind,
        "price": _amount(rng, 8),
        "step_size": rng.choice([0, 1, 60, 300, 900, 1000]),
    }
    vat = rng.choice([None, "0", "21", "20.5"])
    if vat is not None:
        component["vat"] = vat
    return component


def _restrictions(rng: random.Random) -> dict[str, Any]:
    chosen: dict[str, Any] = {}
    roll = rng.random()
    if roll < 0.35:
        chosen["start_time"], chosen["end_time"] = rng.choice(TIMES), rng.choice(TIMES)
    elif roll < 0.45:
        chosen[rng.choice(["start_time", "end_time"])] = rng.choice(TIMES)
    if rng.random() < 0.1:
        chosen[rng.choice(["start_date", "end_date"])] = rng.choice(DATES)
    if rng.random() < 0.35:
        chosen["day_of_week"] = sorted(rng.sample(DAYS, rng.randint(1, 4)), key=DAYS.index)
    for name, most in (("kwh", 60), ("power", 50), ("current", 64), ("duration", 300)):
        if rng.random() < 0.15:
            value = rng.randrange(1, most) * (60 if name == "duration" else 1)
            chosen[f"{rng.choice(['min', 'max'])}_{name}"] = value
    if rng.random() < 0.06:
        chosen["reservation"] = rng.choice(["RESERVATION", "RESERVATION_EXPIRES"])
    return chosen


def _session(rng: random.Random) -> tuple[SessionTimeline, str]:
    zone, days = rng.choice(ZONES)
    local = datetime.fromisoformat(f"{rng.choice(days)}T00:00") + timedelta(
        minutes=rng.randrange(0, 24 * 60, 5)
    )
    at = local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    expired = rng.random() < 0.05
    states = [SessionState.RESERVATION] if expired or rng.random() < 0.15 else []
    if not expired:
        states += [
            rng.choice([SessionState.CHARGING, SessionState.PARKING])
            for _ in range(rng.randint(1, 8))
        ]
    return _timeline(rng, at, states, expired), zone


def _timeline(
    rng: random.Random, at: datetime, states: list[SessionState], expired: bool
) -> SessionTimeline:
    energy, points = D(0), []
    for state in states:
        charging = state is SessionState.CHARGING
        kw = D(rng.choice([0, 3, 7, 11, 22, 50])) if charging else D(0)
        amps = D(rng.choice([6, 16, 32, 48])) if charging and rng.random() < 0.95 else None
        points.append(TimelinePoint(at, energy, state, kw, amps))
        minutes = D(rng.randrange(1, 24 * 60)) / rng.choice([1, 2, 8])
        at += timedelta(microseconds=int(minutes * 60_000_000))
        if charging:
            energy += D(rng.randrange(0, 4000)) / 100
    points.append(TimelinePoint(at, energy, SessionState.END))
    return SessionTimeline(points[0].at, at, tuple(points), expired)
