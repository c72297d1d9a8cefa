"""Salon appointments (R5.1, R5.2) and the bundles applied to them (R4.6, R4.7), mixed into
RegistrationService.

Booking: the service (duration, price), the member, the staff member, the org (timezone) and,
for a bundle, the client's bundles are asked for first, in parallel, outside any
transaction; then one short write transaction locks the staff member's agenda row, checks
for an overlap (``staff_busy``) and inserts the appointment (``adapters/appointments.py``).

The bundle is a cross-service step, recorded before and after every call to passes, never
across it (``domain/appointments.py`` lists the ``bundle_state`` values):

- apply (at booking, or later): ``none -> applying`` (bundle chosen, price still full) ->
  ``passes.book_bundle`` (idempotent on the appointment) -> ``applying -> applied`` with price
  0 and ``appointment_bundle_applied``. A refusal from passes (``bundle_exhausted``,
  ``bundle_not_applicable``, …) puts it back to ``none`` and is the answer; at booking, the
  refused appointment is cancelled (``cancelled_by: bundle_refused``, its staff time freed),
  so a booking that asked for a bundle is all or nothing. If the appointment changed
  meanwhile (cancelled, or compensated by the timer), the booked use is given back at once.
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

from nameko.rpc import rpc
from nameko.timer import timer

from services.common import config
from services.common.errors import (BusinessRuleViolation, InvalidInput, NotFound)
from services.common.schemas import load

from .adapters import peers
from .adapters.appointments import Appointments, appointment_dict
from .domain import appointments as rules
from .contract.errors import (BundleChoiceRequired, BundleExhausted, BundleNotApplicable)
from .contract.errors import (AppointmentNotBooked, AppointmentNotFound, AppointmentNotStarted,
                         BundleAlreadyApplied, BundleChangeInProgress, NoBundleAvailable)
from .contract.schemas import (AgendaQuery, AppointmentCancelIn, AppointmentIn, ApplyBundleIn,
                      CompleteAppointmentIn)

log = logging.getLogger(__name__)

# What passes answers when it refuses a bundle step: the request is refused with it.
PASS_REFUSALS = (BusinessRuleViolation, NotFound, InvalidInput)


def recovery_seconds() -> float:
    return float(config.env("CARNET_APPOINTMENT_RECOVERY_SECONDS", "60"))


def sweep_interval() -> float:
    return float(config.env("CARNET_APPOINTMENT_SWEEP_INTERVAL", "15"))


class AppointmentEntrypoints:
    """Needs the service's ``db``, ``clock``, ``catalog``, ``accounts`` and ``passes``."""

    # -- asking the others ---------------------------------------------------------------------
    @staticmethod
    def _found(reply, what, field, value):
        try:
            return peers.wait_for(reply, what)
        except NotFound:
            raise AppointmentNotFound(f"no such {field[:-3].replace('_', ' ')}",
                                      {field: value})

    def _pick_bundle(self, org_id, member_id, service_id, bundle_id, apply_bundle):
        """The bundle to apply (R4.6), or None. Checked here so that a refusal leaves
        nothing behind; ``book_bundle`` checks again in passes' own transaction."""
        if bundle_id:
            bundle = peers.call(self.passes, "get_bundle", org_id, bundle_id)
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
        answer = peers.call(self.passes, "bundle_candidates", org_id, member_id, service_id)
        choice = rules.choose_bundle(answer.get("items"))
        if choice.problem == "none":
            raise NoBundleAvailable("none of the client's bundles covers this service",
                                    {"member_id": member_id, "service_id": service_id})
        if choice.problem == "several":
            raise BundleChoiceRequired(
                "several of the client's bundles cover this service: say which (bundle_id)",
                {"candidates": list(choice.candidates)})
        return choice.bundle_id

    def _read(self, org_id, appointment_id):
        with self.db.uow(readonly=True) as uow:
            appointment = Appointments(uow.session).get(org_id, appointment_id)
            if appointment is None:
                raise AppointmentNotFound("no such appointment",
                                          {"appointment_id": appointment_id})
            uow.session.expunge(appointment)  # a snapshot, kept after the session ends
            return appointment

    def _change(self, org_id, appointment_id, event=None, **cas):
        """One compare-and-set in its own short transaction; the appointment afterwards (and
        its event in the same transaction) if it applied, else None."""
        now = self.clock.now()
        cas.setdefault("updated_at", now)
        with self.db.uow() as uow:
            repo = Appointments(uow.session)
            if not repo.change(org_id, appointment_id, **cas):
                return None
            result = appointment_dict(repo.get(org_id, appointment_id))
            if event:
                uow.emit(event, result)
            uow.commit()
        return result

    @staticmethod
    def _bundle_data(appointment_id, service_id):
        return {"appointment_id": appointment_id, "service_id": service_id}

    # -- R5.1, R5.2: booking -------------------------------------------------------------------
    @rpc
    def book_appointment(self, org_id, data):
        """A booked appointment (R5.1); ``staff_busy`` if the staff member has one that
        overlaps (R5.2). With ``bundle_id`` or ``apply_bundle`` the bundle is applied too
        (price 0, R4.6), or nothing is booked (the refusal is the answer)."""
        data = load(AppointmentIn(), data)
        service_reply = peers.start(self.catalog, "get_service", org_id, data["service_id"])
        member_reply = peers.start(self.accounts, "get_member", org_id, data["member_id"])
        staff_reply = peers.start(self.accounts, "get_staff", org_id, data["staff_id"]) \
            if data["staff_id"] else None
        org_reply = peers.start(self.catalog, "get_org", org_id)
        service = self._found(service_reply, "catalog.get_service", "service_id",
                              data["service_id"])
        member = self._found(member_reply, "accounts.get_member", "member_id",
                             data["member_id"])
        staff = self._found(staff_reply, "accounts.get_staff", "staff_id", data["staff_id"]) \
            if staff_reply is not None else None
        org = self._found(org_reply, "catalog.get_org", "org_id", org_id)
        if data["account_id"] is not None and member.get("account_id") != data["account_id"]:
            raise AppointmentNotFound("this member is not in this account",
                                      {"member_id": data["member_id"]})
        bundle_id = self._pick_bundle(org_id, member["id"], service["id"], data["bundle_id"],
                                      data["apply_bundle"])
        start, end = rules.window(data["starts_at"], service["duration_minutes"])
        now = self.clock.now()
        values = dict(
            org_id=org_id, member_id=member["id"], account_id=member["account_id"],
            member_name=" ".join(filter(None, [member.get("first_name"),
                                               member.get("last_name")])) or None,
            service_id=service["id"], service_name=service["name"],
            staff_id=staff["id"] if staff else None, staff_name=staff["name"] if staff else None,
            starts_at=start, ends_at=end, duration_minutes=int(service["duration_minutes"]),
            timezone=org.get("timezone") or "UTC", service_price=int(service["price"]),
            price=int(service["price"]), accounting_code=service.get("accounting_code"),
            bundle_id=bundle_id, bundle_state=rules.APPLYING if bundle_id else rules.NONE,
            bundle_changed_at=now if bundle_id else None)
        with self.db.uow() as uow:
            appointment = Appointments(uow.session).book(values, now)
            result = appointment_dict(appointment)
            uow.emit("appointment_booked", result)
            uow.commit()
        if bundle_id is None:
            return result
        try:
            return self._finish_apply(org_id, result["id"], bundle_id, service["id"])
        except PASS_REFUSALS:
            # all or nothing: the booking that asked for this bundle is withdrawn
            self._change(org_id, result["id"], event="appointment_cancelled",
                         expect_status=rules.BOOKED, expect_states=rules.APPLYING,
                         expect_bundle=bundle_id, status=rules.CANCELLED,
                         cancelled_by=rules.BY_BUNDLE_REFUSAL, bundle_state=rules.NONE,
                         bundle_id=None, bundle_changed_at=self.clock.now(),
                         ended_at=self.clock.now())
            raise

    # -- R4.6: applying and removing a bundle --------------------------------------------------
    def _finish_apply(self, org_id, appointment_id, bundle_id, service_id):
        """``passes.book_bundle``, then ``applying -> applied`` (price 0). Refusals from
        passes propagate (the caller puts the state back)."""
        peers.call(self.passes, "book_bundle", org_id, bundle_id,
                   self._bundle_data(appointment_id, service_id))
        now = self.clock.now()
        applied = self._change(org_id, appointment_id, event="appointment_bundle_applied",
                               expect_status=rules.BOOKED, expect_states=rules.APPLYING,
                               expect_bundle=bundle_id, bundle_state=rules.APPLIED, price=0,
                               bundle_changed_at=now)
        if applied is not None:
            return applied
        current = appointment_dict(self._read(org_id, appointment_id))
        if current["bundle_status"] in (rules.APPLIED, rules.USING, rules.USED) and \
                current["bundle_id"] == bundle_id:
            return current  # a retry of the same request got there first
        # cancelled or compensated while passes answered: the use goes back at once
        peers.call(self.passes, "unbook_bundle", org_id, bundle_id,
                   self._bundle_data(appointment_id, service_id))
        raise BundleChangeInProgress("the appointment changed while the bundle was applied",
                                     {"status": current["status"],
                                      "bundle_status": current["bundle_status"]})

    @rpc
    def apply_appointment_bundle(self, org_id, appointment_id, data=None):
        """R4.6: the bundle ``bundle_id`` (default: the client's only bundle covering the
        service) applied to a booked appointment: one use booked, price 0. Idempotent."""
        data = load(ApplyBundleIn(), data)
        appointment = self._read(org_id, appointment_id)
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
            bundle_id = self._pick_bundle(org_id, appointment.member_id,
                                          appointment.service_id, wanted, wanted is None)
            if self._change(org_id, appointment_id, expect_status=rules.BOOKED,
                            expect_states=rules.NONE, bundle_state=rules.APPLYING,
                            bundle_id=bundle_id,
                            bundle_changed_at=self.clock.now()) is None:
                raise BundleChangeInProgress("this appointment changed; try again", {})
        try:
            return self._finish_apply(org_id, appointment_id, bundle_id,
                                      appointment.service_id)
        except PASS_REFUSALS:  # put back to none (a no-op if it moved on meanwhile)
            self._change(org_id, appointment_id, expect_states=rules.APPLYING,
                         expect_bundle=bundle_id, bundle_state=rules.NONE, bundle_id=None,
                         bundle_changed_at=self.clock.now())
            raise

    def _settle_removal(self, org_id, appointment_id, bundle_id, service_id):
        """``passes.unbook_bundle`` then ``removing -> none | returned``. If passes does not
        answer, the state stays ``removing`` and the timer asks again."""
        try:
            peers.call(self.passes, "unbook_bundle", org_id, bundle_id,
                       self._bundle_data(appointment_id, service_id))
        except Exception:
            log.warning("unbook_bundle(%s, %s) failed; the timer will ask again", bundle_id,
                        appointment_id, exc_info=True)
            return None
        now = self.clock.now()
        done = self._change(org_id, appointment_id, expect_status=rules.BOOKED,
                            expect_states=rules.REMOVING, expect_bundle=bundle_id,
                            bundle_state=rules.NONE, bundle_id=None, bundle_changed_at=now)
        if done is None:
            done = self._change(org_id, appointment_id,
                                expect_status=(rules.CANCELLED, rules.NO_SHOW),
                                expect_states=rules.REMOVING, expect_bundle=bundle_id,
                                bundle_state=rules.RETURNED, bundle_changed_at=now)
        return done

    @rpc
    def remove_appointment_bundle(self, org_id, appointment_id):
        """R4.6: the bundle taken off a booked appointment: the service price again, the
        booked use back. Idempotent (no bundle: the appointment as it is)."""
        appointment = self._read(org_id, appointment_id)
        if appointment.status != rules.BOOKED:
            raise AppointmentNotBooked(f"this appointment is {appointment.status}",
                                       {"status": appointment.status})
        state, bundle_id = appointment.bundle_state, appointment.bundle_id
        if state == rules.NONE:
            return appointment_dict(appointment)
        if state == rules.APPLIED:
            if self._change(org_id, appointment_id, event="appointment_bundle_removed",
                            expect_status=rules.BOOKED, expect_states=rules.APPLIED,
                            expect_bundle=bundle_id, bundle_state=rules.REMOVING,
                            price=appointment.service_price,
                            bundle_changed_at=self.clock.now()) is None:
                raise BundleChangeInProgress("this appointment changed; try again", {})
        elif state != rules.REMOVING:
            raise BundleChangeInProgress("a bundle change is in progress on this appointment",
                                         {"bundle_status": state})
        self._settle_removal(org_id, appointment_id, bundle_id, appointment.service_id)
        return appointment_dict(self._read(org_id, appointment_id))

    # -- R5.1, R4.7: cancel, no-show ---------------------------------------------------------------
    def _end(self, org_id, appointment_id, status, event, cancelled_by=None):
        appointment = self._read(org_id, appointment_id)
        if appointment.status == status:  # again: finish giving the use back if needed
            if appointment.bundle_state == rules.REMOVING:
                self._settle_removal(org_id, appointment_id, appointment.bundle_id,
                                     appointment.service_id)
                return appointment_dict(self._read(org_id, appointment_id))
            return appointment_dict(appointment)
        if appointment.status != rules.BOOKED:
            raise AppointmentNotBooked(f"this appointment is {appointment.status}",
                                       {"status": appointment.status})
        if status == rules.NO_SHOW and rules.as_utc(self.clock.now()) < appointment.starts_at:
            raise AppointmentNotStarted("a no-show is recorded after the appointment's start",
                                        {"starts_at": appointment_dict(appointment)["starts_at"]})
        state, bundle_id = appointment.bundle_state, appointment.bundle_id
        if state == rules.USING:
            raise BundleChangeInProgress("the appointment is being checked out",
                                         {"bundle_status": state})
        gives_back = state in (rules.APPLYING, rules.APPLIED, rules.REMOVING)
        now = self.clock.now()
        changes = dict(status=status, ended_at=now, cancelled_by=cancelled_by)
        if gives_back:
            changes.update(bundle_state=rules.REMOVING, bundle_changed_at=now)
        result = self._change(org_id, appointment_id, event=event, expect_status=rules.BOOKED,
                              expect_states=state, expect_bundle=bundle_id, **changes)
        if result is None:
            raise BundleChangeInProgress("this appointment changed; try again", {})
        if gives_back:  # R4.7: cancelling gives the booked use back
            result = self._settle_removal(org_id, appointment_id, bundle_id,
                                          appointment.service_id) or result
        return result

    @rpc
    def cancel_appointment(self, org_id, appointment_id, data=None):
        """booked -> cancelled; a bundle's booked use comes back (R4.7). Idempotent."""
        data = load(AppointmentCancelIn(), data)
        return self._end(org_id, appointment_id, rules.CANCELLED, "appointment_cancelled",
                         rules.BY_STAFF if data["by_staff"] else rules.BY_CLIENT)

    @rpc
    def mark_no_show(self, org_id, appointment_id):
        """booked -> no_show, once its start has passed; a bundle's booked use comes back
        (the client pays nothing for a service not given). Idempotent."""
        return self._end(org_id, appointment_id, rules.NO_SHOW, "appointment_no_show")

    # -- R4.7: checkout (called by billing) ---------------------------------------------------------
    @rpc
    def complete_appointment(self, org_id, appointment_id, data):
        """booked -> completed with ``invoice_id``. The applied bundle's booked use becomes
        used; ``bundle_id`` applies one at checkout if none was (one remaining use becomes
        used, price 0). Idempotent for the same invoice."""
        data = load(CompleteAppointmentIn(), data)
        invoice_id, given = data["invoice_id"], data["bundle_id"]
        appointment = self._read(org_id, appointment_id)
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
            bundle_id = self._pick_bundle(org_id, appointment.member_id,
                                          appointment.service_id, given, False) \
                if given else None
        else:
            raise BundleChangeInProgress("a bundle change is in progress on this appointment",
                                         {"bundle_status": state})
        now = self.clock.now()
        if bundle_id is None:
            done = self._change(org_id, appointment_id, event="appointment_completed",
                                expect_status=rules.BOOKED, expect_states=rules.NONE,
                                status=rules.COMPLETED, invoice_id=invoice_id, ended_at=now)
            return done if done is not None else self._completed_or_busy(
                org_id, appointment_id, invoice_id)
        if state != rules.USING:
            if self._change(org_id, appointment_id, expect_status=rules.BOOKED,
                            expect_states=state,
                            expect_bundle=appointment.bundle_id if state == rules.APPLIED
                            else None,
                            bundle_state=rules.USING, bundle_id=bundle_id,
                            bundle_changed_at=now) is None:
                return self._completed_or_busy(org_id, appointment_id, invoice_id)
        try:
            peers.call(self.passes, "use_bundle", org_id, bundle_id,
                       self._bundle_data(appointment_id, appointment.service_id))
        except PASS_REFUSALS:
            back = rules.APPLIED if state == rules.APPLIED else rules.NONE
            self._change(org_id, appointment_id, expect_states=rules.USING,
                         expect_bundle=bundle_id, bundle_state=back,
                         bundle_id=bundle_id if back == rules.APPLIED else None,
                         bundle_changed_at=self.clock.now())
            raise
        now = self.clock.now()
        done = self._change(org_id, appointment_id, event="appointment_completed",
                            expect_status=rules.BOOKED, expect_states=rules.USING,
                            expect_bundle=bundle_id, status=rules.COMPLETED,
                            bundle_state=rules.USED, price=0, invoice_id=invoice_id,
                            ended_at=now, bundle_changed_at=now)
        return done if done is not None else self._completed_or_busy(org_id, appointment_id,
                                                                       invoice_id)

    def _completed_or_busy(self, org_id, appointment_id, invoice_id):
        current = self._read(org_id, appointment_id)
        if current.status == rules.COMPLETED and current.invoice_id == invoice_id:
            return appointment_dict(current)
        raise BundleChangeInProgress("this appointment changed during checkout; try again",
                                     {"status": current.status,
                                      "bundle_status": current.bundle_state})

    # -- recovery ----------------------------------------------------------------------------------
    @timer(interval=sweep_interval())
    def settle_appointment_bundles(self):
        """Bundle steps left in flight by a crash or a passes outage: an ``applying`` older
        than the recovery delay is given back (the appointment keeps its full price), a
        ``removing`` is unbooked again. Idempotent, safe on every instance at once."""
        now = self.clock.now()
        before = now - timedelta(seconds=recovery_seconds())
        with self.db.uow(readonly=True) as uow:
            stale = [(a.org_id, a.id, a.bundle_state, a.bundle_id, a.service_id) for a in
                     Appointments(uow.session).stale_in_flight(
                         before, (rules.APPLYING, rules.REMOVING))]
        for org_id, appointment_id, state, bundle_id, service_id in stale:
            if state == rules.APPLYING and self._change(
                    org_id, appointment_id, expect_states=rules.APPLYING,
                    expect_bundle=bundle_id, bundle_state=rules.REMOVING,
                    bundle_changed_at=now) is None:
                continue
            self._settle_removal(org_id, appointment_id, bundle_id, service_id)

    # -- reads -------------------------------------------------------------------------------------
    @rpc
    def get_appointment(self, org_id, appointment_id):
        return appointment_dict(self._read(org_id, appointment_id))

    @rpc
    def list_appointments(self, org_id, account_id):
        """An account's appointments, latest start first (at most 200)."""
        with self.db.uow(readonly=True) as uow:
            return {"items": [appointment_dict(a) for a in
                              Appointments(uow.session).of_account(org_id, account_id)]}

    @rpc
    def agenda(self, org_id, date, staff_id=None):
        """The org-local day's appointments (not cancelled) per staff member."""
        query = load(AgendaQuery(), {"date": date, "staff_id": staff_id})
        org = self._found(peers.start(self.catalog, "get_org", org_id), "catalog.get_org",
                          "org_id", org_id)
        start, end = rules.day_range(query["date"], org.get("timezone"))
        with self.db.uow(readonly=True) as uow:
            items = [appointment_dict(a) for a in Appointments(uow.session).of_day(
                org_id, start, end, query["staff_id"])]
        return rules.agenda(query["date"], org.get("timezone"), items, query["staff_id"])
