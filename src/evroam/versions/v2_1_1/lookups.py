"""What a 2.1.1 translation needs from our store: 2.1.1 objects name less than 2.2.1 ones.

A 2.1.1 Session or CDR embeds its Location where 2.2.1 names its ids, and names the driver's
contract (`auth_id`) where 2.2.1 carries the Token's uid and type as well.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, literal_column, select

from evroam.modules.locations.enums import TokenType
from evroam.modules.locations.repository import locations
from evroam.modules.sessions.repository import sessions
from evroam.modules.tokens.repository import split_id, stored_id, tokens
from evroam.platform import Platform
from evroam.protocol.timestamps import parse_datetime
from evroam.protocol.types import ci_key
from evroam.storage.documents import ObjectKey, by_key, key_params

Doc = dict[str, Any]
CONTRACT_EXPRESSIONS = {
    "postgresql": "upper(document ->> 'contract_id')",
    "sqlite": "upper(json_extract(document, '$.contract_id'))",
}


async def location_document(
    platform: Platform, owner: tuple[str, str], location_id: str
) -> Doc | None:
    """The stored Location (ours or a partner's) of this owner and id."""
    return await _document(platform, locations, ObjectKey(owner[0], owner[1], location_id))


async def session_document(
    platform: Platform, owner: tuple[str, str], session_id: str
) -> Doc | None:
    """The stored Session (ours or a partner's) of this owner and id."""
    return await _document(platform, sessions, ObjectKey(owner[0], owner[1], session_id))


async def _document(platform: Platform, table: Table, key: ObjectKey) -> Doc | None:
    async with platform.sessions() as session:
        found = await session.execute(by_key(table).document, key_params(key.normalised()))
        document = found.scalar_one_or_none()
    return dict(document) if document is not None else None


def our_party(platform: Platform) -> tuple[str, str]:
    """The platform's party (a platform speaking 2.1.1 hosts exactly one)."""
    party = platform.parties[0]
    return party.country_code, party.party_id


async def token_by_contract(platform: Platform, contract_id: str) -> Doc | None:
    """Our own Token carrying this contract id (2.1.1's auth_id), if we issued one."""
    c = tokens.c
    query = (
        select(c.document)
        .where(c.partner_id.is_(None), contract_key(platform) == ci_key(contract_id))
        .order_by(c.last_updated.desc())
        .limit(1)
    )
    async with platform.sessions() as session:
        document = (await session.execute(query)).scalar_one_or_none()
    return dict(document) if document is not None else None


def contract_key(platform: Platform) -> ColumnElement[str]:
    """Our Tokens' upper-cased contract_id, written as migration 0012's index has it (an
    expression index is used only for the same expression, literals included)."""
    expression = CONTRACT_EXPRESSIONS[platform.engine.dialect.name]
    return literal_column(expression.replace("document", "tokens.document"))


async def token_by_uid(
    platform: Platform, owner: tuple[str, str], uid: str, token_type: str
) -> Doc | None:
    """A Token of this owner we hold (ours or a partner's), by uid and type."""
    c = tokens.c
    query = select(c.document).where(
        c.object_id == stored_id(uid, TokenType(token_type)),
        c.country_code == ci_key(owner[0]),
        c.party_id == ci_key(owner[1]),
    )
    async with platform.sessions() as session:
        document = (await session.execute(query)).scalar_one_or_none()
    return dict(document) if document is not None else None


async def session_of_cdr(platform: Platform, cdr: Doc) -> str | None:
    """The id of the stored Session a 2.2.1-converted CDR of a 2.1.1 peer settles: 2.1.1 CDRs
    do not name it, but the Session of that owner at that place, for that contract, started
    in the same second is the one (reconciliation compares the two by id)."""
    place = cdr.get("cdr_location") or {}
    contract = (cdr.get("cdr_token") or {}).get("contract_id")
    started = _moment(cdr.get("start_date_time"))
    if started is None or not contract:
        return None
    c = sessions.c
    query = (
        select(c.document)
        .where(
            c.country_code == ci_key(str(cdr.get("country_code", ""))),
            c.party_id == ci_key(str(cdr.get("party_id", ""))),
            c.document["location_id"].as_string() == place.get("id"),
        )
        .order_by(c.last_updated.desc())
        .limit(50)
    )
    async with platform.sessions() as session:
        documents = (await session.execute(query)).scalars().all()
    found = next((d for d in documents if _settled_by(d, started, str(contract))), None)
    return None if found is None else str(found["id"])


def _settled_by(session: Doc, started: datetime, contract: str) -> bool:
    """Whether a stored Session began in the CDR's second for the CDR's contract."""
    begun = _moment(session.get("start_date_time"))
    token = session.get("cdr_token") or {}
    return (
        begun is not None
        and begun.replace(microsecond=0) == started.replace(microsecond=0)
        and ci_key(str(token.get("contract_id", ""))) == ci_key(contract)
    )


def _moment(value: Any) -> datetime | None:
    """An OCPI DateTime of a stored or converted document, None when it is not one."""
    try:
        return parse_datetime(str(value))
    except ValueError:
        return None


async def token_type_of(platform: Platform, owner: tuple[str, str], uid: str) -> str | None:
    """The type of the owner's Token with this uid (2.1.1 names a Token by uid alone), the most
    recently changed where several types share the uid; None when there is none."""
    c = tokens.c
    query = (
        select(c.object_id)
        .where(
            c.country_code == ci_key(owner[0]),
            c.party_id == ci_key(owner[1]),
            c.object_id.in_([stored_id(uid, kind) for kind in TokenType]),
        )
        .order_by(c.last_updated.desc())
        .limit(1)
    )
    async with platform.sessions() as session:
        found = (await session.execute(query)).scalar_one_or_none()
    return None if found is None else split_id(found)[1].value
