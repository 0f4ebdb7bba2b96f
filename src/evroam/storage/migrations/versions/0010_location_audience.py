"""Locations: the `publish_allowed_to` of our unpublished Locations in a table of their own.

Who may see an unpublished Location is decided again after every write of what decides it
(modules/locations/visibility.py); read from the documents, that was a JSON extraction per
unpublished Location after every EVSE status change. The table holds one row per unpublished
Location of ours that names Tokens; the change feed reports its writes.

Revision ID: 0010_audience
Revises: 0009_perf
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from evroam.storage.changes import notify_trigger
from evroam.storage.tables import JsonDocument

revision = "0010_audience"
down_revision = "0009_perf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "location_audiences",
        sa.Column("country_code", sa.String(2), primary_key=True),
        sa.Column("party_id", sa.String(3), primary_key=True),
        sa.Column("object_id", sa.String(64), primary_key=True),
        sa.Column("audience", JsonDocument, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        allowed = "document -> 'publish_allowed_to'"
        some = f"jsonb_typeof({allowed}) = 'array' AND jsonb_array_length({allowed}) > 0"
    else:
        allowed = "json_extract(document, '$.publish_allowed_to')"
        some = f"json_type(document, '$.publish_allowed_to') = 'array' AND {allowed} <> '[]'"
    op.execute(
        "INSERT INTO location_audiences (country_code, party_id, object_id, audience)"
        f" SELECT country_code, party_id, object_id, {allowed} FROM locations"
        f" WHERE partner_id IS NULL AND NOT publish AND {some}"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(notify_trigger("location_audiences"))


def downgrade() -> None:
    op.drop_table("location_audiences")
