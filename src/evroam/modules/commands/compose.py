"""eMSP: commands put together from what an operator types (CLI, management API).

A token is named by its uid (and type): the rest comes from our own eMSP party, since an eMSP
only ever uses its own tokens. The response_url is filled in when the command is sent.
"""

from typing import Any

from evroam.modules.commands.model import (
    BODIES,
    Command,
    CommandToken,
    CommandType,
)
from evroam.modules.commands.sending import our_emsp
from evroam.modules.locations.enums import TokenType
from evroam.modules.tokens.model import WhitelistType
from evroam.platform import Platform
from evroam.protocol.routing import PartyRef
from evroam.protocol.timestamps import utc_now

PLACEHOLDER_URL = "http://response-url.invalid/"  # replaced by send_command


def own_token(
    platform: Platform,
    uid: str,
    *,
    token_type: TokenType = TokenType.APP_USER,
    contract_id: str | None = None,
    party: PartyRef | None = None,
) -> CommandToken:
    """One of our tokens, as a command carries it."""
    ours = our_emsp(platform, party)
    issuer = next(
        p.business_details.name
        for p in platform.parties
        if PartyRef(p.country_code, p.party_id) == ours
    )
    return CommandToken(
        country_code=ours.country_code,
        party_id=ours.party_id,
        uid=uid,
        type=token_type,
        contract_id=contract_id or uid,
        issuer=issuer[:64],
        valid=True,
        whitelist=WhitelistType.ALLOWED,
        last_updated=utc_now(),
    )


def compose(
    platform: Platform, kind: CommandType, fields: dict[str, Any], party: PartyRef | None = None
) -> Command:
    """The command from its fields; a token given by uid (and type) is completed as ours."""
    data = {"response_url": PLACEHOLDER_URL, **fields}
    token = data.get("token")
    if isinstance(token, dict) and isinstance(token.get("uid"), str):
        kind_of = TokenType(token.get("type", TokenType.APP_USER))
        base = own_token(platform, token["uid"], token_type=kind_of, party=party)
        data["token"] = base.model_dump(mode="json", exclude_none=True) | token
    return BODIES[kind].model_validate(data)
