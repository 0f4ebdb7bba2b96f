"""Test support: settings builders, in-process platforms behind a host-routing transport."""

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel, Field
from sqlalchemy import MetaData
from starlette.responses import Response

from evroam.app import create_app
from evroam.deps import Exchange, PageDep, PlatformDep, exchange_for
from evroam.model import OcpiObject
from evroam.modules.credentials import service
from evroam.partners.model import Partner
from evroam.platform import Platform
from evroam.protocol.auth import TokenEncoding, encode_token
from evroam.protocol.envelope import OcpiResponse
from evroam.protocol.pagination import page_response
from evroam.protocol.timestamps import OcpiDateTime
from evroam.settings import DatabaseSettings, Role, Settings
from evroam.storage import tables
from evroam.storage.documents import DocumentRepository, document_table


def party(spec: str) -> dict[str, Any]:
    """`CPO:NL:CPO` → a party declaration with business details."""
    role, country, party_id = spec.split(":")
    return {
        "role": role,
        "country_code": country,
        "party_id": party_id,
        "business_details": {"name": f"{role.title()} {country}{party_id}"},
    }


def platform_settings(
    name: str,
    *parties: str,
    database: DatabaseSettings,
    public_url: str | None = None,
    **extra: Any,
) -> Settings:
    # In process, tests drive the outbox worker themselves (`app.state.outbox.drain()`).
    extra.setdefault("push", {"enabled": False})
    extra.setdefault("sync", {"enabled": False})
    # A CPO's charge points are simulated in tests (a real one names its kind; default none).
    extra["chargers"] = {"kind": "simulated", **extra.get("chargers", {})}
    return Settings(
        public_url=public_url or f"http://{name}.test",
        parties=[party(p) for p in parties or ("CPO:NL:CPO",)],
        database=database,
        **extra,
    )


class HostRouter(httpx.AsyncBaseTransport):
    """Sends each request to the in-process app registered for its host (no sockets)."""

    def __init__(self) -> None:
        self.apps: dict[str, httpx.AsyncBaseTransport] = {}
        self.requests: list[httpx.Request] = []
        self.down: set[str] = set()

    def add(self, host: str, app: FastAPI) -> None:
        self.apps[host] = httpx.ASGITransport(app=app)

    def mock(self, host: str, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        """Serve `host` with a scripted peer (a function from request to response)."""
        self.apps[host] = httpx.MockTransport(handler)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        host = request.url.host
        if host in self.down or host not in self.apps:
            raise httpx.ConnectError(f"no route to {host}", request=request)
        return await self.apps[host].handle_async_request(request)


@dataclass
class Running:
    """One in-process platform: its app, its Platform runtime and a client to call it."""

    settings: Settings
    app: FastAPI
    platform: Platform
    client: httpx.AsyncClient
    host: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def versions_url(self) -> str:
        return f"{self.settings.public_url}/ocpi/versions"

    def url(self, path: str) -> str:
        return f"{self.settings.public_url}{path}"


def auth(token: str, encoding: TokenEncoding = TokenEncoding.BASE64) -> dict[str, str]:
    return {"Authorization": encode_token(token, encoding)}


@asynccontextmanager
async def platforms(*settings: Settings) -> AsyncIterator[tuple[HostRouter, list[Running]]]:
    """Start platforms in process, wired to reach each other through one HostRouter."""
    router = HostRouter()
    running: list[Running] = []
    async with AsyncExitStack() as stack:
        for item in settings:
            app = create_app(item, transport=router)
            app.include_router(probe_router())
            await stack.enter_async_context(app.router.lifespan_context(app))
            host = httpx.URL(item.public_url).host
            router.add(host, app)
            client = httpx.AsyncClient(transport=router, base_url=item.public_url)
            stack.push_async_callback(client.aclose)
            running.append(Running(item, app, app.state.platform, client, host))
        yield router, running


probe_metadata = MetaData()
for _table in tables.metadata.tables.values():
    _table.to_metadata(probe_metadata)
probe_items = document_table("probe_items", probe_metadata)


class ProbeItem(OcpiObject):
    id: str
    last_updated: OcpiDateTime


class ProbeRepository(DocumentRepository[ProbeItem]):
    table = probe_items
    model = ProbeItem


async def create_probe_items(platform: Platform) -> None:
    async with platform.engine.begin() as conn:
        await conn.run_sync(lambda sync: probe_items.create(sync, checkfirst=True))


class ProbeBody(BaseModel):
    name: str = Field(max_length=10)
    count: int


def probe_router() -> APIRouter:
    """A functional-module endpoint for contract tests of the shared mechanics (auth, routing
    headers, body parsing) before the real modules exist; it uses the real dependencies."""
    router = APIRouter()
    exchange = exchange_for(Role.CPO, Role.EMSP)

    @router.get("/ocpi/2.2.1/probe")
    async def get_probe(ex: Annotated[Exchange, Depends(exchange)]) -> Response:
        remote = ex.remote.as_dict() if ex.remote else None
        return OcpiResponse(
            {"partner": ex.partner.name, "local": ex.local.party_id, "remote": remote}
        )

    @router.get("/ocpi/2.2.1/probe/items")
    async def get_probe_items(
        request: Request,
        page: PageDep,
        platform: PlatformDep,
        ex: Annotated[Exchange, Depends(exchange)],
    ) -> Response:
        """Sender GET-list of the items this partner may see (its own), paginated."""
        async with platform.sessions() as session:
            found = await ProbeRepository(session).page(
                page, probe_items.c.partner_id == ex.partner.id
            )
        return page_response(
            public_url=platform.settings.public_url,
            path=request.url.path,
            query=request.url.query,
            page=page,
            documents=found.documents,
            total=found.total,
        )

    @router.put("/ocpi/2.2.1/probe")
    async def put_probe(body: ProbeBody, ex: Annotated[Exchange, Depends(exchange)]) -> Response:
        return OcpiResponse()

    return router


async def invite(platform: Platform, name: str, **kwargs: Any) -> str:
    _, token = await service.invite(platform, name, **kwargs)
    return token


async def connect(initiator: "Running", receiver: "Running", *, as_name: str | None = None) -> None:
    """The receiver invites, the initiator registers: both sides end up REGISTERED."""
    token_a = await invite(receiver.platform, as_name or _name(initiator))
    await service.register(initiator.platform, _name(receiver), receiver.versions_url, token_a)


def _name(running: "Running") -> str:
    return running.host.split(".")[0]


async def partner_named(platform: Platform, name: str) -> Partner:
    return await service.get_partner(platform, name)


def envelope_response(data: Any = None, status_code: int = 1000) -> httpx.Response:
    return httpx.Response(
        200, json={"data": data, "status_code": status_code, "timestamp": "2026-01-01T00:00:00Z"}
    )


class FakePeer:
    """A scripted OCPI peer at http://peer.test for the initiator and server sides."""

    def __init__(self, versions: list[str] | None = None, modules: list[str] | None = None) -> None:
        self.versions = versions or ["2.2.1"]
        self.modules = modules if modules is not None else ["credentials", "locations"]
        self.requests: list[httpx.Request] = []
        self.credentials_answer: dict[str, Any] = {
            "token": "peer-token-c",
            "url": "http://peer.test/versions",
            "roles": [
                {
                    "role": "CPO",
                    "country_code": "FR",
                    "party_id": "AAA",
                    "business_details": {"name": "A"},
                },
                {
                    "role": "EMSP",
                    "country_code": "FR",
                    "party_id": "BBB",
                    "business_details": {"name": "B"},
                },
            ],
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/versions":
            return envelope_response(
                [{"version": v, "url": f"http://peer.test/{v}"} for v in self.versions]
            )
        if path.count("/") == 1 and path[1:] in self.versions:
            endpoints = [
                {"identifier": m, "role": "SENDER", "url": f"http://peer.test{path}/{m}"}
                for m in self.modules
            ]
            return envelope_response({"version": path[1:], "endpoints": endpoints})
        if path.endswith("/credentials") and request.method in ("POST", "PUT"):
            return envelope_response(self.credentials_answer)
        if path.endswith("/credentials") and request.method == "DELETE":
            return envelope_response()
        return httpx.Response(404)
