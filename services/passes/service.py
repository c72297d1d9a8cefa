"""Passes service entrypoints."""
from pathlib import Path

from nameko.rpc import rpc

from services.common.schemas import load
from services.common.service import ServiceBase
from services.common.uow import Database

from .adapters.models import metadata
from .schemas import ActiveMembershipsIn


class PassesService(ServiceBase):
    name = "passes"
    db = Database("passes", metadata, Path(__file__).parent / "migrations")

    @rpc
    def active_memberships(self, org_id, member_id, on_date):
        """The member's memberships active on ``on_date`` (YYYY-MM-DD), for the activities'
        required membership types (R2.7): ``{"items": [{membership_type_id, …}]}``.

        Memberships are not sold yet (a later issue): nobody has one, so the list is empty.
        """
        load(ActiveMembershipsIn(), {"member_id": member_id, "on_date": on_date})
        return {"items": []}
