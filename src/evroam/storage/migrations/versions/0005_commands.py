"""Commands: received by the CPO (with the results it owes) and sent by the eMSP.

Revision ID: 0006_commands
Revises: 0004
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006_commands"
down_revision = "0004"
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(JSONB(), "postgresql")
_when = sa.DateTime(timezone=True)


def _partner() -> sa.Column:  # type: ignore[type-arg]
    fk = sa.ForeignKey("partners.id", ondelete="CASCADE")
    return sa.Column("partner_id", sa.Integer, fk, nullable=False)


def upgrade() -> None:
    op.create_table(
        "commands_received",
        sa.Column("id", sa.String(36), primary_key=True),
        _partner(),
        sa.Column("country_code", sa.String(2), nullable=False),
        sa.Column("party_id", sa.String(3), nullable=False),
        sa.Column("cpo_country_code", sa.String(2), nullable=False),
        sa.Column("cpo_party_id", sa.String(3), nullable=False),
        sa.Column("command", sa.String(20), nullable=False),
        sa.Column("response_url", sa.String(255), nullable=False),
        sa.Column("location_id", sa.String(36)),
        sa.Column("evse_uid", sa.String(36)),
        sa.Column("connector_id", sa.String(36)),
        sa.Column("session_id", sa.String(36)),
        sa.Column("reservation_id", sa.String(48)),
        sa.Column("response", sa.String(20), nullable=False),
        sa.Column("result", sa.String(24)),
        sa.Column("result_message", sa.Text),
        sa.Column("created_at", _when, nullable=False),
        sa.Column("deadline", _when, nullable=False),
        sa.Column("finished_at", _when),
    )
    op.create_index("ix_commands_received_open", "commands_received", ["result", "deadline"])
    op.create_index("ix_commands_received_reservation", "commands_received", ["reservation_id"])
    op.create_table(
        "command_callbacks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "command_id",
            sa.String(36),
            sa.ForeignKey("commands_received.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("result", sa.String(24), nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("created_at", _when, nullable=False),
        sa.Column("delivered_at", _when),
    )
    op.create_index("ix_command_callbacks_command", "command_callbacks", ["command_id"])
    op.create_table(
        "commands_sent",
        sa.Column("id", sa.String(36), primary_key=True),
        _partner(),
        sa.Column("country_code", sa.String(2), nullable=False),
        sa.Column("party_id", sa.String(3), nullable=False),
        sa.Column("sender_country_code", sa.String(2), nullable=False),
        sa.Column("sender_party_id", sa.String(3), nullable=False),
        sa.Column("command", sa.String(20), nullable=False),
        sa.Column("request", _json, nullable=False),
        sa.Column("response", sa.String(20)),
        sa.Column("response_message", sa.Text),
        sa.Column("timeout_seconds", sa.Integer),
        sa.Column("created_at", _when, nullable=False),
        sa.Column("deadline", _when),
        sa.Column("result", sa.String(24)),
        sa.Column("result_message", sa.Text),
        sa.Column("result_at", _when),
        sa.Column("results", _json, nullable=False),
        sa.Column("late", sa.Boolean, nullable=False),
        sa.Column("timed_out_at", _when),
    )
    op.create_index("ix_commands_sent_created", "commands_sent", ["created_at"])
    op.create_index("ix_commands_sent_open", "commands_sent", ["result", "deadline"])


def downgrade() -> None:
    op.drop_table("commands_sent")
    op.drop_table("command_callbacks")
    op.drop_table("commands_received")
