"""Build the 2.2.1 CDR of a finished session, and Credit CDRs (CDRs §10.2.3, §10.3.1).

Inputs are domain objects (Location, CdrToken, the timeline) as they were at session start,
so the sessions module can call this when a session ends.
"""

from dataclasses import dataclass
from datetime import datetime

from evroam.model import Price
from evroam.modules.cdrs.model import (
    AuthMethod,
    Cdr,
    CdrDimension,
    CdrDimensionType,
    CdrLocation,
    CdrToken,
    ChargingPeriod,
    SignedData,
)
from evroam.modules.locations.model import EVSE, Connector, Location
from evroam.modules.tariffs.model import Tariff
from evroam.tariffs.engine import PricingResult, price_session
from evroam.tariffs.options import DEFAULT_OPTIONS, PricingOptions
from evroam.tariffs.report import period_dimensions
from evroam.tariffs.timeline import SessionTimeline
from evroam.tariffs.totals import Money

NOT_AVAILABLE = "#NA"
CREDIT_SUFFIX = "-C"


class CdrError(ValueError):
    """The CDR cannot be built from what was given."""


@dataclass(frozen=True)
class FinishedSession:
    """A finished session; `evse_uid` None only for a reservation that never became a session."""

    country_code: str
    party_id: str
    session_id: str | None
    timeline: SessionTimeline
    token: CdrToken
    location: Location
    evse_uid: str | None
    connector_id: str | None
    auth_method: AuthMethod
    authorization_reference: str | None = None
    meter_id: str | None = None
    signed_data: SignedData | None = None
    remark: str | None = None


def build_cdr(
    session: FinishedSession,
    tariff: Tariff,
    *,
    cdr_id: str,
    last_updated: datetime,
    options: PricingOptions = DEFAULT_OPTIONS,
) -> Cdr:
    """The CDR, priced by the engine in the Location's time zone with the session's tariff."""
    if len(cdr_id) > 36:
        raise CdrError("a CDR id is at most 36 characters; 39 is for Credit CDRs (G.189)")
    result = price_session(tariff, session.timeline, session.location.time_zone, options)
    return Cdr(
        country_code=session.country_code,
        party_id=session.party_id,
        id=cdr_id,
        start_date_time=session.timeline.start_date_time,
        end_date_time=session.timeline.end_date_time,
        session_id=session.session_id,
        cdr_token=session.token,
        auth_method=session.auth_method,
        authorization_reference=session.authorization_reference,
        cdr_location=cdr_location(session.location, session.evse_uid, session.connector_id),
        meter_id=session.meter_id,
        currency=tariff.currency,
        tariffs=[tariff],
        charging_periods=charging_periods(result),
        signed_data=session.signed_data,
        remark=session.remark,
        last_updated=last_updated,
        **totals_of(result),
    )


def totals_of(result: PricingResult) -> dict[str, object]:
    """Every CDR total field, unrounded (R11, R12)."""
    t = result.totals
    return {
        "total_cost": _price(t.total_cost),
        "total_fixed_cost": _price(t.total_fixed_cost),
        "total_energy": t.total_energy,
        "total_energy_cost": _price(t.total_energy_cost),
        "total_time": t.total_time,
        "total_time_cost": _price(t.total_time_cost),
        "total_parking_time": t.total_parking_time,
        "total_parking_cost": _price(t.total_parking_cost),
        "total_reservation_cost": _price(t.total_reservation_cost),
    }


def _price(money: Money) -> Price:
    return Price(excl_vat=money.excl_vat, incl_vat=money.incl_vat)


def charging_periods(result: PricingResult) -> list[ChargingPeriod]:
    return [
        ChargingPeriod(
            start_date_time=period.piece.start,
            dimensions=[
                CdrDimension(type=CdrDimensionType(kind), volume=volume)
                for kind, volume in period_dimensions(period)
            ],
            tariff_id=result.tariff.id,
        )
        for period in result.periods
    ]


def cdr_location(location: Location, evse_uid: str | None, connector_id: str | None) -> CdrLocation:
    """Only the EVSE and connector used; `#NA` for a reservation never used (G.201, G.202)."""
    evse, connector = _used(location, evse_uid, connector_id)
    return CdrLocation(
        id=location.id,
        name=location.name,
        address=location.address[:45],  # CdrLocation kept string(45) (DIGEST §14)
        city=location.city,
        postal_code=location.postal_code,
        state=location.state[:20] if location.state else None,
        country=location.country,
        coordinates=location.coordinates,
        evse_uid=evse.uid if evse_uid else NOT_AVAILABLE,
        # evse_id is optional on an EVSE but required here: the uid identifies it then.
        evse_id=(evse.evse_id or evse.uid) if evse_uid else NOT_AVAILABLE,
        connector_id=connector.id if connector_id else NOT_AVAILABLE,
        connector_standard=connector.standard,
        connector_format=connector.format,
        connector_power_type=connector.power_type,
    )


def _used(
    location: Location, evse_uid: str | None, connector_id: str | None
) -> tuple[EVSE, Connector]:
    """The EVSE and connector used; for `#NA` any, as the receiver ignores their details."""
    for evse in location.evses or []:
        if evse_uid is not None and evse.uid.upper() != evse_uid.upper():
            continue
        for connector in evse.connectors:
            if connector_id is None or connector.id.upper() == connector_id.upper():
                return evse, connector
    raise CdrError(f"location {location.id} has no EVSE {evse_uid} with connector {connector_id}")


def build_credit_cdr(cdr: Cdr, *, last_updated: datetime, credit_id: str | None = None) -> Cdr:
    """A Credit CDR: all the original's data, a new id, credit and credit_reference_id set,
    and only total_cost negated (CDRs §10.2.3; CONFORMANCE G.197, G.198)."""
    if cdr.credit:
        raise CdrError(f"CDR {cdr.id} is itself a Credit CDR")
    new_id = credit_id or f"{cdr.id}{CREDIT_SUFFIX}"
    if new_id.upper() == cdr.id.upper():
        raise CdrError("a Credit CDR needs an id different from the original")
    negated = Price(
        excl_vat=-cdr.total_cost.excl_vat,
        incl_vat=None if cdr.total_cost.incl_vat is None else -cdr.total_cost.incl_vat,
    )
    data = cdr.model_dump(exclude_none=True) | {
        "id": new_id,
        "credit": True,
        "credit_reference_id": cdr.id,
        "total_cost": negated.model_dump(exclude_none=True),
        "last_updated": last_updated,
    }
    return Cdr.model_validate(data)
