"""Catalog service entrypoints."""
from pathlib import Path

from services.common.service import ServiceBase
from services.common.uow import Database

from .adapters.models import metadata


class CatalogService(ServiceBase):
    name = "catalog"
    db = Database("catalog", metadata, Path(__file__).parent / "migrations")
