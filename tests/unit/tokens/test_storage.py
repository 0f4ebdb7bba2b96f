"""Tokens storage: the migration builds the table the repository declares; uid and type key it
(CONFORMANCE J.274); own and received Tokens are told apart."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, update

from evroam.modules.locations.enums import TokenType
from evroam.modules.tokens.authorization import TokenPolicy
from evroam.modules.tokens.model import Token
from evroam.modules.tokens.publish import (
    NewToken,
    block_token,
    issue_token,
    save_tokens,
    set_policy,
)
from evroam.modules.tokens.repository import (
    TokenRepository,
    key_of,
    ours,
    own_token,
    split_id,
    stored_id,
    tokens,
)
from evroam.platform import Platform
from evroam.storage.tables import metadata
from tests.conftest import DatabaseFactory
from tests.examples import example
from tests.support import platform_settings

pytestmark = pytest.mark.real_migrations  # the migrations themselves, not their replay


@pytest.fixture
async def platform(database: DatabaseFactory) -> AsyncIterator[Platform]:
    settings = platform_settings("tok", "EMSP:DE:TNM", database=database("tok"))
    opened = await Platform.open(settings, migrate_now=True)
    try:
        yield opened
    finally:
        await opened.close()


def differences(connection: Connection) -> list[Any]:
    found = compare_metadata(MigrationContext.configure(connection), metadata)
    # but migration 0012's index on a JSON expression, which the table cannot declare for both
    # backends (its use is checked in tests/unit/versions/test_v2_1_1_lookups.py)
    return [d for d in found if "tokens" in repr(d) and "ix_tokens_contract" not in repr(d)]


async def test_migrated_table_matches_the_repository(platform: Platform) -> None:
    async with platform.engine.connect() as connection:
        assert await connection.run_sync(differences) == []


def test_stored_id_keeps_uid_and_type_apart() -> None:
    assert stored_id("abc:1", TokenType.APP_USER) == "ABC:1:APP_USER"
    assert split_id("ABC:1:APP_USER") == ("ABC:1", TokenType.APP_USER)
    assert stored_id("x", TokenType.RFID) != stored_id("x", TokenType.OTHER)


async def test_same_uid_of_two_types_are_two_rows(platform: Platform) -> None:
    """J.274."""
    card = Token.model_validate(example("token_example_1_app_user.json") | {"type": "RFID"})
    app = Token.model_validate(example("token_example_1_app_user.json") | {"whitelist": "NEVER"})
    async with platform.unit_of_work() as session:
        repo = TokenRepository(session)
        for item in (card, app):
            assert await repo.put(key_of(item), item, last_updated=item.last_updated)
    async with platform.sessions() as session:
        repo = TokenRepository(session)
        [found] = await repo.find(card.uid.lower(), TokenType.APP_USER, ours())
        assert found.document["whitelist"] == "NEVER"
        assert found.partner_id is None
        assert await repo.find(card.uid, TokenType.OTHER) == []


async def test_point_read_sees_every_commit_at_once(platform: Platform) -> None:
    """The authorization hot path (storage.point_reads) never answers from a stale snapshot:
    a block committed through the engine shows in the very next read."""
    app = Token.model_validate(example("token_example_1_app_user.json") | {"whitelist": "NEVER"})
    await save_tokens(platform, [app])
    assert await own_token(platform.engine, app.uid, app.type, ("de", "tnm")) == (app, None)
    await block_token(platform, app.uid, app.type)
    again = await own_token(platform.engine, app.uid, app.type, None)
    assert again is not None
    assert again[0].valid is False
    assert await own_token(platform.engine, app.uid, app.type, ("DE", "XXX")) is None
    await set_policy(platform, app.uid, app.type, TokenPolicy(no_credit=True))
    with_policy = await own_token(platform.engine, app.uid, app.type, None)
    assert with_policy is not None
    assert with_policy[1] == TokenPolicy(no_credit=True)


async def test_issued_token_without_policy_reads_back_without_one(platform: Platform) -> None:
    """No policy is SQL NULL; a JSON null written by other code reads as no policy too."""
    issued = await issue_token(platform, NewToken(uid="04A2B3"))
    assert await own_token(platform.engine, "04a2b3", TokenType.RFID, None) == (issued, None)
    async with platform.unit_of_work() as session:
        await session.execute(update(tokens).values(policy=None))  # JSON null, not SQL NULL
    assert await own_token(platform.engine, "04A2B3", TokenType.RFID, None) == (issued, None)
