"""Management: our own Tariffs, listed, read, saved and deleted (each change pushed)."""

from typing import Annotated

from fastapi import APIRouter, Body
from starlette.responses import Response

from evroam.deps import PlatformDep
from evroam.errors import NotFound
from evroam.management.auth import Admin
from evroam.management.locations import Limit, Listing, Offset, saved
from evroam.modules.locations.publish import SaveResult
from evroam.modules.tariffs import publish
from evroam.modules.tariffs.model import Tariff
from evroam.platform import Platform
from evroam.protocol.envelope import Envelope, OcpiResponse
from evroam.storage.documents import ObjectKey

router = APIRouter(prefix="/tariffs", tags=["management"], dependencies=[Admin])
TARIFF = "/{country_code}/{party_id}/{tariff_id}"


async def own_tariff(platform: Platform, key: ObjectKey) -> Tariff:
    found = await publish.find_own_tariff(platform, key)
    if found is None:
        raise NotFound(
            f"No Tariff {key.object_id} of {key.country_code}*{key.party_id} of ours;"
            " GET /manage/tariffs lists them."
        )
    return found


@router.get("", response_model=Envelope[Listing[Tariff]])
async def list_tariffs(platform: PlatformDep, offset: Offset = 0, limit: Limit = 50) -> Response:
    """Our Tariffs, oldest first, with their total."""
    found, total = await publish.own_tariffs(platform, offset=offset, limit=limit)
    return OcpiResponse(Listing(total=total, offset=offset, limit=limit, items=found))


@router.get(TARIFF, response_model=Envelope[Tariff])
async def get_tariff(
    country_code: str, party_id: str, tariff_id: str, platform: PlatformDep
) -> Response:
    """One of our Tariffs (404 when unknown)."""
    return OcpiResponse(await own_tariff(platform, ObjectKey(country_code, party_id, tariff_id)))


@router.put("", response_model=Envelope[SaveResult])
async def put_tariffs(
    platform: PlatformDep,
    body: Annotated[Tariff | list[Tariff], Body(description="One Tariff or a list.")],
) -> Response:
    """Create or replace our Tariffs in one transaction; changed ones are pushed (PUT).

    Every Tariff must belong to one of our CPO parties, or nothing is saved (2001).
    """
    return await saved(publish.save_tariffs(platform, body if isinstance(body, list) else [body]))


@router.delete(TARIFF, response_model=Envelope[None])
async def delete_tariff(
    country_code: str, party_id: str, tariff_id: str, platform: PlatformDep
) -> Response:
    """Delete one of our Tariffs here and at every partner (DELETE pushed).

    Refused with HTTP 409 while one of our Connectors still names it in `tariff_ids`
    (CONFORMANCE 223): save those Locations with another tariff first.
    """
    key = ObjectKey(country_code, party_id, tariff_id)
    await own_tariff(platform, key)
    await publish.delete_tariff(platform, key)
    return OcpiResponse()
