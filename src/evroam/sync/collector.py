"""The garbage collector relaxed for bulk work: pulls (sync) and imports of our own data."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


class _Collector:
    """The cyclic garbage collector, relaxed during bulk work (nested: the outermost counts).

    A pull or an import holds a batch of objects at a time (1,000 Locations are ~20 MB of
    models) and frees them by reference counting: they form no cycles. The collector would
    still walk them, and everything loaded before, many times a batch: a third of a pull's
    CPU. Meanwhile what exists already is set aside (gc.freeze) and the collector runs about
    a hundred times less often; both are undone when the outermost block ends.
    """

    THRESHOLD = (100_000, 50, 100)

    def __init__(self) -> None:
        self.depth = 0
        self.saved = gc.get_threshold()

    @contextmanager
    def relaxed(self) -> Iterator[None]:
        if self.depth == 0:
            self.saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(*self.THRESHOLD)
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
            if self.depth == 0:
                gc.set_threshold(*self.saved)
                gc.unfreeze()


COLLECTOR = _Collector()


def relax_for_good() -> None:
    """The collector relaxed for the rest of this process: a worker preparing pages (it holds
    a page of objects at a time, freed by reference counting, as above)."""
    gc.freeze()
    gc.set_threshold(*_Collector.THRESHOLD)
