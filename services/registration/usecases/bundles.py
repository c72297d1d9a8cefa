"""The bundles applied to appointments (R4.6, R4.7): a cross-service step, recorded before
and after every call to passes, never across it (``domain/appointments.py`` lists the
``bundle_state`` values):

- apply (at booking, or later): ``none -> applying`` (bundle chosen, price still full) ->
  ``passes.book_bundle`` (idempotent on the appointment) -> ``applying -> applied`` with price
  0 and ``appointment_bundle_applied``. A refusal from passes (``bundle_exhausted``,
  ``bundle_not_applicable``, …, in registration's words) puts it back to ``none`` and is the
  answer. If the appointment changed meanwhile (cancelled, or compensated by the timer), the
  booked use is given back at once.
- remove, cancel, no-show: ``applied|applying -> removing`` (price full again for a removal,
  ``appointment_bundle_removed`` / ``appointment_cancelled`` / ``appointment_no_show``) ->
  ``passes.unbook_bundle`` (idempotent) -> ``none`` (removal) or ``returned``.
- checkout (billing calls ``complete_appointment``): ``applied`` (or ``none`` with a bundle
  given now) ``-> using`` -> ``passes.use_bundle`` (booked -> used, or remaining -> used;
  idempotent) -> status ``completed``, ``used``, price 0, ``appointment_completed``.

Every move is a compare-and-set, so concurrent requests (any instance) never both win; a
request that finds another one's step in flight gets ``bundle_change_in_progress``. If
passes does not answer, the state stays in flight: a retry of the same request continues it
(the passes calls are idempotent), and the ``settle_appointment_bundles`` timer compensates
what is left: an ``applying`` older than ``CARNET_APPOINTMENT_RECOVERY_SECONDS`` is given
back (the appointment stays at full price), a ``removing`` is unbooked again. ``using`` is
left to billing, whose checkout retries ``complete_appointment`` (idempotent per invoice).
"""
import logging
from datetime import timedelta

from services.common.errors import BusinessRuleViolation, InvalidInput, NotFound
from services.common.schemas import load

from ..adapters.appointments import Appointments
from ..adapters.records import appointment_dict
from ..contract import events
from ..contract.errors import (AppointmentNotBooked, BundleAlreadyApplied,
                               BundleChangeInProgress, BundleChoiceRequired, BundleExhausted,
                               BundleNotApplicable, NoBundleAvailable)
from ..contract.schemas import ApplyBundleIn, CompleteAppointmentIn
from ..domain import appointments as rules
from . import appointments

log = logging.getLogger(__name__)

# What passes answers when it refuses a bundle step: the request is refused with it.
PASS_REFUSALS = (BusinessRuleViolation, NotFound, InvalidInput)


def pick_bundle(ctx, org_id, member_id, service_id, bundle_id, apply_bundle):
    """The bundle to apply (R4.6), or None. Checked here so that a refusal leaves
    nothing behind; ``book_bundle`` checks again in passes' own transaction."""
    if bundle_id:
        bundle = ctx.peers.call("passes", "get_bundle", org_id, bundle_id)
        if not rules.bundle_belongs_to(bundle, member_id):
            raise BundleNotApplicable("this bundle belongs to another client",
                                      {"reason": "member", "bundle_id": bundle_id})
        counts = {c["service_id"]: c for c in bundle.get("items") or []}.get(service_id)
        if bundle.get("status") == "revoked":
            raise BundleNotApplicable("this bundle was revoked",
                                      {"reason": "revoked", "bundle_id": bundle_id})
        if counts is None:
            raise BundleNotApplicable("this bundle does not include this service",
                                      {"reason": "service", "bundle_id": bundle_id,
                                       "service_id": service_id})
        if int(counts["remaining"]) < 1:
            raise BundleExhausted("no use of this service is left in the bundle",
                                  dict(counts, bundle_id=bundle_id))
        return bundle_id
    if not apply_bundle:
        return None
    answer = ctx.peers.call("passes", "bundle_candidates", org_id, member_id, service_id)
    choice = rules.choose_bundle(answer.get("items"))
    if choice.problem == "none":
        raise NoBundleAvailable("none of the client's bundles covers this service",
                                {"member_id": member_id, "service_id": service_id})
    if choice.problem == "several":
        raise BundleChoiceRequired(
            "several of the client's bundles cover this service: say which (bundle_id)",
            {"candidates": list(choice.candidates)})
    return choice.bundle_id


def bundle_data(appointment_id, service_id):
    return {"appointment_id": appointment_id, "service_id": service_id}


# -- R4.6: applying and removing a bundle --------------------------------------------------
def finish_apply(ctx, org_id, appointment_id, bundle_id, service_id):
    """``passes.book_bundle``, then ``applying -> applied`` (price 0). Refusals from
    passes propagate (the caller puts the state back)."""
    ctx.peers.call("passes", "book_bundle", org_id, bundle_id,
                   bundle_data(appointment_id, service_id))
    now = ctx.clock.now()
    applied = appointments.change(
        ctx, org_id, appointment_id, event=events.APPOINTMENT_BUNDLE_APPLIED,
        expect_status=rules.BOOKED, expect_states=rules.APPLYING, expect_bundle=bundle_id,
        bundle_state=rules.APPLIED, price=0, bundle_changed_at=now)
    if applied is not None:
        return applied
    current = appointment_dict(appointments.read(ctx, org_id, appointment_id))
    if current["bundle_status"] in (rules.APPLIED, rules.USING, rules.USED) and \
            current["bundle_id"] == bundle_id:
        return current  # a retry of the same request got there first
    # cancelled or compensated while passes answered: the use goes back at once
    ctx.peers.call("passes", "unbook_bundle", org_id, bundle_id,
                   bundle_data(appointment_id, service_id))
    raise BundleChangeInProgress("the appointment changed while the bundle was applied",
                                 {"status": current["status"],
                                  "bundle_status": current["bundle_status"]})


def apply_appointment_bundle(ctx, org_id, appointment_id, data=None):
    """R4.6: the bundle ``bundle_id`` (default: the client's only bundle covering the
    service) applied to a booked appointment: one use booked, price 0. Idempotent."""
    data = load(ApplyBundleIn, data)
    appointment = appointments.read(ctx, org_id, appointment_id)
    if appointment.status != rules.BOOKED:
        raise AppointmentNotBooked(f"this appointment is {appointment.status}",
                                   {"status": appointment.status})
    wanted, state = data["bundle_id"], appointment.bundle_state
    if state == rules.APPLIED:
        if wanted in (None, appointment.bundle_id):
            return appointment_dict(appointment)
        raise BundleAlreadyApplied("another bundle is applied: remove it first",
                                   {"bundle_id": appointment.bundle_id})
    if state == rules.APPLYING and wanted in (None, appointment.bundle_id):
        bundle_id = appointment.bundle_id  # the same request again: carry on
    elif state in rules.IN_FLIGHT:
        raise BundleChangeInProgress("a bundle change is in progress on this appointment",
                                     {"bundle_status": state})
    else:
        bundle_id = pick_bundle(ctx, org_id, appointment.member_id,
                                appointment.service_id, wanted, wanted is None)
        if appointments.change(ctx, org_id, appointment_id, expect_status=rules.BOOKED,
                               expect_states=rules.NONE, bundle_state=rules.APPLYING,
                               bundle_id=bundle_id,
                               bundle_changed_at=ctx.clock.now()) is None:
            raise BundleChangeInProgress("this appointment changed; try again", {})
    try:
        return finish_apply(ctx, org_id, appointment_id, bundle_id,
                            appointment.service_id)
    except PASS_REFUSALS:  # put back to none (a no-op if it moved on meanwhile)
        appointments.change(ctx, org_id, appointment_id, expect_states=rules.APPLYING,
                            expect_bundle=bundle_id, bundle_state=rules.NONE, bundle_id=None,
                            bundle_changed_at=ctx.clock.now())
        raise


def settle_removal(ctx, org_id, appointment_id, bundle_id, service_id):
    """``passes.unbook_bundle`` then ``removing -> none | returned``. If passes does not
    answer, the state stays ``removing`` and the timer asks again."""
    try:
        ctx.peers.call("passes", "unbook_bundle", org_id, bundle_id,
                       bundle_data(appointment_id, service_id))
    except Exception:
        log.warning("unbook_bundle(%s, %s) failed; the timer will ask again", bundle_id,
                    appointment_id, exc_info=True)
        return None
    now = ctx.clock.now()
    done = appointments.change(ctx, org_id, appointment_id, expect_status=rules.BOOKED,
                               expect_states=rules.REMOVING, expect_bundle=bundle_id,
                               bundle_state=rules.NONE, bundle_id=None, bundle_changed_at=now)
    if done is None:
        done = appointments.change(ctx, org_id, appointment_id,
                                   expect_status=(rules.CANCELLED, rules.NO_SHOW),
                                   expect_states=rules.REMOVING, expect_bundle=bundle_id,
                                   bundle_state=rules.RETURNED, bundle_changed_at=now)
    return done


def remove_appointment_bundle(ctx, org_id, appointment_id):
    """R4.6: the bundle taken off a booked appointment: the service price again, the
    booked use back. Idempotent (no bundle: the appointment as it is)."""
    appointment = appointments.read(ctx, org_id, appointment_id)
    if appointment.status != rules.BOOKED:
        raise AppointmentNotBooked(f"this appointment is {appointment.status}",
                                   {"status": appointment.status})
    state, bundle_id = appointment.bundle_state, appointment.bundle_id
    if state == rules.NONE:
        return appointment_dict(appointment)
    if state == rules.APPLIED:
        if appointments.change(ctx, org_id, appointment_id, event=events.APPOINTMENT_BUNDLE_REMOVED,
                               expect_status=rules.BOOKED, expect_states=rules.APPLIED,
                               expect_bundle=bundle_id, bundle_state=rules.REMOVING,
                               price=appointment.service_price,
                               bundle_changed_at=ctx.clock.now()) is None:
            raise BundleChangeInProgress("this appointment changed; try again", {})
    elif state != rules.REMOVING:
        raise BundleChangeInProgress("a bundle change is in progress on this appointment",
                                     {"bundle_status": state})
    settle_removal(ctx, org_id, appointment_id, bundle_id, appointment.service_id)
    return appointment_dict(appointments.read(ctx, org_id, appointment_id))


# -- R4.7: checkout (called by billing) ---------------------------------------------------------
def complete_appointment(ctx, org_id, appointment_id, data):
    """booked -> completed with ``invoice_id``. The applied bundle's booked use becomes
    used; ``bundle_id`` applies one at checkout if none was (one remaining use becomes
    used, price 0). Idempotent for the same invoice."""
    data = load(CompleteAppointmentIn, data)
    invoice_id, given = data["invoice_id"], data["bundle_id"]
    appointment = appointments.read(ctx, org_id, appointment_id)
    if appointment.status == rules.COMPLETED:
        if appointment.invoice_id == invoice_id:
            return appointment_dict(appointment)
        raise AppointmentNotBooked("this appointment was completed by another invoice",
                                   {"status": appointment.status,
                                    "invoice_id": appointment.invoice_id})
    if appointment.status != rules.BOOKED:
        raise AppointmentNotBooked(f"this appointment is {appointment.status}",
                                   {"status": appointment.status})
    state = appointment.bundle_state
    if state in (rules.APPLIED, rules.USING):
        if given and given != appointment.bundle_id:
            raise BundleAlreadyApplied("another bundle is applied to this appointment",
                                       {"bundle_id": appointment.bundle_id})
        bundle_id = appointment.bundle_id
    elif state == rules.NONE:
        bundle_id = pick_bundle(ctx, org_id, appointment.member_id,
                                appointment.service_id, given, False) \
            if given else None
    else:
        raise BundleChangeInProgress("a bundle change is in progress on this appointment",
                                     {"bundle_status": state})
    now = ctx.clock.now()
    if bundle_id is None:
        done = appointments.change(ctx, org_id, appointment_id, event=events.APPOINTMENT_COMPLETED,
                                   expect_status=rules.BOOKED, expect_states=rules.NONE,
                                   status=rules.COMPLETED, invoice_id=invoice_id, ended_at=now)
        return done if done is not None else _completed_or_busy(ctx, 
                                                                org_id, appointment_id, invoice_id)
    if state != rules.USING:
        if appointments.change(ctx, org_id, appointment_id, expect_status=rules.BOOKED,
                               expect_states=state,
                               expect_bundle=appointment.bundle_id if state == rules.APPLIED
                               else None,
                               bundle_state=rules.USING, bundle_id=bundle_id,
                               bundle_changed_at=now) is None:
            return _completed_or_busy(ctx, org_id, appointment_id, invoice_id)
    try:
        ctx.peers.call("passes", "use_bundle", org_id, bundle_id,
                       bundle_data(appointment_id, appointment.service_id))
    except PASS_REFUSALS:
        back = rules.APPLIED if state == rules.APPLIED else rules.NONE
        appointments.change(ctx, org_id, appointment_id, expect_states=rules.USING,
                            expect_bundle=bundle_id, bundle_state=back,
                            bundle_id=bundle_id if back == rules.APPLIED else None,
                            bundle_changed_at=ctx.clock.now())
        raise
    now = ctx.clock.now()
    done = appointments.change(ctx, org_id, appointment_id, event=events.APPOINTMENT_COMPLETED,
                               expect_status=rules.BOOKED, expect_states=rules.USING,
                               expect_bundle=bundle_id, status=rules.COMPLETED,
                               bundle_state=rules.USED, price=0, invoice_id=invoice_id,
                               ended_at=now, bundle_changed_at=now)
    return done if done is not None else _completed_or_busy(ctx, org_id, appointment_id,
                                                            invoice_id)


def _completed_or_busy(ctx, org_id, appointment_id, invoice_id):
    current = appointments.read(ctx, org_id, appointment_id)
    if current.status == rules.COMPLETED and current.invoice_id == invoice_id:
        return appointment_dict(current)
    raise BundleChangeInProgress("this appointment changed during checkout; try again",
                                 {"status": current.status,
                                  "bundle_status": current.bundle_state})


# -- recovery ----------------------------------------------------------------------------------
def settle_appointment_bundles(ctx):
    """Bundle steps left in flight by a crash or a passes outage: an ``applying`` older
    than the recovery delay is given back (the appointment keeps its full price), a
    ``removing`` is unbooked again. Idempotent, safe on every instance at once."""
    now = ctx.clock.now()
    before = now - timedelta(seconds=ctx.settings.appointment_recovery_seconds())
    with ctx.db.uow(readonly=True) as uow:
        stale = [(a.org_id, a.id, a.bundle_state, a.bundle_id, a.service_id) for a in
                 Appointments(uow.session).stale_in_flight(
                     before, (rules.APPLYING, rules.REMOVING))]
    for org_id, appointment_id, state, bundle_id, service_id in stale:
        if state == rules.APPLYING and appointments.change(
                ctx, org_id, appointment_id, expect_states=rules.APPLYING,
                expect_bundle=bundle_id, bundle_state=rules.REMOVING,
                bundle_changed_at=now) is None:
            continue
        settle_removal(ctx, org_id, appointment_id, bundle_id, service_id)
