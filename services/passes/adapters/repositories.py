"""Reading and writing passes's tables within a unit of work.

Balances read and reported are sums of the ledgers, computed by the database (``SUM``,
``GROUP BY``); the cached counters (models.py) are only moved by conditional updates, here,
in the transaction that writes the ledger entry, and a write answers from them.
"""
from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from services.common.pagination import page, paginate

from ..domain import bundles as bundle_rules
from ..domain import passes as pass_rules
from .models import Bundle, BundleEntry, BundleItem, Membership, Pass, PassEntry


# A debit's statements, built once (bound parameters named): building a statement cost
# about as much CPU as running it on SQLite (issue 14).
_PASS_FOR_UPDATE = (select(Pass).where(Pass.id == bindparam("pass_id"),
                                       Pass.org_id == bindparam("org_id"))
                    .with_for_update().execution_options(populate_existing=True))
_ENTRY = select(PassEntry).where(PassEntry.pass_id == bindparam("pass_id"),
                                 PassEntry.ref_id == bindparam("ref_id"),
                                 PassEntry.kind == bindparam("kind"))


def _count_use(counted):
    """One use onto ``uses_used`` and, on a counted pass, off ``uses_left`` if one is left;
    the pass's ``updated_at`` in the same statement."""
    conditions = [Pass.id == bindparam("pass_id")]
    values = {"uses_used": Pass.uses_used + 1, "updated_at": bindparam("now")}
    if counted:
        conditions.append(Pass.uses_left >= 1)
        values["uses_left"] = Pass.uses_left - 1
    return (update(Pass).where(*conditions).values(**values)
            .returning(Pass.uses_left, Pass.uses_used)
            .execution_options(synchronize_session=False))


_COUNT_USE = {counted: _count_use(counted) for counted in (True, False)}


def _pass_sums():
    """Per pass: the ledger balance and the uses still counted (debits not credited)."""
    used = func.sum(case((PassEntry.kind.in_((pass_rules.DEBIT, pass_rules.CREDIT)),
                          -PassEntry.delta), else_=0))
    return (select(PassEntry.pass_id.label("pass_id"),
                   func.coalesce(func.sum(PassEntry.delta), 0).label("balance"),
                   func.coalesce(used, 0).label("used"))
            .group_by(PassEntry.pass_id).subquery())


class PassRepository:
    def __init__(self, session):
        self.session = session

    # -- passes -----------------------------------------------------------------------------
    def add(self, row: Pass):
        self.session.add(row)
        self.session.flush()

    def get(self, org_id, pass_id):
        row = self.session.get(Pass, pass_id)
        if row is None or row.org_id != org_id:
            return None
        return row

    def get_for_update(self, org_id, pass_id):
        """The pass row, locked until commit (PostgreSQL; SQLite's immediate transaction
        already serialises writers)."""
        return self.session.execute(_PASS_FOR_UPDATE, {
            "pass_id": pass_id, "org_id": org_id}).scalar_one_or_none()

    def by_sale_key(self, org_id, sale_key):
        return self.session.execute(
            select(Pass).where(Pass.org_id == org_id, Pass.sale_key == sale_key)
        ).scalar_one_or_none()

    def by_invoice(self, org_id, invoice_id, lock=False):
        query = (select(Pass).where(Pass.org_id == org_id, Pass.invoice_id == invoice_id)
                 .order_by(Pass.created_at, Pass.id))
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        return list(self.session.execute(query).scalars())

    def with_sums(self, query):
        """``(Pass, balance, used)`` rows of a ``select(Pass)``-shaped query."""
        sums = _pass_sums()
        return (query.add_columns(func.coalesce(sums.c.balance, 0),
                                  func.coalesce(sums.c.used, 0))
                .outerjoin(sums, sums.c.pass_id == Pass.id))

    def of_account(self, org_id, account_id):
        query = self.with_sums(select(Pass).where(Pass.org_id == org_id,
                                                  Pass.account_id == account_id)
                               .order_by(Pass.purchased_at, Pass.id))
        return [tuple(r) for r in self.session.execute(query)]

    def report_page(self, org_id, limit=None, cursor=None):
        query = self.with_sums(select(Pass).where(Pass.org_id == org_id)
                               .order_by(Pass.purchased_at, Pass.id))
        query, limit, offset = paginate(query, limit, cursor)
        rows, next_cursor = page(self.session.execute(query), limit, offset)
        return [tuple(r) for r in rows], next_cursor

    def sums(self, pass_id):
        """(balance, used) of one pass, summed from its ledger by the database."""
        sums = _pass_sums()
        balance, used = self.session.execute(
            select(func.coalesce(sums.c.balance, 0), func.coalesce(sums.c.used, 0))
            .select_from(Pass).outerjoin(sums, sums.c.pass_id == Pass.id)
            .where(Pass.id == pass_id)).one()
        return int(balance), int(used)

    # -- the counters (caches of the ledger, moved with each entry) ----------------------------
    def count_use(self, row: Pass, now) -> bool:
        """One use made: off ``uses_left`` only if one is left (the database's own guard
        against a use taken twice), onto ``uses_used``; the row updated at ``now``. False:
        none was left."""
        moved = self._moved(row, self.session.execute(
            _COUNT_USE[row.uses_total is not None], {"pass_id": row.id, "now": now}).first())
        if moved:
            set_committed_value(row, "updated_at", now)
        return moved

    def give_back_use(self, row: Pass) -> bool:
        conditions, values = [Pass.id == row.id, Pass.uses_used >= 1], \
            {"uses_used": Pass.uses_used - 1}
        if row.uses_total is not None:
            values["uses_left"] = Pass.uses_left + 1
        return self._move(row, conditions, values)

    def empty(self, row: Pass):
        """Revocation: no use left on a counted pass."""
        if row.uses_total is not None:
            self._move(row, [Pass.id == row.id], {"uses_left": 0})

    def _move(self, row, conditions, values) -> bool:
        """One conditional UPDATE; the row then shows the counters the database holds."""
        return self._moved(row, self.session.execute(
            update(Pass).where(*conditions).values(**values)
            .returning(Pass.uses_left, Pass.uses_used)
            .execution_options(synchronize_session=False)).first())

    @staticmethod
    def _moved(row, moved) -> bool:
        """The row shows the counters the UPDATE returned; False if it updated nothing."""
        if moved is None:
            return False
        set_committed_value(row, "uses_left", moved.uses_left)
        set_committed_value(row, "uses_used", moved.uses_used)
        return True

    # -- ledger ------------------------------------------------------------------------------
    def add_entry(self, entry: PassEntry):
        self.session.add(entry)
        self.session.flush()
        return entry

    def entry(self, pass_id, ref_id, kind):
        return self.session.execute(_ENTRY, {"pass_id": pass_id, "ref_id": ref_id,
                                             "kind": kind}).scalar_one_or_none()

    def ledger(self, pass_id):
        return list(self.session.execute(
            select(PassEntry).where(PassEntry.pass_id == pass_id).order_by(PassEntry.id)
        ).scalars())


class BundleRepository:
    def __init__(self, session):
        self.session = session

    def add(self, row: Bundle, items):
        self.session.add(row)
        self.session.flush()
        for item in items:
            self.session.add(item)
        self.session.flush()

    def get(self, org_id, bundle_id):
        row = self.session.get(Bundle, bundle_id)
        if row is None or row.org_id != org_id:
            return None
        return row

    def get_for_update(self, org_id, bundle_id):
        return self.session.execute(
            select(Bundle).where(Bundle.id == bundle_id, Bundle.org_id == org_id)
            .with_for_update().execution_options(populate_existing=True)
        ).scalar_one_or_none()

    def by_sale_key(self, org_id, sale_key):
        return self.session.execute(
            select(Bundle).where(Bundle.org_id == org_id, Bundle.sale_key == sale_key)
        ).scalar_one_or_none()

    def by_invoice(self, org_id, invoice_id, lock=False):
        query = (select(Bundle).where(Bundle.org_id == org_id, Bundle.invoice_id == invoice_id)
                 .order_by(Bundle.created_at, Bundle.id))
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        return list(self.session.execute(query).scalars())

    def of_account(self, org_id, account_id):
        return list(self.session.execute(
            select(Bundle).where(Bundle.org_id == org_id, Bundle.account_id == account_id)
            .order_by(Bundle.purchased_at, Bundle.id)).scalars())

    def of_member(self, org_id, member_id):
        return list(self.session.execute(
            select(Bundle).where(Bundle.org_id == org_id, Bundle.member_id == member_id)
            .order_by(Bundle.purchased_at, Bundle.id)).scalars())

    def counts(self, bundle_ids):
        """``{bundle_id: [Counts per service, in the division's order]}`` from the ledgers."""
        result = {bundle_id: [] for bundle_id in bundle_ids}
        if not bundle_ids:
            return result
        sums = (select(BundleEntry.bundle_id, BundleEntry.service_id,
                       func.sum(BundleEntry.d_total).label("total"),
                       func.sum(BundleEntry.d_booked).label("booked"),
                       func.sum(BundleEntry.d_used).label("used"))
                .where(BundleEntry.bundle_id.in_(list(bundle_ids)))
                .group_by(BundleEntry.bundle_id, BundleEntry.service_id).subquery())
        rows = self.session.execute(
            select(BundleItem.bundle_id, BundleItem.service_id,
                   func.coalesce(sums.c.total, 0), func.coalesce(sums.c.booked, 0),
                   func.coalesce(sums.c.used, 0))
            .outerjoin(sums, (sums.c.bundle_id == BundleItem.bundle_id)
                       & (sums.c.service_id == BundleItem.service_id))
            .where(BundleItem.bundle_id.in_(list(bundle_ids)))
            .order_by(BundleItem.bundle_id, BundleItem.position))
        for bundle_id, service_id, total, booked, used in rows:
            result[bundle_id].append(bundle_rules.Counts(service_id, int(total), int(booked),
                                                         int(used)))
        return result

    def appointment_entries(self, bundle_id, appointment_id):
        return [tuple(r) for r in self.session.execute(
            select(BundleEntry.kind, BundleEntry.service_id)
            .where(BundleEntry.bundle_id == bundle_id, BundleEntry.ref_id == appointment_id)
            .order_by(BundleEntry.id))]

    def move(self, bundle_id, service_id, d_booked, d_used) -> bool:
        """The cached counts moved by a conditional update that holds only if the result
        stays within bounds (booked, used >= 0 and remaining >= 0)."""
        conditions = [BundleItem.bundle_id == bundle_id, BundleItem.service_id == service_id]
        if d_booked < 0:
            conditions.append(BundleItem.booked + d_booked >= 0)
        if d_used < 0:
            conditions.append(BundleItem.used + d_used >= 0)
        if d_booked + d_used > 0:
            conditions.append(BundleItem.total - BundleItem.booked - BundleItem.used
                              >= d_booked + d_used)
        result = self.session.execute(
            update(BundleItem).where(*conditions)
            .values(booked=BundleItem.booked + d_booked, used=BundleItem.used + d_used)
            .execution_options(synchronize_session=False))
        return result.rowcount == 1

    def zero_total(self, bundle_id):
        """Revocation: nothing remains (only when nothing is booked or used)."""
        self.session.execute(
            update(BundleItem).where(BundleItem.bundle_id == bundle_id,
                                     BundleItem.booked == 0, BundleItem.used == 0)
            .values(total=0).execution_options(synchronize_session=False))

    def add_entry(self, entry: BundleEntry):
        self.session.add(entry)
        self.session.flush()
        return entry

    def ledger(self, bundle_id):
        return list(self.session.execute(
            select(BundleEntry).where(BundleEntry.bundle_id == bundle_id)
            .order_by(BundleEntry.id)).scalars())


class MembershipRepository:
    def __init__(self, session):
        self.session = session

    def add(self, row: Membership):
        self.session.add(row)
        self.session.flush()

    def get(self, org_id, membership_id):
        row = self.session.get(Membership, membership_id)
        if row is None or row.org_id != org_id:
            return None
        return row

    def by_sale_key(self, org_id, sale_key):
        return self.session.execute(
            select(Membership).where(Membership.org_id == org_id,
                                     Membership.sale_key == sale_key)).scalar_one_or_none()

    def by_invoice(self, org_id, invoice_id, lock=False):
        query = (select(Membership).where(Membership.org_id == org_id,
                                          Membership.invoice_id == invoice_id)
                 .order_by(Membership.created_at, Membership.id))
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        return list(self.session.execute(query).scalars())

    def active_on(self, org_id, member_id, on_date):
        return list(self.session.execute(
            select(Membership).where(Membership.org_id == org_id,
                                     Membership.member_id == member_id,
                                     Membership.revoked_at.is_(None),
                                     Membership.starts_on <= on_date,
                                     Membership.ends_on > on_date)
            .order_by(Membership.starts_on, Membership.id)).scalars())

    def of_account(self, org_id, account_id):
        return list(self.session.execute(
            select(Membership).where(Membership.org_id == org_id,
                                     Membership.account_id == account_id)
            .order_by(Membership.starts_on, Membership.id)).scalars())
