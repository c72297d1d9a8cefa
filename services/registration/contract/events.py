"""The events registration publishes (envelope: ``event_id``, ``type``, ``occurred_at``,
``version``, ``data``; written with ``uow.emit`` in the transaction of the change). A
consumer subscribes with these constants:
``@event_handler("registration", registration_events.REGISTRATION_CONFIRMED)``.

``PAYLOADS`` gives the schema of each event's ``data``, ``VERSIONS`` its version.
"""
from services.common.schemas import Contract, Money, fields

from .schemas import AppointmentOut, RegistrationOut, WaitlistEntryOut

# -- registrations (R3.1–R3.7, R8.1) ------------------------------------------------------------
REGISTRATION_HELD = "registration_held"
REGISTRATION_CONFIRMED = "registration_confirmed"
REGISTRATION_RELEASED = "registration_released"
REGISTRATION_EXPIRED = "registration_expired"
REGISTRATION_CANCELLED = "registration_cancelled"
REGISTRATION_NO_SHOW = "registration_no_show"
FEE_INCURRED = "fee_incurred"
# -- appointments (R5.1, R4.6, R4.7) ------------------------------------------------------------
APPOINTMENT_BOOKED = "appointment_booked"
APPOINTMENT_BUNDLE_APPLIED = "appointment_bundle_applied"
APPOINTMENT_BUNDLE_REMOVED = "appointment_bundle_removed"
APPOINTMENT_CANCELLED = "appointment_cancelled"
APPOINTMENT_NO_SHOW = "appointment_no_show"
APPOINTMENT_COMPLETED = "appointment_completed"
# -- the waiting list (R3.9) --------------------------------------------------------------------
WAITLIST_JOINED = "waitlist_joined"
WAITLIST_LEFT = "waitlist_left"
WAITLIST_SEAT_OFFERED = "waitlist_seat_offered"
WAITLIST_OFFER_LAPSED = "waitlist_offer_lapsed"


class RegistrationEvent(RegistrationOut):
    """A registration as it is after the change. ``refund_to_credit`` is present when money
    goes to the account's credit (always on a cancellation of a registration paid in money,
    0 for nothing); ``restore_pass_use`` on a cancellation of a pass-paid one (R3.5, R3.6);
    ``cancel_reason`` when the system ended it (``occurrence_cancelled``,
    ``subscription_ended``)."""
    restore_pass_use = fields.Boolean()
    cancel_reason = fields.String()


class RegistrationNoShowEvent(RegistrationOut):
    note = fields.String(allow_none=True)


class FeeIncurredEvent(Contract):
    """R8.1: a late-cancellation or no-show fee in money, for billing to invoice."""
    org_id = fields.String(required=True)
    account_id = fields.String(required=True)
    member_id = fields.String(allow_none=True)
    source_type = fields.String(required=True, metadata={"description":
                                                         "registration | appointment"})
    source_id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "late_cancel | no_show"})
    amount = Money(required=True)
    description = fields.String(required=True)
    accounting_code = fields.String(allow_none=True)
    price = Money(required=True)
    starts_at = fields.String(allow_none=True)
    credit_expected = fields.Boolean(required=True)


class WaitlistOfferEvent(WaitlistEntryOut):
    household_still_waiting = fields.List(fields.String(), required=True, metadata={
        "description": "the account's other members still waiting for this pool"})
    note = fields.String()


class WaitlistLapsedEvent(WaitlistEntryOut):
    reason = fields.String(required=True, metadata={"description": "the hold's status"})


PAYLOADS = {
    REGISTRATION_HELD: RegistrationEvent, REGISTRATION_CONFIRMED: RegistrationEvent,
    REGISTRATION_RELEASED: RegistrationEvent, REGISTRATION_EXPIRED: RegistrationEvent,
    REGISTRATION_CANCELLED: RegistrationEvent, REGISTRATION_NO_SHOW: RegistrationNoShowEvent,
    FEE_INCURRED: FeeIncurredEvent,
    APPOINTMENT_BOOKED: AppointmentOut, APPOINTMENT_BUNDLE_APPLIED: AppointmentOut,
    APPOINTMENT_BUNDLE_REMOVED: AppointmentOut, APPOINTMENT_CANCELLED: AppointmentOut,
    APPOINTMENT_NO_SHOW: AppointmentOut, APPOINTMENT_COMPLETED: AppointmentOut,
    WAITLIST_JOINED: WaitlistEntryOut, WAITLIST_LEFT: WaitlistEntryOut,
    WAITLIST_SEAT_OFFERED: WaitlistOfferEvent, WAITLIST_OFFER_LAPSED: WaitlistLapsedEvent,
}
VERSIONS = {event_type: 1 for event_type in PAYLOADS}
