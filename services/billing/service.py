"""Billing service entrypoints."""
from pathlib import Path

from services.common.service import ServiceBase
from services.common.uow import Database

from .adapters.models import metadata


class BillingService(ServiceBase):
    name = "billing"
    db = Database("billing", metadata, Path(__file__).parent / "migrations")
