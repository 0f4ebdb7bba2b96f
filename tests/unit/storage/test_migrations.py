"""Migrations: `evroam db upgrade` reaches head, is idempotent and safe to run concurrently."""

import asyncio
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect

from evroam.sim.processes import write_settings
from evroam.storage import migrate
from evroam.storage.database import create_engine
from tests.conftest import DatabaseFactory


class TestUpgrade:
    async def test_upgrade_reaches_head_and_is_idempotent(self, database: DatabaseFactory) -> None:
        settings = database("mig")
        engine = create_engine(settings)
        try:
            assert await migrate.current_revision(engine) is None
            await migrate.upgrade(engine, db_schema=settings.db_schema)
            await migrate.upgrade(engine, db_schema=settings.db_schema)
            assert await migrate.current_revision(engine) == migrate.head_revision()
            async with engine.connect() as conn:
                names = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
            assert {"partners", "partner_tokens", "partner_parties"} <= names
        finally:
            await engine.dispose()

    async def test_concurrent_upgrades_do_not_collide(self, database: DatabaseFactory) -> None:
        settings = database("race")
        engines = [create_engine(settings) for _ in range(3)]
        try:
            await asyncio.gather(
                *(migrate.upgrade(e, db_schema=settings.db_schema) for e in engines)
            )
            assert await migrate.current_revision(engines[0]) == migrate.head_revision()
        finally:
            for engine in engines:
                await engine.dispose()


class TestCli:
    def test_db_upgrade_then_current_report_head(
        self, database: DatabaseFactory, tmp_path: Path
    ) -> None:
        config = write_settings(
            tmp_path / "e.toml", {"database": database("cli").model_dump(exclude_none=True)}
        )
        run = [sys.executable, "-m", "evroam", "-c", str(config), "db"]
        up = subprocess.run([*run, "upgrade"], capture_output=True, text=True, check=False)
        assert up.returncode == 0, up.stderr
        assert f"revision {migrate.head_revision()}" in up.stdout
        current = subprocess.run([*run, "current"], capture_output=True, text=True, check=False)
        assert "up to date" in current.stdout

    def test_bad_database_url_is_a_clear_error(self, tmp_path: Path) -> None:
        config = write_settings(
            tmp_path / "e.toml", {"database": {"url": "mysql://nobody@nowhere/db"}}
        )
        done = subprocess.run(
            [sys.executable, "-m", "evroam", "-c", str(config), "db", "upgrade"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 1
        assert "Unsupported database" in done.stderr
        assert "Traceback" not in done.stderr
