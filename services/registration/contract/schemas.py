"""Marshmallow contracts of registration's RPC methods and events (docs/contracts.md), also
used by the gateway's registration routes (validation and the OpenAPI document).

Inputs refuse unknown fields. Outputs document what the service returns (already JSON-ready:
times are RFC 3339 strings, money integers in minor units), so dumping is the identity.
"""
from marshmallow import ValidationError, validates_schema

from services.common.pagination import MAX_LIMIT
from services.common.schemas import Contract, Money, fields, validate

from . import vocabulary as rules

Id = lambda **kw: fields.String(validate=validate.Length(min=1, max=64), **kw)  # noqa: E731


# -- inputs -------------------------------------------------------------------------------------
class PayWith(Contract):
    type = fields.String(load_default=rules.MONEY, validate=validate.OneOf(
        [rules.MONEY, rules.PASS, rules.SUBSCRIPTION]))
    pass_id = Id(load_default=None, allow_none=True)
    subscription_id = Id(load_default=None, allow_none=True, metadata={
        "description": "billing's subscription that pays the seat (billing decides)"})


class HoldIn(Contract):
    kind = fields.String(required=True, validate=validate.OneOf(rules.KINDS))
    member_id = Id(required=True)
    account_id = Id(required=True)
    activity_id = Id(load_default=None, allow_none=True,
                     metadata={"description": "the activity (session)"})
    occurrence_id = Id(load_default=None, allow_none=True,
                       metadata={"description": "the occurrence (à la carte)"})
    cart_id = Id(load_default=None, allow_none=True)
    cart_item_id = Id(load_default=None, allow_none=True)
    pay_with = fields.Nested(PayWith, load_default=None, allow_none=True)
    walk_in_name = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(min=1, max=200), metadata={
                                     "description": "R8.3: a walk-in client (no member)"})

    @validates_schema
    def _what_is_held(self, data, **kwargs):
        needed = "activity_id" if data.get("kind") == rules.SESSION else "occurrence_id"
        if not data.get(needed):
            raise ValidationError(f"required for a {data.get('kind')} hold", needed)


class ConfirmIn(Contract):
    registration_ids = fields.List(Id(), required=True, validate=validate.Length(min=1,
                                                                                 max=500))
    invoice_id = Id(required=True)


class CancelIn(Contract):
    by_staff = fields.Boolean(load_default=False)
    restore_pass_use = fields.Boolean(load_default=None, allow_none=True, metadata={
        "description": "staff, for a registration paid by a pass: give the use back "
                       "(default: yes, R3.6)"})


class ListQuery(Contract):
    account_id = Id(load_default=None, allow_none=True)
    activity_id = Id(load_default=None, allow_none=True)
    occurrence_id = Id(load_default=None, allow_none=True)
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(rules.KINDS))
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(rules.STATUSES))
    limit = fields.Integer(load_default=None, allow_none=True,
                           validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = fields.String(load_default=None, allow_none=True)


class ActivityQuery(Contract):
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(rules.KINDS))
    occurrence_id = Id(load_default=None, allow_none=True)


# -- gateway request bodies / queries -------------------------------------------------------------
class CancelRequest(Contract):
    restore_pass_use = fields.Boolean(load_default=None, allow_none=True, metadata={
        "description": "staff only: for a registration paid by a pass, give the use back "
                       "(default: yes, R3.6)"})


class AccountRegistrationsQuery(Contract):
    kind = fields.String(load_default=None, validate=validate.OneOf(rules.KINDS))
    status = fields.String(load_default=None, validate=validate.OneOf(rules.STATUSES))
    limit = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = fields.String(load_default=None)


# -- outputs ------------------------------------------------------------------------------------
class PaidWithOut(Contract):
    type = fields.String(required=True, metadata={"description": "money | pass | subscription"})
    id = fields.String(allow_none=True, metadata={
        "description": "the invoice (money), pass or subscription"})


class RegistrationOut(Contract):
    id = fields.String(required=True)
    org_id = fields.String()
    kind = fields.String(required=True, metadata={"description": "session | a_la_carte"})
    member_id = fields.String(required=True)
    member_name = fields.String(allow_none=True)
    account_id = fields.String(required=True)
    activity_id = fields.String(required=True)
    occurrence_id = fields.String(allow_none=True)
    starts_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    status = fields.String(required=True, metadata={
        "description": "held | confirmed | cancelled | released | expired"})
    price = Money(required=True)
    description = fields.String(required=True)
    accounting_code = fields.String(allow_none=True)
    hold_expires_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    invoice_id = fields.String(allow_none=True)
    cart_id = fields.String(allow_none=True)
    cart_item_id = fields.String(allow_none=True)
    paid_with = fields.Nested(PaidWithOut, required=True)
    created_at = fields.String(metadata={"format": "date-time"})
    confirmed_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    ended_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    cancelled_by = fields.String(allow_none=True, metadata={
        "description": "client | staff | invoice_void | subscription_end"})
    refund_to_credit = Money(allow_none=True)
    fee = fields.Dict(allow_none=True, metadata={
        "description": "R8.1: what a late cancellation or a no-show cost: {kind, amount, "
                       "use_lost}"})
    no_show_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class RegistrationPage(Contract):
    items = fields.List(fields.Nested(RegistrationOut), required=True)
    next_cursor = fields.String(allow_none=True)


class OccurrenceCounts(Contract):
    occurrence_id = fields.String(required=True)
    starts_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    status = fields.String(allow_none=True)
    session_count = fields.Integer(required=True)
    a_la_carte_count = fields.Integer(required=True)


class ActivityRegistrationsOut(Contract):
    activity_id = fields.String()
    session_count = fields.Integer(required=True)
    a_la_carte_count = fields.Integer(required=True)
    occurrences = fields.List(fields.Nested(OccurrenceCounts))
    items = fields.List(fields.Nested(RegistrationOut), required=True)


# -- R2.5, R2.6 (asked by the catalog) --------------------------------------------------------------
class ConvertedSeatsIn(Contract):
    conversion_id = Id(required=True, metadata={
        "description": "the catalog's id of the conversion: taken and given back once"})
    seats = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    pool_capacity = fields.Integer(load_default=None, allow_none=True, strict=True,
                                   validate=validate.Range(min=0), metadata={
                                       "description": "the session pool's capacity as the "
                                                      "catalog has it (capacity + converted)"})


# -- R3.4: booking with a pass, without a cart ------------------------------------------------------
class BookWithPassIn(Contract):
    member_id = Id(required=True)
    occurrence_id = Id(required=True)
    pass_id = Id(required=True)
    account_id = Id(load_default=None, allow_none=True, metadata={
        "description": "when given (a customer's own account), the member must belong to it"})


class BookWithPassRequest(Contract):
    member_id = Id(required=True)
    occurrence_id = Id(required=True)
    pass_id = Id(required=True)


class AttachPassIn(Contract):
    """R3.10: the pass (sold at checkout) that pays a ``hold_for_cart_pass`` hold."""
    pass_id = Id(required=True)


# -- R5.1, R5.2, R4.6, R4.7: appointments (salon agenda) -------------------------------------------
class _BundleChoice(Contract):
    bundle_id = Id(load_default=None, allow_none=True, metadata={
        "description": "the client's bundle to apply (R4.6)"})
    apply_bundle = fields.Boolean(load_default=False, metadata={
        "description": "apply the client's only bundle covering the service; several: 409 "
                       "bundle_choice_required with details.candidates; none: 409 "
                       "no_bundle_available"})

    @validates_schema
    def _one_way(self, data, **kwargs):
        if data.get("bundle_id") and data.get("apply_bundle"):
            raise ValidationError("give bundle_id or apply_bundle, not both", "apply_bundle")


class AppointmentRequest(_BundleChoice):
    member_id = Id(required=True)
    service_id = Id(required=True)
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "RFC 3339"})
    staff_id = Id(load_default=None, allow_none=True)


class AppointmentIn(AppointmentRequest):
    account_id = Id(load_default=None, allow_none=True, metadata={
        "description": "when given (a customer's own account), the member must belong to it"})


class ApplyBundleIn(Contract):
    bundle_id = Id(load_default=None, allow_none=True, metadata={
        "description": "default: the client's only bundle covering the service"})


class CompleteAppointmentIn(Contract):
    invoice_id = Id(required=True)
    bundle_id = Id(load_default=None, allow_none=True, metadata={
        "description": "a bundle to pay with, if none was applied in the agenda (R4.7)"})


class AppointmentCancelIn(Contract):
    by_staff = fields.Boolean(load_default=True)


class AgendaQuery(Contract):
    date = fields.Date(required=True, metadata={"description": "YYYY-MM-DD, org-local"})
    staff_id = Id(load_default=None, allow_none=True)


class AppointmentOut(Contract):
    id = fields.String(required=True)
    org_id = fields.String()
    status = fields.String(required=True, metadata={
        "description": "booked | completed | cancelled | no_show"})
    member_id = fields.String(required=True)
    member_name = fields.String(allow_none=True)
    account_id = fields.String(required=True)
    service_id = fields.String(required=True)
    service_name = fields.String(allow_none=True)
    staff_id = fields.String(allow_none=True)
    staff_name = fields.String(allow_none=True)
    starts_at = fields.String(required=True, metadata={"format": "date-time"})
    ends_at = fields.String(required=True, metadata={"format": "date-time"})
    duration_minutes = fields.Integer(required=True)
    price = Money(required=True, metadata={"description": "0 while a bundle is applied"})
    service_price = Money()
    accounting_code = fields.String(allow_none=True)
    bundle_id = fields.String(allow_none=True)
    bundle_status = fields.String(metadata={
        "description": "none | applying | applied | removing | returned | using | used"})
    invoice_id = fields.String(allow_none=True)
    cancelled_by = fields.String(allow_none=True,
                                 metadata={"description": "client | staff | bundle_refused"})
    created_at = fields.String(metadata={"format": "date-time"})
    ended_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class AppointmentList(Contract):
    items = fields.List(fields.Nested(AppointmentOut), required=True)


class AgendaStaffOut(Contract):
    staff_id = fields.String(allow_none=True, metadata={"description": "null: no staff member"})
    staff_name = fields.String(allow_none=True)
    appointments = fields.List(fields.Nested(AppointmentOut), required=True)


class AgendaOut(Contract):
    date = fields.String(required=True, metadata={"format": "date"})
    timezone = fields.String()
    staff = fields.List(fields.Nested(AgendaStaffOut), required=True)


# -- the registrations report (R3.8, R6.6; served by the gateway from activity_registrations) -----
class RegistrationReportQuery(Contract):
    activity_id = Id(required=True)
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]),
                           metadata={"description": "json (default) or csv (a header row, "
                                                    "the same columns)"})


REGISTRATION_REPORT_COLUMNS = ("occurrence_id", "starts_at", "session_count",
                               "a_la_carte_count", "status")


class RegistrationReport(Contract):
    activity_id = fields.String(required=True)
    session_count = fields.Integer(required=True)
    a_la_carte_count = fields.Integer(required=True)
    items = fields.List(fields.Nested(OccurrenceCounts), required=True, metadata={
        "description": "per occurrence: confirmed session registrations (each counts in "
                       "every occurrence) and à la carte registrations"})


# -- the waiting list (R3.9) ----------------------------------------------------------------------
class WaitlistJoinIn(Contract):
    kind = fields.String(required=True, validate=validate.OneOf(rules.KINDS))
    member_id = Id(required=True)
    account_id = Id(load_default=None, allow_none=True, metadata={
        "description": "the caller's account (a customer); staff: the member's own"})
    activity_id = Id(load_default=None, allow_none=True)
    occurrence_id = Id(load_default=None, allow_none=True)

    @validates_schema
    def _what(self, data, **kwargs):
        needed = "activity_id" if data.get("kind") == rules.SESSION else "occurrence_id"
        if not data.get(needed):
            raise ValidationError(f"required for a {data.get('kind')} waiting list", needed)


class WaitlistJoinRequest(Contract):
    member_id = Id(required=True)


class WaitlistQuery(Contract):
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(
        ["waiting", "offered", "claimed", "lapsed", "left", "closed", "live", "all"]),
        metadata={"description": "default: live (waiting and offered)"})
    limit = fields.Integer(load_default=None, allow_none=True,
                           validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = fields.String(load_default=None, allow_none=True)


class WaitlistEntryOut(Contract):
    id = fields.String(required=True)
    org_id = fields.String()
    kind = fields.String(required=True)
    pool_id = fields.String()
    activity_id = fields.String(required=True)
    occurrence_id = fields.String(allow_none=True)
    member_id = fields.String(required=True)
    member_name = fields.String(allow_none=True)
    account_id = fields.String(required=True)
    status = fields.String(required=True, metadata={
        "description": "waiting | offered | claimed | lapsed | left | closed"})
    position = fields.Integer(allow_none=True, metadata={
        "description": "1 = next to be offered a seat; null when not waiting"})
    starts_at = fields.String(allow_none=True)
    description = fields.String()
    price = Money()
    registration_id = fields.String(allow_none=True, metadata={
        "description": "the hold offered (claim it by adding the same occurrence or "
                       "session for the same member to a cart)"})
    registration_status = fields.String(allow_none=True)
    offered_at = fields.String(allow_none=True)
    offer_expires_at = fields.String(allow_none=True)
    offered_by = fields.String(allow_none=True)
    created_at = fields.String()
    ended_at = fields.String(allow_none=True)


class WaitlistPage(Contract):
    items = fields.List(fields.Nested(WaitlistEntryOut), required=True)
    next_cursor = fields.String(allow_none=True)


class NoteRequest(Contract):
    """An optional note with a staff action: kept in the ``registration_no_show`` and
    ``waitlist_seat_offered`` events (not on an appointment's no-show)."""
    note = fields.String(load_default=None, allow_none=True,
                         validate=validate.Length(max=500))
