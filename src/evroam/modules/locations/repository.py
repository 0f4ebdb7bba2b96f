"""Locations storage: ours and partners', one document per Location with its EVSEs."""

from sqlalchemy import Boolean, Column, Index

from evroam.modules.locations.model import Location
from evroam.storage.documents import DocumentRepository, document_table
from evroam.storage.tables import metadata

locations = document_table("locations", metadata, Column("publish", Boolean, nullable=False))
# Sender lists walk our published Locations in key order; an offset is skipped on this index
# instead of on rows whose large documents sit before the `publish` column.
Index("ix_locations_listed", locations.c.partner_id, locations.c.publish, locations.c.pk)


class LocationRepository(DocumentRepository[Location]):
    table = locations
    model = Location
