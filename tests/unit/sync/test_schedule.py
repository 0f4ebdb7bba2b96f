"""Choosing partners and starting the scheduled pull in the server."""

import asyncio
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from evroam.partners.lifecycle import PartnerState
from evroam.partners.model import Endpoint, InterfaceRole, Partner
from evroam.sync.schedule import MODULES, publishing, splayed, sync_tasks
from evroam.sync.settings import SyncSettings

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def partner(
    name: str, state: PartnerState, *endpoints: tuple[str, InterfaceRole | None]
) -> Partner:
    return Partner(
        name=name,
        state=state,
        created_at=T0,
        updated_at=T0,
        endpoints=[Endpoint(m, role, f"http://{name}.test/{m}") for m, role in endpoints],
    )


def platform(**sync: Any) -> Any:
    return SimpleNamespace(settings=SimpleNamespace(sync=SyncSettings(**sync)))


class TestPublishing:
    def test_connected_partners_with_the_sender_interface(self) -> None:
        partners = [
            partner("cpo", PartnerState.REGISTERED, ("locations", InterfaceRole.SENDER)),
            partner("old", PartnerState.REGISTERED, ("locations", None)),
            partner("emsp", PartnerState.REGISTERED, ("locations", InterfaceRole.RECEIVER)),
            partner("gone", PartnerState.UNREGISTERED, ("locations", InterfaceRole.SENDER)),
        ]
        assert [p.name for p in publishing(partners, "locations")] == ["cpo", "old"]
        assert publishing(partners, "tariffs") == []

    def test_both_modules_are_pulled(self) -> None:
        assert set(MODULES) == {"locations", "tariffs"}


class TestSyncTasks:
    async def test_none_when_disabled(self) -> None:
        assert sync_tasks(platform(enabled=False)) == []

    async def test_one_background_task_when_enabled(self) -> None:
        tasks = sync_tasks(platform(splay_seconds=60))
        assert [t.get_name() for t in tasks] == ["evroam-sync"]
        await asyncio.sleep(0)
        assert not tasks[0].done()  # waiting for its splayed first run
        tasks[0].cancel()
        with pytest.raises(asyncio.CancelledError):
            await tasks[0]


def test_splay_stays_within_ten_percent() -> None:
    values = [splayed(100) for _ in range(200)]
    assert all(90 <= v <= 110 for v in values)
    assert len(set(values)) > 1
