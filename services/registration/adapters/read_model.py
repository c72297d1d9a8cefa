"""Registration's read model of accounts' members (#14), in registration's own database.

``VERSION`` is the read model's version: bump it when what is kept (or how) changes, and
every row written under another version counts as a miss (fetched again by RPC) until
``rebuild_read_model`` refreshes them all. Writes are upserts that never let an older event
overwrite a newer one (``event_at``), so events may arrive twice or out of order.
"""
from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite

from .models import KnownMember

VERSION = 1


def _insert(session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" \
        else sqlite.insert


class KnownMembers:
    def __init__(self, session):
        self.session = session

    def get(self, org_id, member_id):
        """The member's ``get_member`` answer as last known, or None (a miss)."""
        row = self.session.execute(
            select(KnownMember.body).where(KnownMember.id == member_id,
                                           KnownMember.org_id == org_id,
                                           KnownMember.model_version == VERSION)).first()
        return row.body if row is not None else None

    def ids(self, org_id=None, after=None, limit=500):
        query = select(KnownMember.org_id, KnownMember.id).order_by(KnownMember.id).limit(limit)
        if org_id:
            query = query.where(KnownMember.org_id == org_id)
        if after:
            query = query.where(KnownMember.id > after)
        return [tuple(r) for r in self.session.execute(query)]

    def store(self, member, now, event_at=None, refresh=False):
        """Keep ``member`` (a ``get_member`` answer). From an event (``event_at``): unless a
        newer event was applied. Fetched on a miss: only where nothing of this version is
        kept. ``refresh`` (a rebuild): always, keeping ``event_at``."""
        values = dict(id=member["id"], org_id=member["org_id"],
                      account_id=member["account_id"], body=member, model_version=VERSION,
                      event_at=event_at, stored_at=now)
        insert = _insert(self.session)(KnownMember).values(**values)
        changes = dict(body=insert.excluded.body, account_id=insert.excluded.account_id,
                       model_version=VERSION, stored_at=now)
        if event_at is not None:
            changes["event_at"] = event_at
            where = or_(KnownMember.event_at.is_(None), KnownMember.event_at <= event_at,
                        KnownMember.model_version != VERSION)
        elif refresh:
            where = None
        else:
            where = KnownMember.model_version != VERSION
        self.session.execute(insert.on_conflict_do_update(index_elements=["id"], set_=changes,
                                                          where=where))
