"""The store reads of the 2.1.1 edge: our Token of a contract (a 2.1.1 Session or CDR names
its driver by `auth_id` only) is found case-insensitively, through migration 0012's index."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, text

from evroam.modules.tokens.publish import NewToken, issue_token
from evroam.modules.tokens.repository import tokens
from evroam.platform import Platform
from evroam.versions.v2_1_1.lookups import contract_key, token_by_contract
from tests.conftest import DatabaseFactory
from tests.support import platform_settings


@pytest.fixture
async def platform(database: DatabaseFactory) -> AsyncIterator[Platform]:
    settings = platform_settings("look", "EMSP:DE:MSP", database=database("look"))
    opened = await Platform.open(settings, migrate_now=True)
    try:
        yield opened
    finally:
        await opened.close()


async def test_our_token_is_found_by_its_contract_id_in_any_case(platform: Platform) -> None:
    issued = [await issue_token(platform, NewToken(uid=f"CARD{n}")) for n in range(3)]
    found = await token_by_contract(platform, issued[1].contract_id.lower())
    assert found is not None
    assert found["uid"] == "CARD1"
    assert await token_by_contract(platform, "DE-MSP-NOBODY") is None


async def test_the_lookup_uses_the_contract_index(platform: Platform) -> None:
    """A point read, not a scan of every Token (a million at a large eMSP)."""
    query = select(tokens.c.document).where(
        tokens.c.partner_id.is_(None), contract_key(platform) == "X"
    )
    async with platform.engine.connect() as connection:
        compiled = str(query.compile(connection.engine, compile_kwargs={"literal_binds": True}))
        if connection.dialect.name == "postgresql":
            await connection.execute(text("SET enable_seqscan = off"))  # a tiny table
            rows = await connection.execute(text(f"EXPLAIN {compiled}"))
        else:
            rows = await connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
        plan = " ".join(str(row) for row in rows)
    assert "ix_tokens_contract" in plan, plan
