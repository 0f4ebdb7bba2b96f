"""Streams of JSON documents written as NDJSON or as one JSON array, incrementally."""

from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import TextIO


class Format(StrEnum):
    NDJSON = "ndjson"  # one JSON document per line
    JSON = "json"  # one JSON array


def format_for(path: Path | None, chosen: Format | None) -> Format:
    """The chosen format, else JSON for a `.json` file, else NDJSON."""
    if chosen is not None:
        return chosen
    return Format.JSON if path is not None and path.suffix == ".json" else Format.NDJSON


def tariffs_path_for(locations: Path, fmt: Format) -> Path:
    """`net.ndjson` → `net.tariffs.ndjson`, beside the locations file."""
    stem = locations.stem if locations.suffix in (".json", ".ndjson") else locations.name
    return locations.with_name(f"{stem}.tariffs.{fmt.value}")


def write_documents(stream: TextIO, documents: Iterable[str], fmt: Format) -> int:
    """Write each compact JSON document as it comes; never holds more than one. Returns count."""
    count = 0
    if fmt is Format.NDJSON:
        for document in documents:
            stream.write(document)
            stream.write("\n")
            count += 1
        return count
    stream.write("[")
    for document in documents:
        stream.write(",\n" if count else "\n")
        stream.write(document)
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count
