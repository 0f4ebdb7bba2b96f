"""Our own Sessions and CDRs (CPO): the service the charging flow calls, and their push to the
token owner's partner only (issue #5 items 2–4; CONFORMANCE F.176–F.183, G.193, G.197, G.198).

The CPO NL*CPO is registered with two eMSPs, DE*MSP and FR*OTH. A session started with
DE*MSP's token travels to DE*MSP alone: FR*OTH never receives a request about it.
"""

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from evroam.errors import EvroamError
from evroam.model import Price
from evroam.modules.cdrs.model import Cdr, ChargingPeriod
from evroam.modules.cdrs.publish import credit_cdr, issue_cdr
from evroam.modules.cdrs.repository import CdrRepository
from evroam.modules.sessions.lifecycle import SessionUpdate
from evroam.modules.sessions.model import Session, SessionStatus
from evroam.modules.sessions.publish import (
    complete_session,
    invalidate_session,
    open_session,
    update_session,
)
from evroam.modules.sessions.repository import SessionRepository, sessions
from evroam.platform import Platform
from evroam.push.outbox import Change, enqueue
from evroam.push.worker import OutboxWorker
from evroam.settings import Settings
from evroam.storage.documents import ObjectKey
from evroam.storage.tables import outbox
from tests.contract.locations_support import data, held
from tests.contract.sessions_support import (
    CDRS_RECEIVER,
    SESSIONS_RECEIVER,
    Roaming,
    cdr,
    period,
    roaming,
    session,
    token,
)
from tests.support import Running, platforms

KEY = ObjectKey("NL", "CPO", "S1")
S1 = f"{SESSIONS_RECEIVER}/NL/CPO/S1"
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
S = SessionStatus


@pytest.fixture
async def cpo(make_settings: Callable[..., Settings]) -> AsyncIterator[Platform]:
    """A CPO platform alone (no partners): the lifecycle of its own sessions."""
    async with platforms(make_settings("cpo", "CPO:NL:CPO")) as (_, (running,)):
        yield running.platform


@pytest.fixture
async def net(make_settings: Callable[..., Settings]) -> AsyncIterator[Roaming]:
    async with roaming(make_settings) as found:
        yield found


def own(**extra: Any) -> Session:
    return Session.model_validate(session(**extra))


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def periods(*starts: int) -> list[ChargingPeriod]:
    return [ChargingPeriod.model_validate(period(_stamp(minutes(n)), 1)) for n in starts]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


async def drain(net: Roaming) -> int:
    worker = net.cpo.app.state.outbox
    assert isinstance(worker, OutboxWorker)
    return await worker.drain()


def sent(net: Roaming, host: str, method: str | None = None) -> list[httpx.Request]:
    return [
        r
        for r in net.router.requests
        if r.url.host == host and (method is None or r.method == method)
    ]


def body_of(request: httpx.Request) -> Any:
    return httpx.Response(200, content=request.content).json()


async def ours(cpo: Platform, key: ObjectKey = KEY) -> Session:
    """One of our sessions as stored."""
    async with cpo.sessions() as db:
        found = await SessionRepository(db).get(key)
    assert found is not None
    return found


async def our_document(net: Roaming) -> dict[str, Any]:
    return (await ours(net.cpo.platform)).model_dump(mode="json", exclude_none=True)


async def count(running: Running, table: Any) -> int:
    async with running.platform.sessions() as db:
        return int((await db.execute(select(func.count()).select_from(table))).scalar_one())


# ── lifecycle of our sessions ──────────────────────────────────────────────────────────────


class TestSessionLifecycle:
    async def test_start_moves_to_activation_when_pending_becomes_active(
        self, cpo: Platform
    ) -> None:
        """F.177."""
        await open_session(cpo, own(status="PENDING"))
        active = await update_session(cpo, KEY, SessionUpdate(at=minutes(3), status=S.ACTIVE))
        assert (active.status, active.start_date_time) == (S.ACTIVE, minutes(3))

    async def test_reservation_becomes_active_with_its_evse_when_used(self, cpo: Platform) -> None:
        """F.181, F.179: `#NA` while reserved without EVSE, assigned when charging starts."""
        await open_session(cpo, own(status="RESERVATION", evse_uid="#NA", connector_id="#NA"))
        with pytest.raises(EvroamError, match="#NA"):
            await update_session(cpo, KEY, SessionUpdate(status=S.ACTIVE))
        change = SessionUpdate(at=minutes(5), status=S.ACTIVE, evse_uid="EVSE1", connector_id="1")
        active = await update_session(cpo, KEY, change)
        assert (active.status, active.evse_uid, active.start_date_time) == (S.ACTIVE, "EVSE1", T0)

    async def test_reservation_completes_when_unused(self, cpo: Platform) -> None:
        """F.181: an expired reservation ends COMPLETED, at the expiry."""
        await open_session(cpo, own(status="RESERVATION"))
        done = await complete_session(cpo, KEY, at=minutes(15))
        assert (done.status, done.end_date_time) == (S.COMPLETED, minutes(15))

    async def test_refused_when_not_available_outside_reservation(self, cpo: Platform) -> None:
        """F.179."""
        for status in ("PENDING", "ACTIVE"):
            with pytest.raises(EvroamError, match="#NA"):
                await open_session(cpo, own(status=status, evse_uid="#NA"))

    async def test_never_modified_when_final(self, cpo: Platform) -> None:
        """F.176: COMPLETED and INVALID are final."""
        for number, end in enumerate((complete_session, invalidate_session)):
            key = ObjectKey("NL", "CPO", f"F{number}")
            await open_session(cpo, own(session_id=key.object_id))
            final = await end(cpo, key, at=minutes(30))
            for change in (SessionUpdate(kwh=Decimal(9)), SessionUpdate(status=S.ACTIVE)):
                with pytest.raises(EvroamError, match="no longer changes"):
                    await update_session(cpo, key, change)
            assert await ours(cpo, key) == final

    async def test_refused_when_transition_not_allowed(self, cpo: Platform) -> None:
        for number, (start, target) in enumerate(
            (("ACTIVE", S.PENDING), ("ACTIVE", S.RESERVATION), ("PENDING", S.RESERVATION))
        ):
            key = ObjectKey("NL", "CPO", f"T{number}")
            await open_session(cpo, own(session_id=key.object_id, status=start))
            with pytest.raises(EvroamError, match="cannot go"):
                await update_session(cpo, key, SessionUpdate(status=target))

    async def test_refused_when_opened_final_twice_or_not_ours(self, cpo: Platform) -> None:
        with pytest.raises(EvroamError, match="opens"):
            await open_session(cpo, own(status="COMPLETED"))
        with pytest.raises(EvroamError, match="not one of this platform"):
            await open_session(cpo, own(country_code="FR", party_id="OTH"))
        await open_session(cpo, own())
        with pytest.raises(EvroamError, match="exists"):
            await open_session(cpo, own())

    async def test_last_authorization_reference_kept_when_given(self, cpo: Platform) -> None:
        """F.178: the eMSP's latest reference (a StartSession after a ReserveNow)."""
        await open_session(cpo, own(authorization_reference="RESERVE-1"))
        updated = await update_session(cpo, KEY, SessionUpdate(authorization_reference="START-2"))
        assert updated.authorization_reference == "START-2"

    async def test_nothing_changes_when_update_is_the_same(self, cpo: Platform) -> None:
        """No change, no last_updated bump, nothing queued."""
        opened = await open_session(cpo, own(kwh=2))
        same = await update_session(cpo, KEY, SessionUpdate(kwh=Decimal(2), status=S.ACTIVE))
        assert same == opened


# ── push to the token owner's partner ──────────────────────────────────────────────────────


class TestSessionPush:
    async def test_put_then_patches_reach_only_the_token_owner(self, net: Roaming) -> None:
        """F.182, issue #5 item 4: PUT when new, PATCH of changes; FR*OTH receives nothing."""
        platform = net.cpo.platform
        await open_session(platform, own(status="PENDING"))
        assert await drain(net) == 1
        await update_session(platform, KEY, SessionUpdate(at=minutes(1), status=S.ACTIVE))
        await update_session(
            platform,
            KEY,
            SessionUpdate(
                at=minutes(10),
                kwh=Decimal("2.5"),
                total_cost=Price(excl_vat=Decimal("0.63")),
                charging_periods=periods(1, 5),
            ),
        )
        assert await drain(net) == 1  # the two updates coalesced into one PATCH
        [put] = sent(net, "emsp.test", "PUT")
        [patch] = sent(net, "emsp.test", "PATCH")
        assert (put.url.path, patch.url.path) == (S1, S1)
        assert set(body_of(patch)) == {
            "status",
            "start_date_time",
            "kwh",
            "total_cost",
            "charging_periods",
            "last_updated",
        }
        assert patch.headers["OCPI-to-country-code"] == "DE"
        assert await held(net.cpo_at_emsp, S1) == await our_document(net)
        assert sent(net, "other.test") == []
        assert await count(net.other, sessions) == 0

    async def test_each_period_sent_once_when_patched_repeatedly(self, net: Roaming) -> None:
        """F.182, F.183: each PATCH appends only the periods the eMSP does not hold yet."""
        platform = net.cpo.platform
        await open_session(platform, own(charging_periods=[period()]))
        await drain(net)
        for n in (10, 20, 30):
            change = SessionUpdate(at=minutes(n), charging_periods=periods(n), kwh=Decimal(n))
            await update_session(platform, KEY, change)
            await drain(net)
        patches = sent(net, "emsp.test", "PATCH")
        assert [len(body_of(p)["charging_periods"]) for p in patches] == [1, 1, 1]
        held_now = await held(net.cpo_at_emsp, S1)
        assert held_now == await our_document(net)
        assert len(held_now["charging_periods"]) == 4

    async def test_put_instead_of_patch_when_answer_was_lost(self, net: Roaming) -> None:
        """A PATCH with periods whose answer never came: the eMSP may hold them, so the next
        delivery replaces the whole Session (PUT) rather than appending them again."""
        platform = net.cpo.platform
        await open_session(platform, own())
        await drain(net)
        real = net.router.apps["emsp.test"]
        net.router.apps["emsp.test"] = _AnswerLost(real)
        await update_session(
            platform, KEY, SessionUpdate(at=minutes(5), charging_periods=periods(5))
        )
        await drain(net)
        net.router.apps["emsp.test"] = real
        await _make_due(net.cpo)
        await drain(net)
        methods = [r.method for r in sent(net, "emsp.test")]
        assert methods == ["PUT", "PATCH", "PUT"]
        held_now = await held(net.cpo_at_emsp, S1)
        assert held_now == await our_document(net)
        assert len(held_now["charging_periods"]) == 1

    async def test_nothing_queued_when_no_partner_carries_the_token(self, net: Roaming) -> None:
        """Privacy: a token of a party nobody here speaks for is nobody's business."""
        await open_session(net.cpo.platform, own(cdr_token=token("BE", "XYZ")))
        assert await count(net.cpo, outbox) == 0

    async def test_final_state_delivered_when_completed(self, net: Roaming) -> None:
        """F.176, F.182: the final update reaches the eMSP; nothing follows it."""
        platform = net.cpo.platform
        await open_session(platform, own())
        await drain(net)
        await complete_session(
            platform, KEY, at=minutes(40), kwh=Decimal(11), charging_periods=periods(1)
        )
        await drain(net)
        held_now = await held(net.cpo_at_emsp, S1)
        assert (held_now["status"], held_now["kwh"]) == ("COMPLETED", 11)
        assert held_now == await our_document(net)


class _AnswerLost(httpx.AsyncBaseTransport):
    """Delivers a PATCH to the real receiver, then loses the answer (a read timeout)."""

    def __init__(self, real: httpx.AsyncBaseTransport) -> None:
        self.real = real

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.real.handle_async_request(request)
        if request.method == "PATCH":
            raise httpx.ReadTimeout("answer lost", request=request)
        return response


async def _make_due(running: Running) -> None:
    async with running.platform.unit_of_work() as db:
        await db.execute(update(outbox).values(due_at=datetime(2000, 1, 1, tzinfo=UTC)))


# ── our CDRs ───────────────────────────────────────────────────────────────────────────────


class TestCdrPush:
    async def test_posted_once_to_the_token_owner_only(self, net: Roaming) -> None:
        """G.186 from our side, issue #5 item 4: one POST to DE*MSP; its Location kept."""
        issued = await issue_cdr(net.cpo.platform, Cdr.model_validate(cdr()))
        assert await drain(net) == 1
        [post] = sent(net, "emsp.test", "POST")
        assert post.url.path == CDRS_RECEIVER
        async with net.cpo.platform.sessions() as db:
            pushed_at, location = await CdrRepository(db).push_state(
                ObjectKey("NL", "CPO", "CDR1")
            ) or (None, None)
        assert pushed_at is not None
        assert location == f"http://emsp.test{CDRS_RECEIVER}/NL/CPO/CDR1"
        stored = await held(net.cpo_at_emsp, location.removeprefix("http://emsp.test"))
        assert stored == issued.model_dump(mode="json", exclude_none=True)
        assert sent(net, "other.test") == []

    async def test_not_posted_again_when_queued_again(self, net: Roaming) -> None:
        """G.197: a CDR is sent once."""
        await issue_cdr(net.cpo.platform, Cdr.model_validate(cdr()))
        await drain(net)
        async with net.cpo.platform.unit_of_work() as db:
            change = Change("cdrs", ObjectKey("NL", "CPO", "CDR1"), ("CDR1",))
            await enqueue(db, [change], now=datetime.now(UTC))
        await drain(net)
        assert len(sent(net, "emsp.test", "POST")) == 1

    async def test_credit_cdr_negates_and_follows_the_original(self, net: Roaming) -> None:
        """G.197, G.198: a new id, credit and its reference, total_cost negated, same data."""
        await issue_cdr(net.cpo.platform, Cdr.model_validate(cdr()))
        credit = await credit_cdr(net.cpo.platform, ObjectKey("NL", "CPO", "CDR1"))
        await drain(net)
        assert (credit.id, credit.credit, credit.credit_reference_id) == ("CDR1-C", True, "CDR1")
        assert credit.total_cost == Price(excl_vat=Decimal("-0.375"), incl_vat=Decimal("-0.45"))
        assert credit.charging_periods == Cdr.model_validate(cdr()).charging_periods
        posted = [body_of(r)["id"] for r in sent(net, "emsp.test", "POST")]
        assert sorted(posted) == ["CDR1", "CDR1-C"]
        assert data(await net.cpo_at_emsp.get(f"{CDRS_RECEIVER}/NL/CPO/CDR1-C"))["credit"] is True
        assert sent(net, "other.test") == []

    async def test_other_emsps_cdr_goes_to_it_alone(self, net: Roaming) -> None:
        """Privacy both ways: FR*OTH's CDR reaches FR*OTH and not DE*MSP."""
        await issue_cdr(net.cpo.platform, Cdr.model_validate(cdr(cdr_token=token("FR", "OTH"))))
        await drain(net)
        assert len(sent(net, "other.test", "POST")) == 1
        assert sent(net, "emsp.test") == []
