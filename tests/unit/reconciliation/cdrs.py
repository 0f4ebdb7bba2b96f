"""Test helpers: real CDRs from the CDR builder at the official Location (Brussels), and a
platform holding a partner's Location and CDRs."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from evroam.modules.cdrs.model import AuthMethod, Cdr, CdrToken
from evroam.modules.cdrs.repository import CdrRepository
from evroam.modules.locations.model import Location
from evroam.modules.locations.repository import LocationRepository
from evroam.modules.tariffs.model import Tariff
from evroam.partners.lifecycle import PartnerState
from evroam.partners.model import Partner
from evroam.partners.repository import PartnerRepository
from evroam.platform import Platform
from evroam.storage.documents import ObjectKey
from evroam.tariffs import PricingOptions, SessionState, SessionTimeline, TimelinePoint
from evroam.tariffs.cdr_builder import FinishedSession, build_cdr
from evroam.tariffs.session_file import load_json
from tests.examples import EXAMPLES

D = Decimal
BRUSSELS = ZoneInfo("Europe/Brussels")
CREATED = datetime(2024, 7, 1, tzinfo=UTC)
# (minutes, state, kWh delivered, kW, A)
Step = tuple[int, SessionState, str, str, str | None]


def location(**changes: Any) -> Location:
    """location_example.json: BE*BEC LOC1 in Europe/Brussels, EVSE 3256 connector 2."""
    data = load_json((EXAMPLES / "location_example.json").read_text())
    return Location.model_validate(data | changes)


def tariff(name: str, **changes: Any) -> Tariff:
    """An official tariff; owner and id can be changed (e.g. to BE*BEC's connector tariff)."""
    data = load_json((EXAMPLES / f"{name}.json").read_text())
    return Tariff.model_validate(data | changes)


def timeline(local_start: str, *steps: Step) -> SessionTimeline:
    at = datetime.fromisoformat(local_start).replace(tzinfo=BRUSSELS).astimezone(UTC)
    energy, points = D(0), []
    for minutes, state, kwh, kw, amps in steps:
        points.append(TimelinePoint(at, energy, state, D(kw), None if amps is None else D(amps)))
        at += timedelta(minutes=minutes)
        energy += D(kwh)
    points.append(TimelinePoint(at, energy, SessionState.END))
    return SessionTimeline(points[0].at, at, tuple(points))


def charging(minutes: int, kwh: str, kw: str, amps: str | None = None) -> Step:
    return minutes, SessionState.CHARGING, kwh, kw, amps


def parked(minutes: int) -> Step:
    return minutes, SessionState.PARKING, "0", "0", None


def finished(line: SessionTimeline, at: Location | None = None) -> FinishedSession:
    return FinishedSession(
        country_code="BE",
        party_id="BEC",
        session_id="S-1",
        timeline=line,
        token=CdrToken(
            country_code="DE", party_id="TNM", uid="U1", type="RFID", contract_id="DE8ACC12E46L89"
        ),
        location=at or location(),
        evse_uid="3256",
        connector_id="2",
        auth_method=AuthMethod.AUTH_REQUEST,
    )


def built(
    tariff_used: Tariff,
    line: SessionTimeline,
    cdr_id: str = "CDR-1",
    options: PricingOptions | None = None,
    at: Location | None = None,
) -> Cdr:
    """The CDR a CPO on evroam sends (priced at `at`'s time zone, with `options`)."""
    return build_cdr(
        finished(line, at),
        tariff_used,
        cdr_id=cdr_id,
        last_updated=CREATED,
        options=options or PricingOptions(),
    )


def changed(cdr: Cdr, **fields: Any) -> Cdr:
    """The CDR with some fields replaced, validated again (what a partner got wrong)."""
    return Cdr.model_validate(cdr.model_dump() | fields)


def monday() -> SessionTimeline:
    """tariff_4 Monday case (I.260): 09:30, 165 min at 16 A / 3.6 kW (9.9 kWh), 42 min parked."""
    return timeline("2024-06-03T09:30", charging(165, "9.9", "3.6", "16"), parked(42))


async def store_partner_data(platform: Platform, *cdrs: Cdr, name: str = "cpo") -> int:
    """A partner `name` whose Location LOC1 and CDRs we received; returns its id."""
    now = datetime.now(UTC)
    async with platform.unit_of_work() as session:
        partner = Partner(name=name, state=PartnerState.REGISTERED, created_at=now, updated_at=now)
        await PartnerRepository(session).save(partner)
        assert partner.id is not None
        key = ObjectKey("BE", "BEC", "LOC1")
        await LocationRepository(session).put(
            key, location(), last_updated=now, partner_id=partner.id, publish=True
        )
        for cdr in cdrs:
            await CdrRepository(session).add(cdr, partner_id=partner.id, received_at=now)
        return partner.id


def june_cdrs() -> list[Cdr]:
    """A: tariff_4 Monday as we price it (9.00 / 10.30). B: the same session on Tuesday with
    total_cost excl 10.00 (ours 9.00): unexplained, +1.00. C: tariff_2, 2.5 h = 4.75 / 4.997
    with incl written in cents as 5.00: rounding."""
    four = tariff("tariff_4_complex")
    a = built(four, monday(), "CDR-A")
    tuesday = timeline("2024-06-04T09:30", charging(165, "9.9", "3.6", "16"), parked(42))
    b = built(four, tuesday, "CDR-B")
    c = built(
        tariff("tariff_2_alt_text"), timeline("2024-06-05T10:00", charging(150, "20", "8")), "CDR-C"
    )
    five = {"excl_vat": D("4.75"), "incl_vat": D("5.00")}
    c = changed(c, total_cost=five, total_time_cost=five)
    b = changed(b, total_cost={"excl_vat": D("10.00"), "incl_vat": D("10.30")})
    return [a, b, c]
