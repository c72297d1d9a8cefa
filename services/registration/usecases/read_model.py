"""What registration keeps of other services' data so that a hold does not ask for it (#14):
accounts' members (the rules use their account, birth date, gender and skills, R2.7).

- fed by accounts' events (``account_created``, ``member_added``, ``member_updated``), each
  applied once (``claim_event``) and never over a newer one (``occurred_at``);
- a miss (the event has not arrived yet, or the read model's version changed) is asked by
  RPC and kept, so a hold never depends on when an event arrives for a member it never saw;
- ``rebuild`` refreshes every kept member from accounts (``get_members``, 500 at a time).

In the moments between an edit of a member in accounts and its event being handled here, a
hold is judged on the member as registration last heard of it (docs/performance.md).
"""
import logging

from services.common.timeutil import parse_instant

from ..adapters.read_model import VERSION, KnownMembers

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


def rebuild(ctx, org_id=None):
    """Refresh every kept member (of ``org_id``, or all) from accounts; members accounts no
    longer knows are left as they are (a hold for them asks accounts and is refused)."""
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
    return {"version": VERSION, "members_refreshed": refreshed}
