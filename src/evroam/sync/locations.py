"""Pulling a partner's Locations (DIGEST §5.2): the Location with its EVSEs is one object."""

from evroam.modules.locations.model import Location
from evroam.modules.locations.repository import LocationRepository
from evroam.sync.store import PullModule

# In 2.2.1 the wire Location is the domain Location (versions/v2_2_1/locations.py); a version
# with another shape maps it to the domain model in the model's validators. `publish` is the
# column the Sender list filters on.
LOCATIONS = PullModule("locations", LocationRepository, Location, ("publish",))
