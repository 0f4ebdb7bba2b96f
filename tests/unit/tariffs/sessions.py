"""Test helpers: official tariffs and short timelines written in local time."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from evroam.modules.tariffs.model import Tariff
from evroam.tariffs import (
    PricingOptions,
    PricingResult,
    SessionState,
    SessionTimeline,
    TimelinePoint,
    price_session,
)
from evroam.tariffs.session_file import load_json
from tests.examples import EXAMPLES

D = Decimal


def official(name: str) -> Tariff:
    """An official example tariff, numbers read as exact Decimals."""
    return Tariff.model_validate(load_json((EXAMPLES / f"{name}.json").read_text()))


def tariff_of(*elements: dict[str, object], **fields: object) -> Tariff:
    """A tariff of our own, written as the wire JSON would be."""
    data = {
        "country_code": "NL",
        "party_id": "EVR",
        "id": "T1",
        "currency": "EUR",
        "elements": list(elements),
        "last_updated": "2024-01-01T00:00:00Z",
        **fields,
    }
    return Tariff.model_validate(load_json(json.dumps(data)))


@dataclass(frozen=True)
class Step:
    """One interval: state for `minutes`, delivering `kwh`, at constant power and current."""

    state: SessionState
    minutes: Decimal | int | str
    kwh: Decimal | int | str = 0
    power_kw: Decimal | int | str = 0
    current_a: Decimal | int | str | None = None


def charge(
    minutes: Decimal | int | str, kwh: object = 0, kw: object = 0, amps: object = None
) -> Step:
    return Step(SessionState.CHARGING, minutes, D(str(kwh)), D(str(kw)), _opt(amps))


def park(minutes: Decimal | int | str) -> Step:
    return Step(SessionState.PARKING, minutes)


def reserve(minutes: Decimal | int | str) -> Step:
    return Step(SessionState.RESERVATION, minutes)


def _opt(value: object) -> Decimal | None:
    return None if value is None else D(str(value))


def timeline(
    local_start: str, zone: str, *steps: Step, reservation_expired: bool = False
) -> SessionTimeline:
    """Points from a local start time; energy accumulates over the steps."""
    at = datetime.fromisoformat(local_start).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    energy = D(0)
    points: list[TimelinePoint] = []
    for step in steps:
        power, current = D(str(step.power_kw)), _opt(step.current_a)
        points.append(TimelinePoint(at, energy, step.state, power, current))
        at += _minutes(step.minutes)
        energy += D(str(step.kwh))
    points.append(TimelinePoint(at, energy, SessionState.END))
    return SessionTimeline(points[0].at, at, tuple(points), reservation_expired)


def _minutes(minutes: Decimal | int | str) -> timedelta:
    microseconds = D(minutes) * 60_000_000
    return timedelta(microseconds=int(microseconds))


def price(
    tariff: Tariff,
    line: SessionTimeline,
    zone: str = "Europe/Amsterdam",
    options: PricingOptions | None = None,
) -> PricingResult:
    return price_session(tariff, line, zone, options or PricingOptions())


def costs(result: PricingResult) -> tuple[Decimal, Decimal]:
    """total_cost (excl, incl)."""
    return result.totals.total_cost.excl_vat, result.totals.total_cost.incl_vat
