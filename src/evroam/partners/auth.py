"""Who is calling: the credentials token → partner, token kind and what it may reach (DIGEST §1.2).

Token A (INVITATION) reaches versions and credentials only, while the partner is INVITED and the
token unexpired. A CREDENTIALS token reaches everything once the partner is registered; while we
are still registering with the partner it reaches the versions endpoints only (the partner
fetches them with our token B before it answers our POST).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

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

TOUCH_INTERVAL = timedelta(seconds=30)


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


async def authenticate(platform: Platform, header: str | None, reach: Reach) -> Caller:
    """The caller behind an Authorization header, or Unauthorized (HTTP 401)."""
    credential = credential_of(header)
    if credential is None:
        raise Unauthorized("Missing `Authorization: Token <token>` header")
    now = utc_now()
    async with platform.sessions() as session:
        repo = PartnerRepository(session)
        caller = await _lookup(repo, credential)
        if caller is None:
            raise Unauthorized("Unknown credentials token")
        _check_scope(caller, reach, now)
        last = caller.partner.last_contact_at
        if last is None or now - last > TOUCH_INTERVAL:
            await repo.touch(caller.partner, now)
            await session.commit()
    return caller


async def _lookup(repo: PartnerRepository, credential: str) -> Caller | None:
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
        if expires_at is not None and expires_at <= utc_now():
            return None
        return Caller(partner, kind, token, presented, encoding)
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
