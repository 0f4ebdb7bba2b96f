"""Tokens storage: ours (eMSP, partner_id NULL) and partners' (CPO), one document per Token.

A Token is unique per owner party, uid **and** type (Tokens §12.3.2; CONFORMANCE J.274): the
same uid may be an RFID card and an app user at once. The document base keys objects by
(country_code, party_id, object_id), so a Token's object_id is `UID:TYPE` (CiString, stored
upper case; a type never holds a colon, so the last one splits it). Tokens are never deleted
(J.297): this repository offers no deletion of its own.

`policy` holds the eMSP's own rules for a Token of ours (expiry, credit, where it may charge):
they decide real-time authorizations and never leave the platform.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, ColumnElement, Index, bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from evroam.modules.locations.enums import TokenType
from evroam.modules.tokens.authorization import TokenPolicy
from evroam.modules.tokens.model import Token
from evroam.protocol.types import ci_key
from evroam.storage.documents import DocumentRepository, ObjectKey, document_table
from evroam.storage.point_reads import json_value, read_one
from evroam.storage.tables import JsonDocument, metadata

ID_LENGTH = 48  # uid CiString(36) + ":" + the longest TokenType (AD_HOC_USER, 11)

tokens = document_table("tokens", metadata, Column("policy", JsonDocument), id_length=ID_LENGTH)
# Authorization finds a Token by uid and type alone (the CPO reads no party from a card).
Index("ix_tokens_object", tokens.c.object_id, tokens.c.partner_id)


def stored_id(uid: str, token_type: TokenType) -> str:
    """The object_id a Token is stored under."""
    return ci_key(f"{uid}:{token_type.value}")


def token_key(country_code: str, party_id: str, uid: str, token_type: TokenType) -> ObjectKey:
    return ObjectKey(country_code, party_id, stored_id(uid, token_type))


def key_of(token: Token) -> ObjectKey:
    return token_key(token.country_code, token.party_id, token.uid, token.type)


def split_id(object_id: str) -> tuple[str, TokenType]:
    """(uid, type) of a stored object_id (the uid upper case, as stored)."""
    uid, _, token_type = object_id.rpartition(":")
    return uid, TokenType(token_type)


@dataclass(frozen=True)
class StoredToken:
    """A Token's stored document, its policy (ours only) and whose it is."""

    document: dict[str, Any]
    policy: dict[str, Any] | None
    partner_id: int | None


class TokenRepository(DocumentRepository[Token]):
    table = tokens
    model = Token

    async def find(
        self,
        uid: str,
        token_type: TokenType,
        *where: ColumnElement[bool],
        limit: int = 10,
    ) -> list[StoredToken]:
        """Tokens with this uid and type (any owner unless `where` narrows), newest first."""
        c = self.table.c
        query = (
            select(c.document, c.policy, c.partner_id)
            .where(c.object_id == stored_id(uid, token_type), *where)
            .order_by(c.last_updated.desc(), c.pk)
            .limit(limit)
        )
        rows = await self.session.execute(query)
        return [StoredToken(dict(r.document), r.policy, r.partner_id) for r in rows]


def owned_by(country_code: str, party_id: str) -> list[ColumnElement[bool]]:
    """Conditions selecting the Tokens of one owner party."""
    c = tokens.c
    return [c.country_code == ci_key(country_code), c.party_id == ci_key(party_id)]


def ours() -> ColumnElement[bool]:
    return tokens.c.partner_id.is_(None)


def received() -> ColumnElement[bool]:
    return tokens.c.partner_id.is_not(None)


# ── the authorization hot path: one of our Tokens by uid and type ──────────────────────────

_c = tokens.c
_OWN = (
    select(_c.document, _c.policy)
    .where(_c.object_id == bindparam("object_id"), _c.partner_id.is_(None))
    .order_by(_c.pk)
    .limit(1)
)
_OWN_OF_PARTY = _OWN.where(
    _c.country_code == bindparam("country_code"), _c.party_id == bindparam("party_id")
)


async def own_token(
    engine: AsyncEngine, uid: str, token_type: TokenType, party: tuple[str, str] | None
) -> tuple[Token, TokenPolicy | None] | None:
    """One of our Tokens (of `party`, if given) and its policy, for a real-time authorization:
    one indexed point read (storage.point_reads) of statements built once, the document
    parsed straight from its stored JSON text where the backend hands text."""
    params = {"object_id": stored_id(uid, token_type)}
    if party is not None:
        params |= {"country_code": ci_key(party[0]), "party_id": ci_key(party[1])}
    row = await read_one(engine, _OWN if party is None else _OWN_OF_PARTY, params)
    if row is None:
        return None
    document, policy = row
    token = (
        Token.model_validate_json(document)
        if isinstance(document, str)
        else Token.model_validate(document)
    )
    rules = json_value(policy)  # SQL NULL, or a JSON null where the policy was cleared
    return token, None if rules is None else TokenPolicy.model_validate(rules)
