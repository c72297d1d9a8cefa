"""Registration's read model of accounts' members and of the catalog's activities and
occurrences (#14), in registration's own database.

``VERSION`` (members) and ``CATALOG_VERSION`` (activities and occurrences) are the read
model's versions: bump one when what is kept (or how) changes, and every row written under
another version counts as a miss (fetched again by RPC) until ``rebuild_read_model``
refreshes them all. Writes are upserts that never let an older event overwrite a newer one
(members: ``event_at``; activities and occurrences: the catalog's ``revision`` of the
activity), so events may arrive twice or out of order.
"""
from sqlalchemy import bindparam, delete, func, or_, select, union

from services.common import db

from .models import KnownActivity, KnownMember, KnownOccurrence

VERSION = 1
CATALOG_VERSION = 1

# What an occurrence's answer or event carries that the copy does not keep: whether it can
# be booked at the instant asked (the rules judge that at the hold), and the activity's
# counts (kept on the activity).
_INSTANT = ("bookable", "reason")
_ACTIVITY_COUNTS = ("activity_occurrence_count", "activity_first_starts_at",
                    "activity_last_ends_at")


# every hold reads these: built once (see repositories.py)
_MEMBER = select(KnownMember.body).where(KnownMember.id == bindparam("member_id"),
                                         KnownMember.org_id == bindparam("org_id"),
                                         KnownMember.model_version == VERSION)
_OCCURRENCE = (
    select(KnownOccurrence.body, KnownOccurrence.revision, KnownOccurrence.activity_id,
           KnownActivity.body.label("activity"),
           KnownActivity.revision.label("activity_revision"))
    .outerjoin(KnownActivity, (KnownActivity.id == KnownOccurrence.activity_id)
               & (KnownActivity.model_version == CATALOG_VERSION))
    .where(KnownOccurrence.id == bindparam("occurrence_id"),
           KnownOccurrence.org_id == bindparam("org_id"),
           KnownOccurrence.model_version == CATALOG_VERSION))


def _insert(session):
    return db.insert_for(session.get_bind().dialect.name)


class KnownMembers:
    def __init__(self, session):
        self.session = session

    def get(self, org_id, member_id):
        """The member's ``get_member`` answer as last known, or None (a miss)."""
        row = self.session.execute(_MEMBER, {"member_id": member_id,
                                             "org_id": org_id}).first()
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


def occurrence_body(occurrence):
    """An occurrence as kept: ``get_occurrence``'s answer (or an Occurrence event's data)
    without what depends on the instant asked or belongs to the activity."""
    body = {k: v for k, v in occurrence.items() if k not in _ACTIVITY_COUNTS}
    if isinstance(body.get("a_la_carte"), dict):
        body["a_la_carte"] = {k: v for k, v in body["a_la_carte"].items()
                              if k not in _INSTANT}
    return body


def keepable_activity(activity):
    return bool(isinstance(activity, dict) and activity.get("id") and activity.get("org_id")
                and isinstance(activity.get("revision"), int))


def keepable_occurrence(occurrence):
    return bool(isinstance(occurrence, dict) and occurrence.get("id")
                and occurrence.get("org_id") and occurrence.get("activity_id")
                and isinstance(occurrence.get("activity_revision"), int))


class KnownCatalog:
    """Activities (``get_activity``'s answer) and occurrences (``get_occurrence``'s) as the
    catalog last said, each with the activity's ``revision`` it was said at."""

    def __init__(self, session):
        self.session = session

    # -- what a hold reads ---------------------------------------------------------------------
    def activity(self, org_id, activity_id):
        """The activity's answer as last known, or None (a miss): unknown, of another
        version, or older than one of its kept occurrences (an occurrence added or
        cancelled since changed its counts, which a session's window uses)."""
        row = self.session.execute(
            select(KnownActivity.body, KnownActivity.revision).where(
                KnownActivity.id == activity_id, KnownActivity.org_id == org_id,
                KnownActivity.model_version == CATALOG_VERSION)).first()
        if row is None:
            return None
        newest = self.session.execute(
            select(func.max(KnownOccurrence.revision)).where(
                KnownOccurrence.org_id == org_id, KnownOccurrence.activity_id == activity_id,
                KnownOccurrence.model_version == CATALOG_VERSION)).scalar()
        return row.body if newest is None or newest <= row.revision else None

    def occurrence(self, org_id, occurrence_id):
        """``(occurrence, activity)`` as last known, or ``(None, activity_id or None)`` (a
        miss): both must be kept and said at the same revision (an occurrence older than its
        activity may have changed with it; one newer says the activity changed)."""
        row = self.session.execute(_OCCURRENCE, {"occurrence_id": occurrence_id,
                                                 "org_id": org_id}).first()
        if row is None:
            return None, None
        if row.activity is None or row.activity_revision != row.revision:
            return None, row.activity_id
        return row.body, row.activity

    # -- what feeds it -------------------------------------------------------------------------
    def store_activity(self, activity, now):
        """Keep ``activity`` (a ``get_activity`` answer or an Activity event's data) unless
        a newer revision of it is kept. False if it was not kept."""
        if not keepable_activity(activity):
            return False
        values = dict(id=activity["id"], org_id=activity["org_id"],
                      revision=activity["revision"], body=activity,
                      model_version=CATALOG_VERSION, stored_at=now)
        self._upsert(KnownActivity, values, ("revision", "body", "model_version",
                                             "stored_at"))
        return True

    def store_occurrence(self, occurrence, now):
        """Keep ``occurrence`` (a ``get_occurrence`` / ``list_occurrences`` item or an
        Occurrence event's data) unless a newer revision of it is kept."""
        if not keepable_occurrence(occurrence):
            return False
        values = dict(id=occurrence["id"], org_id=occurrence["org_id"],
                      activity_id=occurrence["activity_id"],
                      revision=occurrence["activity_revision"],
                      body=occurrence_body(occurrence), model_version=CATALOG_VERSION,
                      stored_at=now)
        self._upsert(KnownOccurrence, values, ("revision", "body", "model_version",
                                               "stored_at"))
        return True

    def _upsert(self, model, values, changed):
        """Insert, or overwrite a row of an older revision (or of another version of the
        read model): an equal revision says the same thing, an older one is ignored."""
        insert = _insert(self.session)(model).values(**values)
        where = or_(model.revision < insert.excluded.revision,
                    model.model_version != CATALOG_VERSION)
        self.session.execute(insert.on_conflict_do_update(
            index_elements=["id"], set_={name: getattr(insert.excluded, name)
                                         for name in changed}, where=where))

    # -- rebuilds ------------------------------------------------------------------------------
    def activity_ids(self, org_id=None, after=None, limit=200):
        """``[(org_id, activity_id)]`` of every activity kept, or with occurrences kept, by
        id, ``limit`` at a time after ``after``."""
        kept = union(select(KnownActivity.org_id, KnownActivity.id.label("id")),
                     select(KnownOccurrence.org_id,
                            KnownOccurrence.activity_id.label("id"))).subquery()
        query = select(kept.c.org_id, kept.c.id).order_by(kept.c.id).limit(limit)
        if org_id:
            query = query.where(kept.c.org_id == org_id)
        if after:
            query = query.where(kept.c.id > after)
        return [tuple(r) for r in self.session.execute(query)]

    def drop(self, org_id, activity_ids):
        """Forget these activities and their occurrences (a rebuild from scratch)."""
        self.session.execute(delete(KnownOccurrence).where(
            KnownOccurrence.org_id == org_id, KnownOccurrence.activity_id.in_(activity_ids)))
        self.session.execute(delete(KnownActivity).where(
            KnownActivity.org_id == org_id, KnownActivity.id.in_(activity_ids)))
