"""The waiting list in the shop (R3.9, issue 17): on a full session and a full à la carte
date a logged-in parent puts a member on the list, sees their place and can leave it;
another client's cancellation through the API frees the seat, which is held for the first
member waiting; "My purchases" shows the offer with its deadline, "Claim the seat" puts it
in the cart and a card pays it: the registration exists and the entry is claimed. axe-core
on the activity and purchases pages; screenshots in French and English."""
import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

TZ = ZoneInfo("America/Montreal")
expect.set_options(timeout=15_000)
PASSWORD = "correct horse battery"
NAME = "Natation ados"


@pytest.fixture(scope="module")
def full(new_org, api):
    """One class in three days whose only session seat and only drop-in seat are taken by
    another client (who has a password, to cancel through the API)."""
    org = new_org(name="Piscine Villeray")
    admin = org.admin
    day = datetime.now(TZ).date() + timedelta(days=3)
    program = admin.ok("POST", org.path("/programs"), json={"name": "Printemps"})
    activity = admin.ok("POST", org.path("/activities"), json={
        "program_id": program["id"], "name": NAME, "accounting_code": "4100",
        "schedule": {"start_date": day.isoformat(), "end_date": day.isoformat(),
                     "slots": [{"weekday": day.weekday(), "start_time": "10:00",
                                "duration_minutes": 45}]},
        "session": {"enabled": True, "price": 9000, "capacity": 1},
        "a_la_carte": {"enabled": True, "price": 1500, "capacity": 1, "closes_minutes_before": 0,
                       "cancellation": {"allowed": True, "deadline_minutes_before": 60}}})
    (occurrence,) = admin.ok("GET", org.path(f"/activities/{activity['id']}/occurrences"))["items"]
    email = f"autre-{uuid.uuid4().hex[:8]}@example.org"
    other = admin.ok("POST", org.path("/accounts"), expect=201, json={
        "email": email, "password": PASSWORD, "name": "Roy",
        "members": [{"first_name": "Zoé", "last_name": "Roy", "birth_date": "2012-03-01"}]})
    client = api.with_token(api.ok("POST", "/auth/login", json={
        "org_id": org.id, "email": email, "password": PASSWORD})["token"])
    cart = client.ok("POST", org.path("/carts"), json={"account_id": other["id"]})
    member = other["members"][0]["id"]
    for item in ({"type": "session", "activity_id": activity["id"], "member_id": member},
                 {"type": "a_la_carte", "occurrence_id": occurrence["id"], "member_id": member}):
        client.ok("POST", org.path(f"/carts/{cart['id']}/items"), expect=201, json=item)
    paid = client.ok("POST", org.path(f"/carts/{cart['id']}/checkout"),
                     json={"payment": {"method": "card", "card_token": "tok_ok"}})
    (drop_in,) = [r for r in paid["registrations"] if r["kind"] == "a_la_carte"]
    return {"org": org, "activity": activity, "occurrence": occurrence, "client": client,
            "drop_in": drop_in}


def nav(page, name):
    return page.get_by_role("navigation").get_by_role("link", name=name)


def test_join_leave_then_claim_a_freed_seat_and_pay_it(full, open_page, api, screenshot,
                                                       assert_accessible):
    org = full["org"]
    email = f"parent-{uuid.uuid4().hex[:8]}@example.org"
    parent = org.admin.ok("POST", org.path("/accounts"), expect=201, json={
        "email": email, "password": PASSWORD, "name": "Gagnon",
        "members": [{"first_name": "Léa", "last_name": "Gagnon", "birth_date": "2012-05-01"},
                    {"first_name": "Hugo", "last_name": "Gagnon", "birth_date": "2013-09-01"}]})
    lea, hugo = parent["members"]
    page = open_page(f"/shop/{org.id}")
    nav(page, "Connexion").click()
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("#main .flash").filter(has_text="Bienvenue, Gagnon")).to_be_visible()
    page.get_by_role("link", name=f"Choisir des dates : {NAME}").click()

    # the full session: join, see the place, leave
    session = page.locator("section", has=page.get_by_role("heading", name=re.compile("session")))
    session.get_by_role("button", name="Mettre Léa Gagnon sur la liste d’attente").click()
    expect(session).to_contain_text("Liste d’attente : rang 1")
    session.get_by_role("button", name="Retirer Léa Gagnon de la liste d’attente").click()
    expect(session.get_by_role("button", name="Mettre Léa Gagnon sur la liste d’attente")) \
        .to_be_visible()

    # the full date: both children join, Hugo leaves, Léa keeps her place
    page.locator(".calendar .day.full").click()
    panel = page.locator(".selected-day")
    expect(panel).to_contain_text("Complet")
    panel.get_by_role("button", name="Mettre Léa Gagnon sur la liste d’attente").click()
    expect(panel.locator(".participant", has_text="Léa")).to_contain_text("rang 1")
    panel.get_by_role("button", name="Mettre Hugo Gagnon sur la liste d’attente").click()
    expect(panel.locator(".participant", has_text="Hugo")).to_contain_text("rang 2")
    screenshot(page, "shop-waitlist-activity-fr")
    assert_accessible(page)
    panel.get_by_role("button", name="Retirer Hugo Gagnon de la liste d’attente").click()
    expect(panel.get_by_role("button", name="Mettre Hugo Gagnon sur la liste d’attente")) \
        .to_be_visible()
    entries = org.admin.ok("GET", org.path(f"/accounts/{parent['id']}/waitlist"))["items"]
    assert [(e["member_id"], e["kind"], e["status"]) for e in entries] == \
        [(lea["id"], "a_la_carte", "waiting")]

    # another client cancels through the API: the seat is held for Léa
    full["client"].ok("POST", org.path(f"/registrations/{full['drop_in']['id']}/cancel"),
                      json={})
    nav(page, "Mes achats").click()
    offer = page.locator("li[data-waitlist]")
    expect(offer).to_have_count(1)
    expect(offer).to_contain_text("Place offerte")
    expect(offer).to_contain_text("réservée jusqu’au")
    expect(offer).to_contain_text("Léa Gagnon")
    screenshot(page, "shop-waitlist-purchases-fr")
    assert_accessible(page)

    page.get_by_role("button", name="English").click()
    offer = page.locator("li[data-waitlist]")
    expect(offer).to_contain_text("Seat offered")
    expect(offer).to_contain_text("held for you until")
    screenshot(page, "shop-waitlist-purchases-en")
    offer.get_by_role("button", name="Claim the seat offered to Léa Gagnon").click()
    expect(page.locator("#main .flash")).to_contain_text("the seat is in your cart")
    expect(page.locator("li[data-item]")).to_have_count(1)
    expect(page.locator("#cart-total")).to_have_text("$15.00")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Pay $15.00").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you! Your purchase is confirmed.")

    registrations = org.admin.ok("GET", org.path(f"/accounts/{parent['id']}/registrations"))
    confirmed = [r for r in registrations["items"] if r["status"] == "confirmed"]
    assert [(r["member_id"], r["occurrence_id"]) for r in confirmed] == \
        [(lea["id"], full["occurrence"]["id"])]
    entry = org.admin.ok("GET", org.path(f"/waitlist/{entries[0]['id']}"))
    assert (entry["registration_id"], entry["registration_status"]) == \
        (confirmed[0]["id"], "confirmed")  # the offered hold itself was paid

    # the claimed offer is no longer shown as an offer
    nav(page, "My purchases").click()
    expect(page.locator("li[data-registration]")).to_have_count(1)
    expect(page.locator("li[data-waitlist]")).to_have_count(0)
