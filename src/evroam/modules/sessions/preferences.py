"""Charging preferences of one of our sessions, set by the eMSP (Sessions §9.2.1.2, §9.3.2).

Only an EVSE with CHARGING_PREFERENCES_CAPABLE takes them: otherwise HTTP 404 with 2001, as
the spec mandates (CONFORMANCE F.161). We plan by departure (F.165): a request without a
departure_time is answered DEPARTURE_REQUIRED, without energy_need ENERGY_NEED_REQUIRED. A
profile is supported when the connector has a tariff of its type (a Tariff must exist per
supported ProfileType, §9.3.2; REGULAR always is). A session that ended, or a departure
already past, is NOT_POSSIBLE. Accepted preferences are stored beside the session.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from evroam.errors import InvalidParameters, NotFound
from evroam.exchange import Exchange
from evroam.modules.locations.enums import Capability
from evroam.modules.locations.model import Connector, Location
from evroam.modules.locations.repository import LocationRepository, locations
from evroam.modules.locations.service import find_connector, find_evse
from evroam.modules.sessions.model import (
    FINAL_STATUSES,
    ChargingPreferences,
    ChargingPreferencesResponse,
    ProfileType,
    Session,
)
from evroam.modules.sessions.repository import SessionRepository, key_of
from evroam.modules.sessions.service import visible_to
from evroam.modules.tariffs.model import TariffType
from evroam.modules.tariffs.repository import TariffRepository
from evroam.platform import Platform
from evroam.protocol.timestamps import utc_now
from evroam.storage.documents import ObjectKey

R = ChargingPreferencesResponse
PROFILE_TARIFFS = {
    ProfileType.CHEAP: TariffType.PROFILE_CHEAP,
    ProfileType.FAST: TariffType.PROFILE_FAST,
    ProfileType.GREEN: TariffType.PROFILE_GREEN,
}


class PreferencesNotSupported(InvalidParameters):
    """The EVSE cannot take charging preferences: HTTP 404 with 2001 (Sessions §9.2.1.2)."""

    http_status = 404
    default_message = "The EVSE of this session is not CHARGING_PREFERENCES_CAPABLE"


async def set_charging_preferences(
    platform: Platform, exchange: Exchange, session_id: str, preferences: ChargingPreferences
) -> ChargingPreferencesResponse:
    """Judge the preferences for the caller's session and keep them when accepted."""
    async with platform.unit_of_work() as db:
        repo = SessionRepository(db)
        row = await repo.own_by_id(session_id, *visible_to(exchange))
        if row is None:
            raise NotFound(f"Unknown session {session_id}")  # F.163; others' look the same
        session = Session.model_validate(row.document)
        connector = await _capable_connector(db, session)
        answer = judge(preferences, session, await _profiles(db, session, connector), utc_now())
        if answer is R.ACCEPTED:
            stored = preferences.model_dump(mode="json", exclude_none=True)
            await repo.set_columns(key_of(session), charging_preferences=stored)
    return answer


def judge(
    preferences: ChargingPreferences,
    session: Session,
    profiles: set[ProfileType],
    now: datetime,
) -> ChargingPreferencesResponse:
    """The answer of a departure-based CPO (F.165)."""
    if session.status in FINAL_STATUSES:
        return R.NOT_POSSIBLE
    if preferences.profile_type not in profiles:
        return R.PROFILE_TYPE_NOT_SUPPORTED
    if preferences.departure_time is None:
        return R.DEPARTURE_REQUIRED
    if preferences.energy_need is None:
        return R.ENERGY_NEED_REQUIRED
    if preferences.departure_time <= now or preferences.energy_need <= 0:
        return R.NOT_POSSIBLE
    return R.ACCEPTED


async def _capable_connector(db: AsyncSession, session: Session) -> Connector | None:
    """The session's connector if its EVSE is capable; PreferencesNotSupported otherwise."""
    c = locations.c
    key = ObjectKey(session.country_code, session.party_id, session.location_id).normalised()
    found = await LocationRepository(db).find_documents(
        c.partner_id.is_(None),
        c.country_code == key.country_code,
        c.party_id == key.party_id,
        c.object_id == key.object_id,
    )
    evse = find_evse(Location.model_validate(found[0]), session.evse_uid) if found else None
    if evse is None or Capability.CHARGING_PREFERENCES_CAPABLE not in (evse.capabilities or []):
        raise PreferencesNotSupported()
    return find_connector(evse, session.connector_id)


async def _profiles(
    db: AsyncSession, session: Session, connector: Connector | None
) -> set[ProfileType]:
    """REGULAR, and each profile the connector has a tariff of."""
    tariffs = TariffRepository(db)
    types = set()
    for tariff_id in (connector.tariff_ids or []) if connector else []:
        tariff = await tariffs.get(ObjectKey(session.country_code, session.party_id, tariff_id))
        if tariff is not None and tariff.type is not None:
            types.add(tariff.type)
    return {ProfileType.REGULAR} | {p for p, t in PROFILE_TARIFFS.items() if t in types}
