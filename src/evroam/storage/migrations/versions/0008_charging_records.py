"""The CPO's charging records: what the charge points reported of each of our Sessions.

Revision ID: 0008_flow
Revises: 0005_sessions
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008_flow"
down_revision = "0005_sessions"
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "charging_records",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("country_code", sa.String(2), nullable=False),
        sa.Column("party_id", sa.String(3), nullable=False),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("charger_session_id", sa.String(64)),
        sa.Column("reservation_id", sa.String(48)),
        sa.Column("open", sa.Boolean, nullable=False),
        sa.Column("billed", sa.Boolean, nullable=False),
        sa.Column("record", _json, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "country_code", "party_id", "session_id", name="uq_charging_records_key"
        ),
    )
    op.create_index("ix_charging_records_charger", "charging_records", ["charger_session_id"])
    op.create_index("ix_charging_records_reservation", "charging_records", ["reservation_id"])
    op.create_index("ix_charging_records_unfinished", "charging_records", ["open", "billed"])


def downgrade() -> None:
    op.drop_table("charging_records")
