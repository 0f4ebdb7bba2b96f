"""Apply the Alembic migrations with the platform's own engine (`evroam db upgrade`)."""

import asyncio
import re
import weakref
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from evroam.errors import ConfigurationError

MIGRATIONS = Path(__file__).parent / "migrations"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_LOCK_KEY = 7_360_221  # advisory lock id: one migrator at a time across server processes


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _in_process_lock() -> asyncio.Lock:
    # Alembic keeps module-global state, so two upgrades in one process must not interleave;
    # across processes the PostgreSQL advisory lock below serialises them.
    loop = asyncio.get_running_loop()
    return _locks.setdefault(loop, asyncio.Lock())


_locks: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = (
    weakref.WeakKeyDictionary()
)


async def upgrade(
    engine: AsyncEngine, *, db_schema: str | None = None, revision: str = "head"
) -> None:
    """Bring the database to the newest revision (or `revision`); safe to run from several
    processes at once."""
    async with _in_process_lock(), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            if db_schema:
                if not _IDENTIFIER.fullmatch(db_schema):
                    raise ConfigurationError(f"Invalid PostgreSQL schema name {db_schema!r}.")
                await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{db_schema}"'))
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        await conn.run_sync(_upgrade, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


def _upgrade(connection: Connection, revision: str = "head") -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
