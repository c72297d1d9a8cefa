"""The staff members of the agenda (R5.1), with the audit of their edits."""
from services.common.types import new_id

from ..adapters.models import StaffMember
from ..adapters.repositories import AuditRepository, StaffRepository, staff_dict
from ..contract import events
from ..contract.errors import StaffNotFound


def create_staff(ctx, org_id, data) -> dict:
    now = ctx.clock.now()
    staff = StaffMember(id=new_id("stf"), org_id=org_id, name=data["name"], created_at=now)
    with ctx.db.uow() as uow:
        StaffRepository(uow.session).add(staff)
        result = staff_dict(staff)
        uow.emit(events.STAFF_CREATED, dict(result, org_id=org_id), occurred_at=now)
        uow.commit()
    return result


def list_staff(ctx, org_id, limit, cursor) -> dict:
    with ctx.db.uow(readonly=True) as uow:
        staff, next_cursor = StaffRepository(uow.session).list(org_id, limit, cursor)
        return {"items": [staff_dict(s) for s in staff], "next_cursor": next_cursor}


def get_staff(ctx, org_id, staff_id) -> dict:
    with ctx.db.uow(readonly=True) as uow:
        staff = StaffRepository(uow.session).get(org_id, staff_id)
        if staff is None:
            raise StaffNotFound("no such staff member", {"staff_id": staff_id})
        return staff_dict(staff)


def update_staff(ctx, org_id, staff_id, data, actor=None) -> dict:
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        staff = StaffRepository(uow.session).get(org_id, staff_id)
        if staff is None:
            raise StaffNotFound("no such staff member", {"staff_id": staff_id})
        before = staff_dict(staff)
        staff.name = data["name"]
        after = staff_dict(staff)
        if after != before:
            AuditRepository(uow.session).add(org_id, "staff", staff_id, "updated", actor,
                                             before, after, now)
            uow.emit(events.STAFF_UPDATED, dict(after, org_id=org_id), occurred_at=now)
        uow.commit()
    return after
