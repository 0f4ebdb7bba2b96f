"""Storing a prepared page: an object equal to the stored one is not written again."""

from evroam.sync.store import same_document


class TestSameDocument:
    def test_the_same_text(self) -> None:
        assert same_document('{"id":"A","n":1}', '{"id":"A","n":1}')

    def test_the_same_document_written_otherwise(self) -> None:
        """PostgreSQL's jsonb hands back its own form (spaces, key order)."""
        assert same_document('{"n": 1, "id": "A"}', '{"id":"A","n":1}')

    def test_a_changed_document(self) -> None:
        assert not same_document('{"id":"A","n":1}', '{"id":"A","n":2}')
        assert not same_document('{"id":"A","n":1}', '{"id":"A","n":1,"x":null}')
