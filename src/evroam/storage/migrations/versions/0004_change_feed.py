"""Change feed: on PostgreSQL the cached tables notify their writes; on SQLite writers count
them per table in evroam_changes (storage/changes.py).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from evroam.storage.changes import NOTIFY_FUNCTION, notify_trigger

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("partners", "partner_tokens", "partner_parties", "locations", "tariffs", "cdrs")


def upgrade() -> None:
    op.create_index("ix_locations_listed", "locations", ["partner_id", "publish", "pk"])
    op.create_table(
        "evroam_changes",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(NOTIFY_FUNCTION)
    for table in TABLES:
        op.execute(notify_trigger(table))


def downgrade() -> None:
    op.drop_table("evroam_changes")
    op.drop_index("ix_locations_listed", "locations")
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_changes ON {table}")
    op.execute("DROP FUNCTION evroam_notify_change()")
