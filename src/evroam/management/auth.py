"""Admin authentication of the management API: `Authorization: Bearer <admin_token>`."""

import hmac
from typing import Annotated

from fastapi import Depends, Header

from evroam.deps import PlatformDep
from evroam.errors import NotFound, Unauthorized


async def admin(
    platform: PlatformDep,
    authorization: Annotated[
        str | None, Header(alias="Authorization", description="`Bearer <admin_token>`")
    ] = None,
) -> None:
    """Refuse unless the caller presents the configured admin token (compared in constant time)."""
    configured = platform.settings.admin_token
    if configured is None:
        raise NotFound("The management API is disabled: set admin_token in the settings")
    scheme, _, presented = (authorization or "").partition(" ")
    expected = configured.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), expected):
        raise Unauthorized("Missing or wrong admin token (Authorization: Bearer <admin_token>)")


Admin = Depends(admin)
AdminDep = Annotated[None, Admin]
