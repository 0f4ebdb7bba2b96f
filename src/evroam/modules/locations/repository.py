"""Locations storage: ours and partners', one document per Location with its EVSEs."""

from sqlalchemy import Boolean, Column, Index, String, Table

from evroam.modules.locations.model import Location
from evroam.storage.documents import DocumentRepository, document_table
from evroam.storage.tables import JsonAsWritten, JsonDocument, metadata

locations = document_table(
    "locations", metadata, Column("publish", Boolean, nullable=False), document_type=JsonAsWritten
)
# Sender lists walk our published Locations in key order; an offset is skipped on this index
# instead of on rows whose large documents sit before the `publish` column.
Index("ix_locations_listed", locations.c.partner_id, locations.c.publish, locations.c.pk)

# The `publish_allowed_to` of each of our unpublished Locations that names Tokens, by its key
# (modules/locations/visibility.py). A table of its own: deciding who sees them reads a few
# small rows, and only its own writes (not every EVSE status change) make that answer stale.
location_audiences = Table(
    "location_audiences",
    metadata,
    Column("country_code", String(2), primary_key=True),
    Column("party_id", String(3), primary_key=True),
    Column("object_id", String(64), primary_key=True),
    Column("audience", JsonDocument, nullable=False),
)


class LocationRepository(DocumentRepository[Location]):
    table = locations
    model = Location
