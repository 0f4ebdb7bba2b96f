"""Change feed: on PostgreSQL the outbox notifies its writes too, so an idle outbox worker
wakes when another process queues a change (push/worker.py). SQLite writers count every
table's writes already (0004).

Revision ID: 0009_perf
Revises: 0008_flow
Create Date: 2026-12-06
"""

from alembic import op

from evroam.storage.changes import notify_trigger

revision = "0009_perf"
down_revision = "0008_flow"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(notify_trigger("outbox"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER outbox_changes ON outbox")
