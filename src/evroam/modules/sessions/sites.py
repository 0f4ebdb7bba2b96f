"""Where one of our sessions takes place, as it was when it started (CONFORMANCE G.200).

The Location is kept with only the EVSE used and, once known, the connector used (what a
CdrLocation describes, G.201); the Tariff is the connector's first one valid at the start, of
the Location's own party (R1). A reservation knows its EVSE but not yet its connector: its
Session says `#NA` unless the EVSE has only one (F.179).
"""

from dataclasses import dataclass
from datetime import datetime

from evroam.errors import EvroamError
from evroam.modules.locations.model import Connector, Location
from evroam.modules.locations.publish import find_own_location
from evroam.modules.locations.service import find_connector, find_evse
from evroam.modules.sessions.model import NOT_AVAILABLE
from evroam.modules.tariffs.model import Tariff
from evroam.modules.tariffs.publish import find_own_tariff
from evroam.platform import Platform
from evroam.storage.documents import ObjectKey
from evroam.tariffs import tariff_valid_at

# Without a tariff there is no price to take a currency from: the Session still needs one.
FALLBACK_CURRENCY = "EUR"


@dataclass(frozen=True)
class Site:
    location: Location  # only the EVSE (and connector) used
    evse_uid: str
    connector_id: str  # `#NA` for a reservation at an EVSE of several connectors
    tariff: Tariff | None

    @property
    def currency(self) -> str:
        return self.tariff.currency if self.tariff is not None else FALLBACK_CURRENCY


async def site_of(
    platform: Platform,
    location_id: str,
    evse_uid: str,
    connector_id: str | None,
    *,
    at: datetime,
) -> Site:
    """The site of a session (connector_id None: a reservation), with the tariff valid at `at`."""
    location = await find_own_location(platform, location_id)
    evse = find_evse(location, evse_uid) if location is not None else None
    if location is None or evse is None:
        raise EvroamError(f"The charge point reported an unknown EVSE {evse_uid} at {location_id}")
    connector = find_connector(evse, connector_id) if connector_id else None
    if connector_id and connector is None:
        raise EvroamError(f"EVSE {evse_uid} at {location_id} has no connector {connector_id}")
    connectors = [connector] if connector is not None else evse.connectors
    used = evse.model_copy(update={"connectors": connectors})
    snapshot = location.model_copy(update={"evses": [used]})
    tariff = await connector_tariff(platform, location, connectors[0], at)
    chosen = connectors[0].id if len(connectors) == 1 else NOT_AVAILABLE
    return Site(snapshot, evse.uid, chosen, tariff)


async def connector_tariff(
    platform: Platform, location: Location, connector: Connector, at: datetime
) -> Tariff | None:
    """The connector's first tariff of ours valid at `at`, or None."""
    for tariff_id in connector.tariff_ids or []:
        key = ObjectKey(location.country_code, location.party_id, tariff_id)
        tariff = await find_own_tariff(platform, key)
        if tariff is not None and tariff_valid_at(tariff, at):
            return tariff
    return None
