"""Every event the catalog publishes (exchange ``catalog.events``, routing key = the type):
its type constant, the schema of its ``data`` (every field it carries) and its version.

The envelope is ``{event_id, type, occurred_at, version, data}``; ``occurred_at`` is the
catalog's clock at the change (RFC 3339, UTC). Delivery is at least once: consumers claim
``event_id``. Subscribe with these constants::

    from services.catalog.contract import events as catalog_events
    @event_handler("catalog", catalog_events.OCCURRENCE_ADDED)

A field added later does not bump the version (read the fields you need, ignore others);
a field removed or changed does. ``PAYLOADS[type]().load(data)`` checks that a payload has
exactly the fields listed here (the catalog's tests do it for every event they see). Times
are RFC 3339 with the org's offset at that instant, dates ``YYYY-MM-DD``, money integer
minor units (R1.3).

What a copy of the catalog kept from these events (registration's, issue 14) can rely on:
- an activity's offers, restrictions and schedule are the whole ``Activity`` of its latest
  ``activity_created`` / ``activity_updated`` (a PATCH, a seat conversion or a schedule
  change each send the whole activity again, in the transaction of the change);
- every occurrence is announced by ``occurrence_added`` when it comes to exist (the
  activity's schedule on creation or after a schedule change, one added by hand, one a
  schedule change brings back with its old id) and by ``occurrence_cancelled`` when it is
  cancelled (by an admin or because the schedule no longer has it); they come after the
  ``activity_created`` / ``activity_updated`` of the same change;
- an occurrence's à la carte price, ``pass_only``, window and cancellation deadline follow
  its activity's ``a_la_carte`` (so an ``activity_updated`` changes them for every
  occurrence, past ones included: the Occurrence payloads show them as of their event);
  its à la carte ``capacity`` is its own: set from the activity's when it is added or
  brought back, and for every occurrence starting after the ``occurred_at`` of an
  ``activity_updated`` (or ``seats_converted``) it equals the activity's
  ``a_la_carte.capacity`` (0 when null); occurrences that started before keep theirs;
- an activity's ``occurrence_count``, ``first_starts_at`` and ``last_ends_at`` change with
  single occurrences added or cancelled, which send no ``activity_updated``: the Occurrence
  payloads carry them as ``activity_occurrence_count`` etc.;
- an activity's ``revision`` is one more with every transaction that changes the activity or
  any of its occurrences, and the events of that transaction carry it (``revision`` in the
  Activity, ``activity_revision`` in the Occurrence): of two payloads about the same thing,
  the one with the higher revision is the newer. An occurrence last announced at an older
  revision than its activity's may have changed with the activity without an occurrence
  event (its à la carte offer; its capacity after a capacity change or a seat conversion):
  ``get_occurrence`` / ``list_occurrences`` answer with its ``activity_revision``.
"""
from marshmallow import Schema, fields

from services.common.schemas import Contract, Money

ORG_CREATED = "org_created"
ORG_UPDATED = "org_updated"
PROGRAM_CREATED = "program_created"
ACTIVITY_CREATED = "activity_created"
ACTIVITY_UPDATED = "activity_updated"
OCCURRENCE_ADDED = "occurrence_added"
OCCURRENCE_CANCELLED = "occurrence_cancelled"
SEATS_CONVERTED = "seats_converted"
SERVICE_CREATED = "service_created"
SERVICE_UPDATED = "service_updated"
PASS_TYPE_CREATED = "pass_type_created"
PASS_TYPE_UPDATED = "pass_type_updated"
BUNDLE_TYPE_CREATED = "bundle_type_created"
BUNDLE_TYPE_UPDATED = "bundle_type_updated"
MEMBERSHIP_TYPE_CREATED = "membership_type_created"
MEMBERSHIP_TYPE_UPDATED = "membership_type_updated"
SUBSCRIPTION_PLAN_CREATED = "subscription_plan_created"
SUBSCRIPTION_PLAN_UPDATED = "subscription_plan_updated"
CATALOG_EDITED = "catalog_edited"

# The entities whose edits are audited (``catalog_edited.entity``) and their update event.
EDITED_ENTITIES = {"service": SERVICE_UPDATED, "bundle_type": BUNDLE_TYPE_UPDATED,
                   "membership_type": MEMBERSHIP_TYPE_UPDATED,
                   "subscription_plan": SUBSCRIPTION_PLAN_UPDATED}


class Payload(Contract):
    """An event's ``data``. Unknown fields are refused (so the schema stays the full list);
    the bounds on requests do not apply (a fact of the catalog is not a request)."""

    def on_bind_field(self, field_name, field_obj):
        pass

    def load(self, data, *args, **kwargs):
        return Schema.load(self, data, *args, **kwargs)


def Req(field_cls, *args, description=None, **kw):  # noqa: N802 - a field factory
    """A field the producer always sends (``None`` allowed only where said)."""
    metadata = {"description": description} if description else {}
    return field_cls(*args, required=True, metadata=metadata, **kw)


def Text(description=None, nullable=False):  # noqa: N802
    return Req(fields.String, description=description, allow_none=nullable)


def Int(description=None, nullable=False):  # noqa: N802
    return Req(fields.Integer, description=description, allow_none=nullable)


def Price(description=None, nullable=False):  # noqa: N802
    """Money in minor units (64-bit, like every amount: docs/limits.md)."""
    return Req(Money, description=description, allow_none=nullable)


def Flag(description=None):  # noqa: N802
    return Req(fields.Boolean, description=description)


def Time(description=None):  # noqa: N802
    """RFC 3339 with the org's offset, or null."""
    return Req(fields.String, description=description, allow_none=True)


def TaxCodes():  # noqa: N802
    return Req(fields.List, fields.String(), allow_none=True,
               description="null: all the org's taxes; []: exempt (R7.1)")


# -- the org ------------------------------------------------------------------------------------

class Tax(Payload):
    code = Text()
    name = Text()
    rate = Text('percent as a decimal string, e.g. "9.975"')
    registration_number = Text(nullable=True)


class Org(Payload):
    id = Text()
    name = Text()
    timezone = Text("IANA name; occurrences are generated in it")
    currency = Text("ISO 4217")
    locale = Text("fr or en")
    address = Text(nullable=True)
    prices_include_tax = Flag()
    taxes = Req(fields.List, fields.Nested(Tax))


class Program(Payload):
    id = Text()
    org_id = Text()
    name = Text()


# -- activities -----------------------------------------------------------------------------------

class Restrictions(Payload):
    """R2.7: who may register (empty lists and nulls: anyone)."""
    min_age = Int(nullable=True)
    max_age = Int(nullable=True)
    genders = Req(fields.List, fields.String())
    membership_type_ids = Req(fields.List, fields.String(),
                              description="any one of them, active on the occurrence date")
    skills = Req(fields.List, fields.String())


class Slot(Payload):
    weekday = Int("0 = Monday … 6 = Sunday")
    start_time = Text("local HH:MM")
    duration_minutes = Int()


class Schedule(Payload):
    start_date = Text("YYYY-MM-DD")
    end_date = Text("YYYY-MM-DD, inclusive")
    slots = Req(fields.List, fields.Nested(Slot))
    excluded_dates = Req(fields.List, fields.String())


class SessionCancellation(Payload):
    """R8.2 (keys left out of a PATCH are absent: allowed false, 0 minutes, refund none)."""
    allowed = fields.Boolean()
    deadline_minutes_before = fields.Integer(metadata={
        "description": "before the start of the session's last occurrence"})
    refund = fields.String(metadata={"description": "whole, prorated or none"})


class Session(Payload):
    """R2.2: the whole run of occurrences sold as one."""
    enabled = Flag()
    price = Price(nullable=True)
    capacity = Int("session seats left to sell (after conversions)", nullable=True)
    opens_at = Time("registration opens (null: as soon as published)")
    closes_at = Time("registration closes (null: at the start of the last occurrence)")
    cancellation = Req(fields.Nested, SessionCancellation, allow_none=True,
                       description="cancellation by the client (R8.2); null: staff only")
    converted_seats = Int("seats converted to à la carte so far (R2.6); the session pool "
                          "is capacity + converted_seats, the converted ones counted taken")


class Cancellation(Payload):
    allowed = Flag("clients may cancel an à la carte registration (R2.3)")
    deadline_minutes_before = Int("until this many minutes before the start")


class Fee(Payload):
    type = Req(fields.String, description="fixed or percent")
    amount = Money(allow_none=True, metadata={"description": "fixed: the fee"})
    percent = fields.Integer(allow_none=True,
                             metadata={"description": "percent: share of the price"})


class FeePolicy(Payload):
    """R8.1 (keys left out of a PATCH are absent: no fee)."""
    window_minutes_before = fields.Integer()
    late_cancel_fee = fields.Nested(Fee, allow_none=True)
    no_show_fee = fields.Nested(Fee, allow_none=True)


class ALaCarte(Payload):
    """R2.3: single occurrences sold one by one."""
    enabled = Flag()
    price = Price(nullable=True)
    capacity = Int("seats per occurrence (each occurrence keeps its own: see above)",
                   nullable=True)
    pass_only = Flag("only with a pass (R2.8)")
    opens_minutes_before = Int("registration opens this long before the start (null: as "
                               "soon as published)", nullable=True)
    closes_minutes_before = Int("registration closes this long before the start (0: at it)")
    cancellation = Req(fields.Nested, Cancellation)
    fees = Req(fields.Nested, FeePolicy, allow_none=True,
               description="late-cancellation and no-show fees (R8.1); null: none")


class Activity(Payload):
    """The whole activity, as ``get_activity`` answers it."""
    id = Text()
    org_id = Text()
    program_id = Text()
    name = Text()
    accounting_code = Text(nullable=True)
    restrictions = Req(fields.Nested, Restrictions)
    schedule = Req(fields.Nested, Schedule, allow_none=True)
    session = Req(fields.Nested, Session)
    a_la_carte = Req(fields.Nested, ALaCarte)
    tax_codes = TaxCodes()
    occurrence_count = Int("scheduled (not cancelled) occurrences")
    first_starts_at = Time("start of the first scheduled occurrence")
    last_ends_at = Time("end of the last scheduled occurrence")
    revision = Int("1 when created, one more with every change to the activity or to any "
                   "of its occurrences (issue 14): a copy keeps the highest it saw")


class OccurrenceCancellation(Payload):
    allowed = Flag()
    deadline_at = Time("until when a client may cancel (null: never)")


class OccurrenceALaCarte(Payload):
    """The activity's à la carte offer applied to this occurrence (R2.3)."""
    enabled = Flag()
    price = Price(nullable=True)
    capacity = Int("this occurrence's own à la carte seats")
    pass_only = Flag()
    opens_at = Time("null: open as soon as published")
    closes_at = Time()
    cancellation = Req(fields.Nested, OccurrenceCancellation)


class Occurrence(Payload):
    """One occurrence (``get_occurrence`` without ``bookable``/``reason``, which depend on
    the instant asked), with its activity's counts after the change."""
    id = Text()
    org_id = Text()
    activity_id = Text()
    program_id = Text()
    activity_name = Text()
    starts_at = Time()
    ends_at = Time()
    status = Text("scheduled or cancelled")
    origin = Text("schedule (made by the activity's schedule) or single (added by hand)")
    cancelled_at = Time()
    cancel_reason = Text("null; cancelled (by an admin: stays cancelled) or "
                         "removed_from_schedule (may come back with the same id)",
                         nullable=True)
    a_la_carte = Req(fields.Nested, OccurrenceALaCarte)
    activity_revision = Int("the activity's revision after the change (Activity.revision)")
    activity_occurrence_count = Int("the activity's scheduled occurrences after the change")
    activity_first_starts_at = Time("the activity's first scheduled start after the change")
    activity_last_ends_at = Time("the activity's last scheduled end after the change")


class SeatsConverted(Payload):
    """R2.6: ``seats`` unsold session seats became à la carte seats (the whole activity
    follows in an ``activity_updated`` of the same transaction)."""
    org_id = Text()
    activity_id = Text()
    seats = Int("seats converted by this conversion")
    conversion_id = Text("registration's reservation of the seats in the session pool")
    session_capacity = Int("session seats left after it")
    converted_seats = Int("session seats converted so far")
    a_la_carte_capacity = Int("the activity's à la carte seats per occurrence after it: "
                              "every occurrence starting after occurred_at gained seats")


# -- what else the org sells ----------------------------------------------------------------------

class Service(Payload):
    """R2.10: an appointment's service."""
    id = Text()
    org_id = Text()
    name = Text()
    duration_minutes = Int()
    price = Price()
    accounting_code = Text(nullable=True)
    tax_codes = TaxCodes()
    fees = Req(fields.Nested, FeePolicy, allow_none=True, description="R8.1; null: none")


class PassType(Payload):
    """R2.8 with the terms of ``terms_version`` (R2.9: each edit is a new version)."""
    id = Text()
    org_id = Text()
    terms_version = Int()
    name = Text()
    price = Price()
    uses = Int("null: unlimited", nullable=True)
    valid_days = Int("days from purchase (or expires_on)", nullable=True)
    expires_on = Text("YYYY-MM-DD (or valid_days)", nullable=True)
    family = Flag()
    eligible_activity_ids = Req(fields.List, fields.String())
    credit_on_cancel = Flag()
    accounting_code = Text(nullable=True)
    tax_codes = TaxCodes()
    terms_created_at = Time()


class BundleItem(Payload):
    service_id = Text()
    count = Int()


class Division(Payload):
    name = Text()
    items = Req(fields.List, fields.Nested(BundleItem))
    price = Price()
    price_overridden = Flag()


class BundleType(Payload):
    """R2.11."""
    id = Text()
    org_id = Text()
    name = Text()
    accounting_code = Text(nullable=True)
    divisions = Req(fields.List, fields.Nested(Division))
    tax_codes = TaxCodes()


class MembershipType(Payload):
    """R2.12."""
    id = Text()
    org_id = Text()
    name = Text()
    price = Price()
    duration_days = Int()
    accounting_code = Text(nullable=True)
    tax_codes = TaxCodes()


class SubscriptionPlan(Payload):
    """R2.13."""
    id = Text()
    org_id = Text()
    name = Text()
    monthly_price = Int()
    activity_ids = Req(fields.List, fields.String())
    accounting_code = Text(nullable=True)
    tax_codes = TaxCodes()


class CatalogEdited(Payload):
    """An audited edit (issue 17), kept by accounts' audit log; the entity's
    ``<entity>_updated`` follows in the same transaction."""
    org_id = Text()
    entity = Text("service, bundle_type, membership_type or subscription_plan")
    entity_id = Text()
    actor = Text("role:subject of who edited", nullable=True)
    before = Req(fields.Dict, description="the entity before (its *_updated payload shape)")
    after = Req(fields.Dict, description="the entity after")
    edited_at = Text("RFC 3339")


PAYLOADS = {
    ORG_CREATED: Org, ORG_UPDATED: Org,
    PROGRAM_CREATED: Program,
    ACTIVITY_CREATED: Activity, ACTIVITY_UPDATED: Activity,
    OCCURRENCE_ADDED: Occurrence, OCCURRENCE_CANCELLED: Occurrence,
    SEATS_CONVERTED: SeatsConverted,
    SERVICE_CREATED: Service, SERVICE_UPDATED: Service,
    PASS_TYPE_CREATED: PassType, PASS_TYPE_UPDATED: PassType,
    BUNDLE_TYPE_CREATED: BundleType, BUNDLE_TYPE_UPDATED: BundleType,
    MEMBERSHIP_TYPE_CREATED: MembershipType, MEMBERSHIP_TYPE_UPDATED: MembershipType,
    SUBSCRIPTION_PLAN_CREATED: SubscriptionPlan, SUBSCRIPTION_PLAN_UPDATED: SubscriptionPlan,
    CATALOG_EDITED: CatalogEdited,
}

VERSIONS = {event_type: 1 for event_type in PAYLOADS}
