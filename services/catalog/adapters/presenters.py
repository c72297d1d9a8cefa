"""Rows to the contract's JSON (docs/contracts.md): ids as strings, money as integers, times
as RFC 3339 with the org's offset, dates as ``YYYY-MM-DD``."""
from zoneinfo import ZoneInfo

from services.common.timeutil import to_local_iso

from ..domain.activities import a_la_carte_state, a_la_carte_window, cancellation_deadline
from .repositories import activity_spec, pass_terms


def _day(value):
    return value.isoformat() if value is not None else None


def org_view(org):
    return {"id": org.id, "name": org.name, "timezone": org.timezone,
            "currency": org.currency, "locale": org.locale, "address": org.address,
            "prices_include_tax": bool(org.prices_include_tax),
            "taxes": [dict(t) for t in org.taxes or []]}


def program_view(program):
    return {"id": program.id, "org_id": program.org_id, "name": program.name}


def activity_view(activity, tz, stats=None):
    spec = activity_spec(activity)
    count, first, last = (stats or {}).get(activity.id, (0, None, None))
    schedule = spec["schedule"]
    if schedule is not None:
        schedule = {"start_date": _day(schedule["start_date"]),
                    "end_date": _day(schedule["end_date"]),
                    "slots": schedule["slots"],
                    "excluded_dates": [_day(d) for d in schedule["excluded_dates"]]}
    session = dict(spec["session"], opens_at=to_local_iso(spec["session"]["opens_at"], tz),
                   closes_at=to_local_iso(spec["session"]["closes_at"], tz),
                   converted_seats=activity.session_converted or 0)
    return {"id": activity.id, "org_id": activity.org_id, "program_id": spec["program_id"],
            "name": spec["name"], "accounting_code": spec["accounting_code"],
            "restrictions": spec["restrictions"], "schedule": schedule, "session": session,
            "a_la_carte": spec["a_la_carte"], "occurrence_count": count,
            "tax_codes": spec["tax_codes"],
            "first_starts_at": to_local_iso(first, tz), "last_ends_at": to_local_iso(last, tz),
            "revision": activity.revision}


def occurrence_view(occurrence, activity, tz, now=None):
    """An Occurrence; with ``now``, also whether it can be booked à la carte at that instant
    as far as the catalog knows (``bookable``, ``reason``). Events carry no ``now``."""
    alc = activity_spec(activity)["a_la_carte"]
    opens_at, closes_at = a_la_carte_window(occurrence.starts_at, alc)
    a_la_carte = {
        "enabled": alc["enabled"], "price": alc["price"], "capacity": occurrence.alc_capacity,
        "pass_only": alc["pass_only"],
        "opens_at": to_local_iso(opens_at, tz), "closes_at": to_local_iso(closes_at, tz),
        "cancellation": {
            "allowed": alc["cancellation"]["allowed"],
            "deadline_at": to_local_iso(cancellation_deadline(occurrence.starts_at, alc), tz)},
    }
    if now is not None:
        bookable, reason = a_la_carte_state(occurrence.status, occurrence.starts_at, alc, now)
        a_la_carte.update(bookable=bookable, reason=reason)
    return {"id": occurrence.id, "org_id": occurrence.org_id,
            "activity_id": occurrence.activity_id, "program_id": activity.program_id,
            "activity_name": activity.name,
            "starts_at": to_local_iso(occurrence.starts_at, tz),
            "ends_at": to_local_iso(occurrence.ends_at, tz),
            "status": occurrence.status, "origin": occurrence.origin,
            "cancelled_at": to_local_iso(occurrence.cancelled_at, tz),
            "a_la_carte": a_la_carte, "activity_revision": activity.revision}


def occurrence_event(occurrence, activity, tz, stats):
    """The data of ``occurrence_added`` / ``occurrence_cancelled`` (contract/events.py): the
    Occurrence with why it was cancelled and its activity's counts after the change."""
    count, first, last = stats.get(activity.id, (0, None, None))
    return dict(occurrence_view(occurrence, activity, tz), cancel_reason=occurrence.cancel_reason,
                activity_occurrence_count=count,
                activity_first_starts_at=to_local_iso(first, tz),
                activity_last_ends_at=to_local_iso(last, tz))


def service_view(service):
    return {"id": service.id, "org_id": service.org_id, "name": service.name,
            "duration_minutes": service.duration_minutes, "price": service.price,
            "accounting_code": service.accounting_code, "tax_codes": service.tax_codes,
            "fees": service.fees}


def pass_type_view(pass_type, terms, tz):
    view = {"id": pass_type.id, "org_id": pass_type.org_id, "terms_version": terms.version}
    view.update(pass_terms(terms))
    view["expires_on"] = _day(view["expires_on"])
    view["terms_created_at"] = to_local_iso(terms.created_at, tz)
    return view


def bundle_type_view(bundle_type):
    return {"id": bundle_type.id, "org_id": bundle_type.org_id, "name": bundle_type.name,
            "accounting_code": bundle_type.accounting_code,
            "divisions": bundle_type.divisions, "tax_codes": bundle_type.tax_codes}


def membership_type_view(membership_type):
    return {"id": membership_type.id, "org_id": membership_type.org_id,
            "name": membership_type.name, "price": membership_type.price,
            "duration_days": membership_type.duration_days,
            "accounting_code": membership_type.accounting_code,
            "tax_codes": membership_type.tax_codes}


def subscription_plan_view(plan):
    return {"id": plan.id, "org_id": plan.org_id, "name": plan.name,
            "monthly_price": plan.monthly_price, "activity_ids": list(plan.activity_ids),
            "accounting_code": plan.accounting_code, "tax_codes": plan.tax_codes}


def tz_of(org):
    return ZoneInfo(org.timezone)
