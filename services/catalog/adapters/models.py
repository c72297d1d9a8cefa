"""Catalog's tables. This service's database is its own; nobody else reads it.

Every row carries ``org_id`` and every query filters on it (R1.1). Money is a BigInteger
in minor units. The offers of an activity are columns (not a JSON blob) because seat
conversions (R2.6) change capacities with conditional updates.
Occurrences carry their own à la carte capacity for the same reason.
"""
from sqlalchemy import (JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, MetaData,
                        String, Text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.outbox import define_tables
from services.common.types import UTCDateTime

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})
define_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Org(Base):
    __tablename__ = "orgs"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    locale: Mapped[str] = mapped_column(String(2))
    created_at = mapped_column(UTCDateTime, nullable=False)
    # R7.1 (migration 0004_taxes): free-text address, how prices are entered, the taxes
    # [{code, name, rate (decimal string, percent), registration_number}]
    address = mapped_column(Text, nullable=True)
    prices_include_tax: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                     server_default="0")
    taxes = mapped_column(JSON, nullable=True)


class Program(Base):
    __tablename__ = "programs"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at = mapped_column(UTCDateTime, nullable=False)


class Activity(Base):
    __tablename__ = "activities"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id"), index=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    accounting_code = mapped_column(String(50), nullable=True)
    # R2.7: {min_age, max_age, genders, membership_type_ids, skills}
    restrictions = mapped_column(JSON, nullable=False)
    # R2.1: {start_date, end_date, slots, excluded_dates} with ISO dates, or null
    schedule = mapped_column(JSON, nullable=True)
    # R2.2 session offer
    session_enabled: Mapped[bool] = mapped_column(Boolean)
    session_price = mapped_column(BigInteger, nullable=True)
    session_capacity = mapped_column(Integer, nullable=True)
    session_opens_at = mapped_column(UTCDateTime, nullable=True)
    session_closes_at = mapped_column(UTCDateTime, nullable=True)
    # R8.2: {allowed, deadline_minutes_before, refund: whole | prorated | none} or null
    session_cancellation = mapped_column(JSON, nullable=True)
    # R2.6: session seats converted to à la carte seats so far (``session_capacity`` is
    # what is left); registration's session pool counts them as taken.
    session_converted: Mapped[int] = mapped_column(Integer, nullable=False, default=0,
                                                   server_default="0")
    # R2.3 à la carte offer
    alc_enabled: Mapped[bool] = mapped_column(Boolean)
    alc_price = mapped_column(BigInteger, nullable=True)
    alc_capacity = mapped_column(Integer, nullable=True)
    alc_pass_only: Mapped[bool] = mapped_column(Boolean)
    alc_opens_minutes_before = mapped_column(Integer, nullable=True)
    alc_closes_minutes_before: Mapped[int] = mapped_column(Integer)
    alc_cancellation_allowed: Mapped[bool] = mapped_column(Boolean)
    alc_cancellation_deadline_minutes: Mapped[int] = mapped_column(Integer)
    tax_codes = mapped_column(JSON, nullable=True)  # R7.1: None = all the org's taxes
    # R8.1: {window_minutes_before, late_cancel_fee, no_show_fee} or null (no fees)
    alc_fees = mapped_column(JSON, nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False)
    updated_at = mapped_column(UTCDateTime, nullable=False)
    # Issue 14 (migration 0007_readmodel): 1 when created, +1 in the transaction of every
    # change to the activity or any of its occurrences (``CatalogRepository.bump_revision``);
    # copies of the catalog keep the newest revision they saw.
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1,
                                          server_default="1")


class Occurrence(Base):
    __tablename__ = "occurrences"
    __table_args__ = (
        Index("ix_occurrences_activity_starts", "activity_id", "starts_at"),
        Index("ix_occurrences_org_starts", "org_id", "starts_at"),
    )
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id"))
    activity_id: Mapped[str] = mapped_column(ForeignKey("activities.id"))
    starts_at = mapped_column(UTCDateTime, nullable=False)
    ends_at = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(20))          # scheduled | cancelled
    origin: Mapped[str] = mapped_column(String(20))          # schedule | single
    cancel_reason = mapped_column(String(40), nullable=True)
    cancelled_at = mapped_column(UTCDateTime, nullable=True)
    alc_capacity: Mapped[int] = mapped_column(Integer)
    created_at = mapped_column(UTCDateTime, nullable=False)


class Service(Base):
    __tablename__ = "services"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    price: Mapped[int] = mapped_column(BigInteger)
    accounting_code = mapped_column(String(50), nullable=True)
    tax_codes = mapped_column(JSON, nullable=True)  # R7.1: None = all the org's taxes
    # R8.1: {window_minutes_before, late_cancel_fee, no_show_fee} or null (no fees)
    fees = mapped_column(JSON, nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False)


class PassType(Base):
    """The identity of a pass type; its terms are versioned (R2.9)."""
    __tablename__ = "pass_types"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id"), index=True)
    current_version: Mapped[int] = mapped_column(Integer)
    created_at = mapped_column(UTCDateTime, nullable=False)
    updated_at = mapped_column(UTCDateTime, nullable=False)


class PassTypeTerms(Base):
    """One version of a pass type's terms (R2.8); never updated, a PATCH adds a version."""
    __tablename__ = "pass_type_terms"
    pass_type_id: Mapped[str] = mapped_column(ForeignKey("pass_types.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    price: Mapped[int] = mapped_column(BigInteger)
    uses = mapped_column(Integer, nullable=True)               # null: unlimited
    valid_days = mapped_column(Integer, nullable=True)
    expires_on = mapped_column(Date, nullable=True)
    family: Mapped[bool] = mapped_column(Boolean)
    eligible_activity_ids = mapped_column(JSON, nullable=False)
    credit_on_cancel: Mapped[bool] = mapped_column(Boolean)
    accounting_code = mapped_column(String(50), nullable=True)
    tax_codes = mapped_column(JSON, nullable=True)  # R7.1: None = all the org's taxes
    created_at = mapped_column(UTCDateTime, nullable=False)


class BundleType(Base):
    __tablename__ = "bundle_types"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    accounting_code = mapped_column(String(50), nullable=True)
    # [{name, items: [{service_id, count}], price, price_overridden}], priced when created
    divisions = mapped_column(JSON, nullable=False)
    tax_codes = mapped_column(JSON, nullable=True)  # R7.1: None = all the org's taxes
    created_at = mapped_column(UTCDateTime, nullable=False)


class MembershipType(Base):
    __tablename__ = "membership_types"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    price: Mapped[int] = mapped_column(BigInteger)
    duration_days: Mapped[int] = mapped_column(Integer)
    accounting_code = mapped_column(String(50), nullable=True)
    tax_codes = mapped_column(JSON, nullable=True)  # R7.1: None = all the org's taxes
    created_at = mapped_column(UTCDateTime, nullable=False)


class SubscriptionPlan(Base):
    __tablename__ = "subscription_plans"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    monthly_price: Mapped[int] = mapped_column(BigInteger)
    activity_ids = mapped_column(JSON, nullable=False)
    accounting_code = mapped_column(String(50), nullable=True)
    tax_codes = mapped_column(JSON, nullable=True)  # R7.1: None = all the org's taxes
    created_at = mapped_column(UTCDateTime, nullable=False)
