"""Tokens rules, version-neutral (2.2.1 Tokens chapter 12; DIGEST §9).

Receiver (CPO): a partner's Tokens by owner party, uid and type (type RFID when the URL names
none, J.273); the URL party must be carried by the partner and equal the body's; PUT replaces,
PATCH changes the given fields and must carry `last_updated` (J.276). Tokens are never deleted.

Sender (eMSP): our own Tokens, paginated (J.279), and real-time authorization (J.280–J.286).
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import AsyncSession

from evroam.errors import InvalidParameters, NotFound, UnknownToken
from evroam.exchange import Exchange
from evroam.modules.locations.enums import TokenType
from evroam.modules.locations.service import check_owner
from evroam.modules.locations.visibility import push_newly_shown
from evroam.modules.patching import apply_patch, validate_patch
from evroam.modules.tokens.authorization import authorize
from evroam.modules.tokens.model import AuthorizationInfo, LocationReferences, Token
from evroam.modules.tokens.repository import (
    TokenRepository,
    ours,
    own_token,
    owned_by,
    token_key,
)
from evroam.platform import Platform
from evroam.protocol.pagination import PageRequest
from evroam.protocol.timestamps import utc_now
from evroam.protocol.types import ci_key
from evroam.storage.documents import ObjectKey, TextPage


@dataclass(frozen=True)
class TokenPath:
    """Which Token a Receiver URL addresses: owner party, uid and type."""

    country_code: str
    party_id: str
    uid: str
    type: TokenType = TokenType.RFID

    @property
    def key(self) -> ObjectKey:
        return token_key(self.country_code, self.party_id, self.uid, self.type)


# ── receiver: a partner's Tokens ───────────────────────────────────────────────────────────

STRIPES = 64
_stripes: WeakKeyDictionary[Platform, list[asyncio.Lock]] = WeakKeyDictionary()


@asynccontextmanager
async def _rewriting(platform: Platform, key: ObjectKey) -> AsyncIterator[AsyncSession]:
    """One transaction reading, changing and writing back one Token; two PATCHes of the same
    Token in this process take turns (a fixed set of locks: a million Tokens hold no lock each),
    and across processes the locking read of PostgreSQL orders them."""
    locks = _stripes.setdefault(platform, [asyncio.Lock() for _ in range(STRIPES)])
    async with locks[hash(key.normalised()) % STRIPES], platform.unit_of_work() as session:
        yield session


async def get_received(platform: Platform, exchange: Exchange, path: TokenPath) -> dict[str, Any]:
    """The Token as the partner pushed it; 404 when unknown."""
    check_owner(platform, exchange.partner, path.country_code, path.party_id)
    async with platform.sessions() as session:
        document = await TokenRepository(session).get_document(path.key)
    if document is None:
        raise NotFound(f"Unknown token {path.uid} of type {path.type}")
    return document


async def put_received(
    platform: Platform, exchange: Exchange, path: TokenPath, token: Token
) -> bool:
    """Create or replace a partner's Token; True when created (HTTP 201)."""
    check_owner(platform, exchange.partner, path.country_code, path.party_id)
    check_ids(path, token.model_dump())
    async with platform.unit_of_work() as session:
        created = await TokenRepository(session).put(
            path.key, token, last_updated=token.last_updated, partner_id=exchange.partner.id
        )
        document = token.model_dump(mode="json", exclude_none=True)
        if await push_newly_shown(session, platform.engine, exchange.partner, document):
            platform.push_wakeup.set()
        return created


async def patch_received(
    platform: Platform, exchange: Exchange, path: TokenPath, data: dict[str, Any]
) -> None:
    """Change the given fields of a partner's Token, e.g. `valid` (J.275, J.276)."""
    check_owner(platform, exchange.partner, path.country_code, path.party_id)
    check_ids(path, validate_patch(Token, data, required=("last_updated",)))
    async with _rewriting(platform, path.key) as session:
        repo = TokenRepository(session)
        current = await repo.get(path.key, for_update=True)
        if current is None:
            raise NotFound(f"Unknown token {path.uid} of type {path.type}: PUT it first")
        patched = apply_patch(current, data)
        await repo.put(
            path.key, patched, last_updated=patched.last_updated, partner_id=exchange.partner.id
        )
        document = patched.model_dump(mode="json", exclude_none=True)
        if await push_newly_shown(session, platform.engine, exchange.partner, document):
            platform.push_wakeup.set()


def check_ids(path: TokenPath, fields: dict[str, Any]) -> None:
    """URL and body name the same Token (CONFORMANCE A.32–A.34, J.278); a PATCH may leave
    them out but not change them."""
    expected = {
        "country_code": path.country_code,
        "party_id": path.party_id,
        "uid": path.uid,
        "type": path.type.value,
    }
    for name, in_url in expected.items():
        if name in fields and ci_key(str(fields[name])) != ci_key(in_url):
            raise InvalidParameters(f"URL names {name} {in_url!r} but the body {fields[name]!r}")


# ── sender: our own Tokens ─────────────────────────────────────────────────────────────────


async def list_own(platform: Platform, exchange: Exchange, page: PageRequest) -> TextPage:
    """GET list of the Sender: our Tokens (of the addressed party, if any) as stored JSON."""
    conditions: list[Any] = [ours()]
    if exchange.addressed:
        conditions += owned_by(exchange.local.country_code, exchange.local.party_id)
    async with platform.sessions() as session:
        return await TokenRepository(session).page_text(page, *conditions)


async def authorize_own(
    platform: Platform,
    exchange: Exchange,
    uid: str,
    token_type: TokenType,
    asked: LocationReferences | None,
) -> AuthorizationInfo:
    """Real-time authorization of one of our Tokens; UnknownToken (HTTP 404, 2004) when we
    have none with that uid and type (J.281, J.284)."""
    local = exchange.local
    party = (local.country_code, local.party_id) if exchange.addressed else None
    found = await own_token(platform.engine, uid, token_type, party)
    if found is None:
        raise UnknownToken(f"Unknown token {uid} of type {token_type}")
    token, policy = found
    return authorize(token, policy, asked, now=utc_now())
