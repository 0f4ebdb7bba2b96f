"""Request ids (protocol/context.py; DIGEST §1.3: X-Request-ID and X-Correlation-ID)."""

import uuid

from evroam.protocol.context import new_id


def test_generated_ids_are_distinct_version_4_uuids_in_canonical_form() -> None:
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for value in ids:
        parsed = uuid.UUID(value)
        assert str(parsed) == value
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
