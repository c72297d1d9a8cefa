"""Taking facts in: an event's notices claimed in the sent log (one short transaction),
the watches it keeps (reminders, pass warnings) turned into notices when their time comes,
and what is due to be sent (``sending.py`` sends them).

Exactly once: a notice is claimed once per ``(event_id, recipient, kind)`` (unique key); a
redelivered event, or the same event handled by two instances, claims nothing more. The
emitting service is never involved: this is a consumer.
"""
from ..adapters import settings
from ..adapters.repositories import Notices, Preferences, Watches
from ..domain import notices as rules

APPOINTMENT_ENDED = ("appointment_cancelled", "appointment_completed", "appointment_no_show")
PASS_EVENTS = ("pass_sold", "pass_granted", "pass_expiry_changed", "pass_debited",
               "pass_credited", "pass_revoked")


def take_in(ctx, payload):
    """Claim the notices an event makes (and keep what it says about reminders); the ids
    of the notices to send now. A duplicate delivery claims nothing."""
    payload = payload if isinstance(payload, dict) else {}
    data, event_type = payload.get("data") or {}, payload.get("type") or ""
    org_id, event_id = data.get("org_id"), payload.get("event_id")
    if not org_id or not event_id:
        return []
    now = ctx.clock.now()
    plans = rules.plan(event_type, data)
    with ctx.db.uow() as uow:
        if not uow.claim_event(payload):
            return []
        ids = [notice_id for plan in plans
               if (notice_id := _claim(uow.session, org_id, event_id, event_type, plan, now))]
        _keep_watches(uow.session, org_id, event_type, data, now)
        uow.commit()
    return ids


def _claim(session, org_id, event_id, event_type, plan, now):
    """The notice's id when it is to be sent now; an opted-out one is logged as skipped."""
    wanted = rules.is_wanted(plan.kind, Preferences(session).get(org_id, plan.account_id))
    notice_id = Notices(session).claim(
        org_id, event_id, event_type, plan, now,
        state=rules.PENDING if wanted else rules.SKIPPED,
        reason=None if wanted else rules.OPTED_OUT)
    return notice_id if wanted else None


def _keep_watches(session, org_id, event_type, data, now):
    watches = Watches(session)
    if event_type == "appointment_booked" or event_type in APPOINTMENT_ENDED:
        if data.get("id"):
            watches.keep(org_id, rules.APPOINTMENT_REMINDER, data["id"],
                         rules.appointment_watch(data, settings.reminder_hours()), now)
    elif event_type in PASS_EVENTS and data.get("id"):
        watches.keep(org_id, rules.PASS_EXPIRING, data["id"],
                     rules.pass_watch(data, settings.pass_expiry_days()), now)


def release_watches(ctx, now, limit=50):
    """Turn the watches whose time has come into notices (one instance takes each); the
    ids of the notices to send."""
    with ctx.db.uow(readonly=True) as uow:
        due = Watches(uow.session).due(now, limit)
    ids = []
    for watch_id, fact in due:
        with ctx.db.uow() as uow:
            watch = Watches(uow.session).take(watch_id, fact, now)
            if watch is not None and rules.still_relevant(watch.kind, watch.fact, now):
                plan = rules.NoticePlan(watch.kind, watch.account_id, dict(watch.params))
                event_id = rules.watch_event_id(watch.kind, watch.subject_id, watch.fact)
                notice_id = _claim(uow.session, watch.org_id, event_id, "timer", plan, now)
                if notice_id:
                    ids.append(notice_id)
            uow.commit()
    return ids


def due_notices(ctx, now, limit=50):
    with ctx.db.uow(readonly=True) as uow:
        return Notices(uow.session).due_ids(now, limit)


def due(ctx):
    """What the timer sends now: released watches first, then pending notices whose time
    has come (retries with backoff)."""
    now = ctx.clock.now()
    ids = release_watches(ctx, now)
    return ids + [i for i in due_notices(ctx, now) if i not in ids]
