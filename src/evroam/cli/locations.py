"""`evroam locations`: import, list and change our own Locations (they are pushed to partners).

The import streams its file: a JSON array or NDJSON, read in chunks and saved in batches, each
batch its own transaction, so 100,000 Locations need little memory. A bad object is rejected
with its line number and the rest goes on.
"""

import codecs
import json
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Annotated, Any, Generic, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from evroam.cli import app, err, fail, out, run, settings_of
from evroam.errors import EvroamError
from evroam.modules.locations import publish
from evroam.modules.locations.enums import Status
from evroam.modules.locations.model import Location
from evroam.modules.locations.publish import SaveResult
from evroam.platform import Platform
from evroam.protocol.timestamps import format_datetime
from evroam.sync.collector import COLLECTOR

M = TypeVar("M", bound=BaseModel)

locations_app = typer.Typer(
    help="Our own Locations: import them, list them, change an EVSE's status.",
    no_args_is_help=True,
)
app.add_typer(locations_app, name="locations")

CHUNK = 1 << 16
MAX_OBJECT_CHARS = 1 << 24  # no OCPI object comes near 16 MiB: past it, the JSON is broken
DECODER = json.JSONDecoder(parse_float=Decimal)  # numbers stay exact (prices, kWh)
WHITESPACE = re.compile(r"[ \t\n\r]*")
WHITESPACE_IN_LINE = re.compile(r"[ \t]*")


@dataclass(frozen=True)
class Parsed:
    line: int
    value: Any


@dataclass(frozen=True)
class Reject:
    line: int
    reason: str


def detect(stream: IO[bytes]) -> str:
    """`[` (a JSON array) or `{` (NDJSON); leaves the stream after any UTF-8 BOM."""
    start = 3 if stream.read(3) == codecs.BOM_UTF8 else 0
    stream.seek(start)
    while chunk := stream.read(CHUNK):
        text = chunk.lstrip()
        if text:
            stream.seek(start)
            if text[:1] not in (b"[", b"{"):
                raise EvroamError(
                    "The file is neither a JSON array nor NDJSON (one JSON object per line)."
                )
            return text[:1].decode()
    raise EvroamError("The file is empty: nothing to import.")


def read_documents(stream: IO[bytes]) -> Iterator[Parsed | Reject]:
    """Every JSON value of a JSON array or NDJSON stream with its line, one at a time."""
    if detect(stream) == "{":
        return read_lines(stream)
    return iter(ArrayReader(stream))


def read_lines(stream: IO[bytes]) -> Iterator[Parsed | Reject]:
    """NDJSON: each line on its own, so a bad line is rejected alone."""
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        try:
            yield Parsed(number, DECODER.decode(raw.decode("utf-8")))
        except UnicodeDecodeError:
            yield Reject(number, "not UTF-8 text")
        except json.JSONDecodeError as exc:
            yield Reject(number, f"not valid JSON: {exc.msg} (column {exc.pos + 1})")


class ArrayReader:
    """A JSON array read chunk by chunk; after a syntax error it resumes at the next line that
    starts an element at the same indentation as the first one (one object per line, or
    pretty-printed), or gives up at the end of the file."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.buf, self.pos, self.line, self.eof = "", 0, 1, False
        self.column: int | None = None
        self.expect_value, self.gave_up = True, False

    def __iter__(self) -> Iterator[Parsed | Reject]:
        try:
            self._skip()
            self._advance(self.pos + 1)  # the "[" found by detect()
            yield from self._elements()
        except UnicodeDecodeError:
            yield Reject(self.line, "not UTF-8 text; the rest of the file was not read")

    def _elements(self) -> Iterator[Parsed | Reject]:
        while (char := self._skip()) != "]":
            if char is None:
                if not self.gave_up:
                    yield Reject(
                        self.line, "the array is not closed with ]: is the file cut short?"
                    )
                return
            if self.expect_value:
                yield self._element()
            elif char == ",":
                self._advance(self.pos + 1)
                self.expect_value = True
            else:
                yield self._broken(f"expected , or ] but found {char!r}")
        self._advance(self.pos + 1)
        if self._skip() is not None:
            yield Reject(self.line, "content after the closing ] was not read")

    def _element(self) -> Parsed | Reject:
        start = self.line
        if self.column is None:
            self.column = self.pos - (self.buf.rfind("\n", 0, self.pos) + 1)
        try:
            value = self._decode()
        except json.JSONDecodeError as exc:
            at = self.line + self.buf.count("\n", self.pos, exc.pos)
            return self._broken(f"not valid JSON: {exc.msg}" + f" (line {at})" * (at != start))
        self.expect_value = False
        return Parsed(start, value)

    def _decode(self) -> Any:
        while True:
            try:
                value, end = DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._final(exc.pos) or not self._more():
                    raise
                continue
            if end < len(self.buf) or not self._more():  # a number may go on in the next chunk
                self._advance(end)
                return value

    def _final(self, error_at: int) -> bool:
        """True when more input cannot fix the error: the line it is on is complete."""
        return self.buf.find("\n", error_at) != -1 or len(self.buf) - self.pos > MAX_OBJECT_CHARS

    def _broken(self, reason: str) -> Reject:
        line = self.line
        resumed = self._resync()
        self.gave_up = not resumed
        where = f"; resumed at line {self.line}" if resumed else "; nothing after it could be read"
        return Reject(line, reason + where)

    def _resync(self) -> bool:
        """Move to the next line starting an element (or the final `]` at column 0)."""
        self.expect_value = True
        while True:
            newline = self.buf.find("\n", self.pos)
            if newline == -1:
                if self._more():
                    continue
                self._advance(len(self.buf))
                return False
            self._advance(newline + 1)
            while self.buf.find("\n", self.pos) == -1 and self._more():  # the whole line
                pass
            indent = _end(WHITESPACE_IN_LINE, self.buf, self.pos) - self.pos
            if self.buf[self.pos + indent : self.pos + indent + 1] == "{" and indent == self.column:
                self._advance(self.pos + indent)
                return True
            if self.buf[self.pos : self.pos + 1] == "]":
                return True

    def _skip(self) -> str | None:
        """Skip whitespace; the next character, or None at the end of the file."""
        while True:
            self._advance(_end(WHITESPACE, self.buf, self.pos))
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return None

    def _advance(self, to: int) -> None:
        self.line += self.buf.count("\n", self.pos, to)
        self.pos = to

    def _more(self) -> bool:
        """Read the next chunk, keeping the current line if short; False at the end of the file."""
        if self.eof:
            return False
        chunk = self.stream.read(CHUNK)
        self.eof = not chunk
        cut = self.buf.rfind("\n", 0, self.pos) + 1
        cut = cut if self.pos - cut < CHUNK else self.pos  # a minified file is one long line
        self.buf = self.buf[cut:] + self.decoder.decode(chunk, final=self.eof)
        self.pos -= cut
        return not self.eof


def _end(pattern: re.Pattern[str], text: str, pos: int) -> int:
    found = pattern.match(text, pos)
    return found.end() if found else pos


@dataclass(frozen=True)
class Kind(Generic[M]):
    """What an import reads: the objects' model, the our-party check and the batch saver."""

    name: str
    model: type[M]
    check: Callable[[Platform, M], None]
    save: Callable[[Platform, list[M]], Awaitable[SaveResult]]


@dataclass
class Tally:
    """Counts over the whole import; the first `shown` rejects are kept to be listed."""

    shown: int
    saved: SaveResult = field(default_factory=SaveResult)
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    warned: int = 0

    def add(self, result: SaveResult) -> None:
        self.saved.created += result.created
        self.saved.updated += result.updated
        self.saved.unchanged += result.unchanged
        self.warned += len(result.warnings)
        self.saved.warnings.extend(result.warnings[: max(self.shown - len(self.saved.warnings), 0)])

    def reject(self, reject: Reject) -> None:
        self.rejected += 1
        if len(self.rejects) < self.shown:
            self.rejects.append(reject)


def accept(platform: Platform, kind: Kind[M], item: Parsed | Reject, tally: Tally) -> M | None:
    """The validated object of ours, or None after recording why it is rejected."""
    if isinstance(item, Reject):
        tally.reject(item)
        return None
    if not isinstance(item.value, dict):
        tally.reject(
            Reject(item.line, f"expected a JSON object, found {type(item.value).__name__}")
        )
        return None
    try:
        obj = kind.model.model_validate(item.value)
        kind.check(platform, obj)
    except ValidationError as exc:
        tally.reject(Reject(item.line, problems(exc)))
        return None
    except EvroamError as exc:
        tally.reject(Reject(item.line, str(exc)))
        return None
    return obj


def problems(exc: ValidationError, most: int = 3) -> str:
    """`evses.0.status: Input should be…`: the first few errors on one line."""
    errors = exc.errors()
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '(object)'}: {e['msg']}" for e in errors]
    more = f" (+{len(errors) - most} more)" if len(errors) > most else ""
    return "; ".join(parts[:most]) + more


async def import_stream(
    platform: Platform,
    stream: IO[bytes],
    kind: Kind[M],
    *,
    batch: int,
    tally: Tally,
    progress: Callable[[], None] = lambda: None,
) -> Tally:
    """Validate and save the stream's objects, `batch` per transaction."""
    with COLLECTOR.relaxed():
        return await _import(platform, stream, kind, batch=batch, tally=tally, progress=progress)


async def _import(
    platform: Platform,
    stream: IO[bytes],
    kind: Kind[M],
    *,
    batch: int,
    tally: Tally,
    progress: Callable[[], None],
) -> Tally:
    pending: list[M] = []
    for item in read_documents(stream):
        obj = accept(platform, kind, item, tally)
        if obj is not None:
            pending.append(obj)
        if len(pending) >= batch:
            tally.add(await kind.save(platform, pending))
            pending = []
            progress()
    if pending:
        tally.add(await kind.save(platform, pending))
    progress()
    return tally


def import_file(ctx: typer.Context, path: Path, kind: Kind[M], *, batch: int, shown: int) -> None:
    """The `import` commands: stream the file in, print the summary, exit 1 on any reject."""
    settings = settings_of(ctx)
    try:
        stream = path.open("rb")
    except OSError as exc:
        fail(f"Cannot read {path}: {exc.strerror}. Check the path.")
    try:
        detect(stream)  # before the database is opened: a wrong file is told at once
    except EvroamError as exc:
        stream.close()
        fail(f"{path}: {exc}")
    with stream, _progress(kind.name) as bar:
        task = bar.add_task("import", total=path.stat().st_size)

        def advance() -> None:
            bar.update(task, completed=stream.tell())

        async def work(platform: Platform) -> Tally:
            tally = Tally(shown)
            return await import_stream(
                platform, stream, kind, batch=batch, tally=tally, progress=advance
            )

        tally = run(settings, work)
    print_summary(tally, kind.name)
    raise typer.Exit(1 if tally.rejected else 0)


def _progress(name: str) -> Progress:
    columns = (TextColumn(name), BarColumn(), DownloadColumn(), TimeElapsedColumn())
    return Progress(*columns, console=err)


def print_summary(tally: Tally, name: str) -> None:
    table = Table(title=f"{name} imported")
    for column in ("created", "updated", "unchanged", "rejected"):
        table.add_column(column, justify="right")
    saved = tally.saved
    table.add_row(*map(str, (saved.created, saved.updated, saved.unchanged, tally.rejected)))
    out.print(table)
    print_warnings(tally)
    if not tally.rejects:
        return
    rejects = Table(title="Rejected (not saved)")
    rejects.add_column("line", justify="right")
    rejects.add_column("reason")
    for reject in tally.rejects:
        rejects.add_row(str(reject.line), escape(reject.reason))
    out.print(rejects)
    if tally.rejected > len(tally.rejects):
        out.print(f"…and {tally.rejected - len(tally.rejects)} more; fix them and import again.")


def print_warnings(tally: Tally) -> None:
    """Advice on saved objects (saved all the same): what the spec asks and cannot enforce."""
    if not tally.warned:
        return
    out.print("[yellow]Saved, but worth a look:[/]")
    for warning in tally.saved.warnings:
        out.print(f"  {escape(warning)}")
    if tally.warned > len(tally.saved.warnings):
        out.print(f"  …and {tally.warned - len(tally.saved.warnings)} more.")


FileArgument = Annotated[
    Path,
    typer.Argument(metavar="FILE", help="A JSON array or NDJSON file (one object per line)."),
]
BatchOption = Annotated[int, typer.Option("--batch", min=1, help="Objects saved per transaction.")]
ShowOption = Annotated[int, typer.Option("--show-rejects", min=0, help="How many rejects to list.")]
OffsetOption = Annotated[int, typer.Option(min=0, help="Skip this many, oldest first.")]
LimitOption = Annotated[int, typer.Option(min=1, max=1000, help="Show at most this many.")]
LOCATIONS = Kind("Locations", Location, publish.check_ours, publish.save_locations)


def import_command(kind: Kind[M], group: str) -> Callable[..., None]:
    """The `evroam GROUP import FILE` command for one kind of object."""

    def command(
        ctx: typer.Context, file: FileArgument, batch: BatchOption = 1000, shown: ShowOption = 20
    ) -> None:
        import_file(ctx, file, kind, batch=batch, shown=shown)

    command.__doc__ = (
        f"Create or replace our {kind.name} from a file; changes are pushed to partners.\n\n"
        "The format (JSON array or NDJSON) is read from the content. Invalid objects are"
        " rejected with their line number and the others are saved; re-importing a corrected"
        " file is safe.\n\n"
        "Exit status: 0 when every object was saved, 1 when any was rejected."
    )
    command.__name__ = f"import_{group}"
    return command


def print_listing(table: Table, *, shown: int, total: int, offset: int, group: str) -> None:
    """The table, or what to do when this page is empty."""
    if shown:
        out.print(table)
    elif total:
        out.print(f"Nothing past offset {offset}: there are {total}.")
    else:
        out.print(f"None yet: `evroam {group} import FILE` adds some.")


locations_app.command("import")(import_command(LOCATIONS, "locations"))


@locations_app.command("list")
def list_locations(
    ctx: typer.Context,
    offset: OffsetOption = 0,
    limit: LimitOption = 50,
) -> None:
    """Our Locations, oldest first: EVSEs with their statuses, published or not."""

    async def work(platform: Platform) -> tuple[list[Location], int]:
        return await publish.own_locations(platform, offset=offset, limit=limit)

    found, total = run(settings_of(ctx), work)
    table = locations_table(found, offset, total)
    print_listing(table, shown=len(found), total=total, offset=offset, group="locations")


def locations_table(found: list[Location], offset: int, total: int) -> Table:
    last = offset + len(found)
    table = Table(title=f"Our Locations {offset + 1}–{last} of {total}")
    table.add_column("id", no_wrap=True)
    table.add_column("name", max_width=30)
    table.add_column("city")
    table.add_column("EVSEs", justify="right")
    table.add_column("statuses")
    table.add_column("published")
    table.add_column("last_updated", no_wrap=True)
    for location in found:
        evses = location.evses or []
        table.add_row(
            escape(location.id),
            escape(location.name or "-"),
            escape(location.city),
            str(len(evses)),
            statuses(location),
            "yes" if location.publish else "no",
            format_datetime(location.last_updated),
        )
    return table


def statuses(location: Location) -> str:
    """`2 AVAILABLE, 1 CHARGING`, most frequent first."""
    counts = Counter(evse.status.value for evse in location.evses or [])
    return ", ".join(f"{n} {status}" for status, n in counts.most_common()) or "-"


def status_of(text: str) -> Status:
    try:
        return Status(text.upper())
    except ValueError:
        fail(f"{text!r} is not an EVSE status; use one of: {', '.join(Status)}.", code=2)


@locations_app.command("set-status")
def set_status(
    ctx: typer.Context,
    location_id: Annotated[str, typer.Argument(metavar="LOCATION", help="Our Location's id.")],
    evse_uid: Annotated[str, typer.Argument(metavar="EVSE", help="The EVSE's uid.")],
    status: Annotated[str, typer.Argument(metavar="STATUS", help=f"One of: {', '.join(Status)}.")],
    party: Annotated[
        str | None,
        typer.Option("--party", help="COUNTRY*PARTY owning the Location when ids repeat."),
    ] = None,
) -> None:
    """Set one EVSE's status now; partners receive it as a PATCH."""
    chosen = status_of(status)
    try:
        owner = publish.parse_party(party) if party else None
    except EvroamError as exc:
        fail(str(exc), code=2)

    async def work(platform: Platform) -> Location:
        return await publish.set_evse_status(platform, location_id, evse_uid, chosen, party=owner)

    location = run(settings_of(ctx), work)
    out.print(
        f"[green]{escape(location.id)}[/] EVSE [bold]{escape(evse_uid)}[/] is now {chosen}: "
        f"{statuses(location)}."
    )
