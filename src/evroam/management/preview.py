"""Management: price preview of a planned session at a connector, for an eMSP app (issue #4).

The connector's tariff (from the stored Location, ours or a partner's) valid at the planned
start, priced in the Location's time zone by the engine's `estimate_price`. Amounts are exact
(no currency rounding): the app rounds for display.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from evroam.deps import PlatformDep
from evroam.errors import InvalidParameters, NotFound
from evroam.management.auth import Admin
from evroam.modules.locations.model import Connector, Location
from evroam.modules.locations.repository import LocationRepository
from evroam.modules.locations.service import find_connector, find_evse
from evroam.modules.tariffs.model import Tariff
from evroam.modules.tariffs.repository import TariffRepository
from evroam.platform import Platform
from evroam.protocol.envelope import envelope
from evroam.protocol.timestamps import parse_datetime, utc_now
from evroam.storage.documents import ObjectKey
from evroam.tariffs import TimelineError, estimate_price, tariff_valid_at
from evroam.tariffs.report import json_text, result_document

router = APIRouter(prefix="/preview", tags=["management"], dependencies=[Admin])


@router.get("/{country_code}/{party_id}/{location_id}/{evse_uid}/{connector_id}")
async def preview_price(
    country_code: str,
    party_id: str,
    location_id: str,
    evse_uid: str,
    connector_id: str,
    platform: PlatformDep,
    energy_kwh: Annotated[Decimal, Query(ge=0, description="Energy to charge (kWh).")],
    power_kw: Annotated[Decimal, Query(gt=0, description="Expected charging power (kW).")],
    start: Annotated[str | None, Query(description="Planned start (UTC); default now.")] = None,
    parking_minutes: Annotated[int, Query(ge=0, description="Minutes parked after charging.")] = 0,
) -> Response:
    """What charging `energy_kwh` at `power_kw` from `start` would cost at this connector:
    charging periods, every total and the explanation, as `evroam tariffs price --json`."""
    planned = _start(start)
    location = await _location(platform, ObjectKey(country_code, party_id, location_id))
    connector = _connector(location, evse_uid, connector_id)
    tariff = await _tariff(platform, location, connector, planned)
    try:
        result = estimate_price(
            tariff,
            energy_kwh=energy_kwh,
            power_kw=power_kw,
            start=planned,
            time_zone=location.time_zone,
            parking=timedelta(minutes=parking_minutes),
        )
    except TimelineError as exc:
        raise InvalidParameters(str(exc)) from exc
    # Exact decimals: the report is written as JSON text, then wrapped in the envelope.
    body = envelope(data=None)
    body_text = json_text({**body, "data": result_document(result)})
    return Response(content=body_text, media_type="application/json")


def _start(text: str | None) -> datetime:
    if text is None:
        return utc_now()
    try:
        return parse_datetime(text)
    except ValueError as exc:
        raise InvalidParameters(f"start: {exc}") from exc


async def _location(platform: Platform, key: ObjectKey) -> Location:
    async with platform.sessions() as session:
        location = await LocationRepository(session).get(key)
    if location is None:
        raise NotFound(f"Unknown location {key.country_code}*{key.party_id}/{key.object_id}")
    return location


def _connector(location: Location, evse_uid: str, connector_id: str) -> Connector:
    evse = find_evse(location, evse_uid)
    connector = find_connector(evse, connector_id) if evse else None
    if connector is None:
        raise NotFound(f"Location {location.id} has no connector {evse_uid}/{connector_id}")
    return connector


async def _tariff(
    platform: Platform, location: Location, connector: Connector, start: datetime
) -> Tariff:
    """The connector's first tariff valid at the start (the owner's tariffs, R1)."""
    async with platform.sessions() as session:
        repo = TariffRepository(session)
        for tariff_id in connector.tariff_ids or []:
            tariff = await repo.get(ObjectKey(location.country_code, location.party_id, tariff_id))
            if tariff is not None and tariff_valid_at(tariff, start):
                return tariff
    raise NotFound(f"No tariff known for connector {connector.id} of {location.id} at that time")
