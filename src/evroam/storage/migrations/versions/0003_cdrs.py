"""CDRs received from partners, with their latest reconciliation.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(JSONB(), "postgresql")
_when = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cdrs",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("country_code", sa.String(2), nullable=False),
        sa.Column("party_id", sa.String(3), nullable=False),
        sa.Column("object_id", sa.String(39), nullable=False),
        sa.Column("last_updated", _when, nullable=False),
        sa.Column("partner_id", sa.Integer, sa.ForeignKey("partners.id", ondelete="CASCADE")),
        sa.Column("document", _json, nullable=False),
        sa.Column("start_date_time", _when, nullable=False),
        sa.Column("end_date_time", _when, nullable=False),
        sa.Column("reconciliation", _json),
        sa.Column("reconciled_at", _when),
        sa.UniqueConstraint("country_code", "party_id", "object_id", name="uq_cdrs_key"),
    )
    op.create_index("ix_cdrs_last_updated", "cdrs", ["last_updated", "pk"])
    op.create_index("ix_cdrs_partner", "cdrs", ["partner_id"])
    op.create_index("ix_cdrs_partner_start", "cdrs", ["partner_id", "start_date_time"])


def downgrade() -> None:
    op.drop_table("cdrs")
