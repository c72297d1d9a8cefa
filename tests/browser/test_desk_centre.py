"""A recreation centre in the back office and its rosters (issue 15): an admin sets up an
activity (a weekly schedule across a season, an excluded date, session and à la carte
offers, an age restriction) and a pass type; staff watch an occurrence's rosters fill as
the shop sells seats (session and à la carte listed and counted apart, R3.8), cancel a pass
booking giving the use back (R3.6) and convert unsold session seats to à la carte (R2.6)."""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from .desk_support import Desk, login


@pytest.fixture(scope="module")
def centre(api, new_org):
    return Desk(api, new_org, "Centre Rosemont", "America/Montreal", "CAD")


def weekday_name_fr(iso):
    return ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"][
        date.fromisoformat(iso).weekday()]


def test_admin_sets_up_an_activity_and_a_pass_type(open_page, centre, screenshot,
                                                   assert_accessible):
    first, last = centre.local_date(1), centre.local_date(27)
    excluded = centre.local_date(8)
    page = login(open_page, centre, centre.admin_key, hash_="#setup/activities")
    page.get_by_label("Nom du nouveau programme").fill("Hiver 2027")
    page.get_by_role("button", name="Créer", exact=True).click()
    form = page.locator("form.activity-form")
    form.get_by_label("Programme").select_option(label="Hiver 2027")
    form.get_by_label("Nom", exact=True).fill("Yoga doux")
    form.get_by_label("Premier jour").fill(first)
    form.get_by_label("Dernier jour").fill(last)
    form.get_by_label("Jour", exact=True).first.select_option(label=weekday_name_fr(first))
    form.get_by_label("Heure", exact=True).first.fill("18:30")
    form.get_by_role("button", name="Ajouter une plage").click()
    second_day = weekday_name_fr(centre.local_date(3))
    form.get_by_label("Jour", exact=True).nth(1).select_option(label=second_day)
    form.get_by_label("Date sans cours").fill(excluded)
    form.get_by_role("button", name="Exclure cette date").click()
    session = form.get_by_role("group", name="Session")
    session.get_by_label("Prix").fill("120")
    session.get_by_label("Places").fill("10")
    alc = form.get_by_role("group", name="À la carte")
    alc.get_by_label(re.compile("Vendue à la carte")).check()
    alc.get_by_label("Prix").fill("15")
    alc.get_by_label("Places par séance").fill("3")
    form.get_by_label("Âge minimum").fill("16")
    assert_accessible(page)
    screenshot(page, "desk-setup-activity-fr")
    form.get_by_role("button", name="Créer l'activité").click()
    expect(page.get_by_text("Activité créée : 7 séances.")).to_be_visible()
    expect(page.get_by_role("cell", name="Yoga doux")).to_be_visible()

    page.get_by_role("link", name="Types de passes").click()
    expect(page.get_by_role("heading", name="Nouveau type de passe")).to_be_visible()
    page.get_by_label("Nom", exact=True).fill("Carte 5 séances")
    page.get_by_label("Prix", exact=True).fill("60")
    page.get_by_label("Utilisations", exact=True).fill("5")
    page.get_by_label("Valide pendant (jours)").fill("90")
    page.get_by_label("Yoga doux").check()
    page.get_by_role("button", name="Créer", exact=True).click()
    expect(page.get_by_role("cell", name="Carte 5 séances")).to_be_visible()
    expect(page.get_by_role("cell", name="90 jours")).to_be_visible()


def sell(desk, email, first_name, items, method="cash"):
    """What the shop does: an account, a cart, items, a checkout (through the API)."""
    admin = desk.admin
    account = admin.ok("POST", desk.path("/accounts"), json={
        "email": email, "name": f"{first_name} Tremblay",
        "members": [{"first_name": first_name, "last_name": "Tremblay",
                     "birth_date": "1990-05-05"}]})
    member = account["members"][0]["id"]
    cart = admin.ok("POST", desk.path("/carts"), json={"account_id": account["id"]})
    for item in items:
        admin.ok("POST", desk.path(f"/carts/{cart['id']}/items"), json=dict(item, member_id=member))
    done = admin.ok("POST", desk.path(f"/carts/{cart['id']}/checkout"),
                    json={"payment": {"method": method}})
    return account, member, done


def test_rosters_fill_as_the_shop_sells(open_page, centre, screenshot, assert_accessible):
    admin = centre.admin
    activity = admin.ok("GET", centre.path("/activities"))["items"][0]
    pass_type = admin.ok("GET", centre.path("/pass-types"))["items"][0]
    window = {"from": centre.local_date(0), "to": centre.local_date(40)}
    occurrences = admin.ok("GET", centre.path(f"/activities/{activity['id']}/occurrences"),
                           params=window)["items"]
    first = occurrences[0]

    page = login(open_page, centre, centre.staff_key, hash_=f"#rosters/{activity['id']}")
    expect(page.locator("#session-count")).to_have_text("0")
    expect(page.locator("#session-left")).to_have_text("10")

    sell(centre, "lea@example.com", "Léa", [{"type": "session", "activity_id": activity["id"]}])
    sell(centre, "max@example.com", "Max", [{"type": "a_la_carte", "occurrence_id": first["id"]}])
    account, member, done = sell(centre, "zoe@example.com", "Zoé",
                                 [{"type": "pass", "pass_type_id": pass_type["id"]}])
    pass_id = done["passes"][0]["id"]
    admin.ok("POST", centre.path("/registrations"), json={
        "member_id": member, "occurrence_id": first["id"], "pass_id": pass_id})

    page.get_by_role("button", name="Actualiser").click()
    roster = page.locator("#roster")
    session_list = roster.get_by_role("region", name=re.compile("Participants de la session"))
    alc_list = roster.get_by_role("region", name=re.compile("Participants à la carte"))
    expect(session_list.get_by_role("heading")).to_contain_text("(1)")
    expect(session_list).to_contain_text("Léa Tremblay")
    expect(session_list).to_contain_text("1 places prises sur 10 : 9 libres.")
    expect(alc_list.get_by_role("heading")).to_contain_text("(2)")
    expect(alc_list).to_contain_text("Max Tremblay")
    expect(alc_list).to_contain_text("Zoé Tremblay")
    expect(alc_list).to_contain_text("2 places prises sur 3 : 1 libres.")
    assert_accessible(page)
    screenshot(page, "desk-roster-fr")

    # Cancel Zoé's pass booking and give the use back (R3.6).
    assert admin.ok("GET", centre.path(f"/passes/{pass_id}"))["uses_left"] == 4
    alc_list.get_by_role("button", name="Annuler l'inscription de Zoé Tremblay").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Redonner l'utilisation de la passe au client")).to_be_checked()
    dialog.get_by_role("button", name="Annuler l'inscription").click()
    expect(alc_list.get_by_role("heading")).to_contain_text("(1)")
    expect(alc_list).not_to_contain_text("Zoé")
    assert admin.ok("GET", centre.path(f"/passes/{pass_id}"))["uses_left"] == 5

    # Convert two unsold session seats to à la carte (R2.6): an admin's act.
    expect(page.get_by_text("Un administrateur peut convertir")).to_be_visible()
    page = login(open_page, centre, centre.admin_key, hash_=f"#rosters/{activity['id']}")
    alc_list = page.locator("#roster").get_by_role(
        "region", name=re.compile("Participants à la carte"))
    page.get_by_label("Places de session à convertir").fill("2")
    page.get_by_role("button", name="Convertir en à la carte").click()
    page.get_by_role("dialog").get_by_role("button", name="Convertir en à la carte").click()
    done = page.get_by_text(re.compile("Fait : 8 places de session, 5 places à la carte"))
    expect(done).to_be_visible()
    expect(page.locator("#session-left")).to_have_text("7")
    expect(alc_list).to_contain_text("1 places prises sur 5 : 4 libres.")
