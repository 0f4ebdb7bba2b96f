"""Our own Tokens (eMSP): issued, imported, blocked and unblocked; every change is pushed.

Every change is written with its outbox rows in one transaction (ARCHITECTURE, outbox), so a
block reaches every CPO partner publishing a Tokens Receiver as soon as the worker wakes (it is
woken at once). What we emit keeps the spec's advice: every required field (the model requires
them, CONFORMANCE J.294), APP_USER and AD_HOC_USER with whitelist NEVER (J.295), group_id of at
most 20 characters for OCPP 1.x chargers (J.296). Tokens are never deleted (J.297): a Token
that must not charge any more is blocked (`valid=false`).
"""

import json
import secrets
import string
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import null, update

from evroam.errors import EvroamError
from evroam.model import OcpiObject
from evroam.modules.locations.enums import TokenType
from evroam.modules.locations.publish import SaveResult, parse_party
from evroam.modules.tokens.authorization import TokenPolicy
from evroam.modules.tokens.model import EnergyContract, ProfileType, Token, WhitelistType
from evroam.modules.tokens.repository import (
    StoredToken,
    TokenRepository,
    key_of,
    ours,
    owned_by,
    tokens,
)
from evroam.partners.model import Partner
from evroam.platform import Platform
from evroam.protocol.pagination import page_request
from evroam.protocol.timestamps import format_datetime, utc_now
from evroam.protocol.types import CiString36, String2, String64, ci_key
from evroam.push.outbox import Change, enqueue, recipients
from evroam.settings import PartySettings, Role
from evroam.storage.documents import DocumentRow, chunked

APP_TYPES = frozenset({TokenType.APP_USER, TokenType.AD_HOC_USER})
GROUP_ID_MAX = 20  # OCPP 1.5/1.6 parentIdTag (Tokens §12.3.2 group_id)
MODULE = "tokens"


class NoSuchToken(EvroamError):
    """None of our Tokens has that uid and type (of that party)."""


def check_ours(platform: Platform, token: Token) -> None:
    """Refuse a Token we must not emit: not of one of our eMSP parties, or against J.295/J.296."""
    _our_emsp(platform, (token.country_code, token.party_id), f"Token {token.uid}")
    if token.type in APP_TYPES and token.whitelist is not WhitelistType.NEVER:
        raise EvroamError(
            f"Token {token.uid} is an {token.type} token: those are pushed with whitelist NEVER"
            " (the CPO asks us every time); set whitelist to NEVER, or leave it out to issue one."
        )
    if token.group_id is not None and len(token.group_id) > GROUP_ID_MAX:
        raise EvroamError(
            f"Token {token.uid}: group_id {token.group_id!r} is longer than {GROUP_ID_MAX}"
            " characters, which OCPP 1.x chargers cannot hold; shorten it."
        )


def _our_emsp(platform: Platform, party: tuple[str, str], what: str) -> PartySettings:
    for candidate in platform.parties:
        if candidate.role is Role.EMSP and (candidate.country_code, candidate.party_id) == (
            ci_key(party[0]),
            ci_key(party[1]),
        ):
            return candidate
    raise EvroamError(
        f"{what} belongs to {party[0]}*{party[1]}, which is not one of this platform's eMSP"
        " parties: add that party to the settings or fix the data."
    )


# ── saving: imports and replacements ───────────────────────────────────────────────────────


async def save_tokens(platform: Platform, items: Iterable[Token]) -> SaveResult:
    """Create or replace our Tokens in one transaction, queueing a PUT to every CPO for each
    change; a Token equal to the stored one counts as unchanged and is not pushed. The policy
    of a stored Token is kept."""
    batch = list(items)
    for token in batch:
        check_ours(platform, token)
    result = SaveResult()
    now = utc_now()
    async with platform.unit_of_work() as session:
        partners = await recipients(session, MODULE)
        repo = TokenRepository(session)
        for chunk in chunked(batch):
            await _save_chunk(repo, chunk, result, partners, now)
    platform.push_wakeup.set()
    return result


async def _save_chunk(
    repo: TokenRepository,
    chunk: Sequence[Token],
    result: SaveResult,
    partners: list[Partner],
    now: datetime,
) -> None:
    """One query for the stored rows, one executemany for the writes, one enqueue."""
    keys = [key_of(token).normalised() for token in chunk]
    stored = await repo.stored_rows(keys)
    current: dict[Any, Any] = {key: row.document for key, row in stored.items()}
    rows, changes = {}, []
    for token, key in zip(chunk, keys, strict=True):
        text = token.model_dump_json(exclude_none=True)
        document = json.loads(text)
        if current.get(key) == document:
            result.unchanged += 1
            continue
        result.created += key not in current
        result.updated += key in current
        pk = stored[key].pk if key in stored else None
        rows[key] = DocumentRow(key, text, token.last_updated, None, {}, pk)
        current[key] = document
        changes.append(Change(MODULE, key, (key.object_id,)))
    await repo.write_many(list(rows.values()))
    await enqueue(repo.session, changes, now=now, partners=partners)


# ── issuing a new Token ────────────────────────────────────────────────────────────────────


class NewToken(BaseModel):
    """What an operator gives to issue a Token; the rest is generated or defaulted."""

    model_config = ConfigDict(extra="forbid")

    type: TokenType = TokenType.RFID
    uid: CiString36 | None = None  # RFID/OTHER: the chip id as read; app users: generated
    contract_id: CiString36 | None = None  # generated (eMA-ID form) when absent
    party: str | None = None  # `DE*MSP`; default: our only eMSP party
    issuer: String64 | None = None  # default: the party's business name
    visual_number: String64 | None = None
    group_id: CiString36 | None = None
    whitelist: WhitelistType | None = None  # default: NEVER for app users, else ALLOWED
    language: String2 | None = None
    default_profile_type: ProfileType | None = None
    energy_contract: EnergyContract | None = None
    policy: TokenPolicy | None = None


async def issue_token(platform: Platform, new: NewToken) -> Token:
    """Issue one new Token of ours and push it to every CPO; refuses a uid already issued."""
    token = new_token(platform, new)
    key = key_of(token)
    policy = policy_column(new.policy)
    async with platform.unit_of_work() as session:
        repo = TokenRepository(session)
        if await repo.get_document(key) is not None:
            raise EvroamError(
                f"Token {token.uid} ({token.type}) is issued already: block or unblock it,"
                " or import a changed version."
            )
        await repo.put(key, token, last_updated=token.last_updated, policy=policy)
        await enqueue(session, [Change(MODULE, key, (key.normalised().object_id,))], now=utc_now())
    platform.push_wakeup.set()
    return token


def policy_column(policy: TokenPolicy | None) -> Any:
    """The policy column's value: its JSON, or SQL NULL (not a JSON null) for none."""
    return null() if policy is None else policy.model_dump(mode="json", exclude_none=True)


def new_token(platform: Platform, new: NewToken) -> Token:
    """The Token an order describes, checked as every Token we emit."""
    party = _issuing_party(platform, new.party)
    if new.uid is None and new.type not in APP_TYPES:
        raise EvroamError(
            f"An {new.type} token's uid is the id the charger reads from it: give the uid."
        )
    fields = new.model_dump(exclude={"party", "policy"}, exclude_none=True)
    token = Token.model_validate(
        fields
        | {
            "country_code": party.country_code,
            "party_id": party.party_id,
            "uid": new.uid or str(uuid.uuid4()),
            "contract_id": new.contract_id or contract_id(party),
            "issuer": new.issuer or party.business_details.name[:64],
            "valid": True,
            "whitelist": new.whitelist
            or (WhitelistType.NEVER if new.type in APP_TYPES else WhitelistType.ALLOWED),
            "last_updated": utc_now(),
        }
    )
    check_ours(platform, token)
    return token


def contract_id(party: PartySettings) -> str:
    """A new contract id in eMA-ID form: country, provider id, `C` and 8 random characters."""
    alphabet = string.ascii_uppercase + string.digits
    instance = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{party.country_code}{party.party_id}C{instance}"


def _issuing_party(platform: Platform, text: str | None) -> PartySettings:
    if text is not None:
        return _our_emsp(platform, parse_party(text), "The Token")
    emsps = [p for p in platform.parties if p.role is Role.EMSP]
    if len(emsps) != 1:
        raise EvroamError(
            "Name the eMSP party issuing the Token (for example DE*MSP): this platform has"
            f" {len(emsps)} eMSP parties."
        )
    return emsps[0]


# ── blocking and unblocking ────────────────────────────────────────────────────────────────


async def block_token(
    platform: Platform, uid: str, token_type: TokenType, *, party: tuple[str, str] | None = None
) -> Token:
    """valid=false now, PATCHed to every CPO at once: the Token is refused from now on."""
    return await set_valid(platform, uid, token_type, False, party=party)


async def unblock_token(
    platform: Platform, uid: str, token_type: TokenType, *, party: tuple[str, str] | None = None
) -> Token:
    """valid=true again, PATCHed to every CPO."""
    return await set_valid(platform, uid, token_type, True, party=party)


async def set_valid(
    platform: Platform,
    uid: str,
    token_type: TokenType,
    valid: bool,
    *,
    party: tuple[str, str] | None = None,
) -> Token:
    """Set `valid` of one of our Tokens; unchanged (and not pushed) when it already is."""
    now = utc_now()
    async with platform.unit_of_work() as session:
        repo = TokenRepository(session)
        document = (await _own(repo, uid, token_type, party)).document
        token = Token.model_validate(document)
        if token.valid is valid:
            return token
        document["valid"], document["last_updated"] = valid, format_datetime(now)
        key = key_of(token)
        await repo.replace_document(key, document, last_updated=now)
        change = Change(MODULE, key, (key.normalised().object_id,), frozenset({"valid"}))
        await enqueue(session, [change], now=now)
    platform.push_wakeup.set()
    return Token.model_validate(document)


async def _own(
    repo: TokenRepository, uid: str, token_type: TokenType, party: tuple[str, str] | None
) -> StoredToken:
    where = [ours(), *(owned_by(*party) if party else [])]
    found = await repo.find(uid, token_type, *where, limit=2)
    if not found:
        raise NoSuchToken(
            f"No {token_type} token {uid} of ours: `evroam tokens list` shows them"
            " (an app user's token needs --type APP_USER)."
        )
    if len(found) > 1:
        raise EvroamError(f"Several of our parties have token {uid}: name the party (DE*MSP).")
    return found[0]


# ── reading ────────────────────────────────────────────────────────────────────────────────


class OwnToken(OcpiObject):
    """One of our Tokens with the policy that decides its authorizations."""

    token: Token
    policy: TokenPolicy | None = None


async def find_own_token(
    platform: Platform, uid: str, token_type: TokenType, *, party: tuple[str, str] | None = None
) -> OwnToken | None:
    """One of our Tokens and its policy, or None."""
    async with platform.sessions() as session:
        try:
            stored = await _own(TokenRepository(session), uid, token_type, party)
        except NoSuchToken:
            return None
    return OwnToken(token=Token.model_validate(stored.document), policy=stored.policy)


async def own_tokens(
    platform: Platform, *, offset: int = 0, limit: int = 50
) -> tuple[list[Token], int]:
    """A page of our Tokens, oldest first, and their total."""
    page = page_request(offset=offset, limit=limit, date_from=None, date_to=None, cap=max(limit, 1))
    async with platform.sessions() as session:
        found = await TokenRepository(session).page(page, ours())
    return [Token.model_validate(d) for d in found.documents], found.total


async def set_policy(
    platform: Platform,
    uid: str,
    token_type: TokenType,
    policy: TokenPolicy | None,
    *,
    party: tuple[str, str] | None = None,
) -> OwnToken:
    """Replace the policy of one of our Tokens (it stays here: nothing is pushed)."""
    stored_policy = policy_column(policy)
    async with platform.unit_of_work() as session:
        repo = TokenRepository(session)
        token = Token.model_validate((await _own(repo, uid, token_type, party)).document)
        await session.execute(
            update(tokens).where(repo.where(key_of(token))).values(policy=stored_policy)
        )
    return OwnToken(token=token, policy=policy)
