"""Tariffs storage: ours and partners', one document per Tariff."""

from evroam.modules.tariffs.model import Tariff
from evroam.storage.documents import DocumentRepository, document_table
from evroam.storage.tables import metadata

tariffs = document_table("tariffs", metadata)


class TariffRepository(DocumentRepository[Tariff]):
    table = tariffs
    model = Tariff
