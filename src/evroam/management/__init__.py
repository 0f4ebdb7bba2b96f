"""The management API under /manage: operating the platform over JSON (admin token).

Every module of this package that defines `router` (an APIRouter) is mounted, so a feature adds
one file. Answers use the OCPI envelope too, so one error handler serves both APIs.
"""

import importlib
import pkgutil

from fastapi import APIRouter


def build_management_router() -> APIRouter:
    """All management routes, each module's router mounted under /manage."""
    root = APIRouter(prefix="/manage")
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        router = getattr(loaded, "router", None)
        if isinstance(router, APIRouter):
            root.include_router(router)
    return root
