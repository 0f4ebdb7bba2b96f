"""The CPO's answer to a card tapped at one of its charge points (the chargers' `Authorizer`).

The charge point asks; `decision.authorize_token` decides by the Token's whitelist, in real time
at the eMSP where the whitelist says so (CONFORMANCE J.288-J.293), naming the Location and EVSE
(LocationReferences) and our CPO party owning the Location. Only ALLOWED starts charging: any
other answer (BLOCKED, EXPIRED, NOT_ALLOWED, NO_CREDIT) is refused with the eMSP's reason, and
so is an EVSE the eMSP's answer leaves out (J.283). The eMSP's authorization_reference goes to
the charge point, hence into the Session and CDR (J.287); a decision taken without asking the
eMSP is a WHITELIST authorization, one the eMSP answered an AUTH_REQUEST.
"""

from evroam.chargers.interface import Authorization
from evroam.modules.cdrs.model import AuthMethod, CdrToken
from evroam.modules.locations.enums import TokenType
from evroam.modules.locations.publish import find_own_location
from evroam.modules.tokens.decision import Decision, Method, authorize_token
from evroam.modules.tokens.model import LocationReferences
from evroam.platform import Platform
from evroam.protocol.routing import PartyRef
from evroam.protocol.types import ci_key


class TokenAuthorizer:
    """Authorizer for the charger network, backed by the Tokens module."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    async def authorize(
        self, *, location_id: str, evse_uid: str, uid: str, token_type: TokenType
    ) -> Authorization:
        location = await find_own_location(self.platform, location_id)
        cpo = PartyRef(location.country_code, location.party_id) if location else None
        where = LocationReferences(location_id=location_id, evse_uids=[evse_uid])
        decision = await authorize_token(
            self.platform, uid=uid, type=token_type, location=where, cpo=cpo
        )
        return authorization_of(decision, evse_uid)


def authorization_of(decision: Decision, evse_uid: str) -> Authorization:
    """The charge point's view of a decision."""
    if not decision.ok or decision.token is None:
        why = decision.info.text if decision.info else decision.reason
        return Authorization(False, message=f"{decision.allowed.value}: {why}")
    allowed = decision.location.evse_uids if decision.location else None
    if allowed and ci_key(evse_uid) not in {ci_key(uid) for uid in allowed}:
        return Authorization(False, message=f"NOT_ALLOWED: not at EVSE {evse_uid}")
    token = decision.token
    card = CdrToken(
        country_code=token.country_code,
        party_id=token.party_id,
        uid=token.uid,
        type=token.type,
        contract_id=token.contract_id,
    )
    method = (
        AuthMethod.AUTH_REQUEST if decision.method is Method.REAL_TIME else AuthMethod.WHITELIST
    )
    return Authorization(True, card, decision.authorization_reference, method, decision.reason)
