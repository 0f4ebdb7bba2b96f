"""Partners, the inbound tokens we issued them, and the parties they carry.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(JSONB(), "postgresql")
_when = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "partners",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("version", sa.String(10)),
        sa.Column("versions_url", sa.String(255)),
        sa.Column("endpoints", _json, nullable=False),
        sa.Column("roles", _json, nullable=False),
        sa.Column("token_out", sa.Text),
        sa.Column("token_encoding", sa.String(10)),
        sa.Column("created_at", _when, nullable=False),
        sa.Column("updated_at", _when, nullable=False),
        sa.Column("registered_at", _when),
        sa.Column("last_contact_at", _when),
        sa.Column("last_error", sa.Text),
    )
    op.create_table(
        "partner_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "partner_id",
            sa.Integer,
            sa.ForeignKey("partners.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("created_at", _when, nullable=False),
        sa.Column("expires_at", _when),
    )
    op.create_index("ix_partner_tokens_partner", "partner_tokens", ["partner_id"])
    op.create_table(
        "partner_parties",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "partner_id",
            sa.Integer,
            sa.ForeignKey("partners.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("country_code", sa.String(2), nullable=False),
        sa.Column("party_id", sa.String(3), nullable=False),
        sa.UniqueConstraint(
            "partner_id", "role", "country_code", "party_id", name="uq_partner_party"
        ),
    )
    op.create_index("ix_partner_parties_party", "partner_parties", ["country_code", "party_id"])


def downgrade() -> None:
    op.drop_table("partner_parties")
    op.drop_table("partner_tokens")
    op.drop_table("partners")
