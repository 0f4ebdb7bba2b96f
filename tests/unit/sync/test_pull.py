"""Pure pieces of the pull engine: watermark, response time, page data, owner and log text."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from evroam.errors import PartnerProtocolError
from evroam.modules.locations.model import Location
from evroam.partners.client import OcpiAnswer
from evroam.partners.lifecycle import PartnerState
from evroam.partners.model import Partner, PartyRole
from evroam.settings import Settings
from evroam.storage.documents import ObjectKey
from evroam.sync.fetch import page_items
from evroam.sync.pull import next_watermark, response_time
from evroam.sync.settings import SyncSettings, sync_settings
from evroam.sync.store import describe, may_own, problems, raw_key

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def answer(data: Any) -> OcpiAnswer:
    return OcpiAnswer(data, 1000, None, httpx.Headers(), 200)


def partner(*roles: tuple[str, str, str]) -> Partner:
    return Partner(
        name="peer",
        state=PartnerState.REGISTERED,
        created_at=T0,
        updated_at=T0,
        roles=[PartyRole(*role) for role in roles],
    )


class TestNextWatermark:
    def test_newest_stored_object(self) -> None:
        assert next_watermark(None, T0, T0 + timedelta(hours=1)) == T0

    def test_never_beyond_the_first_response(self) -> None:
        future = T0 + timedelta(days=3)
        assert next_watermark(None, future, T0) == T0

    def test_never_moves_back(self) -> None:
        assert next_watermark(T0, T0 - timedelta(minutes=3), T0 + timedelta(hours=1)) == T0

    def test_nothing_returned_keeps_the_old_watermark(self) -> None:
        assert next_watermark(T0, None, T0 + timedelta(hours=1)) == T0

    def test_first_pull_with_nothing_returned_starts_at_the_response(self) -> None:
        assert next_watermark(None, None, T0) == T0


class TestResponseTime:
    def test_the_partners_date_header(self) -> None:
        found = response_time(httpx.Headers({"Date": "Sun, 01 Mar 2026 09:59:30 GMT"}), T0)
        assert found == T0 - timedelta(seconds=30)

    @pytest.mark.parametrize("value", [None, "yesterday", "Sun, 01 Mar 2026 09:59:30"])
    def test_our_clock_without_a_readable_date(self, value: str | None) -> None:
        assert response_time(httpx.Headers({"Date": value} if value else {}), T0) == T0


class TestPageItems:
    def test_a_list(self) -> None:
        assert page_items(answer([{"id": "1"}])) == [{"id": "1"}]

    def test_null_data_is_an_empty_page(self) -> None:
        assert page_items(answer(None)) == []

    def test_an_object_is_refused(self) -> None:
        with pytest.raises(PartnerProtocolError):
            page_items(answer({"id": "1"}))


class TestOwnership:
    def test_a_party_the_partner_carries_in_any_case(self) -> None:
        cpo = partner(("CPO", "NL", "CPO"))
        assert may_own(cpo, ObjectKey("nl", "cpo", "x"))
        assert not may_own(cpo, ObjectKey("DE", "CPO", "x"))

    def test_a_hub_speaks_for_every_party(self) -> None:
        assert may_own(partner(("HUB", "DE", "HUB")), ObjectKey("FR", "ABC", "x"))


class TestLogText:
    def test_names_the_object_without_its_content(self) -> None:
        item = {"country_code": "NL", "party_id": "CPO", "id": "LOC1", "secret": "t0ken"}
        assert describe(item) == "NL*CPO/LOC1"
        assert describe({}) == "?*?/?"

    def test_problems_name_fields_not_values(self) -> None:
        with pytest.raises(ValidationError) as caught:
            Location.model_validate({"country_code": "NL", "id": "x" * 40, "publish": "t0ken"})
        text = problems(caught.value)
        assert "id: string_too_long" in text
        assert "publish: bool_parsing" in text
        assert "t0ken" not in text
        assert "x" * 40 not in text

    def test_raw_key_only_from_strings(self) -> None:
        assert raw_key({"country_code": "nl", "party_id": "cpo", "id": "a"}) == [
            ObjectKey("NL", "CPO", "A")
        ]
        assert raw_key({"country_code": "NL", "party_id": 7, "id": "a"}) == []


class TestSettings:
    def test_defaults_until_the_group_is_declared(self) -> None:
        found = sync_settings(Settings())
        assert found == SyncSettings()
        assert found.overlap_seconds == 300

    def test_the_declared_group(self) -> None:
        class WithSync:
            sync = SyncSettings(interval_seconds=60)

        assert sync_settings(WithSync()).interval_seconds == 60
