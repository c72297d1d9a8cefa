"""Appointments in the database, within a unit of work (R5.1, R5.2, R4.6, R4.7).

- R5.2 is enforced here: :meth:`Appointments.book` makes sure the staff member's lock row
  exists, locks it (``SELECT … FOR UPDATE``: PostgreSQL serialises the bookings of one staff
  member on that row; SQLite's write transactions are already one at a time), then looks for
  an overlapping booked or completed appointment, and inserts — all in one transaction. On
  PostgreSQL (READ COMMITTED) the overlap query runs after the lock is granted, so it sees
  what the previous holder of the lock committed.
- Every later change is a compare-and-set: ``UPDATE … WHERE id = :id AND status = :expected
  AND bundle_state = :expected``; a change that updates no row lost a race and re-reads.
"""
from sqlalchemy import select, update

from services.common import db
from services.common.types import new_id

from ..contract.errors import StaffBusy
from ..domain import appointments as rules
from .models import Appointment, StaffAgendaLock


class Appointments:
    def __init__(self, session):
        self.session = session

    # -- reads ---------------------------------------------------------------------------------
    def get(self, org_id, appointment_id):
        return self.session.execute(
            select(Appointment).where(Appointment.org_id == org_id,
                                      Appointment.id == appointment_id)
            .execution_options(populate_existing=True)).scalar_one_or_none()

    def of_day(self, org_id, start, end, staff_id=None):
        query = select(Appointment).where(
            Appointment.org_id == org_id, Appointment.starts_at >= start,
            Appointment.starts_at < end, Appointment.status != rules.CANCELLED)
        if staff_id is not None:
            query = query.where(Appointment.staff_id == staff_id)
        return list(self.session.execute(
            query.order_by(Appointment.starts_at, Appointment.id)).scalars())

    def of_account(self, org_id, account_id, limit=200):
        return list(self.session.execute(
            select(Appointment).where(Appointment.org_id == org_id,
                                      Appointment.account_id == account_id)
            .order_by(Appointment.starts_at.desc(), Appointment.id).limit(limit)).scalars())

    def stale_in_flight(self, before, states, limit=100):
        return list(self.session.execute(
            select(Appointment.org_id, Appointment.id, Appointment.bundle_state,
                   Appointment.bundle_id, Appointment.service_id)
            .where(Appointment.bundle_state.in_(states),
                   Appointment.bundle_changed_at < before)
            .order_by(Appointment.bundle_changed_at).limit(limit)).all())

    # -- R5.2: booking -------------------------------------------------------------------------
    def _lock_staff(self, org_id, staff_id):
        self.session.execute(
            db.insert_ignoring_duplicates(StaffAgendaLock, ["org_id", "staff_id"])
            .values(org_id=org_id, staff_id=staff_id))
        self.session.execute(select(StaffAgendaLock.staff_id).where(
            StaffAgendaLock.org_id == org_id, StaffAgendaLock.staff_id == staff_id)
                             .with_for_update())

    def overlapping(self, org_id, staff_id, start, end):
        return self.session.execute(
            select(Appointment.id, Appointment.starts_at, Appointment.ends_at).where(
                Appointment.org_id == org_id, Appointment.staff_id == staff_id,
                Appointment.status.in_(rules.OCCUPYING),
                Appointment.starts_at < end, Appointment.ends_at > start)
            .order_by(Appointment.starts_at).limit(1)).first()

    def book(self, values: dict, now) -> Appointment:
        """Insert a booked appointment; ``staff_busy`` if its staff member already has an
        appointment overlapping it (checked under the staff member's lock)."""
        start, end = values["starts_at"], values["ends_at"]
        if values.get("staff_id"):
            self._lock_staff(values["org_id"], values["staff_id"])
            clash = self.overlapping(values["org_id"], values["staff_id"], start, end)
            if clash is not None:
                raise StaffBusy("this staff member already has an appointment at that time", {
                    "staff_id": values["staff_id"], "appointment_id": clash.id,
                    "starts_at": rules.local_iso(clash.starts_at, values["timezone"]),
                    "ends_at": rules.local_iso(clash.ends_at, values["timezone"])})
        appointment = Appointment(id=new_id("apt"), status=rules.BOOKED,
                                  created_at=now, updated_at=now, **values)
        self.session.add(appointment)
        self.session.flush()
        return appointment

    # -- compare-and-set -------------------------------------------------------------------------
    def change(self, org_id, appointment_id, expect_status=None, expect_states=None,
               expect_bundle=..., **values) -> bool:
        """Set ``values`` if the appointment is still as expected; True if it was."""
        query = update(Appointment).where(Appointment.org_id == org_id,
                                          Appointment.id == appointment_id)
        if expect_status is not None:
            query = query.where(Appointment.status.in_(_tuple(expect_status)))
        if expect_states is not None:
            query = query.where(Appointment.bundle_state.in_(_tuple(expect_states)))
        if expect_bundle is not ...:
            query = query.where(Appointment.bundle_id.is_(None) if expect_bundle is None
                                else Appointment.bundle_id == expect_bundle)
        result = self.session.execute(query.values(**values)
                                      .execution_options(synchronize_session=False))
        return result.rowcount == 1


def _tuple(value):
    return tuple(value) if isinstance(value, (list, tuple, set)) else (value,)
