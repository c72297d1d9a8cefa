"""Passes service entrypoints."""
from pathlib import Path

from services.common.service import ServiceBase
from services.common.uow import Database

from .adapters.models import metadata


class PassesService(ServiceBase):
    name = "passes"
    db = Database("passes", metadata, Path(__file__).parent / "migrations")
