"""The CPO's authorization of a driver's Token at a charge point (Tokens §12.4.5; DIGEST §9.4).

The Token's whitelist decides where the answer comes from:

| whitelist       | decided                                                  | CONFORMANCE |
|-----------------|----------------------------------------------------------|-------------|
| ALWAYS          | locally, never a call: valid → ALLOWED, else BLOCKED     | J.288, J.293 |
| ALLOWED         | valid: locally; not valid: asked in real time (allowed), | J.291, J.293 |
|                 | BLOCKED when the eMSP cannot be reached                  |             |
| ALLOWED_OFFLINE | in real time; unreachable eMSP → decided locally         | J.290, J.292 |
| NEVER           | in real time, always; unreachable eMSP → NOT_ALLOWED     | J.289, J.292 |

A Token we do not hold is asked in real time at the eMSP owning its party (or, when the owner
is unknown, at every connected eMSP publishing a Tokens Sender). A Token of our own (a platform
that is CPO and eMSP at once) is decided by our own eMSP rules, without a call. The decision
carries the eMSP's authorization_reference, to be copied into the Session and CDR (J.287).
"""

import asyncio
from dataclasses import dataclass
from enum import StrEnum

from evroam.errors import (
    NotEnoughInformation,
    PartnerError,
    PartnerHttpError,
    PartnerOcpiError,
    PartnerUnreachable,
)
from evroam.model import DisplayText
from evroam.modules.locations.enums import TokenType
from evroam.modules.tokens.authorization import TokenPolicy, authorize
from evroam.modules.tokens.client import request_authorization, sender_url, unknown_token
from evroam.modules.tokens.model import (
    AllowedType,
    AuthorizationInfo,
    LocationReferences,
    Token,
    WhitelistType,
)
from evroam.modules.tokens.repository import StoredToken, TokenRepository, owned_by
from evroam.partners.model import Partner
from evroam.partners.repository import PartnerRepository
from evroam.platform import Platform
from evroam.protocol.routing import PartyRef
from evroam.protocol.timestamps import utc_now
from evroam.settings import Role


class Method(StrEnum):
    """Where a decision came from."""

    LOCAL = "LOCAL"  # the stored Token and its whitelist
    REAL_TIME = "REAL_TIME"  # the eMSP's answer
    OFFLINE = "OFFLINE"  # the eMSP could not be reached: decided without it
    OWN = "OWN"  # one of our own Tokens, by our eMSP rules


@dataclass(frozen=True)
class Decision:
    """May this Token charge here, why, and what to copy into the Session and CDR."""

    allowed: AllowedType
    method: Method
    reason: str
    token: Token | None = None
    location: LocationReferences | None = None  # the EVSEs it may use, when the eMSP said so
    authorization_reference: str | None = None
    info: DisplayText | None = None

    @property
    def ok(self) -> bool:
        return self.allowed is AllowedType.ALLOWED


@dataclass(frozen=True)
class Request:
    """One authorization request as the charge point makes it."""

    uid: str
    type: TokenType
    location: LocationReferences | None
    owner: PartyRef | None  # the Token's eMSP party, when the caller knows it
    cpo: PartyRef  # our CPO party whose charge point asks


async def authorize_token(
    platform: Platform,
    *,
    uid: str,
    type: TokenType = TokenType.RFID,
    location: LocationReferences | None = None,
    owner: PartyRef | None = None,
    cpo: PartyRef | None = None,
) -> Decision:
    """Decide whether the Token may charge (at `location`), by its whitelist (module doc).

    `owner` narrows the Token to one eMSP party; `cpo` names our CPO party (default: the
    first), sent as OCPI-from-* on real-time calls."""
    request = Request(uid, type, location, owner, cpo or _first_cpo(platform))
    stored = await _stored(platform, request)
    if stored is None:
        return await _real_time(platform, request, None)
    token = Token.model_validate(stored.document)
    if stored.partner_id is None:
        return own(token, stored, location)
    return await by_whitelist(platform, request, token)


def own(token: Token, stored: StoredToken, location: LocationReferences | None) -> Decision:
    """One of our own Tokens (a platform that is CPO and eMSP): our eMSP rules, no call."""
    policy = None if stored.policy is None else TokenPolicy.model_validate(stored.policy)
    try:
        info = authorize(token, policy, location, now=utc_now())
    except NotEnoughInformation as exc:
        return Decision(AllowedType.NOT_ALLOWED, Method.OWN, exc.message, token)
    return from_info(info, Method.OWN, "one of our own Tokens")


async def by_whitelist(platform: Platform, request: Request, token: Token) -> Decision:
    """The decision for a Token a partner pushed to us (the table in the module doc)."""
    if needs_real_time(token):
        return await _real_time(platform, request, token)
    return local(token, Method.LOCAL)


def needs_real_time(token: Token) -> bool:
    """ALWAYS never asks (J.288); ALLOWED asks only for a Token that is not valid (J.291, its
    state may have changed); ALLOWED_OFFLINE and NEVER always ask, valid or not (J.289, J.292)."""
    if token.whitelist is WhitelistType.ALWAYS:
        return False
    return token.whitelist is not WhitelistType.ALLOWED or not token.valid


def local(token: Token, method: Method) -> Decision:
    """From the stored Token alone: valid → ALLOWED, else BLOCKED (J.293)."""
    if token.valid:
        return Decision(AllowedType.ALLOWED, method, f"whitelist {token.whitelist}", token)
    return Decision(AllowedType.BLOCKED, method, "the Token is not valid", token)


def from_info(info: AuthorizationInfo, method: Method, reason: str) -> Decision:
    return Decision(
        info.allowed,
        method,
        reason,
        info.token,
        info.location,
        info.authorization_reference,
        info.info,
    )


async def _real_time(platform: Platform, request: Request, token: Token | None) -> Decision:
    owner = request.owner or (PartyRef(token.country_code, token.party_id) if token else None)
    partners = await _emsps(platform, owner)
    answers = await asyncio.gather(*(_ask(platform, p, request, owner) for p in partners))
    infos = [a for a in answers if isinstance(a, AuthorizationInfo)]
    if infos:
        best = next((i for i in infos if i.allowed is AllowedType.ALLOWED), infos[0])
        return from_info(best, Method.REAL_TIME, "answered by the eMSP in real time")
    errors = [a for a in answers if isinstance(a, PartnerError)]
    return unanswered(token, errors, reachable=any(not unavailable(e) for e in errors))


def unanswered(token: Token | None, errors: list[PartnerError], *, reachable: bool) -> Decision:
    """No eMSP said yes or no: refuse, unless the whitelist allows deciding offline."""
    if token is None:
        why = "unknown Token" if any(unknown_token(e) for e in errors) else "no eMSP answered"
        return Decision(AllowedType.NOT_ALLOWED, Method.REAL_TIME, why)
    if reachable:
        why = "; ".join(str(e) for e in errors) or "refused by the eMSP"
        return Decision(AllowedType.NOT_ALLOWED, Method.REAL_TIME, why, token)
    if token.whitelist is WhitelistType.NEVER:
        why = "the eMSP cannot be reached and the whitelist is NEVER"
        return Decision(AllowedType.NOT_ALLOWED, Method.OFFLINE, why, token)
    return local(token, Method.OFFLINE)


def unavailable(exc: PartnerError) -> bool:
    """The eMSP could not give an answer (vs. answered with a refusal such as 2004 or 2002)."""
    if isinstance(exc, PartnerUnreachable):
        return True
    if isinstance(exc, PartnerHttpError):
        return exc.http_status >= 500 or exc.http_status in (401, 403, 408, 429)
    if isinstance(exc, PartnerOcpiError):
        return exc.status_code >= 3000
    return True  # an answer we cannot read


async def _ask(
    platform: Platform, partner: Partner, request: Request, owner: PartyRef | None
) -> AuthorizationInfo | PartnerError:
    try:
        return await request_authorization(
            platform,
            partner,
            uid=request.uid,
            token_type=request.type,
            location=request.location,
            route=(request.cpo, owner),
        )
    except PartnerError as exc:
        return exc


async def _stored(platform: Platform, request: Request) -> StoredToken | None:
    """The Token we hold under this uid and type (of the owner, if given), a valid one first."""
    where = [] if request.owner is None else owned_by(*_party(request.owner))
    async with platform.sessions() as session:
        found = await TokenRepository(session).find(request.uid, request.type, *where)
    return next((s for s in found if s.document.get("valid")), found[0] if found else None)


async def _emsps(platform: Platform, owner: PartyRef | None) -> list[Partner]:
    """Connected partners with a Tokens Sender to ask: the one carrying the owner party, or
    (owner unknown) every one with an eMSP role."""
    async with platform.sessions() as session:
        repo = PartnerRepository(session)
        found = await (repo.carrying(*_party(owner)) if owner else repo.all())
    return [
        p
        for p in found
        if p.connected
        and sender_url(p) is not None
        and (owner is not None or any(r.role == "EMSP" for r in p.roles))
    ]


def _party(ref: PartyRef) -> tuple[str, str]:
    return ref.country_code, ref.party_id


def _first_cpo(platform: Platform) -> PartyRef:
    cpos = [p for p in platform.parties if p.role is Role.CPO] or platform.parties
    return PartyRef(cpos[0].country_code, cpos[0].party_id)
