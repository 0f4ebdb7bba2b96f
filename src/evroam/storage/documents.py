"""The document-repository base: one row per OCPI object, its JSON plus the columns we query.

Every module stores its objects the same way (ARCHITECTURE, storage): the document of the
domain model as JSON, the owner party (country_code, party_id, CiString-normalised), the
object id, last_updated and the partner it came from (NULL for our own objects). A module's
repository subclasses DocumentRepository and adds only its own queries.
"""

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, cached_property
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import (
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    bindparam,
    cast,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from evroam.protocol.envelope import JsonText, json_array
from evroam.protocol.pagination import PageEnd, PageRequest
from evroam.protocol.types import ci_key
from evroam.storage.listing import Listed, PageRows, cached_page, counted, listed
from evroam.storage.tables import JsonAsWritten, JsonDocument, UtcDateTime

M = TypeVar("M", bound=BaseModel)


def document_table(
    name: str,
    metadata: MetaData,
    *extra: Column[Any],
    id_length: int = 64,
    document_type: Any = JsonDocument,
) -> Table:
    """The standard shape of a module's object table (extra: the module's own query columns)."""
    return Table(
        name,
        metadata,
        Column("pk", Integer, primary_key=True, autoincrement=True),
        Column("country_code", String(2), nullable=False),
        Column("party_id", String(3), nullable=False),
        Column("object_id", String(id_length), nullable=False),
        Column("last_updated", UtcDateTime, nullable=False),
        Column("partner_id", Integer, ForeignKey("partners.id", ondelete="CASCADE")),
        Column("document", document_type, nullable=False),
        *extra,
        UniqueConstraint("country_code", "party_id", "object_id", name=f"uq_{name}_key"),
        Index(f"ix_{name}_last_updated", "last_updated", "pk"),
        Index(f"ix_{name}_partner", "partner_id"),
    )


@dataclass(frozen=True)
class ObjectKey:
    """Which object: its owner party and id, compared case-insensitively (CiString)."""

    country_code: str
    party_id: str
    object_id: str

    def normalised(self) -> "ObjectKey":
        parts = (ci_key(self.country_code), ci_key(self.party_id), ci_key(self.object_id))
        if parts == (self.country_code, self.party_id, self.object_id):
            return self  # normalised already (bulk paths normalise once, then pass keys on)
        return ObjectKey(*parts)


# ── bulk writes: one query for a batch's stored rows, executemany for the writes ─────────────

BULK_CHUNK = 1000  # ids per IN list: far below SQLite's and asyncpg's bound-parameter limits


class SerializedJson(TypeDecorator[str]):
    """A document serialised already (`model_dump_json`): bound as it is, not dumped again."""

    impl = JsonDocument
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None


class SerializedJsonAsWritten(SerializedJson):
    """The same for a column kept as written (`json` on PostgreSQL): bound as `json`, not cast
    through `jsonb` on its way in."""

    impl = JsonAsWritten


@dataclass(frozen=True)
class StoredRow:
    """A stored object as a bulk write needs it: its row, whose it is, how new, its document.

    The document is read as JSON text and parsed only when asked for: a bulk write may find
    it unchanged by comparing it with the text it would write.
    """

    pk: int
    partner_id: int | None
    last_updated: datetime
    text: str

    @cached_property
    def document(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.text)
        return found


@dataclass(frozen=True)
class DocumentRow:
    """One object to write in bulk: `document` is its JSON text; `pk` the row it replaces."""

    key: ObjectKey
    document: str
    last_updated: datetime
    partner_id: int | None = None
    columns: Mapping[str, Any] = field(default_factory=dict)
    pk: int | None = None


def chunked(values: Sequence[Any], size: int = BULK_CHUNK) -> Iterable[Sequence[Any]]:
    return (values[start : start + size] for start in range(0, len(values), size))


def literal_list(values: Sequence[Any]) -> Any:
    """An IN list written into the statement as constants (escaped by SQLAlchemy).

    As bound parameters, PostgreSQL plans a statement it has prepared five times generically:
    `object_id IN ($1, …, $1000)` is then checked element by element on every row the rest
    of the condition leaves, ~0.7 s a query on 20,000 rows. Constants keep it an index lookup.
    """
    return bindparam("literal_list", list(values), expanding=True, literal_execute=True)


def _bound(
    params: dict[str, Any], binds: list[tuple[str, Callable[[Any], Any] | None]]
) -> tuple[Any, ...]:
    """The row's values in the compiled statement's order, each as its type binds it."""
    return tuple([params[name] if bind is None else bind(params[name]) for name, bind in binds])


def _bulk_params(row: DocumentRow) -> dict[str, Any]:
    key = row.key.normalised()
    params = {f"b_{name}": value for name, value in row.columns.items()}
    return params | {
        "b_pk": row.pk,
        "b_country_code": key.country_code,
        "b_party_id": key.party_id,
        "b_object_id": key.object_id,
        "b_last_updated": row.last_updated,
        "b_partner_id": row.partner_id,
        "b_document": row.document,
    }


def key_params(key: ObjectKey) -> dict[str, str]:
    """The parameters of the `_by_key` statements for one object."""
    norm = key.normalised()
    return {
        "k_country_code": norm.country_code,
        "k_party_id": norm.party_id,
        "k_object_id": norm.object_id,
    }


@dataclass(frozen=True)
class ByKey:
    """A table's statements on one object by key (parameters: `key_params`), built once:
    building a statement's conditions (and its cache key) cost SQLAlchemy more than running a
    point read or write on SQLite."""

    document: Select[Any]
    document_for_update: Select[Any]
    own_document: Select[Any]  # ours only (partner_id NULL); also for storage.point_reads
    update: Any  # SET clause: the columns named in the parameters


@cache
def by_key(table: Table) -> ByKey:
    c = table.c
    found = and_(
        c.country_code == bindparam("k_country_code", type_=c.country_code.type),
        c.party_id == bindparam("k_party_id", type_=c.party_id.type),
        c.object_id == bindparam("k_object_id", type_=c.object_id.type),
    )
    document = select(c.document).where(found)
    own = document.where(c.partner_id.is_(None))
    return ByKey(document, document.with_for_update(), own, update(table).where(found))


@dataclass(frozen=True)
class Page:
    """One page of stored documents (raw JSON, not re-validated) and the matching total."""

    documents: list[dict[str, Any]]
    total: int


@dataclass(frozen=True)
class TextPage:
    """One page of stored documents as one JSON array (text, never parsed), how many, the
    matching total and how the page ended."""

    data: JsonText
    returned: int
    total: int
    end: PageEnd


class DocumentRepository(Generic[M]):
    """Get, put, delete and page the objects of one table, as domain models or raw documents."""

    table: ClassVar[Table]
    model: ClassVar[type[BaseModel]]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def where(self, key: ObjectKey) -> ColumnElement[bool]:
        norm, c = key.normalised(), self.table.c
        return and_(
            c.country_code == norm.country_code,
            c.party_id == norm.party_id,
            c.object_id == norm.object_id,
        )

    async def get_document(
        self, key: ObjectKey, *, for_update: bool = False
    ) -> dict[str, Any] | None:
        """The stored document; `for_update` locks the row until the transaction ends
        (PostgreSQL; an SQLite write transaction never interleaves within a process)."""
        statements = by_key(self.table)
        query = statements.document_for_update if for_update else statements.document
        result = await self.session.execute(query, key_params(key))
        document = result.scalar_one_or_none()
        return dict(document) if document is not None else None

    async def get_own_document(self, key: ObjectKey) -> dict[str, Any] | None:
        """Our own stored document (partner_id NULL) by key, or None."""
        result = await self.session.execute(by_key(self.table).own_document, key_params(key))
        document = result.scalar_one_or_none()
        return dict(document) if document is not None else None

    async def get(self, key: ObjectKey, *, for_update: bool = False) -> M | None:
        document = await self.get_document(key, for_update=for_update)
        return None if document is None else self.model.model_validate(document)  # type: ignore[return-value]

    async def find_documents(
        self, *where: ColumnElement[bool], limit: int = 1
    ) -> list[dict[str, Any]]:
        """Stored documents matching the conditions, oldest first."""
        query = select(self.table.c.document).where(*where).order_by(self.table.c.pk).limit(limit)
        return [dict(d) for d in (await self.session.execute(query)).scalars()]

    async def put(
        self,
        key: ObjectKey,
        obj: M,
        *,
        last_updated: datetime,
        partner_id: int | None = None,
        **columns: Any,
    ) -> bool:
        """Create or replace the object; True when it was created."""
        values = {
            "last_updated": last_updated,
            "partner_id": partner_id,
            "document": obj.model_dump(mode="json", exclude_none=True),
            **columns,
        }
        if await self._update(key, values):
            return False
        norm = key.normalised()
        await self.session.execute(
            insert(self.table).values(
                country_code=norm.country_code,
                party_id=norm.party_id,
                object_id=norm.object_id,
                **values,
            )
        )
        return True

    async def stored_rows(self, keys: Iterable[ObjectKey]) -> dict[ObjectKey, StoredRow]:
        """The stored rows of many objects by normalised key (one query per party and 1000)."""
        ids: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
        for key in keys:
            norm = key.normalised()
            ids[norm.country_code, norm.party_id].append(norm.object_id)
        c, found = self.table.c, {}
        for (country_code, party_id), object_ids in ids.items():
            for chunk in chunked(object_ids):
                document = cast(c.document, Text)
                query = select(c.pk, c.object_id, c.partner_id, c.last_updated, document).where(
                    c.country_code == country_code,
                    c.party_id == party_id,
                    c.object_id.in_(literal_list(chunk)),
                )
                for row in await self.session.execute(query):
                    key = ObjectKey(country_code, party_id, row.object_id)
                    found[key] = StoredRow(row.pk, row.partner_id, row.last_updated, row[4])
        return found

    async def write_many(self, rows: Sequence[DocumentRow]) -> None:
        """Insert the rows without `pk`, replace those with one: one executemany each."""
        inserts = [r for r in rows if r.pk is None]
        updates = [r for r in rows if r.pk is not None]
        if inserts:
            await self._execute_many(inserts, self._bulk_insert(inserts[0]))
        if updates:
            await self._execute_many(updates, self._bulk_update(updates[0]))

    async def _execute_many(self, rows: Sequence[DocumentRow], statement: Any) -> None:
        """One executemany per chunk, its parameters handed to the driver as tuples.

        The statement is compiled by SQLAlchemy for the dialect and each value goes through
        its type's bind processor, as `session.execute` would do; building SQLAlchemy's
        parameter dict per row cost more than the database's insert itself.
        """
        connection = await self.session.connection()
        compiled = statement.compile(dialect=connection.dialect)
        processors = compiled._bind_processors
        binds = [(name, processors.get(name)) for name in compiled.positiontup or ()]
        for chunk in chunked(rows):
            tuples = [_bound(_bulk_params(row), binds) for row in chunk]
            await connection.exec_driver_sql(compiled.string, tuples)

    def _bulk_values(self, row: DocumentRow) -> dict[str, Any]:
        names = ["last_updated", "partner_id", *row.columns]
        values: dict[str, Any] = {n: bindparam(f"b_{n}", type_=self.table.c[n].type) for n in names}
        as_written = "postgresql" not in self.table.c.document.type._variant_mapping
        serialized = SerializedJsonAsWritten() if as_written else SerializedJson()
        return values | {"document": bindparam("b_document", type_=serialized)}

    def _bulk_insert(self, row: DocumentRow) -> Any:
        keys = ("country_code", "party_id", "object_id")
        key_values = {n: bindparam(f"b_{n}", type_=self.table.c[n].type) for n in keys}
        return insert(self.table).values(**key_values, **self._bulk_values(row))

    def _bulk_update(self, row: DocumentRow) -> Any:
        pk = self.table.c.pk == bindparam("b_pk", type_=Integer())
        return update(self.table).where(pk).values(**self._bulk_values(row))

    async def replace_document(
        self, key: ObjectKey, document: dict[str, Any], *, last_updated: datetime, **columns: Any
    ) -> bool:
        """Overwrite a stored document already known valid (an edit of one we validated)."""
        values = {"document": document, "last_updated": last_updated, **columns}
        return await self._update(key, values)

    async def _update(self, key: ObjectKey, values: dict[str, Any]) -> bool:
        """Set the columns of the object's row (a statement built once per table: its SET
        clause comes from the parameters' names); whether the row exists."""
        result = await self.session.execute(by_key(self.table).update, key_params(key) | values)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def delete(self, key: ObjectKey, *where: ColumnElement[bool]) -> bool:
        result = await self.session.execute(delete(self.table).where(self.where(key), *where))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def page(self, request: PageRequest, *where: ColumnElement[bool]) -> Page:
        """Objects in creation order, date_from inclusive, date_to exclusive (DIGEST §1.6)."""
        found = self.listing(request, *where)
        total = (await self.session.execute(found.count)).scalar_one()
        conditions = list(found.conditions)
        query = self._window(select(self.table.c.document), request, conditions, request.limit)
        documents = [dict(d) for d in (await self.session.execute(query)).scalars()]
        return Page(documents, int(total))

    async def page_text(self, request: PageRequest, *where: ColumnElement[bool]) -> TextPage:
        """`page` for the wire: documents as stored JSON text, never parsed (`served_page`)."""
        engine = self.session.bind
        assert isinstance(engine, AsyncEngine), "a session bound to the platform's engine"
        return await self.served_page(engine, request, self.listing(request, *where))

    @classmethod
    def listing(cls, request: PageRequest, *where: ColumnElement[bool]) -> Listed:
        """The list a request pages through: the caller's conditions and the date window
        (date_from inclusive, date_to exclusive). Pure: a service may keep it for the next
        request with the same conditions and dates."""
        conditions = [*where]
        if request.date_from is not None:
            conditions.append(cls.table.c.last_updated >= request.date_from)
        if request.date_to is not None:
            conditions.append(cls.table.c.last_updated < request.date_to)
        return listed(cls.table, conditions)

    @classmethod
    async def served_page(
        cls, engine: AsyncEngine, request: PageRequest, found: Listed
    ) -> TextPage:
        """One page of a list for the wire: the total and recently served pages from memory
        while exact (storage/listing.py), a connection only for what is not; read by key after
        a cursor, and one row more to know if any follow."""
        total = await counted(engine, found)
        window = (request.after, request.offset if request.after is None else 0, request.limit)
        key = None if found.key is None else (found.key, window)
        rows = await cached_page(
            engine.sync_engine, cls.table, key, lambda: cls._read_page(engine, request, found)
        )
        return TextPage(rows.data, rows.returned, total, rows.end)

    @classmethod
    async def _read_page(cls, engine: AsyncEngine, request: PageRequest, found: Listed) -> PageRows:
        """The window is chosen on keys alone, so rows skipped by an offset are never converted
        to text (PostgreSQL would do it for every one of them)."""
        c, conditions = cls.table.c, list(found.conditions)
        keys = cls._window(select(c.pk), request, conditions, request.limit + 1).subquery()
        query = select(c.pk, cast(c.document, Text)).join(keys, keys.c.pk == c.pk).order_by(c.pk)
        async with engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        shown = rows[: request.limit]
        end = PageEnd(more=len(rows) > request.limit, last_key=shown[-1][0] if shown else None)
        return PageRows(json_array(row[1] for row in shown), len(shown), end)

    @classmethod
    def _window(
        cls, query: Select[Any], request: PageRequest, conditions: list[Any], limit: int
    ) -> Select[Any]:
        """In creation order: after the cursor's key when there is one, else from the offset."""
        pk = cls.table.c.pk
        query = query.where(*conditions).order_by(pk).limit(limit)
        if request.after is not None:
            return query.where(pk > request.after)
        return query.offset(request.offset)
