"""Who is calling: the credentials token → partner, token kind and what it may reach (DIGEST §1.2).

Token A (INVITATION) reaches versions and credentials only, while the partner is INVITED and the
token unexpired. A CREDENTIALS token reaches everything once the partner is registered; while we
are still registering with the partner it reaches the versions endpoints only (the partner
fetches them with our token B before it answers our POST).

The caller of a registered connection's token stays cached per process: any write to the
partner tables (a revoked or rotated token, a state change, a deleted partner) drops the cache
at once, by this process or, through the change feed (storage/changes.py), by another (a CLI
command, another server worker); the token's expiry is checked on every request. Without a
live feed an entry lives a few seconds only. Tokens of a handshake in progress are looked up
on every request.
"""

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine

from evroam.errors import Unauthorized
from evroam.partners.lifecycle import CONNECTED, PartnerState
from evroam.partners.model import Partner, TokenKind
from evroam.partners.repository import PartnerRepository
from evroam.platform import Platform
from evroam.protocol.auth import (
    TokenEncoding,
    credential_of,
    hash_token,
    hashes_match,
    token_candidates,
)
from evroam.protocol.timestamps import utc_now
from evroam.storage.changes import cache_ttl, write_generation
from evroam.storage.tables import partner_parties, partner_tokens, partners

TOUCH_INTERVAL = timedelta(seconds=30)
CALLER_ENTRIES = 1024  # tokens kept per engine before starting afresh
PARTNER_TABLES = (partners.name, partner_tokens.name, partner_parties.name)


class Reach(StrEnum):
    """The kind of endpoint a request addresses."""

    VERSIONS = "versions"
    CREDENTIALS = "credentials"
    FUNCTIONAL = "functional"


@dataclass(frozen=True)
class Caller:
    """An authenticated partner and how it authenticated."""

    partner: Partner
    kind: TokenKind
    token: str = field(repr=False)
    token_hash: str = field(repr=False)
    encoding: TokenEncoding


@dataclass(frozen=True)
class _Known:
    """A registered caller found by its credential, and until when the answer holds."""

    caller: Caller
    token_expires_at: datetime | None
    generation: int
    expires: float


_known: WeakKeyDictionary[Engine, dict[str, _Known]] = WeakKeyDictionary()


async def authenticate(platform: Platform, header: str | None, reach: Reach) -> Caller:
    """The caller behind an Authorization header, or Unauthorized (HTTP 401)."""
    credential = credential_of(header)
    if credential is None:
        raise Unauthorized("Missing `Authorization: Token <token>` header")
    now = utc_now()
    caller = await _caller(platform, credential, now)
    if caller is None:
        raise Unauthorized("Unknown credentials token")
    _check_scope(caller, reach, now)
    last = caller.partner.last_contact_at
    if last is None or now - last > TOUCH_INTERVAL:
        async with platform.unit_of_work() as session:
            await PartnerRepository(session).touch(caller.partner, now)
    return caller


async def _caller(platform: Platform, credential: str, now: datetime) -> Caller | None:
    """The caller of a credential: from the cache while nothing it rests on has changed, else
    looked up. Only registered connections are cached: a handshake in progress (Token A, a
    connection still registering) is finished by another process as often as not."""
    engine = platform.engine.sync_engine
    generation = write_generation(engine, *PARTNER_TABLES)
    cache = _known.setdefault(engine, {})
    key = hash_token(credential)
    known = cache.get(key)
    if known is None or known.generation != generation or known.expires <= time.monotonic():
        async with platform.sessions() as session:
            expires = time.monotonic() + cache_ttl(engine, *PARTNER_TABLES)
            known = await _lookup(PartnerRepository(session), credential, generation, expires)
        if known is None:
            return None
        if known.caller.kind is TokenKind.CREDENTIALS and known.caller.partner.state in CONNECTED:
            if len(cache) >= CALLER_ENTRIES:
                cache.clear()
            cache[key] = known
    if known.token_expires_at is not None and known.token_expires_at <= now:
        return None
    return known.caller


async def _lookup(
    repo: PartnerRepository, credential: str, generation: int, expires: float
) -> _Known | None:
    for token, encoding in token_candidates(credential):
        presented = hash_token(token)
        found = await repo.by_token_hash(presented)
        if found is None:
            continue
        partner, kind, stored, expires_at = found
        if not hashes_match(stored, presented):
            continue
        if encoding is TokenEncoding.RAW and partner.token_encoding is TokenEncoding.BASE64:
            return None  # this partner is held to the spec's Base64 form
        caller = Caller(partner, kind, token, presented, encoding)
        return _Known(caller, expires_at, generation, expires)
    return None


def _check_scope(caller: Caller, reach: Reach, now: datetime) -> None:
    state = caller.partner.state
    if caller.kind is TokenKind.INVITATION:
        if state is not PartnerState.INVITED or reach is Reach.FUNCTIONAL:
            raise Unauthorized("Token A is only valid on versions and credentials until used")
        return
    if state in CONNECTED:
        return
    if state is PartnerState.REGISTERING and reach is Reach.VERSIONS:
        return
    raise Unauthorized(f"The connection is not registered (state {state})")
