"""Table definitions shared by the repositories and the migrations."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect

metadata = MetaData()

JsonDocument = JSON().with_variant(JSONB(), "postgresql")
# Documents kept as the text we wrote (PostgreSQL `json`, not `jsonb`): no binary form to build
# on every write (2.5 times the database's CPU of `json` for a Location), no equality operator
# either, so never in a DISTINCT or compared in SQL (migration 0013).
JsonAsWritten = JSON()


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


partners = Table(
    "partners",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("state", String(20), nullable=False),
    Column("version", String(10)),
    Column("versions_url", String(255)),
    Column("endpoints", JsonDocument, nullable=False),
    Column("roles", JsonDocument, nullable=False),
    # The token the partner gave us (B or C): we must send it, so it is kept as given.
    Column("token_out", Text),
    Column("token_encoding", String(10)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("registered_at", UtcDateTime),
    Column("last_contact_at", UtcDateTime),
    Column("last_error", Text),
)

# Inbound tokens we issued, by SHA-256 hash only: Token A invitations and credentials tokens.
partner_tokens = Table(
    "partner_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("partner_id", Integer, ForeignKey("partners.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime),
    Index("ix_partner_tokens_partner", "partner_id"),
)

# The parties a partner carries (its credentials roles), for ownership and routing lookups.
partner_parties = Table(
    "partner_parties",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("partner_id", Integer, ForeignKey("partners.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(10), nullable=False),
    Column("country_code", String(2), nullable=False),
    Column("party_id", String(3), nullable=False),
    UniqueConstraint("partner_id", "role", "country_code", "party_id", name="uq_partner_party"),
    Index("ix_partner_parties_party", "country_code", "party_id"),
)


# One row per (partner, module, object path) waiting to be pushed: changes coalesce, and the
# worker always sends the object's current state (ARCHITECTURE, transactional outbox).
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("partner_id", Integer, ForeignKey("partners.id", ondelete="CASCADE"), nullable=False),
    Column("module", String(20), nullable=False),
    Column("country_code", String(2), nullable=False),
    Column("party_id", String(3), nullable=False),
    Column("object_id", String(64), nullable=False),
    # "LOC1", "LOC1/EVSE1" or "LOC1/EVSE1/CON1": the level a PATCH addresses
    Column("path", String(200), nullable=False),
    # the fields changed since the last delivery; None = send the whole object (PUT)
    Column("fields", JsonDocument),
    # bumped by every change: a delivery only removes the row if no change arrived meanwhile
    Column("revision", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("claimed_until", UtcDateTime),
    Column("last_error", Text),
    UniqueConstraint("partner_id", "module", "path", name="uq_outbox_target"),
    Index("ix_outbox_due", "due_at"),
)

# Per partner, module and direction: the pull watermark, push health, degraded state.
sync_state = Table(
    "sync_state",
    metadata,
    Column("partner_id", Integer, ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
    Column("module", String(20), primary_key=True),
    Column("direction", String(4), primary_key=True),
    Column("watermark", UtcDateTime),
    Column("last_success_at", UtcDateTime),
    Column("last_error", Text),
    Column("degraded_since", UtcDateTime),
)


# Writes counted per table by SQLite writers, read by the change feed (storage/changes.py).
evroam_changes = Table(
    "evroam_changes",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("n", Integer, nullable=False),
)
