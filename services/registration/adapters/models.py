"""Registration's tables. This service's database is its own; nobody else reads it.

- ``seat_pools``: one row per pool (R2.4): the session pool of an activity
  (``session:<activity_id>``) or the à la carte pool of an occurrence
  (``a_la_carte:<occurrence_id>``). ``taken`` counts the pool's confirmed registrations and
  holds (lapsed holds too, until they are expired); it only moves by a conditional
  ``UPDATE … SET taken = taken + 1 WHERE taken < capacity`` in the transaction that inserts
  the hold, and by ``taken - 1`` in the transaction that ends a registration.
- ``registrations``: holds and registrations. A partial unique index allows one active
  (held or confirmed) registration per member and pool (R3.2, ``already_registered``).
- ``occurrence_activities``: which activity an occurrence belongs to, learnt from the
  catalog, so ``seat_counts`` can give an occurrence its activity's session seats.

Appointments (R5.1, R5.2, R4.6, R4.7):
  - ``appointments``: one row per appointment; the service's name, duration and price and the
    org's timezone are copied when it is booked. ``bundle_id``/``bundle_state`` record the
    bundle step (see ``domain/appointments.py``) before and after every call to passes.
  - ``staff_agenda_locks``: one row per (org, staff member). A booking for a staff member locks
    that row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's write transactions are serialised
    by BEGIN IMMEDIATE) and then checks for an overlapping appointment in the same
    transaction, so a staff member is never double-booked (R5.2), whichever instance books.

The waiting list (R3.9):
  ``waitlist_entries``: one row per member waiting for a pool (the à la carte pool of an
  occurrence, or an activity's session pool). The entry keeps a copy of what the member
  waits for (price, description, start, cancellation terms) taken when they joined, so that a
  seat can be offered in the very transaction that frees it, with no call to the catalog.
  A partial unique index allows one live entry (``waiting`` or ``offered``) per member and
  pool. The order of the list is ``(queued_at, seq)``; positions are computed when read.
"""
from datetime import datetime

from sqlalchemy import (JSON, BigInteger, Boolean, CheckConstraint, Index, Integer, MetaData,
                        String, literal_column, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.outbox import define_tables
from services.common.types import UTCDateTime

metadata = MetaData()
define_tables(metadata)

ACTIVE_WHERE = "status IN ('held', 'confirmed')"


def is_active(status_column):
    """``status IN ('held', 'confirmed')`` with the values written into the SQL, not bound:
    SQLite's planner uses a partial index only when the query's condition matches the
    index's own (``ACTIVE_WHERE``), which bound parameters never do (#14: 0.72 ms against
    0.01 ms per lookup at 640 registrations an occurrence)."""
    return status_column.in_([literal_column("'held'"), literal_column("'confirmed'")])


class Base(DeclarativeBase):
    metadata = metadata


class SeatPool(Base):
    __tablename__ = "seat_pools"
    __table_args__ = (
        CheckConstraint("taken >= 0", name="ck_seat_pools_taken_not_negative"),
        Index("ix_seat_pools_org_activity", "org_id", "activity_id"),
    )

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    activity_id: Mapped[str] = mapped_column(String(64), nullable=False)
    occurrence_id: Mapped[str] = mapped_column(String(64), nullable=True)
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    taken: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    occurrences_known: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (
        Index("uq_registrations_active_member_pool", "pool_id", "member_id", unique=True,
              sqlite_where=text(ACTIVE_WHERE), postgresql_where=text(ACTIVE_WHERE)),
        Index("ix_registrations_pool_status", "pool_id", "status"),
        Index("ix_registrations_status_expiry", "status", "hold_expires_at"),
        Index("ix_registrations_org_account", "org_id", "account_id", "created_at"),
        Index("ix_registrations_org_activity", "org_id", "activity_id"),
        Index("ix_registrations_org_invoice", "org_id", "invoice_id"),
        Index("ix_registrations_org_cart_item", "org_id", "cart_item_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    pool_id: Mapped[str] = mapped_column(String(120), nullable=False)
    member_id: Mapped[str] = mapped_column(String(64), nullable=False)
    member_name: Mapped[str] = mapped_column(String(210), nullable=True)
    account_id: Mapped[str] = mapped_column(String(64), nullable=False)
    activity_id: Mapped[str] = mapped_column(String(64), nullable=False)
    occurrence_id: Mapped[str] = mapped_column(String(64), nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    starts_at_local: Mapped[str] = mapped_column(String(40), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    price: Mapped[int] = mapped_column(BigInteger, nullable=False)
    description: Mapped[str] = mapped_column(String(300), nullable=False)
    accounting_code: Mapped[str] = mapped_column(String(50), nullable=True)
    hold_expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    invoice_id: Mapped[str] = mapped_column(String(64), nullable=True)
    cart_id: Mapped[str] = mapped_column(String(64), nullable=True)
    cart_item_id: Mapped[str] = mapped_column(String(64), nullable=True)
    paid_with_type: Mapped[str] = mapped_column(String(16), nullable=False)
    paid_with_id: Mapped[str] = mapped_column(String(64), nullable=True)
    # The cancellation terms in force when the seat was booked (R2.3, R3.5).
    cancellation_allowed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    cancellation_deadline_minutes: Mapped[int] = mapped_column(Integer, nullable=False,
                                                               default=0)
    cancelled_by: Mapped[str] = mapped_column(String(16), nullable=True)
    refund_to_credit: Mapped[int] = mapped_column(BigInteger, nullable=True)
    restore_pass_use: Mapped[bool] = mapped_column(Boolean, nullable=True)
    # R8.1: the offer's fee policy when the seat was booked, and what was incurred
    fee_policy = mapped_column(JSON, nullable=True)
    fee = mapped_column(JSON, nullable=True)
    no_show_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)


class SeatConversion(Base):
    """R2.6: a seat conversion the catalog asked for, by the catalog's id, so that taking
    and giving back its seats each happen once (``reserved`` → ``returned``). A give-back
    that arrives first leaves a ``returned`` row with no seats, and a late take is
    refused."""
    __tablename__ = "seat_conversions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    activity_id: Mapped[str] = mapped_column(String(64), nullable=False)
    seats: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class OccurrenceActivity(Base):
    __tablename__ = "occurrence_activities"
    __table_args__ = (Index("ix_occurrence_activities_activity", "org_id", "activity_id"),)

    occurrence_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    activity_id: Mapped[str] = mapped_column(String(64), nullable=False)


# -- appointments ------------------------------------------------------------------------------
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


# -- the waiting list --------------------------------------------------------------------------
LIVE_WHERE = "status IN ('waiting', 'offered')"


class WaitlistEntry(Base):
    __tablename__ = "waitlist_entries"
    __table_args__ = (
        Index("uq_waitlist_live_member_pool", "pool_id", "member_id", unique=True,
              sqlite_where=text(LIVE_WHERE), postgresql_where=text(LIVE_WHERE)),
        Index("ix_waitlist_pool_status", "pool_id", "status", "queued_at"),
        Index("ix_waitlist_org_account", "org_id", "account_id"),
        Index("ix_waitlist_registration", "registration_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # the list's order: (queued_at, seq); staff moving an entry to the front change both
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    pool_id: Mapped[str] = mapped_column(String(120), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    activity_id: Mapped[str] = mapped_column(String(64), nullable=False)
    occurrence_id: Mapped[str] = mapped_column(String(64), nullable=True)
    member_id: Mapped[str] = mapped_column(String(64), nullable=False)
    member_name: Mapped[str] = mapped_column(String(210), nullable=True)
    account_id: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    # what is offered, as it stood when the member joined
    price: Mapped[int] = mapped_column(BigInteger, nullable=False)
    description: Mapped[str] = mapped_column(String(300), nullable=False)
    accounting_code: Mapped[str] = mapped_column(String(50), nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    starts_at_local: Mapped[str] = mapped_column(String(40), nullable=True)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    cancellation_allowed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    cancellation_deadline_minutes: Mapped[int] = mapped_column(Integer, nullable=False,
                                                               default=0)
    fee_policy = mapped_column(JSON, nullable=True)  # R8.1, copied onto the offered hold
    # the offer
    registration_id: Mapped[str] = mapped_column(String(40), nullable=True)
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    offer_expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    offered_by: Mapped[str] = mapped_column(String(16), nullable=True)  # waitlist | staff
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)


# -- the read model of other services' data (#14) -------------------------------------------------
class KnownMember(Base):
    """A member as accounts last said (``get_member``'s shape, in ``body``): fed by accounts'
    ``account_created``, ``member_added`` and ``member_updated``, or fetched by RPC on a miss.
    ``model_version`` is the read model's version when the row was written (a row of another
    version counts as a miss); ``event_at`` the ``occurred_at`` of the last event applied
    (an older event never overwrites it; null for a row fetched by RPC)."""
    __tablename__ = "known_members"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    account_id: Mapped[str] = mapped_column(String(64), nullable=False)
    body = mapped_column(JSON, nullable=False)
    model_version: Mapped[int] = mapped_column(Integer, nullable=False)
    event_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=True)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class KnownActivity(Base):
    """An activity as the catalog last said (``get_activity``'s shape, in ``body``): fed by
    the catalog's ``activity_created`` / ``activity_updated``, by the catalog's push after
    each change (``catalog_changed``), or fetched by RPC on a miss. ``revision`` is the
    catalog's revision of the activity in ``body`` (an older one never overwrites it);
    ``model_version`` the read model's version when the row was written (a row of another
    version counts as a miss)."""
    __tablename__ = "known_activities"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    body = mapped_column(JSON, nullable=False)
    model_version: Mapped[int] = mapped_column(Integer, nullable=False)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class KnownOccurrence(Base):
    """An occurrence as the catalog last said (``get_occurrence``'s shape without
    ``bookable``/``reason``, which depend on the instant asked): fed like
    :class:`KnownActivity` by ``occurrence_added`` / ``occurrence_cancelled``, the push and
    misses. ``revision`` is its activity's revision when the catalog said it
    (``activity_revision``)."""
    __tablename__ = "known_occurrences"
    __table_args__ = (Index("ix_known_occurrences_activity", "org_id", "activity_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), nullable=False)
    activity_id: Mapped[str] = mapped_column(String(64), nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    body = mapped_column(JSON, nullable=False)
    model_version: Mapped[int] = mapped_column(Integer, nullable=False)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
