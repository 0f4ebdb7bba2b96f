"""Property of the Sessions Receiver PATCH, over HTTP (hypothesis; CONFORMANCE F.166–F.171, F.176).

After a PUT and any sequence of valid PATCHes, the Receiver GET equals the Session with each
PATCH's fields replaced and its charging_periods appended (an empty or absent list appends
nothing); once the Session is COMPLETED or INVALID, a PATCH that would change it is refused
with 2001 and changes nothing.
"""

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contract.conftest import Pair
from tests.contract.locations_support import Link, held, link, status
from tests.contract.sessions_support import SESSIONS_RECEIVER, period, session

FINAL = ("COMPLETED", "INVALID")
SHARED_FIXTURES = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
moments = st.integers(0, 3599).map(lambda s: f"2026-03-01T11:{s // 60:02d}:{s % 60:02d}Z")
amounts = st.integers(0, 10**6).map(lambda n: n / 1000)
periods = st.lists(st.builds(lambda start, kwh: period(start, kwh), moments, amounts), max_size=3)
FIELDS: dict[str, Any] = {
    "kwh": amounts,
    "total_cost": st.builds(lambda e: {"excl_vat": e}, amounts),
    "status": st.sampled_from(["ACTIVE", "PENDING", "RESERVATION", "COMPLETED", "INVALID"]),
    "end_date_time": moments,
    "meter_id": st.text("ABCDEF0123456789", min_size=1, max_size=20),
    "authorization_reference": st.text("ABC123-", min_size=1, max_size=36),
    "charging_periods": periods,
}
patches = st.lists(
    st.fixed_dictionaries(
        {"last_updated": moments},
        optional=FIELDS,
    ),
    min_size=1,
    max_size=6,
)
numbers = itertools.count()


def merged(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """The Session after one PATCH: fields replaced, periods appended."""
    result = {**current, **{k: v for k, v in patch.items() if k != "charging_periods"}}
    added = patch.get("charging_periods") or []
    if added:
        result["charging_periods"] = [*(current.get("charging_periods") or []), *added]
    return result


@pytest.fixture
async def cpo_in(pair: Pair) -> Link:
    _, cpo, emsp = pair
    return await link(cpo, emsp)


class TestPatchSequences:
    @SHARED_FIXTURES
    @given(first=periods, sequence=patches)
    async def test_get_equals_the_merged_session_when_patched(
        self, cpo_in: Link, first: list[dict[str, Any]], sequence: list[dict[str, Any]]
    ) -> None:
        """F.166, F.169, F.170, F.176 (the fixture serves every example: one id each)."""
        session_id = f"P{next(numbers)}"
        path = f"{SESSIONS_RECEIVER}/NL/CPO/{session_id}"
        expected = session(session_id, charging_periods=first) if first else session(session_id)
        assert status(await cpo_in.put(path, expected)) == 1000
        for patch in sequence:
            candidate = merged(expected, patch)
            frozen = expected["status"] in FINAL and candidate != expected
            assert status(await cpo_in.patch(path, patch)) == (2001 if frozen else 1000)
            expected = expected if frozen else candidate
        got = await held(cpo_in, path)
        assert {**got, "charging_periods": got.get("charging_periods", [])} == {
            **expected,
            "charging_periods": expected.get("charging_periods", []),
        }
