"""Customers booking while something breaks (the fault tests): half book with a pass
(``POST /orgs/{org}/registrations``), half check out a cart by card (cart → à la carte item
→ checkout with ``tok_ok``). Every client books each occurrence at most once, so any
second registration of a (member, occurrence) is a duplicate. Loops are bounded in count
and in time; what every request answered is recorded, never lost.

Afterwards :func:`audit` reads the databases and says what a user or an accountant would
check: every 2xx booking exists once, seats equal registrations, pass ledgers equal their
debits, and no outbox row is left unpublished.
"""
import threading
import time
import uuid
from dataclasses import dataclass, field

import requests
from sqlalchemy import create_engine, text

from carnet import audit as booking_audit
from tests.api import test_checkout_support as shop
from tests.api.test_pass_booking_http import Centre

__test__ = False


@dataclass
class Attempt:
    kind: str            # "pass" or "card"
    client: int
    occurrence_id: str
    member_id: str
    status: int          # final HTTP status; 0 = no answer (connection error or hang)
    started: float       # time.monotonic()
    elapsed: float
    registration_id: str = None
    error: str = None


@dataclass
class Load:
    centre: Centre
    activity: dict
    occurrences: list
    pass_clients: list = field(default_factory=list)   # (client, account, member, pass)
    card_clients: list = field(default_factory=list)   # (account_id, member_id)
    attempts: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)


def prepare(org, api, rpc, clients=16, occurrences=20, capacity=20):
    """An activity with ``occurrences`` à la carte occurrences and ``clients`` customers:
    the first half with a pass of enough uses, the others with a household to check out."""
    centre = Centre(org, api, rpc)
    activity, occ = centre.activity(count=occurrences, capacity=capacity, price=1500)
    kind = centre.pass_type([activity], uses=occurrences, family=False)
    load = Load(centre, activity, occ)
    for _ in range(clients // 2):
        account, client = centre.customer(members=1)
        member = account["members"][0]
        load.pass_clients.append((client, account, member, centre.sell(kind, account, member)))
    for _ in range(clients - clients // 2):
        account = shop.household(org.admin, org, members=1)
        load.card_clients.append((account["id"], account["members"][0]["id"]))
    return load


def _timed(call):
    start = time.monotonic()
    try:
        response = call()
        return response, start, time.monotonic() - start, None
    except requests.RequestException as error:
        return None, start, time.monotonic() - start, type(error).__name__


def _book_with_pass(load, index, occurrence, http_timeout):
    client, _account, member, the_pass = load.pass_clients[index]
    client = client.with_token(client.token)  # one HTTP session per thread
    response, start, elapsed, error = _timed(lambda: client.session.post(
        client.base + "/api/v1" + load.centre.path("/registrations"),
        headers={"Authorization": f"Bearer {client.token}"}, timeout=http_timeout,
        json={"member_id": member["id"], "occurrence_id": occurrence["id"],
              "pass_id": the_pass["id"]}))
    reg = response.json().get("id") if response is not None and response.ok else None
    return Attempt("pass", index, occurrence["id"], member["id"],
                   response.status_code if response is not None else 0, start, elapsed, reg,
                   error)


def _checkout_by_card(load, admin, index, occurrence, http_timeout):
    account_id, member_id = load.card_clients[index]
    org_path = load.centre.path
    url = admin.base + "/api/v1"
    auth = {"Authorization": f"Bearer {admin.token}"}
    start = time.monotonic()
    reg, status, error = None, 0, None
    try:
        cart = admin.session.post(url + org_path("/carts"), headers=auth, timeout=http_timeout,
                                  json={"account_id": account_id})
        status = cart.status_code
        if cart.ok:
            cart_id = cart.json()["id"]
            added = admin.session.post(url + org_path(f"/carts/{cart_id}/items"), headers=auth,
                                       timeout=http_timeout,
                                       json={"type": "a_la_carte", "member_id": member_id,
                                             "occurrence_id": occurrence["id"]})
            status = added.status_code
            if added.ok:
                reg = added.json().get("registration_id")
                paid = admin.session.post(url + org_path(f"/carts/{cart_id}/checkout"),
                                          headers=dict(auth, **{"Idempotency-Key": uuid.uuid4().hex}),
                                          timeout=http_timeout,
                                          json={"payment": {"method": "card",
                                                            "card_token": "tok_ok"}})
                status = paid.status_code
                if not paid.ok:
                    reg = None
    except requests.RequestException as exc:
        status, error, reg = 0, type(exc).__name__, None
    return Attempt("card", index, occurrence["id"], member_id, status, start,
                   time.monotonic() - start, reg, error)


RETRY_PAUSE = 0.5  # a client's back-off after a 503 before it tries the same booking again


def run(load, admin, seconds, http_timeout, max_tries=200):
    """Every client books the occurrences in order until ``load.stop`` is set, ``seconds``
    have passed, it has tried ``max_tries`` times or booked them all. After a 503 (or no
    answer) it tries the same occurrence again, as a shop would; after any other answer
    (2xx, or a refusal such as ``already_registered``) it moves on."""
    deadline = time.monotonic() + seconds

    def worker(kind, index):
        session_admin = admin.with_token(admin.token)
        todo = list(load.occurrences)
        for _ in range(max_tries):
            if not todo or load.stop.is_set() or time.monotonic() > deadline:
                return
            attempt = (_book_with_pass(load, index, todo[0], http_timeout) if kind == "pass"
                       else _checkout_by_card(load, session_admin, index, todo[0],
                                              http_timeout))
            with load.lock:
                load.attempts.append(attempt)
            if attempt.status in (0, 502, 503, 504):
                load.stop.wait(RETRY_PAUSE)
            else:
                todo.pop(0)

    threads = [threading.Thread(target=worker, args=("pass", i), daemon=True)
               for i in range(len(load.pass_clients))]
    threads += [threading.Thread(target=worker, args=("card", i), daemon=True)
                for i in range(len(load.card_clients))]
    for thread in threads:
        thread.start()
    return threads


def audit(load, urls):
    """What the databases say after the load (``carnet/audit.py``). ``urls``: service name
    → database URL."""
    occ_ids = [o["id"] for o in load.occurrences]
    ok = [a for a in load.attempts if 200 <= a.status < 300]
    checked = booking_audit.bookings(
        urls["registration"], urls["passes"], load.centre.org.id, occ_ids,
        [the_pass["id"] for _client, _account, _member, the_pass in load.pass_clients])
    by_id = {r.id: r for r in checked.registrations}
    found = [a for a in ok if a.registration_id in by_id
             and by_id[a.registration_id].status == "confirmed"]
    return {
        "attempts": len(load.attempts),
        "answered_2xx": len(ok),
        "found_afterwards": len(found),
        "duplicates": checked.duplicates,
        "no_answer": sum(1 for a in load.attempts if a.status == 0),
        "status_counts": _count(a.status for a in load.attempts),
        "seats_vs_registrations": checked.oversold,
        "ledger_mismatches": checked.ledger_mismatches,
    }


def unpublished(urls):
    """``{service: rows of its outbox not yet published}``."""
    counts = {}
    for name, url in urls.items():
        with create_engine(url).connect() as conn:
            counts[name] = conn.execute(text(
                "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL")).scalar_one()
    return counts


def wait_published(urls, timeout):
    """Poll the outboxes until every row is published or ``timeout``; the last counts."""
    deadline = time.monotonic() + timeout
    while True:
        counts = unpublished(urls)
        if not any(counts.values()) or time.monotonic() > deadline:
            return counts
        time.sleep(0.5)  # polling interval: the relays publish every second


def interrupted_pass_bookings(load, url):
    """Pass bookings left ``held`` between their seat and their debit (the registration
    service's recovery timer settles them: confirmed with the debit, or released)."""
    with create_engine(url).connect() as conn:
        return conn.execute(text(
            "SELECT COUNT(*) FROM registrations WHERE org_id = :org AND status = 'held' "
            "AND paid_with_type = 'pass' AND cart_id IS NULL"),
            {"org": load.centre.org.id}).scalar_one()


def wait_settled(load, url, timeout):
    """Poll until no pass booking is left interrupted, or ``timeout``; the last count."""
    deadline = time.monotonic() + timeout
    while True:
        left = interrupted_pass_bookings(load, url)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.5)  # polling interval: the recovery timer settles them


def _count(values):
    out = {}
    for value in values:
        out[value] = out.get(value, 0) + 1
    return dict(sorted(out.items()))
