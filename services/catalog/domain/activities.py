"""Activities: restrictions (R2.7), the session offer (R2.2), the à la carte offer (R2.3),
and what a PATCH does to them.

An activity "spec" is the API shape with Python values (dates, aware UTC datetimes)::

    {program_id, name, accounting_code,
     restrictions {min_age, max_age, genders, membership_type_ids, skills},
     schedule {start_date, end_date, slots [{weekday, start_time, duration_minutes}],
               excluded_dates} | None,
     session {enabled, price, capacity, opens_at, closes_at},
     a_la_carte {enabled, price, capacity, pass_only, opens_minutes_before,
                 closes_minutes_before, cancellation {allowed, deadline_minutes_before}}}

Seat conversions (R2.6) and refusing to switch à la carte off while it is in use (R2.5)
need the registration service: see ``usecases/seats.py`` and ``usecases/activities.py``.
"""
import copy
from datetime import timedelta

from .schedule import CANCELLED, schedule_errors

# R2.3 defaults: registration open until the start, clients may not cancel unless allowed.
DEFAULT_RESTRICTIONS = {"min_age": None, "max_age": None, "genders": [],
                        "membership_type_ids": [], "skills": []}
DEFAULT_SESSION = {"enabled": False, "price": None, "capacity": None, "opens_at": None,
                   "closes_at": None, "cancellation": None}
DEFAULT_CANCELLATION = {"allowed": False, "deadline_minutes_before": 0}
DEFAULT_A_LA_CARTE = {"enabled": False, "price": None, "capacity": None, "pass_only": False,
                      "opens_minutes_before": None, "closes_minutes_before": 0,
                      "cancellation": DEFAULT_CANCELLATION, "fees": None}

# Nested objects a PATCH merges key by key instead of replacing (docs/http-api.md).
MERGED = ("restrictions", "session", "a_la_carte", "schedule")

# Why an occurrence cannot be booked à la carte right now (besides seats, which the
# registration service counts).
REASON_CANCELLED = "cancelled"
REASON_DISABLED = "a_la_carte_disabled"
REASON_NOT_OPEN = "registration_not_open"
REASON_CLOSED = "registration_closed"


def _merge(base, patch):
    """``patch`` over ``base``: dicts merge recursively, anything else replaces."""
    result = copy.deepcopy(base) if isinstance(base, dict) else {}
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def new_spec(data) -> dict:
    """A complete spec from a create request: what was given over the defaults."""
    spec = {"program_id": data.get("program_id"), "name": data.get("name"),
            "accounting_code": data.get("accounting_code"),
            "restrictions": _merge(DEFAULT_RESTRICTIONS, data.get("restrictions") or {}),
            "schedule": copy.deepcopy(data.get("schedule")),
            "session": _merge(DEFAULT_SESSION, data.get("session") or {}),
            "a_la_carte": _merge(DEFAULT_A_LA_CARTE, data.get("a_la_carte") or {}),
            "tax_codes": data.get("tax_codes")}  # R7.1: None = all the org's taxes
    if spec["schedule"] is not None:
        spec["schedule"].setdefault("excluded_dates", [])
    return spec


def apply_patch(spec, patch) -> dict:
    """The spec after a PATCH: ``session``, ``a_la_carte`` (and its ``cancellation``),
    ``restrictions`` and ``schedule`` are merged key by key; lists (slots, genders …) and
    scalars replace; ``schedule: null`` removes the schedule."""
    result = copy.deepcopy(spec)
    for key, value in patch.items():
        if key in MERGED and isinstance(value, dict):
            result[key] = _merge(result.get(key) or {}, value)
        else:
            result[key] = copy.deepcopy(value)
    if result.get("schedule") is not None:
        result["schedule"].setdefault("excluded_dates", [])
    return result


def spec_errors(spec) -> dict:
    """Field errors of a complete spec, nested like the request body (``{}`` when valid).

    These are the rules that need the whole object, so they run after a PATCH merge too."""
    errors = {}
    if not spec.get("name"):
        errors["name"] = ["required"]
    if not spec.get("program_id"):
        errors["program_id"] = ["required"]

    r = spec["restrictions"]
    if r.get("min_age") is not None and r.get("max_age") is not None \
            and r["min_age"] > r["max_age"]:
        errors.setdefault("restrictions", {})["max_age"] = ["greater than or equal to min_age"]

    s = spec["session"]
    session_errors = {}
    if s.get("enabled"):
        for name in ("price", "capacity"):
            if s.get(name) is None:
                session_errors[name] = ["required when the session offer is enabled"]
    if s.get("opens_at") and s.get("closes_at") and s["closes_at"] <= s["opens_at"]:
        session_errors["closes_at"] = ["after opens_at"]
    if session_errors:
        errors["session"] = session_errors

    a = spec["a_la_carte"]
    alc_errors = {}
    if a.get("enabled"):
        for name in ("price", "capacity"):
            if a.get(name) is None:
                alc_errors[name] = ["required when the à la carte offer is enabled"]
    if a.get("closes_minutes_before") is None:
        alc_errors["closes_minutes_before"] = ["required (0 = until the start)"]
    elif a.get("opens_minutes_before") is not None \
            and a["opens_minutes_before"] <= a["closes_minutes_before"]:
        alc_errors["opens_minutes_before"] = [
            "greater than closes_minutes_before (registration opens before it closes)"]
    cancellation = a.get("cancellation") or {}
    if cancellation.get("allowed") is None:
        alc_errors.setdefault("cancellation", {})["allowed"] = ["required"]
    if cancellation.get("deadline_minutes_before") is None:
        alc_errors.setdefault("cancellation", {})["deadline_minutes_before"] = [
            "required (0 = until the start)"]
    if alc_errors:
        errors["a_la_carte"] = alc_errors

    sched = schedule_errors(spec.get("schedule"))
    if sched:
        errors["schedule"] = sched
    return errors


def referenced_ids(spec):
    """(program_id, membership_type_ids) the spec points at, to check they exist."""
    return spec.get("program_id"), list(spec["restrictions"].get("membership_type_ids") or [])


# -- à la carte window and bookability -------------------------------------------------------

def a_la_carte_window(starts_at, a_la_carte):
    """(opens_at, closes_at) of one occurrence, from minutes before its start (R2.3).
    ``opens_at`` is None when registration is open from the start of sales."""
    opens = a_la_carte.get("opens_minutes_before")
    closes = a_la_carte.get("closes_minutes_before") or 0
    opens_at = starts_at - timedelta(minutes=opens) if opens is not None else None
    return opens_at, starts_at - timedelta(minutes=closes)


def cancellation_deadline(starts_at, a_la_carte):
    """Until when a client may cancel an à la carte registration (None: never, R2.3)."""
    policy = a_la_carte.get("cancellation") or {}
    if not policy.get("allowed"):
        return None
    return starts_at - timedelta(minutes=policy.get("deadline_minutes_before") or 0)


def a_la_carte_state(status, starts_at, a_la_carte, now):
    """(bookable, reason) of an occurrence for à la carte booking at ``now``, from what the
    catalog knows (status, offer, window); seats are the registration service's."""
    if status == CANCELLED:
        return False, REASON_CANCELLED
    if not a_la_carte.get("enabled"):
        return False, REASON_DISABLED
    opens_at, closes_at = a_la_carte_window(starts_at, a_la_carte)
    if now >= closes_at:
        return False, REASON_CLOSED
    if opens_at is not None and now < opens_at:
        return False, REASON_NOT_OPEN
    return True, None
