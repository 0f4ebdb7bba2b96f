"""Pages made ready to store (sync/prepare.py), and where that happens (sync/workers.py):
CONFORMANCE B.70 (invalid objects skipped, the rest kept), unknown fields not re-emitted."""

import json
import os
import signal
from typing import Any

import httpx
import pytest

from evroam.modules.locations.model import Location
from evroam.sync.prepare import Rejected, prepare_page
from evroam.sync.workers import Preparer
from tests.contract.locations_support import location as location_document


def body(data: Any, status_code: Any = 1000) -> bytes:
    envelope = {"data": data, "status_code": status_code, "timestamp": "2026-11-01T00:00:00Z"}
    return json.dumps(envelope).encode()


def locations(count: int) -> list[dict[str, Any]]:
    return [location_document(f"loc{n}", "2026-03-01T10:00:00Z") for n in range(count)]


def prepare(content: bytes) -> Any:
    return prepare_page(Location, ("publish",), content)


class TestCleanPage:
    def test_every_object_written_once_as_the_model_writes_it(self) -> None:
        items = locations(3)
        page = prepare(body(items))
        assert page is not None
        assert (page.count, page.rejected) == (3, [])
        for item, prepared in zip(items, page.objects, strict=True):
            model = Location.model_validate(item)
            assert prepared.document == model.model_dump_json(exclude_none=True)
            assert prepared.last_updated == model.last_updated
            assert prepared.columns == {"publish": model.publish}

    def test_keys_compared_as_cistrings(self) -> None:
        page = prepare(body(locations(1)))
        assert page is not None
        assert page.objects[0].key == ("NL", "CPO", "LOC0")

    def test_unknown_fields_are_not_written(self) -> None:
        item = {**locations(1)[0], "x_vendor": {"secret": 1}}
        item["evses"][0]["x_other"] = True
        page = prepare(body([item]))
        assert page is not None
        assert "x_vendor" not in page.objects[0].document
        assert "x_other" not in page.objects[0].document

    @pytest.mark.parametrize("data", [None, []])
    def test_no_data_is_an_empty_page(self, data: Any) -> None:
        page = prepare(body(data))
        assert page is not None
        assert (page.objects, page.count) == ([], 0)


class TestInvalidObjects:
    def test_invalid_object_rejected_with_its_key_the_rest_kept(self) -> None:
        """B.70."""
        items = locations(3)
        items[1]["coordinates"] = {"latitude": "north", "longitude": "s3cret"}
        page = prepare(body(items))
        assert page is not None
        assert [p.key[2] for p in page.objects] == ["LOC0", "LOC2"]
        (rejected,) = page.rejected
        assert rejected.key == ("NL", "CPO", "LOC1")
        assert rejected.name == "NL*CPO/loc1"
        assert "coordinates.latitude" in rejected.why
        assert "s3cret" not in rejected.why
        assert page.count == 3

    def test_an_item_that_is_not_an_object(self) -> None:
        page = prepare(body([7, *locations(1)]))
        assert page is not None
        assert page.rejected == [Rejected(None, "?*?/?", "not a JSON object but int")]
        assert len(page.objects) == 1

    def test_unreadable_key_is_not_named(self) -> None:
        item = {**locations(1)[0], "id": 12}
        page = prepare(body([item]))
        assert page is not None
        assert page.rejected[0].key is None


class TestNotASuccessList:
    @pytest.mark.parametrize(
        "content",
        [
            body(None, 2001),
            body(locations(1), 3000),
            body({"id": "x"}),
            body(locations(1), "1000"),
            b"not json",
            b"[1, 2]",
        ],
    )
    def test_left_to_the_caller_to_unwrap(self, content: bytes) -> None:
        """The caller unwraps these for the PartnerError that says why (fetch.general_page)."""
        assert prepare(content) is None


def headers(total: int | None) -> httpx.Headers:
    return httpx.Headers({} if total is None else {"X-Total-Count": str(total)})


class TestPreparer:
    @pytest.mark.parametrize(("workers", "total"), [(0, 100_000), (2, None), (2, 4_999)])
    async def test_prepared_here_unless_large_with_workers(
        self, workers: int, total: int | None
    ) -> None:
        preparer = Preparer(Location, (), workers=workers, parallel_from=5000)
        assert preparer.start(body([]), headers(total)) is None
        assert preparer.pool is None
        page = preparer.here(body(locations(1)))
        assert page is not None
        assert len(page.objects) == 1

    async def test_a_large_pull_prepares_in_worker_processes(self) -> None:
        """The page showing the pull is large is prepared here while the workers start."""
        preparer = Preparer(Location, ("publish",), workers=1, parallel_from=5000)
        try:
            assert preparer.start(body(locations(1)), headers(5000)) is None
            assert preparer.pool is not None
            work = preparer.start(body(locations(2)), headers(5000))
            assert work is not None
            page = await work
            assert page == preparer.here(body(locations(2)))
        finally:
            await preparer.close()
        assert preparer.pool is None

    async def test_pages_prepared_here_once_the_workers_are_lost(self) -> None:
        """A worker killed (out of memory, an operator) does not fail the pull."""
        preparer = Preparer(Location, ("publish",), workers=1, parallel_from=0)
        try:
            assert preparer.start(body(locations(1)), headers(1)) is None  # the workers start
            first = preparer.start(body(locations(1)), headers(1))
            assert first is not None
            assert await preparer.result(first, body(locations(1))) is not None
            assert preparer.pool is not None
            for process in list(preparer.pool._processes.values()):
                assert process.pid is not None
                os.kill(process.pid, signal.SIGKILL)
                process.join()
            content = body(locations(2))
            work = preparer.start(content, headers(2))  # refused, or failing once under way
            page = preparer.here(content) if work is None else await preparer.result(work, content)
            assert page is not None
            assert len(page.objects) == 2
            assert preparer.lost
            assert preparer.start(content, headers(2)) is None
        finally:
            await preparer.close()
