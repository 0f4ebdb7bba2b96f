"""Contract fixtures: two platforms in process (a CPO and an eMSP) reaching each other."""

from collections.abc import AsyncIterator, Callable

import pytest

from evroam.settings import Settings
from tests.support import HostRouter, Running, platforms

Pair = tuple[HostRouter, Running, Running]


@pytest.fixture
async def pair(make_settings: Callable[..., Settings]) -> AsyncIterator[Pair]:
    """`cpo` (NL*CPO) at http://cpo.test and `emsp` (DE*MSP) at http://emsp.test, unregistered."""
    cpo = make_settings("cpo", "CPO:NL:CPO")
    emsp = make_settings("emsp", "EMSP:DE:MSP")
    async with platforms(cpo, emsp) as (router, (a, b)):
        yield router, a, b
