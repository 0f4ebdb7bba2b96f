"""Our own CDRs (CPO): issued once, never changed, sent to the token owner's partner only.

`issue_cdr` stores the CDR (partner_id NULL) stamped with its creation time as last_updated
(the Sender's date filters mean creation time for CDRs, G.195) and queues one POST for the
partner carrying the token's party, in the same transaction (ARCHITECTURE, outbox; privacy).
A correction is a Credit CDR (`credit_cdr`, G.197, G.198), then a new CDR with a new id.
"""

from evroam.errors import EvroamError
from evroam.modules.cdrs.model import SESSION_ONLY_DIMENSIONS, Cdr
from evroam.modules.cdrs.repository import CdrRepository, cdrs, key_of
from evroam.platform import Platform
from evroam.protocol.timestamps import utc_now
from evroam.push.outbox import Change, enqueue
from evroam.push.owner import token_owner_partner
from evroam.storage.documents import ObjectKey
from evroam.tariffs.cdr_builder import build_credit_cdr

MODULE = "cdrs"
MAX_ID = 36  # a non-credit CDR id; 39 leaves room for a credit suffix (G.189)


def check_emittable(cdr: Cdr) -> None:
    """What we never send: a non-credit id over 36 characters (G.189), Session-only dimension
    types (G.193). FLAT is not a CdrDimensionType at all (G.194)."""
    if not cdr.credit and len(cdr.id) > MAX_ID:
        raise EvroamError(f"CDR id {cdr.id!r} is over {MAX_ID} characters (39 is for credits).")
    for period in cdr.charging_periods:
        used = {d.type for d in period.dimensions} & SESSION_ONLY_DIMENSIONS
        if used:
            names = ", ".join(sorted(used))
            raise EvroamError(f"CDR {cdr.id} carries Session-only dimensions ({names}).")


async def issue_cdr(platform: Platform, cdr: Cdr) -> Cdr:
    """Store a CDR of ours for good and queue its POST to the token owner's partner."""
    platform.check_own_cpo(f"CDR {cdr.id}", cdr.country_code, cdr.party_id)
    check_emittable(cdr)
    now = utc_now()
    issued = cdr.model_copy(update={"last_updated": now})
    async with platform.unit_of_work() as db:
        repo = CdrRepository(db)
        credited = ObjectKey(cdr.country_code, cdr.party_id, cdr.credit_reference_id or "")
        if cdr.credit and await find_own(repo, credited) is None:
            raise EvroamError(f"Credit CDR {cdr.id}: no CDR {cdr.credit_reference_id} of ours.")
        if not await repo.add(issued, partner_id=None, received_at=now):
            raise EvroamError(f"CDR {cdr.id} was issued already; a CDR never changes (G.197).")
        token = cdr.cdr_token
        owner = await token_owner_partner(db, MODULE, token.country_code, token.party_id)
        if owner is not None:
            change = Change(MODULE, key_of(issued), (issued.id,))
            await enqueue(db, [change], now=now, partners=[owner])
    platform.push_wakeup.set()
    return issued


async def credit_cdr(platform: Platform, key: ObjectKey, *, credit_id: str | None = None) -> Cdr:
    """Issue the Credit CDR of one of our CDRs: its data, a new id, total_cost negated."""
    async with platform.sessions() as db:
        original = await find_own(CdrRepository(db), key)
    if original is None:
        raise EvroamError(f"No CDR {key.object_id} of {key.country_code}*{key.party_id} of ours.")
    credit = build_credit_cdr(original, last_updated=utc_now(), credit_id=credit_id)
    return await issue_cdr(platform, credit)


async def find_own(repo: CdrRepository, key: ObjectKey) -> Cdr | None:
    """One of our CDRs (never a partner's under the same key), or None."""
    norm, c = key.normalised(), cdrs.c
    found = await repo.find_documents(
        c.partner_id.is_(None),
        c.country_code == norm.country_code,
        c.party_id == norm.party_id,
        c.object_id == norm.object_id,
    )
    return Cdr.model_validate(found[0]) if found else None
