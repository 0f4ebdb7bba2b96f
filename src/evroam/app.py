"""create_app(settings): one platform as an ASGI app. Nothing is built at import time."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache

import httpx
from fastapi import APIRouter, FastAPI

from evroam import __version__
from evroam.chargers.runtime import start_chargers
from evroam.management import build_management_router
from evroam.modules.commands.results import expiry_tasks
from evroam.modules.credentials.routes import (
    build_version_details_router,
    build_versions_router,
)
from evroam.platform import Platform
from evroam.protocol.context import RequestContextMiddleware
from evroam.protocol.handlers import install_error_handlers
from evroam.protocol.lane import FastLane
from evroam.push.worker import OutboxWorker, deliverers
from evroam.settings import Role, Settings
from evroam.sync.schedule import sync_tasks
from evroam.versions import supported

DESCRIPTION = """
evroam speaks OCPI to roaming partners. Every OCPI endpoint needs
`Authorization: Token <base64(token)>`; responses are OCPI envelopes
(`data`, `status_code`, `status_message`, `timestamp`). Start at `GET /ocpi/versions`.

Partners on OCPI 2.1.1 call `/ocpi/2.1.1/cpo/{module}` and `/ocpi/2.1.1/emsp/{module}`
with `Authorization: Token <token>` (raw): each is answered by the 2.2.1 interface of the
same module and role documented here, with bodies in 2.1.1 shapes.
"""


@cache
def _routes(roles: frozenset[Role]) -> APIRouter:
    """Every route a platform of these roles serves: the versions endpoints, each supported
    version's modules, then the management API (routes are matched in order, partners' calls
    first). Built once per process and shared by its apps (each reads its platform from the
    request); building them is most of an app's start-up."""
    router = APIRouter()
    router.include_router(build_versions_router(), prefix="/ocpi")
    for spec in supported():
        router.include_router(build_version_details_router(spec), prefix=f"/ocpi/{spec.number}")
        for endpoint in spec.endpoints_for(roles):
            if endpoint.build_router is None:
                continue  # served by the version's edge (versions/v2_1_1/edge.py)
            router.include_router(endpoint.build_router(spec), prefix=spec.path_of(endpoint))
    router.include_router(build_management_router())
    return router


def create_app(settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """The platform's ASGI app; the database and clients are built when it starts."""
    parties = settings.require_parties()
    roles = {party.role for party in parties}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        platform = await Platform.open(settings, transport=transport)
        app.state.platform = platform
        worker = OutboxWorker(
            platform, deliverers(), batch=settings.push.batch, concurrency=settings.push.concurrency
        )
        app.state.outbox = worker
        tasks = []
        if settings.push.enabled:
            tasks.append(asyncio.create_task(worker.run_forever(settings.push.poll_seconds)))
        tasks += sync_tasks(platform)
        tasks += start_chargers(platform) + expiry_tasks(platform)
        try:
            yield
        finally:
            if platform.chargers is not None:
                tasks += platform.chargers.tasks
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await platform.close()

    app = FastAPI(
        title="evroam OCPI platform",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
    )
    lanes = [
        route
        for spec in supported()
        for endpoint in spec.endpoints_for(roles)
        if endpoint.build_lane
        for route in endpoint.build_lane(spec.path_of(endpoint))
    ]
    app.add_middleware(FastLane, routes=lanes)  # inside the context middleware
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.http.max_body_bytes)
    for spec in supported():  # versions spoken by translation (2.1.1): outermost
        if spec.middleware is not None:
            app.add_middleware(spec.middleware, max_body_bytes=settings.http.max_body_bytes)
    install_error_handlers(app)
    app.include_router(_routes(frozenset(roles)))

    @app.get("/health", tags=["operations"])
    async def health() -> dict[str, str]:
        """Liveness probe for load balancers and the demo (no OCPI, no auth)."""
        return {"status": "ok", "version": __version__}

    logging.getLogger("evroam").setLevel(settings.log_level.upper())
    return app
