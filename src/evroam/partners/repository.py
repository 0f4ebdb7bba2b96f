"""Queries on partners and their tokens. Takes and returns domain objects only."""

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.partners.lifecycle import PartnerState
from evroam.partners.model import Endpoint, InterfaceRole, Partner, PartyRole, TokenKind
from evroam.protocol.auth import TokenEncoding
from evroam.protocol.types import ci_key
from evroam.storage.tables import partner_parties, partner_tokens, partners


class PartnerRepository:
    """Partners, their parties and the hashes of the inbound tokens we issued them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, partner_id: int) -> Partner | None:
        row = (
            await self.session.execute(select(partners).where(partners.c.id == partner_id))
        ).first()
        return _to_partner(row._mapping) if row else None

    async def by_name(self, name: str) -> Partner | None:
        row = (await self.session.execute(select(partners).where(partners.c.name == name))).first()
        return _to_partner(row._mapping) if row else None

    async def all(self) -> list[Partner]:
        rows = await self.session.execute(select(partners).order_by(partners.c.name))
        return [_to_partner(row._mapping) for row in rows]

    async def by_token_hash(
        self, token_hash: str
    ) -> tuple[Partner, TokenKind, str, datetime | None] | None:
        query = (
            select(
                partners,
                partner_tokens.c.kind,
                partner_tokens.c.token_hash,
                partner_tokens.c.expires_at,
            )
            .join(partner_tokens, partner_tokens.c.partner_id == partners.c.id)
            .where(partner_tokens.c.token_hash == token_hash)
        )
        row = (await self.session.execute(query)).first()
        if row is None:
            return None
        mapping = row._mapping
        return (
            _to_partner(mapping),
            TokenKind(mapping["kind"]),
            mapping["token_hash"],
            mapping["expires_at"],
        )

    async def save(self, partner: Partner) -> Partner:
        """Insert or update the partner and keep its party index in step with its roles."""
        values = _to_row(partner)
        if partner.id is None:
            result = await self.session.execute(insert(partners).values(**values))
            partner.id = int(result.inserted_primary_key[0])  # type: ignore[attr-defined]
        else:
            await self.session.execute(
                update(partners).where(partners.c.id == partner.id).values(**values)
            )
        await self._index_parties(partner)
        return partner

    async def delete(self, partner: Partner) -> None:
        assert partner.id is not None
        await self.session.execute(
            delete(partner_tokens).where(partner_tokens.c.partner_id == partner.id)
        )
        await self.session.execute(
            delete(partner_parties).where(partner_parties.c.partner_id == partner.id)
        )
        await self.session.execute(delete(partners).where(partners.c.id == partner.id))

    async def add_token(
        self,
        partner: Partner,
        token_hash: str,
        kind: TokenKind,
        *,
        now: datetime,
        expires_at: datetime | None = None,
    ) -> None:
        assert partner.id is not None
        await self.session.execute(
            insert(partner_tokens).values(
                token_hash=token_hash,
                partner_id=partner.id,
                kind=kind,
                created_at=now,
                expires_at=expires_at,
            )
        )

    async def revoke_tokens(
        self, partner: Partner, *, kind: TokenKind | None = None, keep: str | None = None
    ) -> None:
        """Void the partner's inbound tokens (of one kind), optionally keeping one hash."""
        query = delete(partner_tokens).where(partner_tokens.c.partner_id == partner.id)
        if kind is not None:
            query = query.where(partner_tokens.c.kind == kind)
        if keep is not None:
            query = query.where(partner_tokens.c.token_hash != keep)
        await self.session.execute(query)

    async def consume_token(self, token_hash: str) -> bool:
        """Delete one token; False when another request consumed it first (single use)."""
        result = await self.session.execute(
            delete(partner_tokens).where(partner_tokens.c.token_hash == token_hash)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def touch(self, partner: Partner, now: datetime) -> None:
        await self.session.execute(
            update(partners).where(partners.c.id == partner.id).values(last_contact_at=now)
        )
        partner.last_contact_at = now

    async def carrying(self, country_code: str, party_id: str) -> list[Partner]:
        """Partners that carry the party (case-insensitive)."""
        query = (
            select(partners)
            .join(partner_parties, partner_parties.c.partner_id == partners.c.id)
            .where(partner_parties.c.country_code == ci_key(country_code))
            .where(partner_parties.c.party_id == ci_key(party_id))
            .where(partners.c.state.in_([PartnerState.REGISTERED, PartnerState.SUSPENDED]))
            .distinct()
        )
        return [_to_partner(row._mapping) for row in await self.session.execute(query)]

    async def _index_parties(self, partner: Partner) -> None:
        await self.session.execute(
            delete(partner_parties).where(partner_parties.c.partner_id == partner.id)
        )
        keys = {role.key for role in partner.roles}
        if keys:
            await self.session.execute(
                insert(partner_parties),
                [
                    {"partner_id": partner.id, "role": r, "country_code": c, "party_id": p}
                    for r, c, p in sorted(keys)
                ],
            )


def _to_row(partner: Partner) -> dict[str, Any]:
    return {
        "name": partner.name,
        "state": partner.state,
        "version": partner.version,
        "versions_url": partner.versions_url,
        "endpoints": [e.as_dict() for e in partner.endpoints],
        "roles": [r.as_dict() for r in partner.roles],
        "token_out": partner.token_out,
        "token_encoding": partner.token_encoding,
        "created_at": partner.created_at,
        "updated_at": partner.updated_at,
        "registered_at": partner.registered_at,
        "last_contact_at": partner.last_contact_at,
        "last_error": partner.last_error,
    }


def _to_partner(row: Any) -> Partner:
    return Partner(
        id=row["id"],
        name=row["name"],
        state=PartnerState(row["state"]),
        version=row["version"],
        versions_url=row["versions_url"],
        endpoints=[
            Endpoint(e["identifier"], InterfaceRole(e["role"]) if e.get("role") else None, e["url"])
            for e in row["endpoints"]
        ],
        roles=[PartyRole(**r) for r in row["roles"]],
        token_out=row["token_out"],
        token_encoding=TokenEncoding(row["token_encoding"]) if row["token_encoding"] else None,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        registered_at=row["registered_at"],
        last_contact_at=row["last_contact_at"],
        last_error=row["last_error"],
    )
