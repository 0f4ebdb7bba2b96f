"""Tariffs Receiver interface (eMSP, NSP): GET / PUT / DELETE (DIGEST §8.1). No PATCH in 2.2.1:
FastAPI answers it with HTTP 405 (CONFORMANCE H.216)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from starlette.responses import Response

from evroam.deps import Exchange, PlatformDep, exchange_for
from evroam.modules.tariffs import service
from evroam.modules.tariffs.model import Tariff
from evroam.protocol.envelope import Envelope, OcpiResponse
from evroam.settings import Role
from evroam.storage.documents import ObjectKey
from evroam.versions import VersionSpec

CountryCode = Annotated[str, Path(min_length=2, max_length=2)]
PartyId = Annotated[str, Path(min_length=3, max_length=3)]
TariffId = Annotated[str, Path(min_length=1, max_length=36)]
ReceiverExchange = Annotated[Exchange, Depends(exchange_for(Role.EMSP, Role.NSP))]
TARIFF = "/{country_code}/{party_id}/{tariff_id}"


def build_receiver_router(spec: VersionSpec) -> APIRouter:
    router = APIRouter(tags=["tariffs"])

    @router.get(TARIFF, response_model=Envelope[dict[str, Any]])
    async def get_tariff(
        country_code: CountryCode,
        party_id: PartyId,
        tariff_id: TariffId,
        ex: ReceiverExchange,
        platform: PlatformDep,
    ) -> Response:
        """The Tariff as we stored it."""
        key = ObjectKey(country_code, party_id, tariff_id)
        return OcpiResponse(await service.get_received(platform, ex, key))

    @router.put(TARIFF, response_model=Envelope[None])
    async def put_tariff(
        country_code: CountryCode,
        party_id: PartyId,
        tariff_id: TariffId,
        body: Tariff,
        ex: ReceiverExchange,
        platform: PlatformDep,
    ) -> Response:
        """Create or replace a Tariff."""
        created = await service.put_received(
            platform, ex, ObjectKey(country_code, party_id, tariff_id), body
        )
        return OcpiResponse(http_status=201 if created else 200)

    @router.delete(TARIFF, response_model=Envelope[None])
    async def delete_tariff(
        country_code: CountryCode,
        party_id: PartyId,
        tariff_id: TariffId,
        ex: ReceiverExchange,
        platform: PlatformDep,
    ) -> Response:
        """Remove a Tariff that is no longer used."""
        await service.delete_received(platform, ex, ObjectKey(country_code, party_id, tariff_id))
        return OcpiResponse()

    return router
