"""Sessions (ours and partners'), and the CDR columns for our own CDRs and their privacy.

Revision ID: 0005_sessions
Revises: 0004_tokens
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from evroam.storage.changes import notify_trigger

revision = "0005_sessions"
down_revision = "0004_tokens"
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(JSONB(), "postgresql")
_when = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("country_code", sa.String(2), nullable=False),
        sa.Column("party_id", sa.String(3), nullable=False),
        sa.Column("object_id", sa.String(36), nullable=False),
        sa.Column("last_updated", _when, nullable=False),
        sa.Column("partner_id", sa.Integer, sa.ForeignKey("partners.id", ondelete="CASCADE")),
        sa.Column("document", _json, nullable=False),
        sa.Column("token_country_code", sa.String(2), nullable=False),
        sa.Column("token_party_id", sa.String(3), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("charging_preferences", _json),
        sa.Column("pushed_periods", sa.Integer),
        sa.Column("pushed_digest", sa.String(64)),
        sa.UniqueConstraint("country_code", "party_id", "object_id", name="uq_sessions_key"),
    )
    op.create_index("ix_sessions_last_updated", "sessions", ["last_updated", "pk"])
    op.create_index("ix_sessions_partner", "sessions", ["partner_id"])
    op.create_index(
        "ix_sessions_token_party",
        "sessions",
        ["token_country_code", "token_party_id", "last_updated"],
    )
    op.add_column("cdrs", sa.Column("token_country_code", sa.String(2)))
    op.add_column("cdrs", sa.Column("token_party_id", sa.String(3)))
    op.add_column("cdrs", sa.Column("pushed_at", _when))
    op.add_column("cdrs", sa.Column("pushed_location", sa.Text))
    op.create_index(
        "ix_cdrs_token_party", "cdrs", ["token_country_code", "token_party_id", "last_updated"]
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(notify_trigger("sessions"))  # the Sender list is cached (storage/changes.py)


def downgrade() -> None:
    op.drop_index("ix_cdrs_token_party", table_name="cdrs")
    with op.batch_alter_table("cdrs") as batch:
        for column in ("pushed_location", "pushed_at", "token_party_id", "token_country_code"):
            batch.drop_column(column)
    op.drop_table("sessions")
