"""Pulling a partner's Locations (DIGEST §5.2): the Location with its EVSEs is one object."""

from typing import Any

from evroam.modules.locations.model import Location
from evroam.modules.locations.repository import LocationRepository
from evroam.sync.store import PullModule


def _columns(location: Location) -> dict[str, Any]:
    return {"publish": location.publish}


# In 2.2.1 the wire Location is the domain Location (versions/v2_2_1/locations.py); a version
# with another shape maps it to the domain model before it reaches `parse`.
LOCATIONS = PullModule("locations", LocationRepository, Location, _columns)
