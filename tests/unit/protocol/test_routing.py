"""Routing headers (DIGEST §1.3, §2.3; CONFORMANCE A.28)."""

import pytest

from evroam.errors import InvalidParameters
from evroam.protocol.routing import PartyRef, parse_routing, routing_headers


class TestParseRouting:
    def test_reads_both_pairs_case_insensitively(self) -> None:
        routing = parse_routing(
            {
                "ocpi-to-country-code": "nl",
                "ocpi-to-party-id": "tnm",
                "OCPI-from-country-code": "DE",
                "OCPI-from-party-id": "ABC",
            }
        )
        assert routing.to == PartyRef("NL", "TNM")
        assert routing.from_ == PartyRef("de", "abc")

    def test_absent_headers_give_no_parties(self) -> None:
        routing = parse_routing({})
        assert routing.to is None
        assert routing.from_ is None

    def test_half_a_pair_is_2001(self) -> None:
        with pytest.raises(InvalidParameters, match="together"):
            parse_routing({"OCPI-to-country-code": "NL"})

    @pytest.mark.parametrize(
        ("country", "party"), [("NLD", "TNM"), ("NL", "TN"), ("N1", "TNM"), ("NL", "T-M")]
    )
    def test_malformed_values_are_2001(self, country: str, party: str) -> None:
        with pytest.raises(InvalidParameters, match="Malformed"):
            parse_routing({"OCPI-to-country-code": country, "OCPI-to-party-id": party})


class TestRoutingHeaders:
    def test_from_and_to_are_written(self) -> None:
        headers = routing_headers(PartyRef("nl", "cpo"), PartyRef("DE", "MSP"))
        assert headers == {
            "OCPI-from-country-code": "NL",
            "OCPI-from-party-id": "CPO",
            "OCPI-to-country-code": "DE",
            "OCPI-to-party-id": "MSP",
        }

    def test_to_is_omitted_for_open_routing(self) -> None:
        assert "OCPI-to-party-id" not in routing_headers(PartyRef("NL", "CPO"), None)

    def test_party_refs_compare_case_insensitively(self) -> None:
        assert PartyRef("nl", "tnm") == PartyRef("NL", "TNM")
        assert str(PartyRef("nl", "tnm")) == "NL*TNM"
