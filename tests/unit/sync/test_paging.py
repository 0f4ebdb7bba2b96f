"""Choosing the next page of a pull: Link, offset arithmetic, drops and loops (DIGEST §1.6)."""

import httpx
import pytest

from evroam.errors import PartnerProtocolError
from evroam.sync import paging
from evroam.sync.paging import Crawl, PageHeaders, read_headers

BASE = "http://peer.test/locations"


def headers(
    link: str | None = None, total: int | None = None, limit: int | None = None
) -> PageHeaders:
    return PageHeaders(link=link, total=total, limit=limit)


def started(filters: dict[str, str] | None = None, limit: int | None = None) -> Crawl:
    """A crawl whose first page was asked."""
    crawl = Crawl(BASE, filters or {}, limit)
    crawl.first()
    return crawl


def params(url: str | None) -> dict[str, str]:
    assert url is not None
    return dict(httpx.URL(url).params)


class TestReadHeaders:
    def test_reads_link_total_and_limit(self) -> None:
        found = read_headers(
            httpx.Headers(
                {
                    "Link": f'<{BASE}?offset=2&limit=2>; rel="next"',
                    "X-Total-Count": "5",
                    "X-Limit": "2",
                }
            )
        )
        assert found == PageHeaders(f"{BASE}?offset=2&limit=2", 5, 2)

    @pytest.mark.parametrize("value", ["", "many", "-3", "2.5"])
    def test_unreadable_counts_are_none(self, value: str) -> None:
        found = read_headers(httpx.Headers({"X-Total-Count": value, "X-Limit": value}))
        assert found == PageHeaders(None, None, None)

    def test_zero_limit_is_no_limit(self) -> None:
        assert read_headers(httpx.Headers({"X-Limit": "0"})).limit is None


class TestFirstPage:
    def test_carries_the_filters_and_the_requested_limit(self) -> None:
        crawl = Crawl(BASE, {"date_from": "2026-01-01T00:00:00Z"}, limit=50)
        assert params(crawl.first()) == {"date_from": "2026-01-01T00:00:00Z", "limit": "50"}

    def test_without_filters_is_the_plain_url(self) -> None:
        assert Crawl(BASE, {}).first() == BASE


class TestAdvance:
    def test_follows_a_forward_link(self) -> None:
        crawl = started()
        link = f"{BASE}?offset=2&limit=2"
        assert crawl.advance(2, headers(link, 5, 2)) == link

    def test_stops_on_the_last_page(self) -> None:
        crawl = started()
        assert crawl.advance(2, headers(None, 2, 100)) is None

    def test_stops_on_an_empty_page_even_with_a_link(self) -> None:
        crawl = started()
        assert crawl.advance(0, headers(f"{BASE}?offset=0", 5, 2)) is None

    def test_offset_arithmetic_without_link_while_total_says_more(self) -> None:
        crawl = started({"date_from": "2026-01-01T00:00:00Z"})
        url = crawl.advance(2, headers(None, 5, 2))
        assert params(url) == {"date_from": "2026-01-01T00:00:00Z", "offset": "2", "limit": "2"}
        assert params(crawl.advance(2, headers(None, 5, 2)))["offset"] == "4"
        assert crawl.advance(1, headers(None, 5, 2)) is None

    @pytest.mark.parametrize(
        "link", ["garbage", "/relative?offset=2", "ftp://peer.test/x?offset=2", "http://"]
    )
    def test_broken_link_falls_back_to_offset_arithmetic(self, link: str) -> None:
        crawl = started()
        assert params(crawl.advance(3, headers(link, 9, 3))) == {"offset": "3", "limit": "3"}

    def test_link_pointing_back_falls_back_to_offset_arithmetic(self) -> None:
        crawl = started()
        crawl.advance(2, headers(f"{BASE}?offset=2&limit=2", 6, 2))
        again = crawl.advance(2, headers(f"{BASE}?offset=0&limit=2", 6, 2))
        assert params(again) == {"offset": "4", "limit": "2"}

    def test_a_link_already_fetched_is_not_followed_again(self) -> None:
        crawl = started()
        cursor = f"{BASE}?cursor=abc"
        assert crawl.advance(2, headers(cursor, None, 2)) == cursor
        assert crawl.advance(2, headers(cursor, None, 2)) is None

    def test_x_limit_below_the_request_sets_the_page_size(self) -> None:
        crawl = started(limit=100)
        assert params(crawl.advance(10, headers(None, 30, 10))) == {"offset": "10", "limit": "10"}

    def test_total_dropping_steps_back_by_the_drop(self) -> None:
        crawl = started()
        crawl.advance(3, headers(f"{BASE}?offset=3&limit=3", 9, 3))
        url = crawl.advance(3, headers(f"{BASE}?offset=6&limit=3", 8, 3))
        assert params(url) == {"offset": "2", "limit": "3"}

    def test_total_growing_changes_nothing(self) -> None:
        crawl = started()
        link = f"{BASE}?offset=3&limit=3"
        assert crawl.advance(3, headers(link, 10, 3)) == link

    def test_a_partner_paging_forever_is_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(paging, "MAX_PAGES", 3)
        crawl = started()
        crawl.advance(1, headers(None, 100, 1))
        crawl.advance(1, headers(None, 100, 1))
        with pytest.raises(PartnerProtocolError):
            crawl.advance(1, headers(None, 100, 1))
