"""Registration's typed errors (registered so they cross RPC as themselves).

Imported by the gateway: keep this module free of database and broker imports. The ``code``
of each business-rule error is the API's error code (docs/domain.md R3.3, R3.5)."""
from services.common.errors import (BusinessRuleViolation, InvalidInput, NotFound,
                                    remote_error)


# -- what another service refused, passed on in registration's words (refusals_in_own_words) --
@remote_error
class ReferenceNotFound(NotFound):
    """Something the request names and another service keeps (a pass, a bundle, a member …)
    does not exist there: that service's ``not_found``, passed on."""
    code = "not_found"


@remote_error
class PeerRequestInvalid(InvalidInput):
    """Another service found the request registration passed on invalid (details: fields)."""
    code = "validation_error"


@remote_error
class PassNotEligible(BusinessRuleViolation):
    """The pass cannot pay for this activity or member (passes' rule, R3.4)."""
    code = "pass_not_eligible"


@remote_error
class PassExpired(BusinessRuleViolation):
    code = "pass_expired"


@remote_error
class PassExhausted(BusinessRuleViolation):
    """No use is left on the pass."""
    code = "pass_exhausted"


@remote_error
class PassRevoked(BusinessRuleViolation):
    code = "pass_revoked"


# -- registration's own ---------------------------------------------------------------------------
@remote_error
class RegistrationNotFound(NotFound):
    code = "not_found"


@remote_error
class OfferingNotFound(NotFound):
    """The activity, occurrence or member of a hold does not exist in this org."""
    code = "not_found"


# -- R3.3: refusals of a hold -------------------------------------------------------------------
@remote_error
class SoldOut(BusinessRuleViolation):
    code = "sold_out"


@remote_error
class RegistrationClosed(BusinessRuleViolation):
    """Outside the registration window, or the offer is not open at all (details.reason)."""
    code = "registration_closed"


@remote_error
class NotEligible(BusinessRuleViolation):
    """details.failed: the names of the restrictions the member does not meet (R2.7)."""
    code = "not_eligible"


@remote_error
class PassRequired(BusinessRuleViolation):
    """À la carte for pass holders only, asked to be paid with money (R2.3)."""
    code = "pass_required"


@remote_error
class AlreadyRegistered(BusinessRuleViolation):
    code = "already_registered"


@remote_error
class PassPaymentUnavailable(InvalidInput):
    """Paying with a pass is a later issue: for now a hold is paid with money."""
    code = "validation_error"


# -- the checkout saga ---------------------------------------------------------------------------
@remote_error
class HoldExpired(BusinessRuleViolation):
    """The hold lapsed and its seat could not be taken again (confirm)."""
    code = "hold_expired"


@remote_error
class RegistrationNotHeld(BusinessRuleViolation):
    """Confirm or release of a registration that is not (or no longer) a hold, e.g.
    released, cancelled, or confirmed with another invoice."""
    code = "registration_not_held"


# -- R3.5, R3.6: cancellation ---------------------------------------------------------------------
@remote_error
class CancellationNotAllowed(BusinessRuleViolation):
    code = "cancellation_not_allowed"


@remote_error
class CancellationDeadlinePassed(BusinessRuleViolation):
    code = "cancellation_deadline_passed"


@remote_error
class RegistrationNotConfirmed(BusinessRuleViolation):
    """Only a confirmed registration is cancelled; a hold is released (cart item removed)."""
    code = "registration_not_confirmed"


# -- R2.6: seat conversions -----------------------------------------------------------------------
@remote_error
class NotEnoughUnsoldSeats(BusinessRuleViolation):
    """A seat conversion asks for more session seats than are unsold (details.unsold)."""
    code = "not_enough_unsold_seats"


@remote_error
class SeatConversionAbandoned(BusinessRuleViolation):
    """The catalog gave this seat conversion up (it gave its seats back before they were
    taken, e.g. after a timeout): it is not taken now."""
    code = "seat_conversion_abandoned"


# -- R5.1, R5.2, R4.6, R4.7: appointments (salon agenda) -------------------------------------------
@remote_error
class AppointmentNotFound(NotFound):
    """The appointment, or a member, service or staff member named by a booking."""
    code = "not_found"


@remote_error
class StaffBusy(BusinessRuleViolation):
    """The staff member already has an appointment overlapping that time (R5.2;
    details: staff_id, appointment_id, starts_at, ends_at)."""
    code = "staff_busy"


@remote_error
class AppointmentNotBooked(BusinessRuleViolation):
    """The appointment is completed, cancelled or a no-show (details.status)."""
    code = "appointment_not_booked"


@remote_error
class AppointmentNotStarted(BusinessRuleViolation):
    """A no-show is recorded once the appointment's start has passed."""
    code = "appointment_not_started"


@remote_error
class NoBundleAvailable(BusinessRuleViolation):
    """``apply_bundle`` asked, but none of the client's bundles has a use of the service
    left (R4.6)."""
    code = "no_bundle_available"


@remote_error
class BundleAlreadyApplied(BusinessRuleViolation):
    """Another bundle is applied to the appointment: remove it first (details.bundle_id)."""
    code = "bundle_already_applied"


@remote_error
class BundleChangeInProgress(BusinessRuleViolation):
    """A bundle is being applied, removed or used on this appointment by another request;
    try again (details.bundle_status)."""
    code = "bundle_change_in_progress"


# -- the waiting list (R3.9) ----------------------------------------------------------------------
@remote_error
class SeatsAvailable(BusinessRuleViolation):
    """Joining the waiting list of a pool that has a free seat: book it instead."""
    code = "seats_available"


@remote_error
class AlreadyWaiting(BusinessRuleViolation):
    """The member is already on this waiting list (waiting, or offered a seat)."""
    code = "already_waiting"


@remote_error
class WaitlistEntryNotFound(NotFound):
    code = "not_found"


@remote_error
class WaitlistEntryNotWaiting(BusinessRuleViolation):
    """Staff offer a seat by hand to an entry that is no longer waiting."""
    code = "waitlist_entry_not_waiting"


# -- policies (R8.1) ------------------------------------------------------------------------------
@remote_error
class NoShowTooEarly(BusinessRuleViolation):
    code = "no_show_too_early"


@remote_error
class NoShowNotAllowed(BusinessRuleViolation):
    """Only a confirmed à la carte registration is marked a no-show."""
    code = "no_show_not_allowed"


@remote_error
class WalkInClientRequired(BusinessRuleViolation):
    """R8.3: a walk-in client (no account) cannot take this seat; also passes' refusal of a
    pass use for someone without a client account."""
    code = "client_required"


# -- an appointment paid with a bundle (R4.6): passes' rules, refused in registration's words ---
@remote_error
class BundleExhausted(BusinessRuleViolation):
    """No remaining use of that service in the bundle (details: service_id, total, booked,
    used, remaining)."""
    code = "bundle_exhausted"


@remote_error
class BundleNotApplicable(BusinessRuleViolation):
    """The bundle cannot pay for this appointment (details.reason)."""
    code = "bundle_not_applicable"


@remote_error
class BundleChoiceRequired(BusinessRuleViolation):
    """Two or more of the client's bundles cover the service: the request must say which
    (details.candidates)."""
    code = "bundle_choice_required"
