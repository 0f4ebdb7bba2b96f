"""PartnerClient: outbound headers, envelope unwrapping, pages (CONFORMANCE A.4, A.6, A.19,
A.22–A.24, B.68)."""

import json
import uuid
from collections.abc import Callable

import httpx
import pytest

from evroam.errors import (
    PartnerHttpError,
    PartnerOcpiError,
    PartnerProtocolError,
    PartnerUnreachable,
)
from evroam.partners.client import PartnerClient, check_url, join_url, next_link
from evroam.protocol.auth import TokenEncoding
from evroam.protocol.context import RequestContext, current_context
from evroam.settings import HttpSettings

Handler = Callable[[httpx.Request], httpx.Response]


def ok(
    data: object = None, *, headers: dict[str, str] | None = None, omit: bool = False
) -> httpx.Response:
    body: dict[str, object] = {"status_code": 1000, "timestamp": "2026-01-01T00:00:00Z"}
    if not omit:
        body["data"] = data
    return httpx.Response(200, json=body, headers=headers)


def client(handler: Handler, encoding: TokenEncoding = TokenEncoding.BASE64) -> PartnerClient:
    return PartnerClient(
        token="example-token",
        encoding=encoding,
        http=HttpSettings(),
        transport=httpx.MockTransport(handler),
    )


class TestOutboundHeaders:
    async def test_every_request_carries_auth_ids_and_json_content_type(self) -> None:
        seen: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return ok()

        async with client(handler) as partner:
            await partner.get("http://p.test/a")
            await partner.put("http://p.test/b", {"x": 1})
            await partner.post("http://p.test/c", {"y": 2})
        assert [r.headers["Authorization"] for r in seen] == ["Token ZXhhbXBsZS10b2tlbg=="] * 3
        request_ids = [r.headers["X-Request-ID"] for r in seen]
        assert len(set(request_ids)) == 3
        for value in request_ids:
            uuid.UUID(value)
        assert all(r.headers["X-Correlation-ID"] for r in seen)
        assert seen[1].headers["Content-Type"] == "application/json"
        assert json.loads(seen[1].content) == {"x": 1}
        assert seen[2].headers["Content-Type"] == "application/json"

    async def test_raw_token_is_sent_to_legacy_peers(self) -> None:
        """A.6."""
        seen: list[str] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request.headers["Authorization"])
            return ok()

        async with client(handler, TokenEncoding.RAW) as partner:
            await partner.get("http://p.test/a")
        assert seen == ["Token example-token"]

    async def test_correlation_id_of_the_request_being_served_is_propagated(self) -> None:
        seen: list[str] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request.headers["X-Correlation-ID"])
            return ok()

        reset = current_context.set(RequestContext(request_id="r1", correlation_id="corr-42"))
        try:
            async with client(handler) as partner:
                await partner.get("http://p.test/a")
        finally:
            current_context.reset(reset)
        assert seen == ["corr-42"]


class TestUnwrap:
    async def test_success_without_data_is_accepted(self) -> None:
        """A.19: 1000 without `data`, or with data of any type, is fine."""
        async with client(lambda r: ok(omit=True)) as partner:
            answer = await partner.put("http://p.test/x", {})
        assert answer.data is None
        async with client(lambda r: ok("anything")) as partner:
            assert (await partner.put("http://p.test/x", {})).data == "anything"

    async def test_ocpi_error_status_raises_with_code(self) -> None:
        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(
                200, json={"status_code": 2001, "status_message": "bad", "timestamp": "x"}
            )

        async with client(handler) as partner:
            with pytest.raises(PartnerOcpiError) as caught:
                await partner.get("http://p.test/x")
        assert caught.value.status_code == 2001

    async def test_http_error_without_envelope_raises_http_error(self) -> None:
        async with client(
            lambda r: httpx.Response(502, text="<html>bad gateway</html>")
        ) as partner:
            with pytest.raises(PartnerHttpError) as caught:
                await partner.get("http://p.test/x")
        assert caught.value.http_status == 502

    async def test_http_error_with_envelope_raises_http_error(self) -> None:
        async with client(
            lambda r: httpx.Response(405, json={"status_code": 2000, "timestamp": "x"})
        ) as partner:
            with pytest.raises(PartnerHttpError) as caught:
                await partner.delete("http://p.test/x")
        assert caught.value.http_status == 405

    async def test_non_envelope_success_raises_protocol_error(self) -> None:
        async with client(lambda r: httpx.Response(200, json=[1, 2])) as partner:
            with pytest.raises(PartnerProtocolError):
                await partner.get("http://p.test/x")

    async def test_connection_failure_raises_unreachable(self) -> None:
        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("refused", request=request)

        async with client(handler) as partner:
            with pytest.raises(PartnerUnreachable):
                await partner.get("http://p.test/x")


class TestPages:
    async def test_follows_link_until_absent(self) -> None:
        """B.68."""

        def handler(request: httpx.Request) -> httpx.Response:
            offset = int(request.url.params.get("offset", "0"))
            items = list(range(offset, min(offset + 2, 5)))
            headers = {}
            if offset + 2 < 5:
                headers["Link"] = f'<http://p.test/list?offset={offset + 2}&limit=2>; rel="next"'
            return ok(items, headers=headers)

        async with client(handler) as partner:
            pages = [answer.data async for answer in partner.pages("http://p.test/list")]
        assert pages == [[0, 1], [2, 3], [4]]

    async def test_stops_when_link_points_back_to_a_seen_page(self) -> None:
        loop = {"Link": '<http://p.test/list>; rel="next"'}
        async with client(lambda r: ok([], headers=loop)) as partner:
            pages = [a async for a in partner.pages("http://p.test/list")]
        assert len(pages) == 1


class TestUrls:
    @pytest.mark.parametrize(
        ("link", "expected"),
        [
            ('<https://x/a?offset=2>; rel="next"', "https://x/a?offset=2"),
            ('<https://x/p>; rel="prev", <https://x/n>; rel="next"', "https://x/n"),
            ("<https://x/a>; rel=next", "https://x/a"),
            ("", None),
        ],
    )
    def test_next_link_is_read_from_link_header(self, link: str, expected: str | None) -> None:
        assert next_link(httpx.Headers({"Link": link} if link else {})) == expected

    def test_join_handles_slashes(self) -> None:
        assert (
            join_url("https://x/ocpi/locations/", "NL", "CPO") == "https://x/ocpi/locations/NL/CPO"
        )
        assert join_url("https://x/ocpi/locations", "/LOC1") == "https://x/ocpi/locations/LOC1"

    def test_check_url_refuses_other_schemes_and_plain_http_when_https_only(self) -> None:
        with pytest.raises(PartnerProtocolError):
            check_url("file:///etc/passwd", https_only=False)
        with pytest.raises(PartnerProtocolError):
            check_url("http://p.test/x", https_only=True)
        assert check_url("https://p.test/x", https_only=True) == "https://p.test/x"
