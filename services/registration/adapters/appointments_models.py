"""Appointments' tables (R5.1, R5.2, R4.6, R4.7), on registration's ``metadata``.

- ``appointments``: one row per appointment; the service's name, duration and price and the
  org's timezone are copied when it is booked. ``bundle_id``/``bundle_state`` record the
  bundle step (see ``domain/appointments.py``) before and after every call to passes.
- ``staff_agenda_locks``: one row per (org, staff member). A booking for a staff member locks
  that row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's write transactions are serialised
  by BEGIN IMMEDIATE) and then checks for an overlapping appointment in the same
  transaction, so a staff member is never double-booked (R5.2), whichever instance books.
"""
from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.types import UTCDateTime

from .models import Base


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_staff_time", "org_id", "staff_id", "starts_at"),
        Index("ix_appointments_org_time", "org_id", "starts_at"),
        Index("ix_appointments_org_account", "org_id", "account_id", "starts_at"),
        Index("ix_appointments_bundle_state", "bundle_state", "bundle_changed_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    member_id: Mapped[str] = mapped_column(String(64), nullable=False)
    member_name: Mapped[str] = mapped_column(String(210), nullable=True)
    account_id: Mapped[str] = mapped_column(String(64), nullable=False)
    service_id: Mapped[str] = mapped_column(String(64), nullable=False)
    service_name: Mapped[str] = mapped_column(String(200), nullable=False)
    staff_id: Mapped[str] = mapped_column(String(64), nullable=True)
    staff_name: Mapped[str] = mapped_column(String(200), nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    service_price: Mapped[int] = mapped_column(BigInteger, nullable=False)
    price: Mapped[int] = mapped_column(BigInteger, nullable=False)
    accounting_code: Mapped[str] = mapped_column(String(50), nullable=True)
    bundle_id: Mapped[str] = mapped_column(String(64), nullable=True)
    bundle_state: Mapped[str] = mapped_column(String(16), nullable=False)
    bundle_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    invoice_id: Mapped[str] = mapped_column(String(64), nullable=True)
    cancelled_by: Mapped[str] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)


class StaffAgendaLock(Base):
    __tablename__ = "staff_agenda_locks"

    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(64), primary_key=True)
