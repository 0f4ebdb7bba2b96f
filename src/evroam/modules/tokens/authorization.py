"""The eMSP's answer to a real-time authorization: pure rules over a Token and its policy.

Tokens §12.2.2 POST `{token_uid}/authorize`; DIGEST §9.3. The answer follows the Token
(`valid=false` → BLOCKED) and the eMSP's own policy of it (expiry, credit, the Locations and
EVSEs it may charge at). It never looks at EVSE status or opening hours: the eMSP's copy of
them may be stale, and the spec forbids refusing for them (CONFORMANCE J.286).
"""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from evroam.errors import NotEnoughInformation
from evroam.model import DisplayText
from evroam.modules.tokens.model import AllowedType, AuthorizationInfo, LocationReferences, Token
from evroam.protocol.timestamps import OcpiDateTime
from evroam.protocol.types import ci_key

REFUSALS = {
    AllowedType.BLOCKED: "This token is blocked.",
    AllowedType.EXPIRED: "This token has expired.",
    AllowedType.NO_CREDIT: "There is no credit left on this account.",
    AllowedType.NOT_ALLOWED: "This token may not be used at this charge point.",
}


class TokenPolicy(BaseModel):
    """The eMSP's rules for one Token of its own; never sent to partners."""

    model_config = ConfigDict(extra="forbid")

    expires_at: OcpiDateTime | None = None  # EXPIRED from this instant on
    no_credit: bool = False  # NO_CREDIT (a prepaid account that ran dry)
    # Where it may charge: these Locations, and of each the listed EVSEs (none listed: all).
    # None: everywhere; a real-time request must then say where (else 2002, J.282).
    locations: list[LocationReferences] | None = None


def new_reference() -> str:
    """A unique authorization_reference (CiString(36)): 32 hex digits of a random UUID."""
    return uuid.uuid4().hex


def authorize(
    token: Token,
    policy: TokenPolicy | None,
    asked: LocationReferences | None,
    *,
    now: datetime,
) -> AuthorizationInfo:
    """AuthorizationInfo for a request; NotEnoughInformation (2002) when the policy limits the
    Token to some Locations and the request names none (J.282)."""
    refusal = refused(token, policy, now)
    if refusal is not None:
        return answer(token, refusal)
    if policy is None or policy.locations is None:
        return allowed(token, asked)
    if asked is None:
        raise NotEnoughInformation(
            "This token may charge only at some Locations: send LocationReferences"
        )
    here = permitted(policy.locations, asked)
    return answer(token, AllowedType.NOT_ALLOWED) if here is None else allowed(token, here)


def refused(token: Token, policy: TokenPolicy | None, now: datetime) -> AllowedType | None:
    """Why the Token may not charge anywhere now, or None."""
    if not token.valid:
        return AllowedType.BLOCKED
    if policy is None:
        return None
    if policy.expires_at is not None and policy.expires_at <= now:
        return AllowedType.EXPIRED
    if policy.no_credit:
        return AllowedType.NO_CREDIT
    return None


def permitted(
    rules: list[LocationReferences], asked: LocationReferences
) -> LocationReferences | None:
    """The part of the asked Location the rules allow (only those EVSEs, J.283), or None."""
    location = ci_key(asked.location_id)
    matching = [r for r in rules if ci_key(r.location_id) == location]
    if not matching:
        return None
    if any(not r.evse_uids for r in matching):
        return asked  # the whole Location is allowed
    allowed_uids = [uid for r in matching for uid in r.evse_uids or []]
    if not asked.evse_uids:
        return LocationReferences(location_id=asked.location_id, evse_uids=allowed_uids)
    keys = {ci_key(uid) for uid in allowed_uids}
    chosen = [uid for uid in asked.evse_uids if ci_key(uid) in keys]
    return LocationReferences(location_id=asked.location_id, evse_uids=chosen) if chosen else None


def allowed(token: Token, location: LocationReferences | None) -> AuthorizationInfo:
    return AuthorizationInfo(
        allowed=AllowedType.ALLOWED,
        token=token,
        location=location,
        authorization_reference=new_reference(),
    )


def answer(token: Token, refusal: AllowedType) -> AuthorizationInfo:
    """A refusal, with a line the charge point can show the driver."""
    text = DisplayText(language="en", text=REFUSALS[refusal])
    return AuthorizationInfo(allowed=refusal, token=token, info=text)
