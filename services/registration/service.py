"""Registration service entrypoints."""
from pathlib import Path

from services.common.service import ServiceBase
from services.common.uow import Database

from .adapters.models import metadata


class RegistrationService(ServiceBase):
    name = "registration"
    db = Database("registration", metadata, Path(__file__).parent / "migrations")
