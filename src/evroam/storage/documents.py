"""The document-repository base: one row per OCPI object, its JSON plus the columns we query.

Every module stores its objects the same way (ARCHITECTURE, storage): the document of the
domain model as JSON, the owner party (country_code, party_id, CiString-normalised), the
object id, last_updated and the partner it came from (NULL for our own objects). A module's
repository subclasses DocumentRepository and adds only its own queries.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import (
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    and_,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.protocol.pagination import PageRequest
from evroam.protocol.types import ci_key
from evroam.storage.tables import JsonDocument, UtcDateTime

M = TypeVar("M", bound=BaseModel)


def document_table(
    name: str, metadata: MetaData, *extra: Column[Any], id_length: int = 64
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
        Column("document", JsonDocument, nullable=False),
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
        return ObjectKey(ci_key(self.country_code), ci_key(self.party_id), ci_key(self.object_id))


@dataclass(frozen=True)
class Page:
    """One page of stored documents (raw JSON, not re-validated) and the matching total."""

    documents: list[dict[str, Any]]
    total: int


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

    async def get_document(self, key: ObjectKey) -> dict[str, Any] | None:
        query = select(self.table.c.document).where(self.where(key))
        document = (await self.session.execute(query)).scalar_one_or_none()
        return dict(document) if document is not None else None

    async def get(self, key: ObjectKey) -> M | None:
        document = await self.get_document(key)
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
        existing = await self.session.execute(select(self.table.c.pk).where(self.where(key)))
        pk = existing.scalar_one_or_none()
        if pk is not None:
            await self.session.execute(
                update(self.table).where(self.table.c.pk == pk).values(**values)
            )
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

    async def replace_document(
        self, key: ObjectKey, document: dict[str, Any], *, last_updated: datetime, **columns: Any
    ) -> bool:
        """Overwrite a stored document already known valid (an edit of one we validated)."""
        values = {"document": document, "last_updated": last_updated, **columns}
        result = await self.session.execute(
            update(self.table).where(self.where(key)).values(**values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def delete(self, key: ObjectKey, *where: ColumnElement[bool]) -> bool:
        result = await self.session.execute(delete(self.table).where(self.where(key), *where))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def page(self, request: PageRequest, *where: ColumnElement[bool]) -> Page:
        """Objects in creation order, date_from inclusive, date_to exclusive (DIGEST §1.6)."""
        conditions = [*where]
        if request.date_from is not None:
            conditions.append(self.table.c.last_updated >= request.date_from)
        if request.date_to is not None:
            conditions.append(self.table.c.last_updated < request.date_to)
        total_query = select(func.count()).select_from(self.table).where(*conditions)
        total = (await self.session.execute(total_query)).scalar_one()
        query = (
            select(self.table.c.document)
            .where(*conditions)
            .order_by(self.table.c.pk)
            .offset(request.offset)
            .limit(request.limit)
        )
        documents = [dict(d) for d in (await self.session.execute(query)).scalars()]
        return Page(documents, int(total))
