"""What registration keeps of other services' data so that a hold does not ask for it (#14):
accounts' members (the rules use their account, birth date, gender and skills, R2.7), and
the catalog's activities and occurrences (the offers, windows, capacities and restrictions).

Members:

- fed by accounts' events (``account_created``, ``member_added``, ``member_updated``), each
  applied once (``claim_event``) and never over a newer one (``occurred_at``);
- a miss (the event has not arrived yet, or the read model's version changed) is asked by
  RPC and kept, so a hold never depends on when an event arrives for a member it never saw;
- ``rebuild`` refreshes every kept member from accounts (``get_members``, 500 at a time).

In the moments between an edit of a member in accounts and its event being handled here, a
hold is judged on the member as registration last heard of it (docs/performance.md).

Activities and occurrences (``get_activity`` / ``get_occurrence`` answers, each with the
activity's ``revision`` in the catalog):

- pushed: after every change to an activity or its occurrences, and before it answers its
  own caller, the catalog calls ``catalog_changed`` and registration fetches the activity
  and all its occurrences (``get_activity`` + ``list_occurrences``): the next hold after an
  edit's request returned is judged on the edit;
- fed by the catalog's events too (``activity_created``, ``activity_updated``,
  ``occurrence_added``, ``occurrence_cancelled``: their payloads; ``seats_converted``: a
  refresh, since future occurrences' capacities changed with no occurrence event), each
  applied once and never over a newer revision: the backstop when a push was lost;
- a miss (never seen, another read-model version, or kept copies of different revisions:
  see ``KnownCatalog.activity`` / ``occurrence``) is asked by RPC as before and kept;
- ``rebuild`` also refreshes every activity kept, with its occurrences.
"""
import logging

from services.common.errors import NotFound
from services.common.schemas import require_id
from services.common.timeutil import parse_instant

from ..adapters.read_model import CATALOG_VERSION, VERSION, KnownCatalog, KnownMembers

# The suffix of this read model's claims of catalog events: other handlers of registration
# claim the same events for their own work (``claim_event`` is by event id).
COPY_CLAIM = ":copy"

log = logging.getLogger(__name__)


class Known:
    """A lookup answered from the read model (no RPC)."""

    def __init__(self, member):
        self.member = member


def start_member(ctx, org_id, member_id):
    """The member's lookup: known, or the RPC sent now (answered by :func:`member_of`)."""
    with ctx.db.uow(readonly=True) as uow:
        known = KnownMembers(uow.session).get(org_id, member_id)
    if known is not None:
        return Known(known)
    return ctx.peers.start("accounts", "get_member", org_id, member_id)


def member_of(ctx, lookup):
    """The member of :func:`start_member`'s lookup; a miss is kept for the next time."""
    if isinstance(lookup, Known):
        return lookup.member
    member = ctx.peers.ask(lookup, "accounts.get_member")
    if member.get("id") and member.get("org_id") and member.get("account_id"):
        with ctx.db.uow() as uow:
            KnownMembers(uow.session).store(member, ctx.clock.now())
            uow.commit()
    return member


def member_event(ctx, payload):
    """``member_added`` / ``member_updated`` (the member) or ``account_created`` (its
    members): kept unless a newer event was applied. Once per event."""
    data = (payload or {}).get("data") or {}
    members = data.get("members") if "members" in data else [data]
    members = [m for m in members or [] if m.get("id") and m.get("org_id")
               and m.get("account_id")]
    try:
        occurred_at = parse_instant(payload.get("occurred_at"))
    except (TypeError, ValueError):
        occurred_at = None
    if occurred_at is None:
        occurred_at = ctx.clock.now()
    with ctx.db.uow() as uow:
        if not uow.claim_event(payload):
            return
        known = KnownMembers(uow.session)
        for member in members:
            known.store(member, ctx.clock.now(), event_at=occurred_at)
        uow.commit()


def rebuild(ctx, org_id=None, from_scratch=False):
    """Refresh every kept member (of ``org_id``, or all) from accounts, and every kept
    activity with its occurrences from the catalog (:func:`rebuild_catalog`)."""
    members = rebuild_members(ctx, org_id)
    catalog = rebuild_catalog(ctx, org_id, from_scratch)
    return dict(version=VERSION, members_refreshed=members, **catalog)


def rebuild_members(ctx, org_id=None):
    """Members accounts no longer knows are left as they are (a hold for them asks accounts
    and is refused)."""
    refreshed, after = 0, None
    while True:
        with ctx.db.uow(readonly=True) as uow:
            page = KnownMembers(uow.session).ids(org_id, after)
        if not page:
            break
        after = page[-1][1]
        by_org = {}
        for org, member_id in page:
            by_org.setdefault(org, []).append(member_id)
        for org, member_ids in by_org.items():
            answer = ctx.peers.call("accounts", "get_members", org, member_ids)
            with ctx.db.uow() as uow:
                known = KnownMembers(uow.session)
                for member in answer.get("items", []):
                    known.store(member, ctx.clock.now(), refresh=True)
                    refreshed += 1
                uow.commit()
    return refreshed


# -- the catalog's activities and occurrences -----------------------------------------------------
def activity(ctx, org_id, activity_id):
    """The activity a session hold needs (``get_activity``'s answer): kept, or asked from
    the catalog now and kept. Not found: ``OfferingNotFound``."""
    with ctx.db.uow(readonly=True) as uow:
        known = KnownCatalog(uow.session).activity(org_id, activity_id)
    if known is not None:
        return known
    answer = ctx.peers.ask(ctx.peers.start("catalog", "get_activity", org_id, activity_id),
                           "catalog.get_activity")
    _keep(ctx, [answer], [])
    return answer


def occurrence(ctx, org_id, occurrence_id):
    """``(occurrence, activity)`` for an à la carte hold: kept, or asked from the catalog
    now (both at once when the occurrence's activity is known) and kept."""
    with ctx.db.uow(readonly=True) as uow:
        known, other = KnownCatalog(uow.session).occurrence(org_id, occurrence_id)
    if known is not None:
        return known, other  # the occurrence and its activity
    activity_id = other  # the occurrence's activity, if the copy knows it
    peers = ctx.peers
    occurrence_reply = peers.start("catalog", "get_occurrence", org_id, occurrence_id)
    activity_reply = peers.start("catalog", "get_activity", org_id, activity_id) \
        if activity_id else None
    found = peers.ask(occurrence_reply, "catalog.get_occurrence")
    if activity_reply is None or found.get("activity_id") != activity_id:
        activity_reply = peers.start("catalog", "get_activity", org_id, found["activity_id"])
    its_activity = peers.ask(activity_reply, "catalog.get_activity")
    _keep(ctx, [its_activity], [found])
    return found, its_activity


def _keep(ctx, activities, occurrences):
    """Keep catalog answers, each unless a newer revision of it is kept; how many were."""
    now, kept = ctx.clock.now(), [0, 0]
    with ctx.db.uow() as uow:
        known = KnownCatalog(uow.session)
        for item in activities:
            kept[0] += known.store_activity(item, now)
        for item in occurrences:
            kept[1] += known.store_occurrence(item, now)
        uow.commit()
    return kept


def refresh_activity(ctx, org_id, activity_id):
    """Fetch the activity and all its occurrences from the catalog and keep them (newer
    revisions only)."""
    peers = ctx.peers
    activity_reply = peers.start("catalog", "get_activity", org_id, activity_id)
    occurrences_reply = peers.start("catalog", "list_occurrences", org_id, activity_id)
    found = peers.wait(activity_reply, "catalog.get_activity")
    items = peers.wait(occurrences_reply, "catalog.list_occurrences").get("items", [])
    _keep(ctx, [found], items)
    return {"activity_id": activity_id, "revision": found.get("revision"),
            "occurrences": len(items)}


def catalog_changed(ctx, org_id, activity_id):
    """The catalog's push after it committed a change to ``activity_id`` (or its
    occurrences): the copy is refreshed before the catalog answers its caller."""
    return refresh_activity(ctx, require_id("org_id", org_id),
                            require_id("activity_id", activity_id))


def _claim(uow, payload):
    return uow.claim_event(dict(payload, event_id=f"{payload['event_id']}{COPY_CLAIM}"))


def activity_event(ctx, payload):
    """``activity_created`` / ``activity_updated``: the activity kept unless a newer
    revision is. Once per event."""
    _store_event(ctx, payload, KnownCatalog.store_activity)


def occurrence_event(ctx, payload):
    """``occurrence_added`` / ``occurrence_cancelled``: the occurrence kept unless a newer
    revision is. Once per event."""
    _store_event(ctx, payload, KnownCatalog.store_occurrence)


def _store_event(ctx, payload, store):
    data = (payload or {}).get("data") or {}
    with ctx.db.uow() as uow:
        if not _claim(uow, payload):
            return
        store(KnownCatalog(uow.session), data, ctx.clock.now())
        uow.commit()


def seats_converted(ctx, payload):
    """``seats_converted``: every future occurrence gained seats, which no occurrence event
    says: the activity and its occurrences are fetched again (conversions are rare; if the
    push already brought them, nothing newer is written). Once per event; best effort (a
    kept occurrence older than its activity is a miss anyway)."""
    data = (payload or {}).get("data") or {}
    org_id, activity_id = data.get("org_id"), data.get("activity_id")
    if not org_id or not activity_id:
        return
    with ctx.db.uow() as uow:
        if not _claim(uow, payload):
            return
        uow.commit()
    try:
        refresh_activity(ctx, org_id, activity_id)
    except Exception:
        log.warning("seats_converted: the copy of %s was not refreshed now; its next holds "
                    "ask the catalog", activity_id, exc_info=True)


def rebuild_catalog(ctx, org_id=None, from_scratch=False):
    """Refresh every activity kept (of ``org_id``, or all), or with occurrences kept, and
    all its occurrences from the catalog, 200 activities at a time. ``from_scratch``: each
    page is forgotten first, so a revision kept that the catalog no longer has (a catalog
    restored from a backup) is replaced too; holds meanwhile miss and ask the catalog.
    Activities the catalog no longer knows are left out (or, from scratch, dropped)."""
    activities = occurrences = 0
    after = None
    while True:
        with ctx.db.uow(readonly=True) as uow:
            page = KnownCatalog(uow.session).activity_ids(org_id, after)
        if not page:
            break
        after = page[-1][1]
        if from_scratch:
            by_org = {}
            for org, activity_id in page:
                by_org.setdefault(org, []).append(activity_id)
            with ctx.db.uow() as uow:
                for org, ids in by_org.items():
                    KnownCatalog(uow.session).drop(org, ids)
                uow.commit()
        for org, activity_id in page:
            try:
                refreshed = refresh_activity(ctx, org, activity_id)
            except NotFound:
                log.info("rebuild: the catalog no longer knows activity %s", activity_id)
                continue
            activities += 1
            occurrences += refreshed["occurrences"]
    return {"catalog_version": CATALOG_VERSION, "activities_refreshed": activities,
            "occurrences_refreshed": occurrences}
