"""Change feed: SQLite counts the writes of the cached tables; PostgreSQL notifies outbox writes.

SQLite's `PRAGMA data_version` says only that *some* connection committed, this process's own
included: every write (a Session PATCH, an EVSE status) made every cache of the process stale,
the callers' tokens included. Triggers now count the writes of each cached table in
`change_counts`, so the feed bumps only the tables that changed (as PostgreSQL's NOTIFY does).
On PostgreSQL the outbox joins the feed (0004), so an idle outbox worker wakes when another
process queues a change (push/worker.py).

Revision ID: 0009_perf
Revises: 0005_sessions
Create Date: 2026-12-06
"""

from alembic import op

from evroam.storage.changes import COUNTS_TABLE, count_triggers, notify_trigger

revision = "0009_perf"
down_revision = "0005_sessions"
branch_labels = None
depends_on = None

TABLES = (
    "partners",
    "partner_tokens",
    "partner_parties",
    "locations",
    "tariffs",
    "cdrs",
    "tokens",
    "sessions",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(notify_trigger("outbox"))
        return  # the cached tables notify (0004): nothing to count
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        f"CREATE TABLE {COUNTS_TABLE} (table_name VARCHAR(64) PRIMARY KEY, writes INTEGER NOT NULL)"
    )
    for table in TABLES:
        op.execute(f"INSERT INTO {COUNTS_TABLE} VALUES ('{table}', 0)")
        for statement in count_triggers(table):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER outbox_changes ON outbox")
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        for action in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER {table}_counts_{action}")
    op.execute(f"DROP TABLE {COUNTS_TABLE}")
