"""Helpers of the checkout, race and recovery tests (not tests themselves): an org's
activity, households, carts and checkouts, all through the public HTTP API as a web shop
or a POS would do it. Also used by ``bench/booking.py``.

(Kept beside the tests that use it because ``tests/support`` is shared; move it there
when convenient.)
"""
import itertools
import uuid
from datetime import datetime, timedelta, timezone

__test__ = False

_names = itertools.count(1)


def setup_activity(client, org, session_capacity=10, a_la_carte_capacity=15,
                   session_price=12000, a_la_carte_price=1500, accounting_code="4100",
                   name=None):
    """An activity with one occurrence in two weeks, both offers open for booking now.
    Returns ``(activity, occurrence)``."""
    program = client.ok("POST", org.path("/programs"), json={"name": f"Saison {uuid.uuid4().hex[:6]}"})
    now = datetime.now(timezone.utc)
    day = (now + timedelta(days=14)).date()
    activity = client.ok("POST", org.path("/activities"), expect=201, json={
        "program_id": program["id"], "name": name or f"Natation {next(_names)}",
        "accounting_code": accounting_code,
        "restrictions": {"min_age": None, "max_age": None, "genders": [], "skills": []},
        "schedule": {"start_date": day.isoformat(), "end_date": day.isoformat(),
                     "slots": [{"weekday": day.weekday(), "start_time": "10:00",
                                "duration_minutes": 60}], "excluded_dates": []},
        "session": {"enabled": session_capacity is not None, "price": session_price,
                    "capacity": session_capacity,
                    "opens_at": (now - timedelta(days=1)).isoformat(timespec="seconds"),
                    "closes_at": (now + timedelta(days=10)).isoformat(timespec="seconds")},
        "a_la_carte": {"enabled": a_la_carte_capacity is not None, "price": a_la_carte_price,
                       "capacity": a_la_carte_capacity, "pass_only": False,
                       "opens_minutes_before": None, "closes_minutes_before": 0,
                       "cancellation": {"allowed": True, "deadline_minutes_before": 60}}})
    occurrences = client.ok("GET", org.path(f"/activities/{activity['id']}/occurrences"))["items"]
    assert len(occurrences) == 1, occurrences
    return activity, occurrences[0]


def household(client, org, members=1, password=None):
    """An account with ``members`` members; returns the Account."""
    tag = uuid.uuid4().hex[:10]
    body = {"email": f"family-{tag}@example.org", "name": f"Famille {tag}",
            "members": [{"first_name": f"Enfant{i}", "last_name": tag,
                         "birth_date": "2015-06-01", "gender": "female" if i % 2 else "male",
                         "skills": []} for i in range(members)]}
    if password:
        body["password"] = password
    return client.ok("POST", org.path("/accounts"), json=body, expect=201)


def people(client, org, count, per_household=10):
    """``count`` (account_id, member_id) pairs, in households of up to ``per_household``."""
    pairs = []
    while len(pairs) < count:
        account = household(client, org, min(per_household, count - len(pairs)))
        pairs += [(account["id"], m["id"]) for m in account["members"]]
    return pairs


def new_cart(client, org, account_id):
    return client.ok("POST", org.path("/carts"), json={"account_id": account_id}, expect=201)


def add_session(client, org, cart_id, member_id, activity_id):
    return client.post(org.path(f"/carts/{cart_id}/items"),
                       json={"type": "session", "member_id": member_id,
                             "activity_id": activity_id})


def add_a_la_carte(client, org, cart_id, member_id, occurrence_id):
    return client.post(org.path(f"/carts/{cart_id}/items"),
                       json={"type": "a_la_carte", "member_id": member_id,
                             "occurrence_id": occurrence_id})


def pay(client, org, cart_id, method="card", card_token="tok_ok", key=None):
    payment = {"method": method}
    if card_token and method == "card":
        payment["card_token"] = card_token
    headers = {"Idempotency-Key": key} if key else None
    return client.post(org.path(f"/carts/{cart_id}/checkout"), json={"payment": payment},
                       headers=headers)


def invoices_of(client, org, account_id):
    items, cursor = [], None
    while True:
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = client.ok("GET", org.path(f"/accounts/{account_id}/invoices"), params=params)
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def book(client, org, account_id, member_id, *, activity_id=None, occurrence_id=None,
         method="cash", card_token=None, key=None):
    """One person, one seat, checked out: returns the checkout response (or the refusal)."""
    cart = new_cart(client, org, account_id)
    if activity_id:
        added = add_session(client, org, cart["id"], member_id, activity_id)
    else:
        added = add_a_la_carte(client, org, cart["id"], member_id, occurrence_id)
    if added.status_code != 201:
        return added
    return pay(client, org, cart["id"], method=method, card_token=card_token, key=key)
