"""Management: the reconciliation statement of a partner's CDRs (as `evroam reconcile`)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from evroam.deps import PlatformDep
from evroam.errors import InvalidParameters
from evroam.management.auth import Admin
from evroam.modules.cdrs.statement import Statement, day_span, partner_statement
from evroam.protocol.envelope import Envelope, OcpiResponse

router = APIRouter(prefix="/reconciliation", tags=["management"], dependencies=[Admin])


@router.get("", response_model=Envelope[Statement])
async def get_reconciliation(
    platform: PlatformDep,
    partner: Annotated[str, Query(description="The partner (CPO) whose CDRs.")],
    first: Annotated[date, Query(alias="from", description="First day (UTC) of session starts.")],
    last: Annotated[date, Query(alias="to", description="Last day (UTC), included.")],
) -> Response:
    """Price the partner's CDRs again, store each result with its CDR, return the statement."""
    if last < first:
        raise InvalidParameters("`to` is before `from`")
    start, end = day_span(first, last)
    return OcpiResponse(await partner_statement(platform, partner, start, end))
