"""Accounts service entrypoints."""
from pathlib import Path

from services.common.service import ServiceBase
from services.common.uow import Database

from .adapters.models import metadata


class AccountsService(ServiceBase):
    name = "accounts"
    db = Database("accounts", metadata, Path(__file__).parent / "migrations")
