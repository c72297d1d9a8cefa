"""The waiting list over HTTP (R3.9): joining a full occurrence or session, the order and
positions staff see, the seat offered as a hold when one frees (cancellation, void, leaving,
capacity raised), its claim through the ordinary cart and checkout, a household's two
children, leaving, and staff offering a seat by hand."""
import pytest

from tests.api import test_checkout_support as shop
from tests.support.client import error_of
from tests.support.events import EventListener


@pytest.fixture(scope="module")
def org(new_org):
    return new_org()


@pytest.fixture(scope="module")
def staff(org):
    return org.client("staff")


@pytest.fixture
def events(test_env):
    listener = EventListener(test_env.env["AMQP_URI"], "registration",
                             ("waitlist_seat_offered", "waitlist_offer_lapsed"))
    yield listener
    listener.close()


def customer(api, org, members=1):
    account = shop.household(api, org, members, password="correct horse battery")
    token = api.ok("POST", "/auth/login", json={
        "org_id": org.id, "email": account["email"],
        "password": "correct horse battery"})["token"]
    return account, api.with_token(token)


def full_occurrence(org, staff, seats=1):
    """An occurrence whose à la carte seats are all sold (cash, at the desk)."""
    activity, occurrence = shop.setup_activity(org.admin, org, session_capacity=seats,
                                               a_la_carte_capacity=seats)
    sold = []
    for account_id, member_id in shop.people(staff, org, seats):
        done = shop.book(staff, org, account_id, member_id, occurrence_id=occurrence["id"])
        assert done.status_code == 200, done.text
        sold.append(done.json())
    return activity, occurrence, sold


def join(client, org, member_id, occurrence_id=None, activity_id=None):
    path = f"/occurrences/{occurrence_id}/waitlist" if occurrence_id else \
        f"/activities/{activity_id}/waitlist"
    return client.post(org.path(path), json={"member_id": member_id})


def entry(client, org, entry_id):
    return client.ok("GET", org.path(f"/waitlist/{entry_id}"))


def listed(staff, org, occurrence=None, activity=None, **params):
    path = f"/occurrences/{occurrence['id']}/waitlist" if occurrence else \
        f"/activities/{activity['id']}/waitlist"
    return staff.ok("GET", org.path(path), params=params)


def available(staff, org, activity, occurrence):
    items = staff.ok("GET", org.path(f"/activities/{activity['id']}/occurrences"))["items"]
    return next(o for o in items if o["id"] == occurrence["id"])["a_la_carte"]


def test_a_freed_seat_is_offered_to_the_first_waiting_member_who_claims_it_in_a_cart(
        org, staff, api, events):
    activity, occurrence, (sold,) = full_occurrence(org, staff)
    first, first_client = customer(api, org)
    second, second_client = customer(api, org)
    walk_up = shop.household(staff, org)

    # a free occurrence is booked, not waited for
    _, free_occurrence = shop.setup_activity(org.admin, org, a_la_carte_capacity=3)
    error_of(join(first_client, org, first["members"][0]["id"], free_occurrence["id"]), 409,
             "seats_available")

    mine = first_client.ok("POST", org.path(f"/occurrences/{occurrence['id']}/waitlist"),
                           json={"member_id": first["members"][0]["id"]}, expect=201)
    assert (mine["status"], mine["position"]) == ("waiting", 1)
    theirs = join(second_client, org, second["members"][0]["id"], occurrence["id"]).json()
    assert theirs["position"] == 2
    error_of(join(first_client, org, first["members"][0]["id"], occurrence["id"]), 409,
             "already_waiting")
    error_of(join(first_client, org, second["members"][0]["id"], occurrence["id"]), 404)
    sold_member = sold["registrations"][0]["member_id"]
    error_of(join(staff, org, sold_member, occurrence["id"]), 409, "already_registered")
    error_of(first_client.get(org.path(f"/occurrences/{occurrence['id']}/waitlist")), 403)

    page = listed(staff, org, occurrence)
    assert [(e["member_id"], e["position"]) for e in page["items"]] == [
        (first["members"][0]["id"], 1), (second["members"][0]["id"], 2)]
    assert [e["id"] for e in listed(staff, org, occurrence, limit=1)["items"]] == [mine["id"]]

    # the seat frees: the first waiting member is offered it, nobody else can take it
    staff.ok("POST", org.path(f"/registrations/{sold['registrations'][0]['id']}/cancel"),
             json={})
    offered = events.wait_for("waitlist_seat_offered",
                              lambda e: e["data"]["id"] == mine["id"])["data"]
    assert offered["member_id"] == first["members"][0]["id"]
    assert offered["account_id"] == first["id"] and offered["offer_expires_at"]
    assert offered["household_still_waiting"] == []
    now = entry(first_client, org, mine["id"])
    assert now["status"] == "offered" and now["registration_status"] == "held"
    assert entry(second_client, org, theirs["id"])["position"] == 1
    assert available(staff, org, activity, occurrence)["available"] == 0
    cart = shop.new_cart(staff, org, walk_up["id"])
    error_of(shop.add_a_la_carte(staff, org, cart["id"], walk_up["members"][0]["id"],
                                 occurrence["id"]), 409, "sold_out")

    # the claim: the same occurrence for the same member in a cart takes the offered hold
    cart = shop.new_cart(first_client, org, first["id"])
    item = shop.add_a_la_carte(first_client, org, cart["id"], first["members"][0]["id"],
                               occurrence["id"])
    assert item.status_code == 201, item.text
    assert item.json()["price"] == 1500
    paid = shop.pay(first_client, org, cart["id"], card_token="tok_ok")
    assert paid.status_code == 200, paid.text
    (registration,) = paid.json()["registrations"]
    assert registration["id"] == now["registration_id"]
    assert registration["status"] == "confirmed"
    assert available(staff, org, activity, occurrence)["taken"] == 1
    claimed = listed(staff, org, occurrence, status="all")["items"]
    assert {e["id"]: e["registration_status"] for e in claimed}[mine["id"]] == "confirmed"


def test_leaving_passes_the_offer_to_the_next_and_a_void_frees_every_seat_it_paid(
        org, staff, api, events):
    activity, occurrence, sold = full_occurrence(org, staff, seats=2)
    waiting = [customer(api, org) for _ in range(3)]
    entries = [join(c, org, a["members"][0]["id"], occurrence["id"]).json()
               for a, c in waiting]
    assert [e["position"] for e in entries] == [1, 2, 3]

    staff.ok("POST", org.path(f"/invoices/{sold[0]['invoice']['id']}/void"),
             json={"reason": "double sale"})
    events.wait_for("waitlist_seat_offered", lambda e: e["data"]["id"] == entries[0]["id"])
    # the first leaves (their own entry): their offered seat goes to the next
    account, client = waiting[0]
    error_of(waiting[1][1].delete(org.path(f"/waitlist/{entries[0]['id']}")), 403)
    left = client.ok("DELETE", org.path(f"/waitlist/{entries[0]['id']}"))
    assert left["status"] == "left"
    events.wait_for("waitlist_seat_offered", lambda e: e["data"]["id"] == entries[1]["id"])
    assert entry(staff, org, entries[2]["id"])["position"] == 1
    assert available(staff, org, activity, occurrence)["available"] == 0

    # the other sale voided: the third is offered its seat
    staff.ok("POST", org.path(f"/invoices/{sold[1]['invoice']['id']}/void"),
             json={"reason": "mistake"})
    events.wait_for("waitlist_seat_offered", lambda e: e["data"]["id"] == entries[2]["id"])
    assert listed(staff, org, occurrence, status="waiting")["items"] == []


def test_a_household_with_two_children_waiting_is_offered_both_seats_or_told(
        org, staff, api, events):
    activity, occurrence, sold = full_occurrence(org, staff, seats=3)
    family, family_client = customer(api, org, members=2)
    other, other_client = customer(api, org)
    kid1, kid2 = (m["id"] for m in family["members"])
    first = join(family_client, org, kid1, occurrence["id"]).json()
    middle = join(other_client, org, other["members"][0]["id"], occurrence["id"]).json()
    second = join(family_client, org, kid2, occurrence["id"]).json()
    assert [first["position"], middle["position"], second["position"]] == [1, 2, 3]

    # one seat: the first child is offered it, and the household is told the other waits
    staff.ok("POST", org.path(f"/registrations/{sold[0]['registrations'][0]['id']}/cancel"),
             json={})
    told = events.wait_for("waitlist_seat_offered", lambda e: e["data"]["id"] == first["id"])
    assert told["data"]["household_still_waiting"] == [kid2]
    # the family gives that seat up (leaves); two seats free at once: both children
    # together, ahead of the member between them
    family_client.ok("DELETE", org.path(f"/waitlist/{first['id']}"))
    events.wait_for("waitlist_seat_offered", lambda e: e["data"]["id"] == middle["id"])
    first = join(family_client, org, kid1, occurrence["id"]).json()
    assert first["position"] == 2
    for done in sold[1:]:
        staff.ok("POST", org.path(f"/invoices/{done['invoice']['id']}/void"),
                 json={"reason": "refund"})
    offered = {events.wait_for("waitlist_seat_offered",
                               lambda e: e["data"]["account_id"] == family["id"])["data"]
               ["member_id"] for _ in range(2)}
    assert offered == {kid1, kid2}
    assert available(staff, org, activity, occurrence)["available"] == 0


def test_a_full_session_has_its_list_and_a_raised_capacity_is_offered(org, staff, api,
                                                                       events):
    activity, _ = shop.setup_activity(org.admin, org, session_capacity=1,
                                      a_la_carte_capacity=None)
    (account_id, member_id), = shop.people(staff, org, 1)
    done = shop.book(staff, org, account_id, member_id, activity_id=activity["id"])
    assert done.status_code == 200, done.text
    waiting = [shop.household(staff, org) for _ in range(3)]
    entries = [staff.ok("POST", org.path(f"/activities/{activity['id']}/waitlist"),
                        json={"member_id": a["members"][0]["id"]}, expect=201)
               for a in waiting]
    assert [e["kind"] for e in entries] == ["session"] * 3
    assert [e["position"] for e in listed(staff, org, activity=activity)["items"]] == [1, 2, 3]

    org.admin.ok("PATCH", org.path(f"/activities/{activity['id']}"),
                 json={"session": {"capacity": 2}})
    events.wait_for("waitlist_seat_offered", lambda e: e["data"]["id"] == entries[0]["id"])

    # staff offer by hand: the third goes first in line (no seat is free: the next one)
    moved = staff.ok("POST", org.path(f"/waitlist/{entries[2]['id']}/offer"),
                     json={"note": "her sister is already in the class"})
    assert (moved["status"], moved["position"]) == ("waiting", 1)
    assert entry(staff, org, entries[1]["id"])["position"] == 2
    org.admin.ok("PATCH", org.path(f"/activities/{activity['id']}"),
                 json={"session": {"capacity": 3}})
    offered = events.wait_for("waitlist_seat_offered",
                              lambda e: e["data"]["activity_id"] == activity["id"]
                              and e["data"]["id"] != entries[0]["id"])["data"]
    assert offered["id"] == entries[2]["id"]
    error_of(staff.post(org.path(f"/waitlist/{entries[2]['id']}/offer"), json={}), 409,
             "waitlist_entry_not_waiting")
    # the offered member claims the session seat in a cart at the desk, paid cash
    cart = shop.new_cart(staff, org, waiting[2]["id"])
    added = shop.add_session(staff, org, cart["id"], waiting[2]["members"][0]["id"],
                             activity["id"])
    assert added.status_code == 201, added.text
    paid = shop.pay(staff, org, cart["id"], method="cash")
    assert paid.status_code == 200, paid.text
    assert paid.json()["registrations"][0]["id"] == \
        entry(staff, org, entries[2]["id"])["registration_id"]


def test_an_unclaimed_offer_lapses_and_passes_to_the_next(org, staff, api, events, stack):
    """With offers lasting 2 seconds (and the hold sweep every second), an offer nobody
    claims expires by itself and the seat is offered to the next in line."""
    from tests.services.test_registration_support import registration_running_with

    with registration_running_with(stack, CARNET_WAITLIST_OFFER_SECONDS=2,
                                   CARNET_HOLD_SWEEP_INTERVAL=1):
        _, occurrence, (sold,) = full_occurrence(org, staff)
        waiting = [shop.household(staff, org) for _ in range(2)]
        entries = [join(staff, org, a["members"][0]["id"], occurrence["id"]).json()
                   for a in waiting]
        staff.ok("POST", org.path(f"/registrations/{sold['registrations'][0]['id']}/cancel"),
                 json={})
        events.wait_for("waitlist_seat_offered", lambda e: e["data"]["id"] == entries[0]["id"])
        lapsed = events.wait_for("waitlist_offer_lapsed",
                                 lambda e: e["data"]["id"] == entries[0]["id"])["data"]
        assert lapsed["reason"] == "expired"
        events.wait_for("waitlist_seat_offered", lambda e: e["data"]["id"] == entries[1]["id"])
        assert entry(staff, org, entries[0]["id"])["status"] == "lapsed"
