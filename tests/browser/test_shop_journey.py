"""The shop in a real Chromium against the running stack (issue 13's acceptance journey):
an org with an activity (session + à la carte seats) and a family pass set up through the
API; a parent signs up with two members, books two à la carte dates for both with a pass
bought in the same cart, pays by card, finds them in "My purchases", cancels one (the pass
use comes back, on the page and in the API) and switches to English. Screenshots of the
main pages (desktop and phone, FR and EN) go to var/screenshots/."""
import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import jwt
import pytest
from playwright.sync_api import expect

TZ = ZoneInfo("America/Montreal")
expect.set_options(timeout=15_000)  # a shared 2-core machine: password hashing, cold caches
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def pool(new_org):
    """A swimming pool's shop: one activity with daily classes over four weeks (session
    seats and two à la carte seats per class) and a family pass of 10 uses for it."""
    org = new_org(name="Piscine Rosemont")
    admin = org.admin
    start = datetime.now(TZ).date() + timedelta(days=3)
    if start.day > 24:  # keep at least a few classes in the month the calendar opens on
        start = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    program = admin.ok("POST", org.path("/programs"), json={"name": "Hiver 2027"})
    activity = admin.ok("POST", org.path("/activities"), json={
        "program_id": program["id"], "name": "Natation parent-enfant", "accounting_code": "4100",
        "restrictions": {"min_age": 2, "max_age": 99},
        "schedule": {"start_date": start.isoformat(),
                     "end_date": (start + timedelta(days=27)).isoformat(),
                     "slots": [{"weekday": d, "start_time": "10:00", "duration_minutes": 45}
                               for d in range(7)]},
        "session": {"enabled": True, "price": 12000, "capacity": 10},
        "a_la_carte": {"enabled": True, "price": 1500, "capacity": 2, "closes_minutes_before": 0,
                       "cancellation": {"allowed": True, "deadline_minutes_before": 60}}})
    pass_type = admin.ok("POST", org.path("/pass-types"), json={
        "name": "Carte familiale 10 bains", "price": 6000, "uses": 10, "valid_days": 120,
        "family": True, "eligible_activity_ids": [activity["id"]], "credit_on_cancel": True,
        "accounting_code": "4900"})
    return {"org": org, "activity": activity, "pass_type": pass_type, "start": start}


def nav(page, name):
    return page.get_by_role("navigation").get_by_role("link", name=name)


def shop_path(pool):
    return f"/shop/{pool['org'].id}"


def sign_up(page, email):
    nav(page, "Connexion").click()
    page.get_by_role("link", name="Créer un compte").last.click()
    page.get_by_label("Nom du compte (famille)").fill("Tremblay")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe (8 caractères ou plus)").fill(PASSWORD)
    page.fill("#m0-first_name", "Julie")
    page.fill("#m0-last_name", "Tremblay")
    page.fill("#m0-birth_date", "1988-04-12")
    page.get_by_role("button", name="Ajouter un membre").click()
    page.fill("#m1-first_name", "Léo")
    page.fill("#m1-last_name", "Tremblay")
    page.fill("#m1-birth_date", "2019-09-03")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.locator("#main .flash").filter(has_text="Bienvenue, Tremblay")).to_be_visible()


def book_day_for_both(page):
    """Open the first day still available and press "+" for each member (paid with the
    pass in the cart, the first choice offered)."""
    page.locator(".calendar .day.available").first.click()
    panel = page.locator(".selected-day")
    for _ in range(2):
        panel.locator("button.add").first.click()
        expect(page.locator("#live")).to_contain_text("ajouté au panier")
    expect(panel.get_by_text("✓ Dans le panier")).to_have_count(2)


def test_the_whole_journey(pool, open_page, screenshot, assert_accessible, api):
    page = open_page(shop_path(pool))
    expect(page.get_by_role("heading", level=1)).to_have_text("Piscine Rosemont — boutique")
    card = page.locator("article.activity", has_text="Natation parent-enfant")
    expect(card).to_contain_text("2 à 99 ans")
    expect(card).to_contain_text("10 places restantes")
    expect(card).to_contain_text("15,00 $ la séance")
    screenshot(page, "shop-catalog-desktop-fr")
    assert_accessible(page)

    email = f"{uuid.uuid4().hex[:10]}@example.org"
    sign_up(page, email)
    page.reload()  # still logged in after a reload
    expect(nav(page, "Mes achats")).to_be_visible()

    page.get_by_role("link", name="Choisir des dates : Natation parent-enfant").click()
    page.get_by_text("Acheter un laissez-passer pour cette activité").click()
    page.locator("details").get_by_role("button", name="Ajouter au panier").click()
    expect(page.locator("details").get_by_text("Ajouté au panier.")).to_be_visible()
    book_day_for_both(page)
    full_day = page.locator(".calendar .day[aria-pressed=true]")
    expect(full_day).to_have_class(re.compile("full"))  # our two holds took both seats
    book_day_for_both(page)
    screenshot(page, "shop-activity-desktop-fr")
    assert_accessible(page)

    nav(page, re.compile("^Panier")).click()
    items = page.locator("li[data-item]")
    expect(items).to_have_count(5)
    seats = page.locator("li[data-type=a_la_carte]")
    expect(seats.filter(has_text="Payé avec le laissez-passer du panier")).to_have_count(4)
    expect(seats.locator(".hold").first).to_contain_text("Place retenue encore")
    expect(page.locator("#cart-total")).to_have_text(re.compile(r"60,00\s\$"))
    screenshot(page, "shop-cart-desktop-fr")
    assert_accessible(page)

    # a declined card says so and keeps the cart
    page.get_by_label("Numéro de carte").fill("4000 0000 0000 0002")
    page.get_by_role("button", name=re.compile("^Payer")).click()
    expect(page.get_by_role("alert")).to_contain_text("Carte refusée")
    page.reload()
    expect(page.locator("li[data-item]")).to_have_count(5)

    page.get_by_label("Numéro de carte").fill("4242 4242 4242 4242")
    page.get_by_role("button", name=re.compile("^Payer")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci ! Votre achat est confirmé.")
    expect(page.get_by_text(re.compile(r"Facture nº \d+")).first).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(5)
    expect(page.get_by_role("link", name="Télécharger le reçu (PDF)")).to_have_attribute(
        "href", re.compile(r"/invoices/.+/receipt\.pdf$"))
    screenshot(page, "shop-confirmation-desktop-fr")

    nav(page, "Mes achats").click()
    for name in ("Julie Tremblay", "Léo Tremblay"):
        member = page.locator("section[data-member]", has_text=name)
        expect(member.locator("li[data-registration]")).to_have_count(2)
    uses = page.locator("li[data-pass] .uses-left")
    expect(uses).to_have_text("6 passages restants sur 10")
    screenshot(page, "shop-purchases-desktop-fr")
    assert_accessible(page)

    first = page.locator("section[data-member]", has_text="Léo Tremblay") \
        .locator("li[data-registration]").first
    first.get_by_role("button", name="Désinscrire").click()
    expect(first.locator(".confirm-box")).to_contain_text(
        "le passage sera rendu au laissez-passer « Carte familiale 10 bains »")
    first.get_by_role("button", name="Confirmer la désinscription").click()
    expect(page.locator("#main .flash").filter(has_text="Désinscription faite")).to_be_visible()
    expect(uses).to_have_text("7 passages restants sur 10")
    expect(page.locator("section[data-member]", has_text="Léo Tremblay")
           .get_by_text("Annulée", exact=True)).to_have_count(1)

    token = api.ok("POST", "/auth/login", json={"org_id": pool["org"].id, "email": email,
                                                "password": PASSWORD})["token"]
    customer = api.with_token(token)
    account_id = jwt.decode(token, options={"verify_signature": False})["account"]
    [sold] = customer.ok("GET", f"/orgs/{pool['org'].id}/accounts/{account_id}/passes")["items"]
    assert sold["uses_left"] == 7

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My purchases")
    expect(uses).to_have_text("7 of 10 uses left")
    expect(page.get_by_role("button", name="Cancel").first).to_be_visible()
    screenshot(page, "shop-purchases-desktop-en")
    assert_accessible(page)
    nav(page, "Activities").click()
    expect(page.locator("article.activity").first).to_contain_text("$15.00 per class")
    screenshot(page, "shop-catalog-desktop-en")

    # the next date can be paid with the pass the family now owns
    page.get_by_role("link", name="Choose dates: Natation parent-enfant").click()
    page.locator(".calendar .day.available").last.click()
    expect(page.get_by_label("How to pay for Julie Tremblay")).to_contain_text(
        "Pass “Carte familiale 10 bains” (7 uses left)")


def test_on_a_phone(pool, open_page, screenshot, assert_accessible, api):
    """A parent on a phone, already signed up: one paid seat, a declined card keeps it;
    the main pages in both languages."""
    org = pool["org"]
    email = f"{uuid.uuid4().hex[:10]}@example.org"
    api.ok("POST", org.path("/accounts"), json={
        "email": email, "password": PASSWORD, "name": "Nguyen",
        "members": [{"first_name": "Minh", "last_name": "Nguyen", "birth_date": "2016-01-20"}]})
    page = open_page(shop_path(pool), phone=True)
    expect(page.locator("article.activity")).to_have_count(1)
    screenshot(page, "shop-catalog-phone-fr")
    assert_accessible(page)
    nav(page, "Connexion").click()
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill("wrong password")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_have_text("Courriel ou mot de passe incorrect.")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("#main .flash").filter(has_text="Bienvenue, Nguyen")).to_be_visible()

    page.get_by_role("link", name="Choisir des dates : Natation parent-enfant").click()
    page.locator(".calendar .day.available").last.click()
    panel = page.locator(".selected-day")
    expect(panel).to_contain_text("Payer 15,00 $")  # no pass: money is the only way
    panel.locator("button.add").click()
    expect(panel.get_by_text("✓ Dans le panier")).to_be_visible()
    screenshot(page, "shop-activity-phone-fr")

    nav(page, re.compile("^Panier")).click()
    expect(page.locator("#cart-total")).to_have_text(re.compile(r"15,00\s\$"))
    page.get_by_label("Numéro de carte").fill("4000000000000002")
    page.get_by_role("button", name=re.compile("^Payer")).click()
    expect(page.get_by_role("alert")).to_contain_text("Carte refusée. Votre panier est conservé")
    expect(page.locator("li[data-item]")).to_have_count(1)
    screenshot(page, "shop-cart-declined-phone-fr")
    assert_accessible(page)

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")
    expect(page.locator(".hold")).to_contain_text("Seat held for")
    screenshot(page, "shop-cart-phone-en")

    # a hold that lapses while the page is open: shown as lapsed, payment blocked
    page.clock.install()
    page.reload()
    expect(page.locator(".hold")).to_contain_text("Seat held for")
    page.clock.fast_forward("16:00")
    expect(page.locator(".hold")).to_have_text("Hold expired: seat released, not charged")
    expect(page.get_by_role("button", name=re.compile("^Pay"))).to_be_disabled()
    expect(page.locator(".notice.warn")).to_contain_text("remove that item")
    nav(page, "Activities").click()
    expect(page.locator("article.activity").first).to_contain_text("2 to 99 years")
    screenshot(page, "shop-catalog-phone-en")
    assert_accessible(page)
