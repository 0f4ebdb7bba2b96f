"""Locations and tariffs (our own and partners'), the push outbox and sync watermarks.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(JSONB(), "postgresql")
_when = sa.DateTime(timezone=True)


def _document_table(name: str, *extra: sa.Column) -> None:  # type: ignore[type-arg]
    op.create_table(
        name,
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("country_code", sa.String(2), nullable=False),
        sa.Column("party_id", sa.String(3), nullable=False),
        sa.Column("object_id", sa.String(64), nullable=False),
        sa.Column("last_updated", _when, nullable=False),
        sa.Column("partner_id", sa.Integer, sa.ForeignKey("partners.id", ondelete="CASCADE")),
        sa.Column("document", _json, nullable=False),
        *extra,
        sa.UniqueConstraint("country_code", "party_id", "object_id", name=f"uq_{name}_key"),
    )
    op.create_index(f"ix_{name}_last_updated", name, ["last_updated", "pk"])
    op.create_index(f"ix_{name}_partner", name, ["partner_id"])


def upgrade() -> None:
    _document_table("locations", sa.Column("publish", sa.Boolean, nullable=False))
    _document_table("tariffs")
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "partner_id",
            sa.Integer,
            sa.ForeignKey("partners.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("module", sa.String(20), nullable=False),
        sa.Column("country_code", sa.String(2), nullable=False),
        sa.Column("party_id", sa.String(3), nullable=False),
        sa.Column("object_id", sa.String(64), nullable=False),
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("fields", _json),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("due_at", _when, nullable=False),
        sa.Column("created_at", _when, nullable=False),
        sa.Column("claimed_until", _when),
        sa.Column("last_error", sa.Text),
        sa.UniqueConstraint("partner_id", "module", "path", name="uq_outbox_target"),
    )
    op.create_index("ix_outbox_due", "outbox", ["due_at"])
    op.create_table(
        "sync_state",
        sa.Column(
            "partner_id",
            sa.Integer,
            sa.ForeignKey("partners.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("module", sa.String(20), primary_key=True),
        sa.Column("direction", sa.String(4), primary_key=True),
        sa.Column("watermark", _when),
        sa.Column("last_success_at", _when),
        sa.Column("last_error", sa.Text),
        sa.Column("degraded_since", _when),
    )


def downgrade() -> None:
    op.drop_table("sync_state")
    op.drop_table("outbox")
    op.drop_table("tariffs")
    op.drop_table("locations")
