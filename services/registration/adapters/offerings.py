"""Turning what the catalog and accounts services answer (docs/contracts.md shapes) into the
domain's :class:`Offering` and :class:`Person`.

Times from the catalog are RFC 3339 with the org's offset: the offset is kept for what is
shown (descriptions, the occurrence's local date for R2.7), comparisons are on aware values.
"""
from datetime import date, datetime, timezone

from ..domain import rules


def parse_time(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:  # the contract says RFC 3339 (with offset); UTC if not
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def parse_date(value):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def restrictions_of(activity) -> rules.Restrictions:
    r = activity.get("restrictions") or {}
    return rules.Restrictions(
        min_age=r.get("min_age"), max_age=r.get("max_age"),
        genders=tuple(r.get("genders") or ()),
        membership_type_ids=tuple(r.get("membership_type_ids") or ()),
        skills=tuple(r.get("skills") or ()))


def cancellation_of(activity) -> rules.CancellationPolicy:
    policy = (activity.get("a_la_carte") or {}).get("cancellation") or {}
    return rules.CancellationPolicy(
        allowed=bool(policy.get("allowed")),
        deadline_minutes_before=int(policy.get("deadline_minutes_before") or 0))


def session_offering(org_id, activity) -> rules.Offering:
    session = activity.get("session") or {}
    opens_at, closes_at = rules.session_window(
        parse_time(session.get("opens_at")), parse_time(session.get("closes_at")),
        parse_time(activity.get("last_ends_at")))
    first = parse_time(activity.get("first_starts_at"))
    on = first.date() if first is not None else \
        parse_date((activity.get("schedule") or {}).get("start_date"))
    offered = bool(session.get("enabled"))
    return rules.Offering(
        kind=rules.SESSION, org_id=org_id, activity_id=activity["id"],
        activity_name=activity.get("name") or "", accounting_code=activity.get("accounting_code"),
        price=int(session.get("price") or 0),
        # R2.6: the pool keeps the seats converted to à la carte, counted as taken
        capacity=int(session.get("capacity") or 0) + int(session.get("converted_seats") or 0),
        offered=offered, not_offered_reason=None if offered else "session_not_offered",
        opens_at=opens_at, closes_at=closes_at, eligibility_date=on,
        restrictions=restrictions_of(activity), cancellation=cancellation_of(activity),
        fees={"session_cancellation": session["cancellation"]}  # R8.2, kept on the seat
        if session.get("cancellation") else None)


def a_la_carte_offering(org_id, activity, occurrence) -> rules.Offering:
    offer = activity.get("a_la_carte") or {}
    own = occurrence.get("a_la_carte") or {}
    starts_at = parse_time(occurrence["starts_at"])
    opens_at, closes_at = rules.a_la_carte_window(
        starts_at, offer.get("opens_minutes_before"), offer.get("closes_minutes_before"))
    reason = None
    if occurrence.get("status", "scheduled") != "scheduled":
        reason = "occurrence_cancelled"
    elif not offer.get("enabled") or own.get("enabled") is False:
        reason = "a_la_carte_not_offered"
    price = own.get("price") if own.get("price") is not None else offer.get("price")
    capacity = own.get("capacity") if own.get("capacity") is not None else offer.get("capacity")
    return rules.Offering(
        kind=rules.A_LA_CARTE, org_id=org_id, activity_id=activity["id"],
        activity_name=activity.get("name") or "", accounting_code=activity.get("accounting_code"),
        price=int(price or 0), capacity=int(capacity or 0),
        offered=reason is None, not_offered_reason=reason,
        opens_at=opens_at, closes_at=closes_at, eligibility_date=starts_at.date(),
        restrictions=restrictions_of(activity), occurrence_id=occurrence["id"],
        starts_at=starts_at, pass_only=bool(offer.get("pass_only")),
        cancellation=cancellation_of(activity), fees=offer.get("fees") or None)


def person_of(member) -> rules.Person:
    return rules.Person(
        member_id=member["id"], account_id=member.get("account_id"),
        first_name=member.get("first_name") or "", last_name=member.get("last_name") or "",
        birth_date=parse_date(member.get("birth_date")),
        gender=member.get("gender") or "unspecified", skills=tuple(member.get("skills") or ()))


def active_membership_type_ids(answer) -> list:
    """passes.active_memberships → the membership type ids active on the date."""
    return [item.get("membership_type_id") for item in (answer or {}).get("items", [])
            if item.get("membership_type_id")]
