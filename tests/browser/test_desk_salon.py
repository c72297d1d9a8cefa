"""The salon acceptance, as a new user would try it (issue 15): an admin sets up two
services and a "10 + 1" bundle with two divisions and an overridden price; a staff member
sells the bundle at the counter, books two appointments in the agenda (a conflict refused in
words), applies the bundle to one (price 0, "×" to undo), checks out the other with the
bundle applied at the counter, and the client file shows 11 total, 1 booked, 1 used,
9 remaining (R4.4–R4.7). The steps run in order on one org."""
import re

import pytest
from playwright.sync_api import expect

from .desk_support import Desk, login, switch_to_english


@pytest.fixture(scope="module")
def salon(api, new_org):
    desk = Desk(api, new_org, "Salon Lumière", "Europe/Luxembourg", "EUR")
    for name in ("Anna", "Marc"):
        desk.admin.ok("POST", desk.path("/staff"), json={"name": name})
    return desk


def test_admin_sets_up_services_and_a_bundle(open_page, salon, screenshot, assert_accessible):
    page = login(open_page, salon, salon.admin_key, hash_="#setup/services")
    for name, minutes, price in (("Coupe", "30", "35,00"), ("Massage", "60", "80")):
        page.get_by_label("Nom", exact=True).fill(name)
        page.get_by_label("Durée (minutes)").fill(minutes)
        page.get_by_label("Prix").fill(price)
        page.get_by_role("button", name="Créer").click()
        expect(page.get_by_role("cell", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="80,00 €")).to_be_visible()

    page.get_by_role("link", name="Forfaits").click()
    page.get_by_label(re.compile("Nom du forfait")).fill("10 + 1 massages")
    first = page.get_by_role("group", name="Division 1")
    first.get_by_label("Nom de la division").fill("10 + 1")
    first.get_by_label("Service").select_option(label="Massage (80,00 €)")
    first.get_by_label("Nombre").fill("11")
    expect(first.get_by_text("Prix calculé : 880,00 €")).to_be_visible()
    first.get_by_label("Prix du forfait").fill("800")
    page.get_by_role("button", name="Ajouter une division").click()
    second = page.get_by_role("group", name="Division 2")
    second.get_by_label("Nom de la division").fill("5 + 1")
    second.get_by_label("Service").select_option(label="Massage (80,00 €)")
    second.get_by_label("Nombre").fill("6")
    second.get_by_role("button", name="Ajouter un service").click()
    second.get_by_label("Service").nth(1).select_option(label="Coupe (35,00 €)")
    expect(second.get_by_text("Prix calculé : 515,00 €")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("heading", name="10 + 1 massages")).to_be_visible()
    expect(page.get_by_role("cell", name="800,00 € (fixé à la main)")).to_be_visible()
    expect(page.get_by_role("cell", name="515,00 € (calculé)")).to_be_visible()
    expect(page.get_by_role("cell", name="6 × Massage, 1 × Coupe")).to_be_visible()
    screenshot(page, "desk-setup-bundles-fr")


def test_staff_sells_the_bundle_to_a_new_client(open_page, salon, screenshot, assert_accessible):
    page = login(open_page, salon, salon.staff_key)
    page.get_by_role("button", name="Chercher").click()
    expect(page.get_by_text("Aucun client trouvé")).to_be_visible()
    page.get_by_text("Nouveau client").click()
    page.get_by_label("Prénom").fill("Claire")
    page.get_by_label("Nom", exact=True).fill("Dubois")
    page.get_by_label("Nom du compte (foyer)").fill("Claire Dubois")
    page.get_by_label("Courriel", exact=True).fill("claire@example.com")
    page.get_by_label("Date de naissance").fill("1988-04-12")
    page.get_by_role("button", name="Créer le client").click()

    expect(page.get_by_role("heading", name="2. Vendre à Claire Dubois")).to_be_visible()
    expect(page.get_by_role("tab", name="Forfaits")).to_have_attribute("aria-selected", "true")
    page.get_by_role("button", name="Ajouter 10 + 1 massages — 10 + 1").click()
    expect(page.locator("#cart-total")).to_have_text("800,00 €")
    assert_accessible(page)
    screenshot(page, "desk-counter-fr")
    page.get_by_label("Mode de paiement").select_option("cash")
    page.get_by_role("button", name="Encaisser").click()
    expect(page.get_by_text("Payé : facture n° 1, 800,00 €.")).to_be_visible()

    salon.state["account"] = salon.admin.ok("GET", salon.path("/accounts"),
                                            params={"q": "claire"})["items"][0]


def test_agenda_books_two_appointments_applies_and_checks_out(open_page, salon, screenshot,
                                                              assert_accessible):
    page = login(open_page, salon, salon.staff_key)
    page.get_by_role("button", name="Chercher").click()  # empty query lists clients
    page.get_by_label("Nom, courriel ou membre").fill("claire")
    page.get_by_role("button", name="Chercher").click()
    page.get_by_role("button", name="Choisir Claire Dubois").click()
    page.get_by_role("link", name="Agenda").click()

    day = salon.local_date(days=1)
    booking = page.get_by_role("region", name="Rendez-vous pour Claire Dubois")

    def book(at, staff="Anna"):
        booking.get_by_label("Service").select_option(label="Massage (60 min, 80,00 €)")
        booking.get_by_label("Employé").select_option(label=staff)
        booking.get_by_label("Date").fill(day)
        booking.get_by_label("Heure").fill(at)
        booking.get_by_role("button", name="Réserver").click()

    book("10:00")
    expect(booking.get_by_text(re.compile("Réservé : Massage à 10"))).to_be_visible()
    book("10:30")  # Anna is busy: refused, in words
    expect(booking.get_by_role("alert")).to_have_text(
        re.compile("Cet employé a déjà un rendez-vous"))
    book("14:00")
    expect(booking.get_by_text(re.compile("Réservé : Massage à 14"))).to_be_visible()

    anna = page.get_by_role("region", name="Anna")
    morning, afternoon = anna.get_by_role("listitem").nth(0), anna.get_by_role("listitem").nth(1)
    expect(morning).to_contain_text("10:00")
    expect(morning).to_contain_text("80,00 €")
    morning.get_by_role("button", name="Appliquer forfait").click()
    expect(morning).to_contain_text("0,00 €")
    morning.get_by_role("button", name="Retirer le forfait de Massage").click()  # the "×"
    expect(morning).to_contain_text("80,00 €")
    morning.get_by_role("button", name="Appliquer forfait").click()
    expect(morning.get_by_text("forfait", exact=True)).to_be_visible()
    expect(morning).to_contain_text("0,00 €")
    assert_accessible(page)
    screenshot(page, "desk-agenda-fr")

    page.get_by_role("button", name="Vue semaine").click()
    week = page.locator(".week table")
    anna_week = week.get_by_role("row", name=re.compile("^Anna"))
    expect(anna_week).to_contain_text("10:00 Massage · Claire Dubois")
    expect(anna_week).to_contain_text("14:00 Massage · Claire Dubois")
    page.get_by_role("button", name="Vue semaine").click()

    afternoon.get_by_role("button", name="Encaisser").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator("#checkout-total")).to_have_text("80,00 €")
    dialog.get_by_label("Payer avec un forfait").select_option(index=1)
    expect(dialog.locator("#checkout-total")).to_have_text("0,00 €")
    dialog.get_by_role("button", name="Encaisser").click()
    expect(afternoon).to_contain_text("encaissé")
    expect(afternoon).to_contain_text("0,00 €")


def test_client_file_shows_the_bundle_counts(open_page, salon, screenshot, assert_accessible):
    account = salon.state["account"]
    page = login(open_page, salon, salon.staff_key, hash_=f"#client/{account['id']}")
    expect(page.get_by_role("heading", name="Fiche client : Claire Dubois")).to_be_visible()
    row = page.locator("[data-bundle] tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(["Massage", "11", "1", "1", "9"])
    assert_accessible(page)
    screenshot(page, "desk-client-file-fr")
    switch_to_english(page)
    expect(page.get_by_role("heading", name="Client file: Claire Dubois")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Remaining")).to_be_visible()
    screenshot(page, "desk-client-file-en")

    phone = login(open_page, salon, salon.staff_key, phone=True, hash_=f"#client/{account['id']}")
    expect(phone.locator("[data-bundle] tbody tr td")).to_have_text(
        ["Massage", "11", "1", "1", "9"])
    assert_accessible(phone)
    screenshot(phone, "desk-client-file-fr-phone")


def test_two_bundles_holding_the_service_ask_which_one(open_page, salon, screenshot):
    """R4.6: the choice pop-up (bundle_choice_required with its candidates)."""
    admin = salon.admin
    services = {s["name"]: s for s in admin.ok("GET", salon.path("/services"))["items"]}
    bundle_type = admin.ok("GET", salon.path("/bundle-types"))["items"][0]
    account = admin.ok("POST", salon.path("/accounts"), json={
        "email": "paul@example.com", "name": "Paul Martin",
        "members": [{"first_name": "Paul", "last_name": "Martin", "birth_date": "1979-01-02"}]})
    member = account["members"][0]["id"]
    cart = admin.ok("POST", salon.path("/carts"), json={"account_id": account["id"]})
    for division in ("10 + 1", "5 + 1"):
        admin.ok("POST", salon.path(f"/carts/{cart['id']}/items"), json={
            "type": "bundle", "bundle_type_id": bundle_type["id"], "division": division,
            "member_id": member})
    admin.ok("POST", salon.path(f"/carts/{cart['id']}/checkout"),
             json={"payment": {"method": "cash"}})
    admin.ok("POST", salon.path("/appointments"), json={
        "member_id": member, "service_id": services["Massage"]["id"],
        "starts_at": salon.local_iso(2, "09:00")})

    page = login(open_page, salon, salon.staff_key, lang="en", phone=True)
    page.get_by_label("Name, e-mail or member").fill("paul")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Select Paul Martin").click()
    page.get_by_role("link", name="Agenda").click()
    page.get_by_role("button", name="Next day").click()
    page.get_by_role("button", name="Next day").click()
    appointment = page.locator("[data-appointment]").filter(has_text="Paul Martin")
    appointment.get_by_role("button", name="Apply bundle").click()
    chooser = page.get_by_role("dialog", name="Which bundle?")
    expect(chooser.get_by_role("button")).to_have_count(3)  # two bundles and Back
    screenshot(page, "desk-agenda-choice-en-phone")
    chooser.get_by_role("button", name=re.compile("5 \\+ 1")).click()
    expect(appointment).to_contain_text("€0.00")
    bundles = admin.ok("GET", salon.path(f"/accounts/{account['id']}/bundles"))["items"]
    massage = services["Massage"]["id"]
    booked = {b["division"]: [i for i in b["items"] if i["service_id"] == massage][0]["booked"]
              for b in bundles}
    assert booked == {"10 + 1": 0, "5 + 1": 1}
