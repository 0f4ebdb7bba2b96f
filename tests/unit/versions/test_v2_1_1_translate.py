"""What the 2.1.1 edge sends of a CDR (versions/v2_1_1/translate.py `cdr_out`): never a credit
CDR, never an id over 2.1.1's 36 characters, only Tariffs 2.1.1 can state (G.213, O.373)."""

import pytest

from evroam.versions.v2_1_1.cdrs import location_from_cdr_location
from evroam.versions.v2_1_1.tariffs import Unsendable
from evroam.versions.v2_1_1.translate import cdr_out
from tests.examples import example

CDR = example("cdr_example.json")
LOCATION = location_from_cdr_location(CDR["cdr_location"], CDR["last_updated"])


def test_a_credit_cdr_is_not_sent() -> None:
    """2.1.1 has no credit CDRs: the peer would bill the driver a second time."""
    with pytest.raises(Unsendable, match="credit"):
        cdr_out(CDR | {"credit": True, "credit_reference_id": "ORIG1"}, LOCATION)


def test_an_id_longer_than_36_characters_is_not_sent() -> None:
    with pytest.raises(Unsendable, match="36"):
        cdr_out(CDR | {"id": "X" * 37}, LOCATION)


def test_tariffs_2_1_1_cannot_state_are_left_out_not_sent_empty() -> None:
    """2.1.1 Tariff.elements is `+`: an ad hoc Tariff goes, a regular one stays."""
    regular = example("tariff_1_simple_2hour.json")
    ad_hoc = example("tariff_2_alt_text.json")
    assert ad_hoc["type"] == "AD_HOC_PAYMENT"
    sent = cdr_out(CDR | {"tariffs": [ad_hoc, regular]}, LOCATION)
    assert [t["id"] for t in sent["tariffs"]] == [regular["id"]]
    assert all(t["elements"] for t in sent["tariffs"])
    assert "credit" not in sent
