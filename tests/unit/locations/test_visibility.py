"""Which Token a PublishTokenType names (Locations §8.4.20; CONFORMANCE E.154)."""

from typing import Any

import pytest

from evroam.modules.locations.visibility import audience_of, matches

CARD = {
    "uid": "0A1B2C3D",
    "type": "RFID",
    "visual_number": "12345-67",
    "issuer": "NewMotion",
    "group_id": "Staff-1",
}


@pytest.mark.parametrize(
    "allowed",
    [
        {"uid": "0a1b2c3d", "type": "RFID"},
        {"visual_number": "12345-67", "issuer": "NewMotion"},
        {"group_id": "STAFF-1"},
        {"uid": "0A1B2C3D", "type": "RFID", "group_id": "staff-1"},
    ],
)
def test_every_set_field_equal_matches_e154(allowed: dict[str, Any]) -> None:
    assert matches(allowed, CARD)


@pytest.mark.parametrize(
    "allowed",
    [
        {"uid": "0A1B2C3D", "type": "APP_USER"},
        {"visual_number": "12345-67", "issuer": "newmotion"},  # a string, not a CiString
        {"group_id": "STAFF-2"},
        {"uid": "0A1B2C3D", "type": "RFID", "group_id": "STAFF-2"},
    ],
)
def test_one_differing_field_does_not_match_e154(allowed: dict[str, Any]) -> None:
    assert not matches(allowed, CARD)


def test_a_token_without_the_field_does_not_match_e154() -> None:
    assert not matches({"group_id": "STAFF-1"}, {"uid": "X", "type": "RFID"})
    assert not matches({"group_id": "None"}, {"uid": "X", "type": "RFID"})


def test_only_unpublished_locations_have_an_audience() -> None:
    allowed = [{"group_id": "G"}]
    assert audience_of({"publish": False, "publish_allowed_to": allowed}) == allowed
    assert audience_of({"publish": True}) == []
    assert audience_of({"publish": False}) == []
