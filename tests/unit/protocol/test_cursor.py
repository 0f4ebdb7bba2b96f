"""The keyset cursor of Sender lists and the spliced envelope (DIGEST §1.6; CONFORMANCE B.57,
B.66, B.72): used only for the query it was issued for, 2001 when it is not one of ours."""

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from evroam.errors import InvalidParameters
from evroam.protocol import pagination
from evroam.protocol.envelope import JsonText, dump_envelope, envelope, json_array
from evroam.protocol.pagination import PageEnd, PageRequest, encode_cursor, page_headers

URL = "https://cpo.example/ocpi/2.2.1/locations"
FROM, TO = "2019-01-01T00:00:00Z", "2019-02-01T00:00:00Z"


def request(
    offset: int | None = None,
    cursor: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> PageRequest:
    return pagination.page_request(
        offset=offset, limit=50, date_from=date_from, date_to=date_to, cap=100, cursor=cursor
    )


def next_query(headers: dict[str, str]) -> dict[str, list[str]]:
    link = headers["Link"]
    return parse_qs(urlsplit(link[1 : link.index(">")]).query)


class TestCursor:
    def test_a_cursor_reads_after_its_key_for_the_offset_it_was_issued_for(self) -> None:
        cursor = encode_cursor(request(), 5000, 5123)
        assert request(offset=5000, cursor=cursor).after == 5123

    def test_another_offset_gets_plain_offset_semantics(self) -> None:
        """A client that edits the offset of our Link asked for that offset."""
        cursor = encode_cursor(request(), 5000, 5123)
        page = request(offset=4000, cursor=cursor)
        assert (page.offset, page.after) == (4000, None)

    def test_other_date_filters_get_plain_offset_semantics(self) -> None:
        cursor = encode_cursor(request(date_from=FROM), 5000, 5123)
        assert request(offset=5000, cursor=cursor, date_from=FROM).after == 5123
        assert request(offset=5000, cursor=cursor, date_from=TO).after is None
        assert request(offset=5000, cursor=cursor).after is None

    @pytest.mark.parametrize(
        "cursor",
        [
            "!!!",
            "a" * 65,
            "not-base64-of-a-cursor",
            base64.urlsafe_b64encode(b"5000.5123").decode(),
            base64.urlsafe_b64encode(b"-1.5123.00000000").decode(),
            base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        ],
    )
    def test_a_cursor_not_of_ours_is_2001(self, cursor: str) -> None:
        """B.72."""
        with pytest.raises(InvalidParameters, match="cursor"):
            request(offset=5000, cursor=cursor)


class TestCursorLink:
    def test_link_carries_the_cursor_of_the_last_key_once_deep(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(pagination, "CURSOR_FROM", 1000)
        page = request(offset=950)
        headers = page_headers(
            url=URL, query="offset=950", page=page, returned=50, total=10, end=PageEnd(True, 987)
        )
        params = next_query(headers)
        assert (params["offset"], params["limit"]) == (["1000"], ["50"])
        assert request(offset=1000, cursor=params["cursor"][0]).after == 987

    def test_shallow_links_stay_plain(self) -> None:
        headers = page_headers(
            url=URL, query="", page=request(), returned=50, total=900, end=PageEnd(True, 50)
        )
        assert headers["Link"] == f'<{URL}?offset=50&limit=50>; rel="next"'

    def test_link_repeats_date_filters_beside_a_fresh_cursor(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """B.57 with a cursor."""
        monkeypatch.setattr(pagination, "CURSOR_FROM", 0)
        page = request(offset=50, date_from=FROM, date_to=TO)
        old = encode_cursor(page, 50, 10)
        query = f"date_from={FROM}&date_to={TO}&offset=50&limit=50&cursor={old}"
        headers = page_headers(
            url=URL, query=query, page=page, returned=50, total=1000, end=PageEnd(True, 99)
        )
        params = next_query(headers)
        assert (params["date_from"], params["date_to"]) == ([FROM], [TO])
        assert len(params["cursor"]) == 1
        follow = request(offset=100, cursor=params["cursor"][0], date_from=FROM, date_to=TO)
        assert follow.after == 99

    def test_the_page_says_whether_more_follow_not_the_total(self) -> None:
        """A count a moment old never ends a walk early, nor adds an empty page."""
        page = request()
        more = page_headers(
            url=URL, query="", page=page, returned=50, total=50, end=PageEnd(True, 7)
        )
        last = page_headers(
            url=URL, query="", page=page, returned=50, total=99, end=PageEnd(False, 7)
        )
        assert "Link" in more
        assert "Link" not in last

    def test_walking_cursor_links_visits_every_key_once(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """B.66: keys with gaps, read after the cursor's key, each exactly once."""
        monkeypatch.setattr(pagination, "CURSOR_FROM", 0)
        keys = [k for k in range(1, 400) if k % 3]
        seen: list[int] = []
        page = request()
        while True:
            start = keys.index(page.after) + 1 if page.after is not None else page.offset
            shown = keys[start : start + page.limit]
            seen += shown
            end = PageEnd(start + page.limit < len(keys), shown[-1] if shown else None)
            headers = page_headers(
                url=URL, query="", page=page, returned=len(shown), total=len(keys), end=end
            )
            if "Link" not in headers:
                break
            params = next_query(headers)
            page = request(offset=int(params["offset"][0]), cursor=params["cursor"][0])
        assert seen == keys


class TestSplicedEnvelope:
    def test_stored_json_text_is_spliced_in_as_the_same_data(self) -> None:
        documents: list[dict[str, object]] = [
            {"id": "L1", "name": "Café ☕", "n": 1.5},
            {"id": "L2", "evses": []},
        ]
        stored = [json.dumps(d) for d in documents]  # as a database hands it back (spaces, \\u)
        body = json.loads(dump_envelope(envelope(json_array(stored))))
        assert body["data"] == documents
        assert [list(d) for d in body["data"]] == [list(d) for d in documents]
        assert body["status_code"] == 1000
        assert list(body) == ["data", "status_code", "timestamp"]

    def test_spliced_bytes_equal_the_parsed_form_when_stored_compact(self) -> None:
        documents = [{"id": "L1", "name": "Café"}, {"id": "L2"}]
        stored = [json.dumps(d, separators=(",", ":"), ensure_ascii=False) for d in documents]
        parsed = envelope(documents)
        spliced = envelope(json_array(stored))
        spliced["timestamp"] = parsed["timestamp"]
        assert dump_envelope(spliced) == dump_envelope(parsed)

    def test_an_empty_list_is_an_empty_array(self) -> None:
        """A.17."""
        assert json.loads(dump_envelope(envelope(json_array([]))))["data"] == []
        assert isinstance(json_array([]), JsonText)
