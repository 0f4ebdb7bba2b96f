"""Locations storage: ours and partners', one document per Location with its EVSEs."""

from sqlalchemy import Boolean, Column

from evroam.modules.locations.model import Location
from evroam.storage.documents import DocumentRepository, document_table
from evroam.storage.tables import metadata

locations = document_table("locations", metadata, Column("publish", Boolean, nullable=False))


class LocationRepository(DocumentRepository[Location]):
    table = locations
    model = Location
