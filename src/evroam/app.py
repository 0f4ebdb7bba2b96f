"""create_app(settings): one platform as an ASGI app. Nothing is built at import time."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from evroam import __version__
from evroam.management import build_management_router
from evroam.modules.credentials.routes import (
    build_version_details_router,
    build_versions_router,
)
from evroam.platform import Platform
from evroam.protocol.context import RequestContextMiddleware
from evroam.protocol.handlers import install_error_handlers
from evroam.push.worker import OutboxWorker, deliverers
from evroam.settings import Settings
from evroam.sync.schedule import sync_tasks
from evroam.versions import supported

DESCRIPTION = """
evroam speaks OCPI to roaming partners. Every OCPI endpoint needs
`Authorization: Token <base64(token)>`; responses are OCPI envelopes
(`data`, `status_code`, `status_message`, `timestamp`). Start at `GET /ocpi/versions`.
"""


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
        try:
            yield
        finally:
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
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.http.max_body_bytes)
    install_error_handlers(app)
    app.include_router(build_versions_router(), prefix="/ocpi")
    for spec in supported():
        app.include_router(build_version_details_router(spec), prefix=f"/ocpi/{spec.number}")
        for endpoint in spec.endpoints_for(roles):
            app.include_router(
                endpoint.build_router(spec), prefix=f"/ocpi/{spec.number}/{endpoint.path}"
            )
    app.include_router(build_management_router())  # after OCPI: partners' calls match sooner

    @app.get("/health", tags=["operations"])
    async def health() -> dict[str, str]:
        """Liveness probe for load balancers and the demo (no OCPI, no auth)."""
        return {"status": "ok", "version": __version__}

    logging.getLogger("evroam").setLevel(settings.log_level.upper())
    return app
