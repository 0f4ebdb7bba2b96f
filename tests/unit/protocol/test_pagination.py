"""Pagination parameters and headers (DIGEST §1.6; CONFORMANCE B.55–B.61, B.65, B.72)."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from evroam.errors import InvalidParameters
from evroam.protocol.pagination import PageRequest, page_headers, page_request

URL = "https://cpo.example/ocpi/2.2.1/locations"


def request(offset: int | None = None, limit: int | None = None, cap: int = 100) -> PageRequest:
    return page_request(offset=offset, limit=limit, date_from=None, date_to=None, cap=cap)


def next_query(headers: dict[str, str]) -> dict[str, list[str]]:
    link = headers["Link"]
    assert link.endswith('>; rel="next"')
    return parse_qs(urlsplit(link[1 : link.index(">")]).query)


class TestPageRequest:
    def test_offset_defaults_to_zero_and_limit_to_cap_when_omitted(self) -> None:
        """B.65."""
        page = request()
        assert (page.offset, page.limit, page.cap) == (0, 100, 100)

    def test_limit_is_capped_at_server_maximum(self) -> None:
        """B.59."""
        assert request(limit=2000).limit == 100

    @pytest.mark.parametrize(("offset", "limit"), [(-1, None), (None, 0), (None, -5)])
    def test_negative_or_zero_values_are_2001(self, offset: int | None, limit: int | None) -> None:
        """B.72."""
        with pytest.raises(InvalidParameters):
            request(offset=offset, limit=limit)

    def test_dates_are_parsed_as_ocpi_datetime(self) -> None:
        page = page_request(
            offset=None,
            limit=None,
            date_from="2019-01-01T00:00:00Z",
            date_to="2019-02-01T00:00:00",
            cap=10,
        )
        assert page.date_from == datetime(2019, 1, 1, tzinfo=UTC)
        assert page.date_to == datetime(2019, 2, 1, tzinfo=UTC)

    def test_bad_date_is_2001_naming_the_parameter(self) -> None:
        with pytest.raises(InvalidParameters, match="date_from"):
            page_request(
                offset=None, limit=None, date_from="2019-01-01T00:00:00+01:00", date_to=None, cap=10
            )


class TestPageHeaders:
    def test_total_and_limit_headers_on_every_page(self) -> None:
        """B.55, B.60: X-Limit is the cap even when fewer objects are returned."""
        headers = page_headers(url=URL, query="", page=request(limit=10), returned=3, total=3)
        assert headers["X-Total-Count"] == "3"
        assert headers["X-Limit"] == "100"
        assert "Link" not in headers

    def test_next_link_keeps_filters_and_advances_offset_when_more_objects_match(self) -> None:
        """B.56, B.57."""
        query = "date_from=2019-01-01T00%3A00%3A00Z&date_to=2019-02-01T00%3A00%3A00Z&limit=50"
        headers = page_headers(
            url=URL, query=query, page=request(offset=100, limit=50), returned=50, total=543
        )
        params = next_query(headers)
        assert params["offset"] == ["150"]
        assert params["limit"] == ["50"]
        assert params["date_from"] == ["2019-01-01T00:00:00Z"]
        assert params["date_to"] == ["2019-02-01T00:00:00Z"]
        assert headers["Link"].startswith(f"<{URL}?")

    def test_no_link_on_last_page(self) -> None:
        """B.58."""
        headers = page_headers(
            url=URL, query="offset=500", page=request(offset=500), returned=43, total=543
        )
        assert "Link" not in headers

    def test_link_limit_is_the_capped_limit_when_client_asked_for_more(self) -> None:
        """DIGEST §1.6: limit=2000 with cap 100 → Link …offset=100&limit=100."""
        headers = page_headers(
            url=URL, query="limit=2000", page=request(limit=2000), returned=100, total=250
        )
        assert next_query(headers)["limit"] == ["100"]
        assert next_query(headers)["offset"] == ["100"]

    def test_walking_the_links_visits_every_object_once(self) -> None:
        """B.66: pages built from the Link header cover 0..total-1 exactly once."""
        total, offset = 257, 0
        seen: list[int] = []
        query = ""
        while True:
            page = request(offset=offset, limit=25)
            returned = min(page.limit, total - page.offset)
            seen.extend(range(page.offset, page.offset + returned))
            headers = page_headers(url=URL, query=query, page=page, returned=returned, total=total)
            if "Link" not in headers:
                break
            offset = int(next_query(headers)["offset"][0])
        assert seen == list(range(total))
