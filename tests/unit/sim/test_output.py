"""NDJSON and JSON-array streams, and where the tariffs file goes."""

import io
import json
from pathlib import Path

import pytest

from evroam.sim.output import Format, format_for, tariffs_path_for, write_documents


class TestWriteDocuments:
    def test_one_document_per_line_when_ndjson(self) -> None:
        stream = io.StringIO()
        assert write_documents(stream, ['{"a":1}', '{"b":2}'], Format.NDJSON) == 2
        assert stream.getvalue() == '{"a":1}\n{"b":2}\n'

    @pytest.mark.parametrize("documents", [[], ['{"a":1}'], ['{"a":1}', "[2]", '"x"']])
    def test_valid_json_array_when_json(self, documents: list[str]) -> None:
        stream = io.StringIO()
        assert write_documents(stream, iter(documents), Format.JSON) == len(documents)
        assert json.loads(stream.getvalue()) == [json.loads(d) for d in documents]


class TestPaths:
    @pytest.mark.parametrize(
        ("path", "chosen", "expected"),
        [
            (Path("n.json"), None, Format.JSON),
            (Path("n.ndjson"), None, Format.NDJSON),
            (Path("n.txt"), None, Format.NDJSON),
            (None, None, Format.NDJSON),
            (Path("n.ndjson"), Format.JSON, Format.JSON),
        ],
    )
    def test_format_when_chosen_or_from_suffix(
        self, path: Path | None, chosen: Format | None, expected: Format
    ) -> None:
        assert format_for(path, chosen) is expected

    @pytest.mark.parametrize(
        ("locations", "fmt", "expected"),
        [
            ("out/net.ndjson", Format.NDJSON, "out/net.tariffs.ndjson"),
            ("out/net.json", Format.JSON, "out/net.tariffs.json"),
            ("out/net", Format.NDJSON, "out/net.tariffs.ndjson"),
            ("out/net.v2.ndjson", Format.NDJSON, "out/net.v2.tariffs.ndjson"),
        ],
    )
    def test_tariffs_beside_locations(self, locations: str, fmt: Format, expected: str) -> None:
        assert tariffs_path_for(Path(locations), fmt) == Path(expected)
