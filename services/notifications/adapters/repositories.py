"""The sent log, the preferences and the watches, in notifications's own database.

Claiming a notice is an insert that the unique key ``(event_id, recipient, kind)`` lets
happen once; sending it is a lease taken with a conditional update (pending, lease free or
lapsed), so two instances never send the same notice at once; its outcome is written
only by the lease's owner.
"""
from sqlalchemy import and_, bindparam, or_, select, update

from services.common import db
from services.common.pagination import page, paginate
from services.common.types import new_id

from ..domain import notices as rules
from .models import Notice, Preference, Watch


def notice_dict(row: Notice) -> dict:
    iso = (lambda v: v.isoformat() if v is not None else None)
    return {"id": row.id, "org_id": row.org_id, "event_id": row.event_id,
            "event_type": row.event_type, "kind": row.kind, "account_id": row.account_id,
            "state": row.state, "reason": row.reason, "attempts": row.attempts,
            "email": row.email, "locale": row.locale, "subject": row.subject,
            "message_id": row.message_id, "last_error": row.last_error,
            "next_attempt_at": iso(row.next_attempt_at), "created_at": iso(row.created_at),
            "sent_at": iso(row.sent_at)}


class Notices:
    def __init__(self, session):
        self.session = session

    def claim(self, org_id, event_id, event_type, plan, now, state=rules.PENDING, reason=None):
        """Record the notice once; its id if this call recorded it, None if it was already
        there (a redelivery, or another instance got there first)."""
        notice_id = new_id("ntc")
        values = dict(
            id=notice_id, org_id=org_id, event_id=event_id, event_type=event_type,
            kind=plan.kind, recipient=plan.recipient, account_id=plan.account_id,
            params=plan.params, attachment=plan.attachment, state=state, reason=reason,
            attempts=0, next_attempt_at=now if state == rules.PENDING else None,
            created_at=now, updated_at=now)
        statement = db.insert_ignoring_duplicates(
            Notice, ["event_id", "recipient", "kind"]).values(**values)
        result = self.session.execute(statement)
        return notice_id if result.rowcount == 1 else None

    def due_ids(self, now, limit=50):
        """Pending notices whose time has come and that nobody is sending."""
        return list(self.session.execute(
            select(Notice.id).where(Notice.state == rules.PENDING,
                                    Notice.next_attempt_at <= now,
                                    or_(Notice.lease_until.is_(None), Notice.lease_until < now))
            .order_by(Notice.next_attempt_at).limit(limit)).scalars())

    def lease(self, notice_id, owner, now, until) -> bool:
        """Take the right to send: only a pending notice whose lease is free or lapsed."""
        result = self.session.execute(
            update(Notice).where(Notice.id == notice_id, Notice.state == rules.PENDING,
                                 or_(Notice.lease_until.is_(None), Notice.lease_until < now))
            .values(lease_owner=owner, lease_until=until, updated_at=now)
            .execution_options(synchronize_session=False))
        return result.rowcount == 1

    def get(self, notice_id):
        return self.session.get(Notice, notice_id)

    def finish(self, notice_id, owner, now, **values) -> bool:
        """Write the outcome of a send, if this owner still holds the lease."""
        values.update(lease_owner=None, lease_until=None, updated_at=now)
        result = self.session.execute(
            update(Notice).where(Notice.id == notice_id, Notice.state == rules.PENDING,
                                 Notice.lease_owner == owner)
            .values(**values).execution_options(synchronize_session=False))
        return result.rowcount == 1

    def list(self, org_id, account_id=None, event_id=None, kind=None, limit=None, cursor=None):
        query = select(Notice).where(Notice.org_id == org_id)
        if account_id:
            query = query.where(Notice.account_id == account_id)
        if event_id:
            query = query.where(Notice.event_id == event_id)
        if kind:
            query = query.where(Notice.kind == kind)
        query, limit, offset = paginate(query.order_by(Notice.created_at, Notice.id),
                                        limit, cursor)
        return page(self.session.execute(query).scalars(), limit, offset)


class Preferences:
    def __init__(self, session):
        self.session = session

    def get(self, org_id, account_id) -> dict:
        row = self.session.get(Preference, (org_id, account_id))
        return {name: (getattr(row, name) if row is not None else True)
                for name in rules.PREFERENCES} | {
            "updated_at": row.updated_at.isoformat() if row is not None else None}

    def set(self, org_id, account_id, changes, now) -> dict:
        self.session.execute(db.insert_ignoring_duplicates(
            Preference, ["org_id", "account_id"]).values(
            org_id=org_id, account_id=account_id, reminders=True, pass_alerts=True,
            updated_at=now))
        if changes:
            self.session.execute(
                update(Preference).where(Preference.org_id == org_id,
                                         Preference.account_id == account_id)
                .values(updated_at=now, **changes).execution_options(synchronize_session=False))
        self.session.flush()
        self.session.expire_all()
        return self.get(org_id, account_id)


# What most events say of a watch: the same fact, new details (a pass used once more: its
# uses left). One UPDATE, built once, instead of an upsert, a locked read and an update.
_SAME_FACT = (update(Watch)
              .where(Watch.kind == bindparam("w_kind"),
                     Watch.subject_id == bindparam("w_subject_id"),
                     Watch.fact == bindparam("w_fact"), Watch.state != "dropped")
              .values(params=bindparam("w_params"), account_id=bindparam("w_account_id"),
                      updated_at=bindparam("w_now"))
              .execution_options(synchronize_session=False))


class Watches:
    def __init__(self, session):
        self.session = session

    def keep(self, org_id, kind, subject_id, watch, now):
        """Record what an event says about a subject: ``watch`` (a domain Watch) to wait
        for, or None when nothing is to be sent any more (cancelled, revoked …). A new
        version of the fact (another expiry) waits again; the same one keeps its state."""
        if watch is not None:
            if self.session.execute(_SAME_FACT, {
                    "w_kind": kind, "w_subject_id": subject_id, "w_fact": watch.fact,
                    "w_params": watch.params, "w_account_id": watch.account_id,
                    "w_now": now}).rowcount == 1:
                return  # what the rest would do to a watch of this fact, not dropped
            self.session.execute(db.insert_ignoring_duplicates(
                Watch, ["kind", "subject_id"]).values(
                org_id=org_id, kind=kind, subject_id=subject_id, account_id=watch.account_id,
                due_at=watch.due_at, fact=watch.fact, params=watch.params, state="waiting",
                updated_at=now))
        row = self.session.execute(
            select(Watch).where(Watch.kind == kind, Watch.subject_id == subject_id)
            .with_for_update()).scalar_one_or_none()
        if row is None:
            return
        if watch is None:
            if row.state == "waiting":
                row.state, row.updated_at = "dropped", now
            return
        if row.fact != watch.fact or row.state == "dropped":
            row.state, row.due_at, row.fact = "waiting", watch.due_at, watch.fact
        row.params, row.account_id, row.updated_at = watch.params, watch.account_id, now

    def due(self, now, limit=50):
        return [(w.id, w.fact) for w in self.session.execute(
            select(Watch).where(Watch.state == "waiting", Watch.due_at <= now)
            .order_by(Watch.due_at).limit(limit)).scalars()]

    def take(self, watch_id, fact, now):
        """The watch, if this call moved it from waiting to done (one instance does)."""
        result = self.session.execute(
            update(Watch).where(and_(Watch.id == watch_id, Watch.state == "waiting",
                                     Watch.fact == fact))
            .values(state="done", updated_at=now).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            return None
        return self.session.get(Watch, watch_id)
