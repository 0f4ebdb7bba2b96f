"""Tokens: our own (eMSP, with their policy) and partners' (CPO), keyed by uid and type.

Revision ID: 0004_tokens
Revises: 0006_commands
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from evroam.storage.changes import notify_trigger

revision = "0004_tokens"
down_revision = "0006_commands"
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(JSONB(), "postgresql")
_when = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tokens",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("country_code", sa.String(2), nullable=False),
        sa.Column("party_id", sa.String(3), nullable=False),
        # `UID:TYPE`: a Token is unique per owner, uid and type (see modules/tokens/repository)
        sa.Column("object_id", sa.String(48), nullable=False),
        sa.Column("last_updated", _when, nullable=False),
        sa.Column("partner_id", sa.Integer, sa.ForeignKey("partners.id", ondelete="CASCADE")),
        sa.Column("document", _json, nullable=False),
        sa.Column("policy", _json),
        sa.UniqueConstraint("country_code", "party_id", "object_id", name="uq_tokens_key"),
    )
    op.create_index("ix_tokens_last_updated", "tokens", ["last_updated", "pk"])
    op.create_index("ix_tokens_partner", "tokens", ["partner_id"])
    op.create_index("ix_tokens_object", "tokens", ["object_id", "partner_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(notify_trigger("tokens"))  # the Sender list is cached (storage/changes.py)


def downgrade() -> None:
    op.drop_table("tokens")
