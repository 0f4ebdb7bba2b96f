"""CDRs rules, version-neutral (2.2.1 CDRs chapter 10; DIGEST §7.3, §7.4).

Receiver (eMSP): a partner POSTs each CDR once; we store it (never replaced, G.197) and
answer with the URL where it can be fetched (G.186, G.187). The CDR's party must be one the
partner carries. A repeated POST of a stored CDR creates nothing and is answered 1000 with the
same URL (G.211); a different CDR under a stored id is refused with 2001 (a CDR never changes:
corrections are Credit CDRs with their own ids).

Sender (CPO): our CDRs, only those whose token belongs to a party the caller carries (G.196).
"""

from typing import Any

from sqlalchemy import ColumnElement

from evroam.errors import InvalidParameters, NotFound
from evroam.exchange import Exchange
from evroam.modules.cdrs.model import Cdr
from evroam.modules.cdrs.repository import CdrRepository, cdrs, key_of
from evroam.modules.locations.service import check_owner
from evroam.modules.sessions.service import owned_by_caller
from evroam.platform import Platform
from evroam.protocol.pagination import PageRequest
from evroam.protocol.timestamps import utc_now
from evroam.storage.documents import ObjectKey, TextPage


def _same_cdr(stored: dict[str, Any], new: dict[str, Any]) -> bool:
    """The same CDR sent again (its last_updated may be stamped anew by a retrying CPO)."""
    return {**stored, "last_updated": None} == {**new, "last_updated": None}


async def post_received(platform: Platform, exchange: Exchange, cdr: Cdr) -> bool:
    """Store a partner's CDR once; True when stored now, False when it was already."""
    try:
        check_owner(platform, exchange.partner, cdr.country_code, cdr.party_id)
    except NotFound as exc:
        raise InvalidParameters(exc.message) from exc
    async with platform.unit_of_work() as db:
        repo = CdrRepository(db)
        if await repo.add(cdr, partner_id=exchange.partner.id, received_at=utc_now()):
            return True
        stored = await repo.get_document(key_of(cdr))
    document = cdr.model_dump(mode="json", exclude_none=True)
    if stored is None or not _same_cdr(stored, document):
        raise InvalidParameters(
            f"CDR {cdr.id} is stored already with other data: a CDR never changes;"
            " send a Credit CDR with a new id"
        )
    return False


async def get_received(platform: Platform, exchange: Exchange, key: ObjectKey) -> dict[str, Any]:
    """A partner's CDR as we stored it (the URL our POST answer gave)."""
    check_owner(platform, exchange.partner, key.country_code, key.party_id)
    norm, c = key.normalised(), cdrs.c
    async with platform.sessions() as db:
        found = await CdrRepository(db).find_documents(
            c.partner_id.is_not(None),
            c.country_code == norm.country_code,
            c.party_id == norm.party_id,
            c.object_id == norm.object_id,
        )
    if not found:
        raise NotFound(f"Unknown CDR {key.object_id}")
    return found[0]


def visible_to(exchange: Exchange) -> list[ColumnElement[bool]]:
    """Our CDRs this caller may see: those of its parties' tokens (G.196)."""
    return owned_by_caller(cdrs, exchange)


async def list_own(platform: Platform, exchange: Exchange, page: PageRequest) -> TextPage:
    """GET list of the Sender, filtered on creation time (G.195)."""
    async with platform.sessions() as db:
        return await CdrRepository(db).page_text(page, *visible_to(exchange))
