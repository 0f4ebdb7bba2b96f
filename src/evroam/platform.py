"""Platform: the runtime of one evroam instance (settings, database, outbound clients).

Built by `create_app` for the server and by the CLI for one-off commands; nothing is built at
import time, so several platforms can live in one process (tests run three at once).
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from evroam.errors import EvroamError
from evroam.modules.credentials.model import Credentials
from evroam.partners.client import PartnerClient, VersionEdge
from evroam.partners.model import Partner, PartyRole
from evroam.protocol.auth import TokenEncoding
from evroam.settings import PartySettings, Role, Settings
from evroam.storage import migrate
from evroam.storage.changes import ChangeFeed, start_feed
from evroam.storage.database import create_engine, session_factory
from evroam.versions import VersionSpec, by_number, supported

if TYPE_CHECKING:
    from evroam.chargers.runtime import ChargerRuntime


class Platform:
    """Everything a service needs: settings, the database and a way to call partners."""

    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.sessions: async_sessionmaker[AsyncSession] = session_factory(engine)
        self.transport = transport
        self.push_wakeup = asyncio.Event()  # set after a change is queued: the worker starts now
        self.feed: ChangeFeed | None = None  # other processes' writes, for the read caches
        # The CPO's charge points, set when the server starts (chargers.runtime); None elsewhere.
        self.chargers: ChargerRuntime | None = None

    @classmethod
    async def open(
        cls,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        migrate_now: bool | None = None,
    ) -> "Platform":
        engine = create_engine(settings.database)
        if settings.database.auto_migrate if migrate_now is None else migrate_now:
            await migrate.upgrade(engine, db_schema=settings.database.db_schema)
        platform = cls(settings, engine, transport=transport)
        platform.feed = await start_feed(engine, db_schema=settings.database.db_schema)
        return platform

    async def close(self) -> None:
        if self.feed is not None:
            await self.feed.close()
        await self.engine.dispose()

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends, rolled back on an exception."""
        async with self.sessions() as session, session.begin():
            yield session

    @property
    def parties(self) -> list[PartySettings]:
        return self.settings.require_parties()

    @property
    def local_roles(self) -> set[Role]:
        return {party.role for party in self.parties}

    def check_own_cpo(self, what: str, country_code: str, party_id: str) -> None:
        """Raise unless the party is one of this platform's CPOs (our own data must be ours)."""
        owners = {(p.country_code, p.party_id) for p in self.parties if p.role is Role.CPO}
        if (country_code.upper(), party_id.upper()) not in owners:
            raise EvroamError(
                f"{what} belongs to {country_code}*{party_id}, which is not one of this platform's"
                " CPO parties: add that party to the settings or fix the data."
            )

    @property
    def versions_url(self) -> str:
        return f"{self.settings.public_url}/ocpi/versions"

    def version_url(self, spec: VersionSpec) -> str:
        return f"{self.settings.public_url}/ocpi/{spec.number}"

    def credentials(self, token: str) -> Credentials:
        """Our credentials object, carrying the token the partner must use to call us."""
        roles = [
            PartyRole(
                role=p.role.value,
                country_code=p.country_code,
                party_id=p.party_id,
                business_details=p.business_details.model_dump(exclude_none=True),
            )
            for p in self.parties
        ]
        return Credentials(token=token, url=self.versions_url, roles=roles)

    def encoding_for(self, partner: Partner | None, version: str | None) -> TokenEncoding:
        """How to send tokens: the partner's override, then the platform's, then the version's."""
        if partner is not None and partner.token_encoding is not None:
            return partner.token_encoding
        if self.settings.default_token_encoding is not None:
            return self.settings.default_token_encoding
        spec = by_number(version) if version else None
        return (spec or supported()[0]).token_encoding

    def client(
        self,
        token: str,
        encoding: TokenEncoding,
        *,
        routing_headers: dict[str, str] | None = None,
        connections: int | None = None,
        edge: VersionEdge | None = None,
    ) -> PartnerClient:
        return PartnerClient(
            token=token,
            encoding=encoding,
            http=self.settings.http,
            transport=self.transport,
            routing_headers=routing_headers,
            connections=connections,
            edge=edge,
        )

    def client_for(self, partner: Partner, *, connections: int | None = None) -> PartnerClient:
        """A client speaking to a registered partner with the token it gave us (at most
        `connections` at once, if given)."""
        if not partner.token_out:
            raise ValueError(f"Partner {partner.name} gave us no token (state {partner.state}).")
        encoding = self.encoding_for(partner, partner.version)
        return self.client(
            partner.token_out, encoding, connections=connections, edge=self.edge_for(partner)
        )

    def edge_for(self, partner: Partner) -> VersionEdge | None:
        """The conversions of calls to a partner connected on a version we do not store
        (2.1.1), or None."""
        spec = by_number(partner.version or "")
        if spec is None or spec.peer_edge is None:
            return None
        edge: VersionEdge = spec.peer_edge(self, partner)
        return edge
