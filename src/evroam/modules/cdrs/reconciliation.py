"""CDR reconciliation (eMSP side): price each received CDR again and explain every difference.

Decision rules, in this order (TARIFF-RULES §12, §14, §15; CONFORMANCE G.203, section I):

1. Credit CDRs (`credit: true`) are not re-priced: they negate an earlier CDR (G.198).
2. Time zone: the stored Location of the CDR's owner party (`cdr_location.id`) gives it. No
   Location, or an unknown zone → TIME_ZONE, priced in UTC (A16: never guessed).
3. Energy: `total_energy` must equal the sum of the periods' ENERGY volumes (G.203), else ENERGY.
4. Tariff: the CDR's own `tariffs` (the tariff the CPO used, as at session start); without them,
   the stored tariffs of the connector (`tariff_ids` of the stored Location's connector) valid at
   session start (`tariff_valid_at`). A period `tariff_id` picks among them. Nothing usable, or a
   period naming a tariff we do not have → TARIFF_UNKNOWN. Periods the engine cannot replay (e.g.
   current restrictions without current dimensions, A18) → UNPRICEABLE.
5. Every money total the CDR gives is compared with ours, excl and incl VAT separately, with the
   tolerance (0.001 unless configured). No difference → MATCH.
6. Differences are attributed by analysis, first explanation wins:
   - ROUNDING: each differing CDR value equals ours rounded to 2 decimals (half up or half even),
     or, for total_cost, the sum of the rounded sub-totals;
   - VAT: every excl VAT value agrees and only incl VAT values differ;
   - STEP_SIZE: priced again with the other step readings (A5 measured total, A6 combined or
     last-dimension rounding, step_size ignored) the totals agree (alone or after rounding);
   - ELEMENT_CHOICE: the same with the other readings of which component applies (A3 weekday of
     the window start, A7 FLAT per component or per period);
   - TIME_ZONE: the same priced in UTC instead of the Location's zone;
   - otherwise UNEXPLAINED.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.model import Price
from evroam.modules.cdrs.classification import (
    Cause,
    Difference,
    Pricing,
    classify,
    compare,
    difference,
    emit,
)
from evroam.modules.cdrs.model import Cdr
from evroam.modules.cdrs.replay import period_energy, timeline_of
from evroam.modules.cdrs.repository import CdrRepository, key_of
from evroam.modules.credentials.service import get_partner
from evroam.modules.locations.model import Location
from evroam.modules.locations.repository import LocationRepository
from evroam.modules.tariffs.model import Tariff
from evroam.modules.tariffs.repository import TariffRepository
from evroam.platform import Platform
from evroam.protocol.timestamps import OcpiDateTime, utc_now
from evroam.protocol.types import Number
from evroam.storage.documents import ObjectKey
from evroam.tariffs import TimelineError, tariff_valid_at, zone_of
from evroam.tariffs.totals import Money, Totals

TOLERANCE = Decimal("0.001")  # CONFORMANCE: compare money with 0.001 unless configured
log = logging.getLogger(__name__)


class Status(StrEnum):
    MATCH = "MATCH"
    """Every total agrees within the tolerance."""
    MISMATCH = "MISMATCH"
    """A total or the energy differs; `causes` says why."""
    UNVERIFIED = "UNVERIFIED"
    """Not fully checked: no tariff, not priceable, or priced in UTC for want of a Location."""
    CREDIT = "CREDIT"
    """A Credit CDR: not priced again."""


class Reconciliation(BaseModel):
    """The outcome for one CDR, stored beside it; our money emitted at 4 decimals (R12)."""

    cdr_id: str
    country_code: str
    party_id: str
    start_date_time: OcpiDateTime
    currency: str
    status: Status
    causes: list[Cause]
    tariff_id: str | None
    time_zone: str
    cdr_total: Price
    our_total: Price | None
    difference: Number
    """CDR total_cost excl VAT minus ours (0 when not priced)."""
    differences: list[Difference]
    notes: list[str]


@dataclass(frozen=True)
class Known:
    """What the eMSP holds besides the CDR: the stored Location, and the stored tariffs of the
    connector used and of the periods' tariff_ids."""

    location: Location | None
    tariffs: list[Tariff]


def reconcile_cdr(cdr: Cdr, known: Known, tolerance: Decimal = TOLERANCE) -> Reconciliation:
    """Price the CDR again with the tariff it references and classify every difference."""
    if cdr.credit:
        return _outcome(cdr, [], [], notes=[f"credits CDR {cdr.credit_reference_id}"])
    zone, causes, notes = _zone(cdr, known.location)
    differences = _energy_difference(cdr, tolerance)
    causes += [Cause.ENERGY] if differences else []
    tariff, unknown = choose_tariff(cdr, known)
    notes += unknown
    if tariff is None or unknown:
        causes.append(Cause.TARIFF_UNKNOWN)
    if tariff is None:
        return _outcome(cdr, causes, differences, zone=zone, notes=notes)
    try:
        pricing = Pricing(tariff, timeline_of(cdr), zone)
        ours = pricing.totals()
    except TimelineError as exc:
        notes.append(f"not priceable: {exc}")
        return _outcome(cdr, [*causes, Cause.UNPRICEABLE], differences, zone=zone, notes=notes)
    totals = compare(cdr, ours, tolerance)
    if totals:
        found, why = classify(cdr, pricing, ours, totals, tolerance)
        causes, notes = causes + [c for c in found if c not in causes], notes + why
    return _outcome(
        cdr, causes, differences + totals, zone=zone, notes=notes, tariff=tariff, ours=ours
    )


def _zone(cdr: Cdr, location: Location | None) -> tuple[str, list[Cause], list[str]]:
    """Rule 2: the Location's zone, else UTC with TIME_ZONE recorded (A16)."""
    if location is None:
        return "UTC", [Cause.TIME_ZONE], [f"no stored Location {cdr.cdr_location.id}: UTC used"]
    try:
        zone_of(location.time_zone)
    except TimelineError:
        note = f"Location {location.id} has unknown time_zone {location.time_zone!r}: UTC used"
        return "UTC", [Cause.TIME_ZONE], [note]
    return location.time_zone, [], []


def _energy_difference(cdr: Cdr, tolerance: Decimal) -> list[Difference]:
    """Rule 3: total_energy against the periods' ENERGY volumes (G.203)."""
    periods = period_energy(cdr)
    if abs(cdr.total_energy - periods) <= tolerance:
        return []
    return [difference("total_energy", None, cdr.total_energy, periods)]


def choose_tariff(cdr: Cdr, known: Known) -> tuple[Tariff | None, list[str]]:
    """Rule 4: the tariff to price with, and notes on period tariff_ids we do not have."""
    start = cdr.start_date_time
    if cdr.tariffs:  # the CPO's own statement: the one valid at start first, others kept
        candidates = sorted(cdr.tariffs, key=lambda t: not tariff_valid_at(t, start))
    else:
        candidates = [t for t in known.tariffs if tariff_valid_at(t, start)]
    named = {p.tariff_id.upper() for p in cdr.charging_periods if p.tariff_id}
    have = {t.id.upper() for t in candidates}
    unknown = [f"period tariff_id {name} is not a tariff we have" for name in sorted(named - have)]
    chosen = [t for t in candidates if t.id.upper() in named] or candidates
    return (chosen[0] if chosen else None), unknown


def _outcome(
    cdr: Cdr,
    causes: list[Cause],
    differences: list[Difference],
    *,
    notes: list[str],
    zone: str = "UTC",
    tariff: Tariff | None = None,
    ours: Totals | None = None,
) -> Reconciliation:
    total = ours.total_cost if ours is not None else None
    return Reconciliation(
        cdr_id=cdr.id,
        country_code=cdr.country_code,
        party_id=cdr.party_id,
        start_date_time=cdr.start_date_time,
        currency=cdr.currency,
        status=_status(cdr, causes, differences),
        causes=causes,
        tariff_id=tariff.id if tariff else None,
        time_zone=zone,
        cdr_total=cdr.total_cost,
        our_total=_money(total) if total is not None else None,
        difference=emit(cdr.total_cost.excl_vat - total.excl_vat) if total else Decimal(0),
        differences=differences,
        notes=notes,
    )


def _status(cdr: Cdr, causes: list[Cause], differences: list[Difference]) -> Status:
    if cdr.credit:
        return Status.CREDIT
    if differences:
        return Status.MISMATCH
    return Status.UNVERIFIED if causes else Status.MATCH


def _money(money: Money) -> Price:
    return Price(excl_vat=emit(money.excl_vat), incl_vat=emit(money.incl_vat))


async def reconcile_partner(
    platform: Platform,
    partner_name: str,
    start: datetime,
    end: datetime,
    *,
    tolerance: Decimal = TOLERANCE,
) -> list[Reconciliation]:
    """Reconcile the partner's CDRs of sessions started in [start, end) and store each result
    beside its CDR (modules/cdrs/statement.py sums them up)."""
    partner = await get_partner(platform, partner_name)
    assert partner.id is not None
    now = utc_now()
    results: list[Reconciliation] = []
    async with platform.unit_of_work() as session:
        repository = CdrRepository(session)
        for cdr in await repository.in_range(partner.id, start, end):
            result = reconcile_cdr(cdr, await known_for(session, cdr), tolerance)
            stored = result.model_dump(mode="json")
            await repository.save_reconciliation(key_of(cdr), stored, at=now)
            results.append(result)
    log.info("reconciled %d CDRs of %s", len(results), partner_name)
    return results


async def known_for(session: AsyncSession, cdr: Cdr) -> Known:
    """The stored Location of the CDR's owner party and the tariffs it may reference."""
    owner = (cdr.country_code, cdr.party_id)
    location = await LocationRepository(session).get(ObjectKey(*owner, cdr.cdr_location.id))
    ids = _connector_tariff_ids(cdr, location)
    ids += [p.tariff_id for p in cdr.charging_periods if p.tariff_id and p.tariff_id not in ids]
    tariffs = TariffRepository(session)
    found = [await tariffs.get(ObjectKey(*owner, tariff_id)) for tariff_id in ids]
    return Known(location, [t for t in found if t is not None])


def _connector_tariff_ids(cdr: Cdr, location: Location | None) -> list[str]:
    used = cdr.cdr_location
    for evse in (location.evses or []) if location else []:
        if evse.uid.upper() != used.evse_uid.upper():
            continue
        for connector in evse.connectors:
            if connector.id.upper() == used.connector_id.upper():
                return list(connector.tariff_ids or [])
    return []
