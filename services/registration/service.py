"""The registration service's entrypoints: seats, holds and registrations (R2.4, R3.1–R3.10),
the waiting list (R3.9), policies (R8.1–R8.3) and salon appointments (R5.1, R5.2, R4.6).

Each entrypoint calls one use case (``usecases/``) with a :class:`Context` built for the call;
the use cases load their input with the contract's schemas, ask the other services
(``adapters/peers.py``), open units of work and apply the domain's rules.
"""
from pathlib import Path

from nameko.events import event_handler
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer

# Registered so that their errors arrive here as themselves, not as RemoteError (and are
# then passed on in registration's own words, adapters/peers.py).
from services.accounts.contract import errors as _accounts_errors  # noqa: F401
from services.catalog.contract import errors as _catalog_errors  # noqa: F401
from services.catalog.contract import events as catalog_events
from services.common.service import Clock, ServiceBase
from services.passes.contract import errors as _passes_errors  # noqa: F401

from .adapters import metrics as _metrics  # noqa: F401 - registers the scrape-time gauges
from .adapters import settings
from .adapters.database import OfferingDatabase
from .adapters.models import metadata
from .adapters.peers import Peers
from .contract import events
from .usecases import (appointments, bundles, holds, pass_booking, policies, read_model,
                       registrations, seat_rules, subscription_seats, waitlist)
from .usecases.context import Context


class RegistrationService(ServiceBase):
    name = "registration"
    # its units of work offer the seats they free to the waiting list (R3.9)
    db = OfferingDatabase("registration", metadata, Path(__file__).parent / "migrations",
                          events=events)
    clock = Clock()
    catalog = RpcProxy("catalog")
    accounts = RpcProxy("accounts")
    passes = RpcProxy("passes")

    @property
    def ctx(self):
        return Context(db=self.db, clock=self.clock,
                       peers=Peers(self.catalog, self.accounts, self.passes),
                       settings=settings)

    # -- holds (R3.1–R3.3) and the checkout saga ------------------------------------------------
    @rpc
    def hold(self, org_id, data):
        return holds.hold(self.ctx, org_id, data)

    @rpc
    def release(self, org_id, registration_id):
        return registrations.release(self.ctx, org_id, registration_id)

    @rpc
    def confirm(self, org_id, registration_ids, invoice_id):
        return registrations.confirm(self.ctx, org_id, registration_ids, invoice_id)

    @timer(interval=settings.sweep_interval())
    def expire_lapsed_holds(self):
        holds.expire_lapsed_holds(self.ctx)

    @event_handler("catalog", "occurrence_added")
    def on_occurrence_added(self, payload):
        holds.occurrence_added(self.ctx, payload)

    # -- what registration keeps of accounts' members (#14, usecases/read_model.py) -----------
    @event_handler("accounts", "account_created")
    def on_account_created(self, payload):
        read_model.member_event(self.ctx, payload)

    @event_handler("accounts", "member_added")
    def on_member_added(self, payload):
        read_model.member_event(self.ctx, payload)

    @event_handler("accounts", "member_updated")
    def on_member_updated(self, payload):
        read_model.member_event(self.ctx, payload)

    @rpc
    def rebuild_read_model(self, org_id=None, from_scratch=False):
        """Refresh what registration keeps of accounts' members from accounts, and of the
        catalog's activities and occurrences from the catalog."""
        return read_model.rebuild(self.ctx, org_id, from_scratch)

    # -- what registration keeps of the catalog's activities and occurrences (#14) -------------
    @rpc
    def catalog_changed(self, org_id, activity_id):
        """The catalog's push after a change to an activity or its occurrences."""
        return read_model.catalog_changed(self.ctx, org_id, activity_id)

    @event_handler("catalog", catalog_events.ACTIVITY_CREATED)
    def on_activity_created_for_copy(self, payload):
        read_model.activity_event(self.ctx, payload)

    @event_handler("catalog", catalog_events.ACTIVITY_UPDATED)
    def on_activity_updated_for_copy(self, payload):
        read_model.activity_event(self.ctx, payload)

    @event_handler("catalog", catalog_events.OCCURRENCE_ADDED)
    def on_occurrence_added_for_copy(self, payload):
        read_model.occurrence_event(self.ctx, payload)

    @event_handler("catalog", catalog_events.OCCURRENCE_CANCELLED)
    def on_occurrence_cancelled_for_copy(self, payload):
        read_model.occurrence_event(self.ctx, payload)

    @event_handler("catalog", catalog_events.SEATS_CONVERTED)
    def on_seats_converted_for_copy(self, payload):
        read_model.seats_converted(self.ctx, payload)

    # -- cancellation (R3.5–R3.7) ---------------------------------------------------------------
    @rpc
    def cancel(self, org_id, registration_id, data=None):
        return registrations.cancel(self.ctx, org_id, registration_id, data)

    @rpc
    def cancel_for_invoice(self, org_id, invoice_id):
        return registrations.cancel_for_invoice(self.ctx, org_id, invoice_id)

    # -- reads ----------------------------------------------------------------------------------
    @rpc
    def get_registration(self, org_id, registration_id):
        return registrations.get_registration(self.ctx, org_id, registration_id)

    @rpc
    def list_registrations(self, org_id, account_id=None, activity_id=None, occurrence_id=None,
                           kind=None, limit=None, cursor=None, status=None):
        return registrations.list_registrations(self.ctx, org_id, {
            "account_id": account_id, "activity_id": activity_id,
            "occurrence_id": occurrence_id, "kind": kind, "status": status, "limit": limit,
            "cursor": cursor})

    @rpc
    def activity_registrations(self, org_id, activity_id, kind=None, occurrence_id=None):
        return registrations.activity_registrations(self.ctx, org_id, activity_id, kind,
                                                    occurrence_id)

    @rpc
    def seat_counts(self, org_id, occurrence_ids):
        return registrations.seat_counts(self.ctx, org_id, occurrence_ids)

    # -- paying with a pass (R3.4, R3.10) -------------------------------------------------------
    @rpc
    def book_with_pass(self, org_id, data):
        return pass_booking.book_with_pass(self.ctx, org_id, data)

    @rpc
    def hold_for_cart_pass(self, org_id, data):
        return pass_booking.hold_for_cart_pass(self.ctx, org_id, data)

    @rpc
    def attach_pass_to_hold(self, org_id, registration_id, data):
        return pass_booking.attach_pass_to_hold(self.ctx, org_id, registration_id, data)

    @event_handler("registration", events.REGISTRATION_RELEASED, requeue_on_error=True)
    def give_pass_use_back_on_release(self, payload):
        pass_booking.pass_paid_ended(self.ctx, payload)

    @event_handler("registration", events.REGISTRATION_EXPIRED, requeue_on_error=True)
    def give_pass_use_back_on_expiry(self, payload):
        pass_booking.pass_paid_ended(self.ctx, payload)

    @event_handler("registration", events.REGISTRATION_CANCELLED, requeue_on_error=True)
    def give_pass_use_back_on_cancel(self, payload):
        pass_booking.pass_paid_ended(self.ctx, payload)

    @timer(interval=settings.pass_booking_sweep_interval())
    def settle_interrupted_pass_bookings(self):
        pass_booking.settle_interrupted_pass_bookings(self.ctx)

    # -- the catalog's seat rules (R2.5, R2.6) ---------------------------------------------------
    @rpc
    def a_la_carte_in_use(self, org_id, activity_id):
        return seat_rules.a_la_carte_in_use(self.ctx, org_id, activity_id)

    @rpc
    def reserve_converted_seats(self, org_id, activity_id, data):
        return seat_rules.reserve_converted_seats(self.ctx, org_id, activity_id, data)

    @rpc
    def return_converted_seats(self, org_id, activity_id, data):
        return seat_rules.return_converted_seats(self.ctx, org_id, activity_id, data)

    @event_handler("catalog", "occurrence_cancelled", requeue_on_error=True)
    def on_occurrence_cancelled(self, payload):
        seat_rules.occurrence_cancelled(self.ctx, payload)

    # -- billing's subscriptions (R2.13, R6.3–R6.5) ---------------------------------------------
    @event_handler("billing", "subscription_withdrawn", requeue_on_error=True)
    def on_subscription_withdrawn(self, payload):
        subscription_seats.subscription_ended(self.ctx, payload, "ends_at")

    @event_handler("billing", "subscription_cancelled", requeue_on_error=True)
    def on_subscription_cancelled(self, payload):
        subscription_seats.subscription_ended(self.ctx, payload, "ended_at")

    # -- the waiting list (R3.9) ----------------------------------------------------------------
    @rpc
    def join_waitlist(self, org_id, data):
        return waitlist.join_waitlist(self.ctx, org_id, data)

    @rpc
    def get_waitlist_entry(self, org_id, entry_id):
        return waitlist.get_waitlist_entry(self.ctx, org_id, entry_id)

    @rpc
    def leave_waitlist(self, org_id, entry_id):
        return waitlist.leave_waitlist(self.ctx, org_id, entry_id)

    @rpc
    def list_waitlist(self, org_id, query=None, activity_id=None, occurrence_id=None,
                      account_id=None):
        return waitlist.list_waitlist(self.ctx, org_id, query, activity_id, occurrence_id,
                                      account_id)

    @rpc
    def offer_waitlist_seat(self, org_id, entry_id, note=None):
        return waitlist.offer_waitlist_seat(self.ctx, org_id, entry_id, note)

    @event_handler("catalog", "activity_updated")
    def on_activity_updated_for_waitlist(self, payload):
        waitlist.activity_updated(self.ctx, payload)

    @event_handler("catalog", "seats_converted")
    def on_seats_converted_for_waitlist(self, payload):
        waitlist.seats_converted(self.ctx, payload)

    @timer(interval=settings.waitlist_sweep_interval())
    def refresh_waitlists(self):
        waitlist.refresh_waitlists(self.ctx)

    # -- policies (R8.1) ------------------------------------------------------------------------
    @rpc
    def mark_registration_no_show(self, org_id, registration_id, note=None):
        return policies.mark_registration_no_show(self.ctx, org_id, registration_id, note)

    @event_handler("registration", events.APPOINTMENT_NO_SHOW, requeue_on_error=True)
    def on_appointment_no_show_fee(self, payload):
        policies.appointment_no_show_fee(self.ctx, payload)

    @event_handler("registration", events.APPOINTMENT_CANCELLED, requeue_on_error=True)
    def on_appointment_cancelled_fee(self, payload):
        policies.appointment_cancelled_fee(self.ctx, payload)

    # -- appointments (R5.1, R5.2) and their bundles (R4.6, R4.7) -------------------------------
    @rpc
    def book_appointment(self, org_id, data):
        return appointments.book_appointment(self.ctx, org_id, data)

    @rpc
    def cancel_appointment(self, org_id, appointment_id, data=None):
        return appointments.cancel_appointment(self.ctx, org_id, appointment_id, data)

    @rpc
    def mark_no_show(self, org_id, appointment_id):
        return appointments.mark_no_show(self.ctx, org_id, appointment_id)

    @rpc
    def get_appointment(self, org_id, appointment_id):
        return appointments.get_appointment(self.ctx, org_id, appointment_id)

    @rpc
    def list_appointments(self, org_id, account_id):
        return appointments.list_appointments(self.ctx, org_id, account_id)

    @rpc
    def agenda(self, org_id, date, staff_id=None):
        return appointments.agenda(self.ctx, org_id, date, staff_id)

    @rpc
    def apply_appointment_bundle(self, org_id, appointment_id, data=None):
        return bundles.apply_appointment_bundle(self.ctx, org_id, appointment_id, data)

    @rpc
    def remove_appointment_bundle(self, org_id, appointment_id):
        return bundles.remove_appointment_bundle(self.ctx, org_id, appointment_id)

    @rpc
    def complete_appointment(self, org_id, appointment_id, data):
        return bundles.complete_appointment(self.ctx, org_id, appointment_id, data)

    @timer(interval=settings.appointment_sweep_interval())
    def settle_appointment_bundles(self):
        bundles.settle_appointment_bundles(self.ctx)
