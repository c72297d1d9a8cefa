"""Passes service entrypoints: the ledgers of passes (punch cards), salon bundles and
memberships. Contract: docs/contracts.md "passes"; rules: R2.8, R2.9, R2.11, R2.12, R3.4-R3.6,
R4.1-R4.7, R6.5 (see ``domain/``).

Every change to remaining uses is a ledger entry written in the same transaction as the
conditional update of the cached counter and as its event (``uow.emit``). A pass or bundle
row is locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already
serialises writers) before its ledger is read and written, so several instances of this
service never lose or double a use. Other services are asked before a transaction opens,
never inside one.

Who holds a pass (R3.4): the debit names the member; when the pass does not name that very
member (a family pass, or an individual pass not used yet), the member's account comes from
``accounts.get_member`` (the relation is the accounts service's; it is never taken from the
caller). Eligibility is judged on the activity id against the terms kept with the pass, so
the catalog is not asked at debit time. Rule decisions: ``domain/passes.py``,
``domain/bundles.py``, ``domain/memberships.py``.
"""
from pathlib import Path

from nameko.rpc import RpcProxy, rpc
from sqlalchemy.exc import IntegrityError

from services.common.errors import NotFound
from services.common.schemas import dump, load
from services.common.schemas import require_id as _id
from services.common.service import ServiceBase
from services.common.service import Clock
from services.common.types import new_id
from services.common.uow import Database

from .contract import schemas
from .adapters import peers
from .adapters.models import (Bundle, BundleEntry, BundleItem, Membership, Pass, PassEntry,
                              metadata)
from .adapters.presenters import (bundle_entry_view, bundle_view, membership_view,
                                  pass_entry_view, pass_state, pass_view, report_row)
from .adapters.repositories import BundleRepository, MembershipRepository, PassRepository
from .domain import bundles as bundle_rules
from .domain import memberships as membership_rules
from .domain import passes as pass_rules
from .domain import timeutil
from .contract.errors import (BundleExhausted, BundleNotFound, InvalidPassesInput,
                         MembershipNotFound, PassExhausted, PassNotFound, PassUseNotFound)

# An org's timezone never changes (the catalog has no update_org): learnt once per process.
_ORG_TIMEZONES = {}


def _key(*parts):
    """An idempotency key of a sale (invoice, product, holder, cart item)."""
    return "|".join(part or "-" for part in parts)


class PassesService(ServiceBase):
    name = "passes"
    db = Database("passes", metadata, Path(__file__).parent / "migrations")
    clock = Clock()
    catalog = RpcProxy("catalog")
    accounts = RpcProxy("accounts")

    # -- asking the others (outside transactions) ----------------------------------------------
    def _timezone(self, org_id):
        if org_id not in _ORG_TIMEZONES:
            _ORG_TIMEZONES[org_id] = peers.call(self.catalog, "get_org", org_id)["timezone"]
        return _ORG_TIMEZONES[org_id]

    def _body_reference(self, field, what, method, org_id, object_id):
        """An object named in a request body: unknown is invalid input, not a 404."""
        try:
            return peers.call(self.catalog, method, org_id, object_id)
        except NotFound:
            raise InvalidPassesInput("the request is not valid",
                                     {field: [f"no {what} {object_id} in this organisation"]})

    def _pass_terms(self, org_id, pass_type_id):
        try:
            return peers.pass_type_terms(self.catalog, org_id, pass_type_id)
        except NotFound:
            raise InvalidPassesInput("the request is not valid", {
                "pass_type_id": [f"no pass type {pass_type_id} in this organisation"]})

    def _check_member_of(self, org_id, account_id, member_id):
        """The member exists and belongs to the account the sale is for."""
        try:
            member = peers.call(self.accounts, "get_member", org_id, member_id)
        except NotFound:
            raise InvalidPassesInput("the request is not valid",
                                     {"member_id": ["no such member in this organisation"]})
        if member.get("account_id") != account_id:
            raise InvalidPassesInput("the request is not valid",
                                     {"member_id": ["not a member of this account"]})

    def _member_account(self, org_id, member_id):
        return peers.call(self.accounts, "get_member", org_id, member_id)["account_id"]

    # -- passes: reads -------------------------------------------------------------------------
    def _pass_view(self, repo, row, now):
        balance, used = repo.sums(row.id)
        return pass_view(row, balance, used, now)

    def _movement(self, repo, row, entry, now, **extra):
        result = {"pass": self._pass_view(repo, row, now),
                  "entry": pass_entry_view(entry, row.timezone) if entry is not None else None}
        result.update(extra)
        return dump(schemas.PassMovementOut(), result)

    @rpc
    def get_pass(self, org_id, pass_id):
        org_id, pass_id = _id("org_id", org_id), _id("pass_id", pass_id)
        now = self.clock.now()
        with self.db.uow(readonly=True) as uow:
            repo = PassRepository(uow.session)
            row = repo.get(org_id, pass_id)
            if row is None:
                raise PassNotFound("no such pass", {"pass_id": pass_id})
            return dump(schemas.PassOut(), self._pass_view(repo, row, now))

    @rpc
    def list_account_passes(self, org_id, account_id):
        org_id, account_id = _id("org_id", org_id), _id("account_id", account_id)
        now = self.clock.now()
        with self.db.uow(readonly=True) as uow:
            rows = PassRepository(uow.session).of_account(org_id, account_id)
            items = [pass_view(row, balance, used, now) for row, balance, used in rows]
        return dump(schemas.PassList(), {"items": items})

    @rpc
    def pass_report(self, org_id, limit=None, cursor=None):
        """R4.2: every pass of the org, oldest purchase first, uses from the ledger."""
        org_id = _id("org_id", org_id)
        query = load(schemas.PageIn(), {"limit": limit, "cursor": cursor})
        now = self.clock.now()
        with self.db.uow(readonly=True) as uow:
            rows, next_cursor = PassRepository(uow.session).report_page(
                org_id, query["limit"], query["cursor"])
            items = [report_row(pass_view(row, balance, used, now))
                     for row, balance, used in rows]
        return dump(schemas.PassReportPage(), {"items": items, "next_cursor": next_cursor})

    @rpc
    def pass_ledger(self, org_id, pass_id):
        """The pass and every entry of its ledger, oldest first (R4.1)."""
        org_id, pass_id = _id("org_id", org_id), _id("pass_id", pass_id)
        now = self.clock.now()
        with self.db.uow(readonly=True) as uow:
            repo = PassRepository(uow.session)
            row = repo.get(org_id, pass_id)
            if row is None:
                raise PassNotFound("no such pass", {"pass_id": pass_id})
            result = {"pass": self._pass_view(repo, row, now),
                      "items": [pass_entry_view(e, row.timezone) for e in repo.ledger(row.id)]}
        return dump(schemas.PassLedgerOut(), result)

    # -- passes: sale and grant (R2.9, R4.3) -----------------------------------------------------
    def _new_pass(self, repo, org_id, answer, terms, tz_name, account_id, member_id, origin,
                  invoice_id, sale_key, purchased_at, now, entry_kind, reason=None, actor=None):
        uses_total = terms["uses"]
        row = Pass(id=new_id("pas"), org_id=org_id, pass_type_id=answer["id"],
                   terms_version=answer.get("terms_version"), terms=terms, name=terms["name"],
                   family=terms["family"], account_id=account_id,
                   member_id=None if terms["family"] else member_id, origin=origin,
                   invoice_id=invoice_id, sale_key=sale_key, timezone=tz_name,
                   purchased_at=purchased_at,
                   expires_at=pass_rules.expiry_from_terms(terms, purchased_at,
                                                           timeutil.zone(tz_name)),
                   uses_total=uses_total, uses_left=uses_total, revoked_at=None,
                   created_at=now, updated_at=now)
        repo.add(row)
        entry = repo.add_entry(PassEntry(
            pass_id=row.id, org_id=org_id, kind=entry_kind,
            delta=pass_rules.sale_delta(uses_total), ref_id=invoice_id, reason=reason,
            actor=actor, created_at=now))
        return row, entry

    @rpc
    def sell_pass(self, org_id, data):
        """A pass sold on an invoice, keeping a copy of the terms in force (R2.9); idempotent
        on (invoice, pass type, holder, cart item)."""
        org_id = _id("org_id", org_id)
        data = load(schemas.SellPassIn(), data)
        now = self.clock.now()
        sale_key = _key("pass", data["invoice_id"], data["pass_type_id"], data["account_id"],
                        data["member_id"], data["cart_item_id"])
        existing = self._pass_by_sale_key(org_id, sale_key, now)
        if existing is not None:
            return existing
        answer = self._pass_terms(org_id, data["pass_type_id"])
        terms = pass_rules.copy_terms(answer)
        tz_name = self._timezone(org_id)
        if data["member_id"] and not terms["family"]:
            self._check_member_of(org_id, data["account_id"], data["member_id"])
        purchased_at = timeutil.as_utc(data["sold_at"] or now)
        try:
            with self.db.uow() as uow:
                repo = PassRepository(uow.session)
                row, _ = self._new_pass(repo, org_id, answer, terms, tz_name,
                                        data["account_id"], data["member_id"], "sale",
                                        data["invoice_id"], sale_key, purchased_at, now,
                                        pass_rules.SALE)
                view = self._pass_view(repo, row, now)
                uow.emit("pass_sold", view, occurred_at=now)
                uow.commit()
        except IntegrityError:  # the same sale, recorded meanwhile by another request
            existing = self._pass_by_sale_key(org_id, sale_key, now)
            if existing is None:
                raise
            return existing
        return dump(schemas.PassOut(), view)

    def _pass_by_sale_key(self, org_id, sale_key, now):
        with self.db.uow(readonly=True) as uow:
            repo = PassRepository(uow.session)
            row = repo.by_sale_key(org_id, sale_key)
            if row is None:
                return None
            return dump(schemas.PassOut(), self._pass_view(repo, row, now))

    @rpc
    def grant_passes(self, org_id, data):
        """R4.3: the same pass granted to many accounts at once, with who and why; all or
        nothing. With ``grant_id``, a retried grant writes nothing new."""
        org_id = _id("org_id", org_id)
        data = load(schemas.GrantPassesIn(), data)
        now = self.clock.now()
        account_ids = list(dict.fromkeys(data["account_ids"]))
        answer = self._pass_terms(org_id, data["pass_type_id"])
        terms = pass_rules.copy_terms(answer)
        tz_name = self._timezone(org_id)
        replies = [(i, peers.start(self.accounts, "get_account", org_id, a))
                   for i, a in enumerate(account_ids)]
        unknown = {}
        for index, reply in replies:
            try:
                peers.wait_for(reply, "accounts.get_account")
            except NotFound:
                unknown[index] = ["no such account in this organisation"]
        if unknown:
            raise InvalidPassesInput("the request is not valid", {"account_ids": unknown})

        def keys():
            return {a: (_key("grant", data["grant_id"], a) if data["grant_id"] else None)
                    for a in account_ids}

        try:
            with self.db.uow() as uow:
                repo = PassRepository(uow.session)
                items = []
                for account_id, sale_key in keys().items():
                    row = repo.by_sale_key(org_id, sale_key) if sale_key else None
                    if row is None:
                        row, entry = self._new_pass(
                            repo, org_id, answer, terms, tz_name, account_id, None, "grant",
                            None, sale_key, now, now, pass_rules.GRANT,
                            reason=data["reason"], actor=data["granted_by"])
                        view = self._pass_view(repo, row, now)
                        uow.emit("pass_granted", dict(view, entry=pass_entry_view(
                            entry, tz_name)), occurred_at=now)
                    else:
                        view = self._pass_view(repo, row, now)
                    items.append(view)
                uow.commit()
        except IntegrityError:  # the same grant_id, granted meanwhile by another request
            with self.db.uow(readonly=True) as uow:
                repo = PassRepository(uow.session)
                rows = [repo.by_sale_key(org_id, k) for k in keys().values()]
                if any(r is None for r in rows):
                    raise
                items = [self._pass_view(repo, r, now) for r in rows]
        return dump(schemas.PassList(), {"items": items})

    @rpc
    def change_pass_expiry(self, org_id, pass_id, data):
        """R4.3: one holder's expiry changed, recorded as an adjustment entry with who and
        why. The same expiry again writes nothing."""
        org_id, pass_id = _id("org_id", org_id), _id("pass_id", pass_id)
        data = load(schemas.ChangeExpiryIn(), data)
        now = self.clock.now()
        with self.db.uow() as uow:
            repo = PassRepository(uow.session)
            row = repo.get_for_update(org_id, pass_id)
            if row is None:
                raise PassNotFound("no such pass", {"pass_id": pass_id})
            balance, _ = repo.sums(row.id)
            pass_rules.check_changeable(pass_state(row, balance))
            tz = timeutil.zone(row.timezone)
            new_expiry = timeutil.parse_instant_or_day(data["expires_at"], tz)
            if row.expires_at is not None and timeutil.as_utc(row.expires_at) == new_expiry:
                return dump(schemas.PassOut(), self._pass_view(repo, row, now))
            entry = repo.add_entry(PassEntry(
                pass_id=row.id, org_id=org_id, kind=pass_rules.ADJUSTMENT, delta=0,
                reason=data["reason"], actor=data["changed_by"],
                data={"field": "expires_at",
                      "from": timeutil.to_local_iso(row.expires_at, tz),
                      "to": timeutil.to_local_iso(new_expiry, tz)},
                created_at=now))
            row.expires_at = new_expiry
            row.updated_at = now
            uow.flush()
            view = self._pass_view(repo, row, now)
            uow.emit("pass_expiry_changed", dict(view, entry=pass_entry_view(entry, row.timezone)),
                     occurred_at=now)
            uow.commit()
        return dump(schemas.PassOut(), view)

    # -- passes: debit and credit (R3.4-R3.6, R4.1) -------------------------------------------
    def _replay(self, org_id, pass_id, registration_id, kind, now, **extra):
        with self.db.uow(readonly=True) as uow:
            repo = PassRepository(uow.session)
            row = repo.get(org_id, pass_id)
            entry = repo.entry(pass_id, registration_id, kind) if row is not None else None
            if entry is None:
                return None
            return self._movement(repo, row, entry, now, replayed=True, **extra)

    @rpc
    def debit_pass(self, org_id, pass_id, data):
        """One use of the pass for one registration (R3.4); idempotent on the registration:
        a replay returns the first entry and writes nothing."""
        org_id, pass_id = _id("org_id", org_id), _id("pass_id", pass_id)
        data = load(schemas.DebitIn(), data)
        now = self.clock.now()
        at = data["occurrence_starts_at"] or now
        registration_id, member_id = data["registration_id"], data["member_id"]

        with self.db.uow(readonly=True) as uow:
            repo = PassRepository(uow.session)
            row = repo.get(org_id, pass_id)
            if row is None:
                raise PassNotFound("no such pass", {"pass_id": pass_id})
            entry = repo.entry(pass_id, registration_id, pass_rules.DEBIT)
            if entry is not None:
                return self._movement(repo, row, entry, now, replayed=True)
            needs_account = pass_rules.needs_member_account(pass_state(row, 0), member_id)
        member_account_id = self._member_account(org_id, member_id) if needs_account else None

        try:
            with self.db.uow() as uow:
                repo = PassRepository(uow.session)
                row = repo.get_for_update(org_id, pass_id)
                entry = repo.entry(pass_id, registration_id, pass_rules.DEBIT)
                if entry is not None:
                    return self._movement(repo, row, entry, now, replayed=True)
                balance, _ = repo.sums(row.id)
                state = pass_state(row, balance)
                pass_rules.check_debit(state, member_id, member_account_id,
                                       data["activity_id"], at)
                if not state.unlimited and not repo.take_one_use(row.id):
                    raise PassExhausted("this pass has no use left",
                                        {"pass_id": pass_id, "uses_total": row.uses_total,
                                         "uses_left": 0})
                if pass_rules.binds_member(state):
                    row.member_id = member_id
                row.updated_at = now
                entry = repo.add_entry(PassEntry(
                    pass_id=row.id, org_id=org_id, kind=pass_rules.DEBIT, delta=-1,
                    ref_id=registration_id, member_id=member_id,
                    activity_id=data["activity_id"],
                    occurrence_starts_at=data["occurrence_starts_at"], created_at=now))
                result = self._movement(repo, row, entry, now, replayed=False)
                uow.emit("pass_debited", dict(result["pass"], entry=result["entry"]),
                         occurred_at=now)
                uow.commit()
        except IntegrityError:  # the same registration, debited meanwhile by another request
            replay = self._replay(org_id, pass_id, registration_id, pass_rules.DEBIT, now)
            if replay is None:
                raise
            return replay
        return result

    @rpc
    def credit_pass(self, org_id, pass_id, data):
        """The use of a cancelled registration given back where the terms allow it
        (``credit_on_cancel``, R3.5) or staff say so (``force``, R3.6); idempotent on the
        registration. ``credited`` says whether it came back."""
        org_id, pass_id = _id("org_id", org_id), _id("pass_id", pass_id)
        data = load(schemas.CreditIn(), data)
        now = self.clock.now()
        registration_id = data["registration_id"]
        try:
            with self.db.uow() as uow:
                repo = PassRepository(uow.session)
                row = repo.get_for_update(org_id, pass_id)
                if row is None:
                    raise PassNotFound("no such pass", {"pass_id": pass_id})
                entry = repo.entry(pass_id, registration_id, pass_rules.CREDIT)
                if entry is not None:
                    return self._movement(repo, row, entry, now, replayed=True, credited=True)
                debit = repo.entry(pass_id, registration_id, pass_rules.DEBIT)
                if debit is None:
                    raise PassUseNotFound("this registration did not use this pass",
                                          {"pass_id": pass_id,
                                           "registration_id": registration_id})
                if not pass_rules.credit_allowed(row.terms.get("credit_on_cancel"),
                                                 data["force"]):
                    return self._movement(repo, row, None, now, replayed=False,
                                          credited=False)
                entry = repo.add_entry(PassEntry(
                    pass_id=row.id, org_id=org_id, kind=pass_rules.CREDIT, delta=1,
                    ref_id=registration_id, member_id=debit.member_id,
                    activity_id=debit.activity_id,
                    occurrence_starts_at=debit.occurrence_starts_at,
                    reason=data["reason"] or ("given back by staff" if data["force"]
                                              and not row.terms.get("credit_on_cancel")
                                              else "booking cancelled"),
                    actor=data["actor"], data={"force": bool(data["force"])},
                    created_at=now))
                repo.give_back_one_use(row.id)
                row.updated_at = now
                result = self._movement(repo, row, entry, now, replayed=False, credited=True)
                uow.emit("pass_credited", dict(result["pass"], entry=result["entry"]),
                         occurred_at=now)
                uow.commit()
        except IntegrityError:
            replay = self._replay(org_id, pass_id, registration_id, pass_rules.CREDIT, now,
                                  credited=True)
            if replay is None:
                raise
            return replay
        return result

    # -- bundles (R4.4-R4.7) ------------------------------------------------------------------
    def _bundle_view(self, repo, row):
        return bundle_view(row, repo.counts([row.id])[row.id])

    def _bundle_by_sale_key(self, org_id, sale_key):
        with self.db.uow(readonly=True) as uow:
            repo = BundleRepository(uow.session)
            row = repo.by_sale_key(org_id, sale_key)
            if row is None:
                return None
            return dump(schemas.BundleOut(), self._bundle_view(repo, row))

    @rpc
    def sell_bundle(self, org_id, data):
        """A bundle sold to a named client (R4.4), one ledger entry per service of its
        division; idempotent on (invoice, bundle type, division, client, cart item)."""
        org_id = _id("org_id", org_id)
        data = load(schemas.SellBundleIn(), data)
        bundle_rules.require_client(data["member_id"])
        now = self.clock.now()
        sale_key = _key("bundle", data["invoice_id"], data["bundle_type_id"],
                        data["division"].strip().casefold(), data["account_id"],
                        data["member_id"], data["cart_item_id"])
        existing = self._bundle_by_sale_key(org_id, sale_key)
        if existing is not None:
            return existing
        bundle_type = self._body_reference("bundle_type_id", "bundle type", "get_bundle_type",
                                           org_id, data["bundle_type_id"])
        division = bundle_rules.find_division(bundle_type, data["division"])
        tz_name = self._timezone(org_id)
        self._check_member_of(org_id, data["account_id"], data["member_id"])
        purchased_at = timeutil.as_utc(data["sold_at"] or now)
        try:
            with self.db.uow() as uow:
                repo = BundleRepository(uow.session)
                row = Bundle(id=new_id("bun"), org_id=org_id, bundle_type_id=bundle_type["id"],
                             name=bundle_type["name"], division=division["name"],
                             price=division.get("price"), account_id=data["account_id"],
                             member_id=data["member_id"], invoice_id=data["invoice_id"],
                             sale_key=sale_key, timezone=tz_name, purchased_at=purchased_at,
                             revoked_at=None, created_at=now, updated_at=now)
                lines = bundle_rules.sale_items(division)
                repo.add(row, [BundleItem(bundle_id=row.id, service_id=service_id,
                                          position=position, total=count, booked=0, used=0)
                               for position, (service_id, count) in enumerate(lines)])
                for position, (service_id, count) in enumerate(lines):
                    repo.add_entry(BundleEntry(bundle_id=row.id, org_id=org_id,
                                               service_id=service_id, kind=bundle_rules.SALE,
                                               ref_id=data["invoice_id"], seq=position,
                                               d_total=count, d_booked=0, d_used=0,
                                               created_at=now))
                view = self._bundle_view(repo, row)
                uow.emit("bundle_sold", view, occurred_at=now)
                uow.commit()
        except IntegrityError:
            existing = self._bundle_by_sale_key(org_id, sale_key)
            if existing is None:
                raise
            return existing
        return dump(schemas.BundleOut(), view)

    def _bundle_move(self, org_id, bundle_id, data, planner, event_type):
        org_id, bundle_id = _id("org_id", org_id), _id("bundle_id", bundle_id)
        data = load(schemas.BundleUseIn(), data)
        appointment_id, service_id = data["appointment_id"], data["service_id"]
        now = self.clock.now()
        with self.db.uow() as uow:
            repo = BundleRepository(uow.session)
            row = repo.get_for_update(org_id, bundle_id)
            if row is None:
                raise BundleNotFound("no such bundle", {"bundle_id": bundle_id})
            counts = {c.service_id: c for c in repo.counts([row.id])[row.id]}
            on_bundle = bundle_rules.appointment_state(
                repo.appointment_entries(row.id, appointment_id))
            plan = planner(row, counts, service_id, on_bundle)
            if plan in ("replay", "noop"):
                return dump(schemas.BundleOut(), self._bundle_view(repo, row))
            kind, d_booked, d_used = bundle_rules.movement(plan)
            # The service the appointment is on, for an unbook or the use of a booking.
            moved_service = on_bundle.service_id if plan in ("unbook", "use_booked") \
                else service_id
            if not repo.move(row.id, moved_service, d_booked, d_used):
                current = counts.get(moved_service) or bundle_rules.Counts(moved_service, 0, 0, 0)
                raise BundleExhausted("no use of this service is left in the bundle",
                                      dict(current.as_dict(), bundle_id=bundle_id))
            seq = {bundle_rules.BOOK: on_bundle.books,
                   bundle_rules.UNBOOK: on_bundle.unbooks}.get(kind, 0)
            entry = repo.add_entry(BundleEntry(
                bundle_id=row.id, org_id=org_id, service_id=moved_service, kind=kind,
                ref_id=appointment_id, seq=seq, d_total=0, d_booked=d_booked, d_used=d_used,
                reason=data["reason"], created_at=now))
            row.updated_at = now
            view = self._bundle_view(repo, row)
            uow.emit(event_type, dict(view, entry=bundle_entry_view(entry, row.timezone)),
                     occurred_at=now)
            uow.commit()
        return dump(schemas.BundleOut(), view)

    @rpc
    def book_bundle(self, org_id, bundle_id, data):
        """R4.6: the bundle applied to an appointment: one use of the service booked.
        Booking an appointment already booked on the bundle writes nothing."""
        def plan(row, counts, service_id, on_bundle):
            return bundle_rules.plan_book(row.id, row.revoked_at is not None,
                                          counts.get(service_id), service_id, on_bundle)
        return self._bundle_move(org_id, bundle_id, data, plan, "bundle_booked")

    @rpc
    def unbook_bundle(self, org_id, bundle_id, data):
        """R4.6/R4.7: the bundle removed from the appointment, or the appointment cancelled:
        the booked use comes back. Nothing to do if it is not booked (or already used)."""
        def plan(row, counts, service_id, on_bundle):
            return bundle_rules.plan_unbook(on_bundle)
        return self._bundle_move(org_id, bundle_id, data, plan, "bundle_unbooked")

    @rpc
    def use_bundle(self, org_id, bundle_id, data):
        """R4.7: the appointment checked out: its booked use becomes used, or, applied only
        now, one remaining use is used. A second checkout writes nothing."""
        def plan(row, counts, service_id, on_bundle):
            return bundle_rules.plan_use(row.id, row.revoked_at is not None,
                                         counts.get(service_id), service_id, on_bundle)
        return self._bundle_move(org_id, bundle_id, data, plan, "bundle_used")

    @rpc
    def bundle_candidates(self, org_id, member_id, service_id):
        """The member's bundles that can pay for one more ``service_id`` (R4.6)."""
        org_id = _id("org_id", org_id)
        member_id, service_id = _id("member_id", member_id), _id("service_id", service_id)
        with self.db.uow(readonly=True) as uow:
            repo = BundleRepository(uow.session)
            rows = repo.of_member(org_id, member_id)
            counts = repo.counts([r.id for r in rows])
            items = []
            for row in rows:
                own = {c.service_id: c for c in counts[row.id]}.get(service_id)
                if row.revoked_at is None and own is not None and own.remaining > 0:
                    items.append(bundle_view(row, counts[row.id]))
        return dump(schemas.BundleList(), {"items": items})

    @rpc
    def get_bundle(self, org_id, bundle_id):
        org_id, bundle_id = _id("org_id", org_id), _id("bundle_id", bundle_id)
        with self.db.uow(readonly=True) as uow:
            repo = BundleRepository(uow.session)
            row = repo.get(org_id, bundle_id)
            if row is None:
                raise BundleNotFound("no such bundle", {"bundle_id": bundle_id})
            return dump(schemas.BundleOut(), self._bundle_view(repo, row))

    @rpc
    def list_account_bundles(self, org_id, account_id):
        org_id, account_id = _id("org_id", org_id), _id("account_id", account_id)
        with self.db.uow(readonly=True) as uow:
            repo = BundleRepository(uow.session)
            rows = repo.of_account(org_id, account_id)
            counts = repo.counts([r.id for r in rows])
            items = [bundle_view(r, counts[r.id]) for r in rows]
        return dump(schemas.BundleList(), {"items": items})

    @rpc
    def bundle_ledger(self, org_id, bundle_id):
        org_id, bundle_id = _id("org_id", org_id), _id("bundle_id", bundle_id)
        with self.db.uow(readonly=True) as uow:
            repo = BundleRepository(uow.session)
            row = repo.get(org_id, bundle_id)
            if row is None:
                raise BundleNotFound("no such bundle", {"bundle_id": bundle_id})
            result = {"bundle": self._bundle_view(repo, row),
                      "items": [bundle_entry_view(e, row.timezone)
                                for e in repo.ledger(row.id)]}
        return dump(schemas.BundleLedgerOut(), result)

    # -- memberships (R2.12) -----------------------------------------------------------------
    def _membership_by_sale_key(self, org_id, sale_key, now):
        with self.db.uow(readonly=True) as uow:
            row = MembershipRepository(uow.session).by_sale_key(org_id, sale_key)
            return None if row is None else dump(schemas.MembershipOut(),
                                                 membership_view(row, now))

    @rpc
    def sell_membership(self, org_id, data):
        """A membership for a member from ``starts_on`` (default: the org-local day of the
        sale) for the type's ``duration_days``; idempotent on (invoice, type, member, cart
        item)."""
        org_id = _id("org_id", org_id)
        data = load(schemas.SellMembershipIn(), data)
        now = self.clock.now()
        sale_key = _key("membership", data["invoice_id"], data["membership_type_id"],
                        data["account_id"], data["member_id"], data["cart_item_id"])
        existing = self._membership_by_sale_key(org_id, sale_key, now)
        if existing is not None:
            return existing
        membership_type = self._body_reference("membership_type_id", "membership type",
                                               "get_membership_type", org_id,
                                               data["membership_type_id"])
        tz_name = self._timezone(org_id)
        self._check_member_of(org_id, data["account_id"], data["member_id"])
        sold_at = timeutil.as_utc(data["sold_at"] or now)
        starts_on = data["starts_on"] or membership_rules.default_start(
            sold_at, timeutil.zone(tz_name))
        starts_on, ends_on = membership_rules.period(starts_on,
                                                     membership_type.get("duration_days"))
        try:
            with self.db.uow() as uow:
                row = Membership(id=new_id("msh"), org_id=org_id,
                                 membership_type_id=membership_type["id"],
                                 name=membership_type["name"], account_id=data["account_id"],
                                 member_id=data["member_id"], invoice_id=data["invoice_id"],
                                 sale_key=sale_key, timezone=tz_name, starts_on=starts_on,
                                 ends_on=ends_on, sold_at=sold_at, revoked_at=None,
                                 created_at=now)
                MembershipRepository(uow.session).add(row)
                view = membership_view(row, now)
                uow.emit("membership_sold", view, occurred_at=now)
                uow.commit()
        except IntegrityError:
            existing = self._membership_by_sale_key(org_id, sale_key, now)
            if existing is None:
                raise
            return existing
        return dump(schemas.MembershipOut(), view)

    @rpc
    def active_memberships(self, org_id, member_id, on_date):
        """The member's memberships active on ``on_date`` (YYYY-MM-DD), for the activities'
        required membership types (R2.7): ``{"items": [Membership]}``."""
        org_id = _id("org_id", org_id)
        query = load(schemas.ActiveMembershipsIn(), {"member_id": member_id,
                                                     "on_date": on_date})
        now = self.clock.now()
        with self.db.uow(readonly=True) as uow:
            rows = MembershipRepository(uow.session).active_on(org_id, query["member_id"],
                                                               query["on_date"])
            items = [membership_view(r, now) for r in rows]
        return dump(schemas.MembershipList(), {"items": items})

    @rpc
    def get_membership(self, org_id, membership_id):
        org_id, membership_id = _id("org_id", org_id), _id("membership_id", membership_id)
        now = self.clock.now()
        with self.db.uow(readonly=True) as uow:
            row = MembershipRepository(uow.session).get(org_id, membership_id)
            if row is None:
                raise MembershipNotFound("no such membership",
                                         {"membership_id": membership_id})
            return dump(schemas.MembershipOut(), membership_view(row, now))

    @rpc
    def list_account_memberships(self, org_id, account_id):
        org_id, account_id = _id("org_id", org_id), _id("account_id", account_id)
        now = self.clock.now()
        with self.db.uow(readonly=True) as uow:
            rows = MembershipRepository(uow.session).of_account(org_id, account_id)
            items = [membership_view(r, now) for r in rows]
        return dump(schemas.MembershipList(), {"items": items})

    # -- voided invoices (R6.5) --------------------------------------------------------------
    @rpc
    def revoke_for_invoice(self, org_id, invoice_id):
        """Revoke what was sold on a voided invoice: passes and bundles if unused (a used
        pass, or a bundle with a booked or used service, stays and is listed in
        ``not_revoked`` with the reason), and memberships. Idempotent: what is already
        revoked is listed again, nothing is written twice."""
        org_id, invoice_id = _id("org_id", org_id), _id("invoice_id", invoice_id)
        now = self.clock.now()
        revoked, kept = [], []
        with self.db.uow() as uow:
            passes = PassRepository(uow.session)
            for row in passes.by_invoice(org_id, invoice_id, lock=True):
                self._revoke_pass(uow, passes, row, invoice_id, now, revoked, kept)
            bundles = BundleRepository(uow.session)
            for row in bundles.by_invoice(org_id, invoice_id, lock=True):
                self._revoke_bundle(uow, bundles, row, invoice_id, now, revoked, kept)
            for row in MembershipRepository(uow.session).by_invoice(org_id, invoice_id,
                                                                    lock=True):
                if row.revoked_at is None:
                    row.revoked_at = now
                    uow.flush()
                    uow.emit("membership_revoked", dict(membership_view(row, now),
                                                        reason="invoice voided"),
                             occurred_at=now)
                revoked.append({"type": "membership", "id": row.id,
                                "revoked_at": timeutil.to_local_iso(
                                    row.revoked_at, timeutil.zone(row.timezone))})
            uow.commit()
        return dump(schemas.RevokeResult(), {"invoice_id": invoice_id, "items": revoked,
                                             "not_revoked": kept})

    def _revoke_pass(self, uow, repo, row, invoice_id, now, revoked, kept):
        tz = timeutil.zone(row.timezone)
        if row.revoked_at is None:
            entries = [(e.kind, e.delta) for e in repo.ledger(row.id)]
            if not pass_rules.revocable(entries):
                kept.append({"type": "pass", "id": row.id, "reason": "used"})
                return
            balance = pass_rules.balance(d for _, d in entries)
            entry = repo.add_entry(PassEntry(
                pass_id=row.id, org_id=row.org_id, kind=pass_rules.REVOKE,
                delta=-balance if row.uses_total is not None else 0, ref_id=invoice_id,
                reason="invoice voided", created_at=now))
            if row.uses_total is not None:
                repo.set_cache(row.id, 0)
            row.revoked_at = now
            row.updated_at = now
            uow.flush()
            view = self._pass_view(repo, row, now)
            uow.emit("pass_revoked", dict(view, entry=pass_entry_view(entry, row.timezone)),
                     occurred_at=now)
        revoked.append({"type": "pass", "id": row.id,
                        "revoked_at": timeutil.to_local_iso(row.revoked_at, tz)})

    def _revoke_bundle(self, uow, repo, row, invoice_id, now, revoked, kept):
        tz = timeutil.zone(row.timezone)
        if row.revoked_at is None:
            counts = repo.counts([row.id])[row.id]
            if not bundle_rules.revocable(counts):
                kept.append({"type": "bundle", "id": row.id,
                             "reason": bundle_rules.not_revocable_reason(counts)})
                return
            for position, c in enumerate(counts):
                repo.add_entry(BundleEntry(
                    bundle_id=row.id, org_id=row.org_id, service_id=c.service_id,
                    kind=bundle_rules.REVOKE, ref_id=invoice_id, seq=position,
                    d_total=-c.remaining,
                    d_booked=0, d_used=0, reason="invoice voided", created_at=now))
            repo.zero_total(row.id)
            row.revoked_at = now
            row.updated_at = now
            uow.flush()
            uow.emit("bundle_revoked", self._bundle_view(repo, row), occurred_at=now)
        revoked.append({"type": "bundle", "id": row.id,
                        "revoked_at": timeutil.to_local_iso(row.revoked_at, tz)})
