"""Sessions rules, version-neutral (2.2.1 Sessions chapter 9; DIGEST §6.2, §6.3).

Receiver (eMSP): a partner's Sessions by owner party and id. PUT creates or replaces, its
charging_periods replacing ours (F.167, F.168); PATCH needs last_updated (F.171) and appends
the charging_periods it carries (F.169, F.170). The URL party must be carried by the partner
and equal the body's; ids must match (2001). A rejected request changes nothing.

A Session we hold as COMPLETED or INVALID is final (F.176): a later PUT or PATCH that would
change it is refused with 2001 and nothing is stored; one that changes nothing (the CPO
re-sending its final state) is answered 1000.

Sender (CPO): our Sessions, only those whose token belongs to a party the caller carries
(F.159: never another eMSP's).
"""

from typing import Any

from sqlalchemy import ColumnElement, Table

from evroam.errors import InvalidParameters, NotFound
from evroam.exchange import Exchange
from evroam.modules.locations.service import check_owner
from evroam.modules.patching import dump_patch, validate_patch
from evroam.modules.sessions.ingest import SessionFinal, SessionPatch, final, patcher
from evroam.modules.sessions.model import Session
from evroam.modules.sessions.publish import writing
from evroam.modules.sessions.repository import (
    Party,
    SessionRepository,
    of_parties,
    sessions,
)
from evroam.platform import Platform
from evroam.protocol.pagination import PageRequest
from evroam.protocol.types import ci_key
from evroam.storage.documents import ObjectKey, TextPage

PERIODS = "charging_periods"


# ── receiver: a partner's Sessions ─────────────────────────────────────────────────────────


async def get_received(platform: Platform, exchange: Exchange, key: ObjectKey) -> dict[str, Any]:
    check_owner(platform, exchange.partner, key.country_code, key.party_id)
    async with platform.sessions() as db:
        document = await SessionRepository(db).get_document(key)
    if document is None:
        raise NotFound(f"Unknown session {key.object_id}")
    return document


def check_ids(key: ObjectKey, values: dict[str, Any]) -> None:
    """URL and body name the same session (DIGEST §1.7: 2001 otherwise)."""
    for in_url, name in (
        (key.object_id, "id"),
        (key.country_code, "country_code"),
        (key.party_id, "party_id"),
    ):
        if name in values and ci_key(in_url) != ci_key(values[name]):
            raise InvalidParameters(
                f"URL names {in_url!r} but the body's {name} is {values[name]!r}"
            )


async def put_received(
    platform: Platform, exchange: Exchange, key: ObjectKey, session: Session
) -> bool:
    """Create or replace a partner's Session; True when created."""
    check_owner(platform, exchange.partner, key.country_code, key.party_id)
    check_ids(key, session.model_dump(include={"id", "country_code", "party_id"}))
    document = session.model_dump(mode="json", exclude_none=True)
    async with writing(platform, key) as db:
        repo = SessionRepository(db)
        row = await repo.row(key, for_update=True)
        if row is not None and final(row.document):
            if row.document == document:
                return False
            raise SessionFinal(f"Session {key.object_id} is {row.document['status']}: not replaced")
        return await repo.store(session, partner_id=exchange.partner.id)


async def patch_received(
    platform: Platform, exchange: Exchange, key: ObjectKey, data: dict[str, Any]
) -> None:
    """Change the given fields; charging_periods are appended, never replaced (ingest.py
    applies it, with the other PATCHes waiting, in one transaction)."""
    check_owner(platform, exchange.partner, key.country_code, key.party_id)
    changes = validate_patch(Session, data, required=("last_updated",))
    check_ids(key, changes)
    values = dump_patch(Session, changes)
    added = values.pop(PERIODS, None) or []
    patch = SessionPatch(key.normalised(), values, added, changes["last_updated"])
    await patcher(platform).submit(patch)


# ── sender: our Sessions, for the token owner only ─────────────────────────────────────────


def visible_parties(exchange: Exchange) -> list[Party]:
    """The caller's parties whose Sessions it may see: the sending party when the request
    names one (OCPI-from-*), else every party the connection carries."""
    if exchange.remote is not None:
        return [(exchange.remote.country_code, exchange.remote.party_id)]
    return [(role.country_code, role.party_id) for role in exchange.partner.roles]


def visible_to(exchange: Exchange) -> list[ColumnElement[bool]]:
    """Conditions selecting our Sessions this caller may see (F.159)."""
    return owned_by_caller(sessions, exchange)


def owned_by_caller(table: Table, exchange: Exchange) -> list[ColumnElement[bool]]:
    """Our rows of a table with token_country_code/token_party_id (Sessions, CDRs) that the
    caller may see: those of its parties' tokens, of the party it addressed if it did."""
    c = table.c
    conditions = [
        c.partner_id.is_(None),
        of_parties(c.token_country_code, c.token_party_id, visible_parties(exchange)),
    ]
    if exchange.addressed:
        conditions += [
            c.country_code == ci_key(exchange.local.country_code),
            c.party_id == ci_key(exchange.local.party_id),
        ]
    return conditions


async def list_own(platform: Platform, exchange: Exchange, page: PageRequest) -> TextPage:
    """GET list of the Sender: date_from is required for Sessions (F.158)."""
    if page.date_from is None:
        raise InvalidParameters("date_from is required when listing Sessions")
    async with platform.sessions() as db:
        return await SessionRepository(db).page_text(page, *visible_to(exchange))
