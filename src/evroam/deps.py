"""FastAPI dependencies as Annotated aliases: the platform, the caller, the request context."""

from typing import Annotated

from fastapi import Depends, Header, Request

from evroam.partners.auth import Caller, Reach, authenticate
from evroam.platform import Platform
from evroam.protocol.context import RequestContext, context_of


def get_platform(request: Request) -> Platform:
    platform = request.app.state.platform
    assert isinstance(platform, Platform)
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]

AuthorizationHeader = Annotated[
    str | None,
    Header(alias="Authorization", description="`Token <base64 of the credentials token>`"),
]


async def versions_caller(
    platform: PlatformDep, authorization: AuthorizationHeader = None
) -> Caller:
    return await authenticate(platform, authorization, Reach.VERSIONS)


async def credentials_caller(
    platform: PlatformDep, authorization: AuthorizationHeader = None
) -> Caller:
    return await authenticate(platform, authorization, Reach.CREDENTIALS)


async def functional_caller(
    platform: PlatformDep, authorization: AuthorizationHeader = None
) -> Caller:
    return await authenticate(platform, authorization, Reach.FUNCTIONAL)


def request_context(request: Request) -> RequestContext:
    return context_of(request.scope)


VersionsCaller = Annotated[Caller, Depends(versions_caller)]
CredentialsCaller = Annotated[Caller, Depends(credentials_caller)]
FunctionalCaller = Annotated[Caller, Depends(functional_caller)]
ContextDep = Annotated[RequestContext, Depends(request_context)]
