"""The other notices (R7.4) through HTTP and the real SMTP server: a cancellation, an
appointment's confirmation and its reminder the day before (a timer), a pass's last use;
and a client's preferences: optional notices can be turned off, transactional ones not."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from nameko.standalone.events import event_dispatcher

from tests.services import test_notifications_support as support
from tests.support.client import error_of

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def mail(stack):
    return stack.mail


@pytest.fixture(scope="module")
def org(api, rpc):
    return support.org_in(api, rpc, "fr")


def customer(api, org):
    email = f"client-{uuid.uuid4().hex[:10]}@example.org"
    account = org.admin.ok("POST", org.path("/accounts"), expect=201, json={
        "email": email, "password": PASSWORD, "name": f"Roy {email[7:12]}",
        "members": [{"first_name": "Marie", "last_name": "Roy", "birth_date": "1980-01-02"}]})
    token = api.ok("POST", "/auth/login", json={"org_id": org.id, "email": email,
                                                "password": PASSWORD})["token"]
    return account, api.with_token(token)


def preferences_path(org, account):
    return org.path(f"/accounts/{account['id']}/notification-preferences")


def test_a_client_turns_optional_notices_off_and_staff_see_it(api, org):
    account, client = customer(api, org)
    other, _ = customer(api, org)
    path = preferences_path(org, account)
    first = client.ok("GET", path)
    assert (first["reminders"], first["pass_alerts"]) == (True, True)
    assert {"receipt", "registration_cancelled", "renewal_declined"} <= set(first["transactional"])
    assert "appointment_reminder" not in first["transactional"]

    changed = client.ok("PUT", path, json={"reminders": False})
    assert (changed["reminders"], changed["pass_alerts"]) == (False, True)
    assert org.admin.ok("GET", path)["reminders"] is False
    assert org.admin.ok("PUT", path, json={"pass_alerts": False})["reminders"] is False

    error_of(client.request("PUT", preferences_path(org, other), json={"reminders": False}),
             403)
    error_of(client.request("PUT", path, json={"receipts": False}), 400, "validation_error")
    error_of(org.admin.request("GET", org.path("/accounts/acc_nobody/notification-preferences")),
             404, "not_found")


def test_a_cancelled_registration_is_told_in_the_orgs_language(rpc, mail, org):
    account, checkout = support.paid_checkout(org)
    registration = checkout["registrations"][0]
    org.admin.ok("POST", org.path(f"/registrations/{registration['id']}/cancel"), json={})
    found = support.wait_notice(rpc, org.id, account["id"], lambda n: n["state"] == "sent",
                                kind="registration_cancelled")
    assert len(found) == 1
    (message,) = [m for m in mail.wait_for(account["email"], count=2)
                  if m["Subject"].startswith("Inscription annulée")]
    body = message.get_body(("plain",)).get_content()
    assert "par l'établissement" in body and "15,00" in body  # credited back (R3.5)


def test_an_appointment_is_confirmed_and_reminded_the_day_before_unless_turned_off(
        api, rpc, mail, org):
    service = org.admin.ok("POST", org.path("/services"), json={
        "name": f"Coupe {uuid.uuid4().hex[:4]}", "duration_minutes": 30, "price": 4000,
        "accounting_code": "4300"})
    wanting, _ = customer(api, org)
    declining, client = customer(api, org)
    client.ok("PUT", preferences_path(org, declining), json={"reminders": False})
    # a start 24 h (the reminder's lead) and a few seconds away: the reminder is due at once
    starts_at = (datetime.now(timezone.utc) + timedelta(hours=24, seconds=3)).isoformat()
    for account in (wanting, declining):
        org.admin.ok("POST", org.path("/appointments"), expect=201, json={
            "member_id": account["members"][0]["id"], "service_id": service["id"],
            "starts_at": starts_at})

    reminded = mail.wait_for(wanting["email"], count=2)
    assert sorted(m["Subject"].split(" :")[0] for m in reminded) == \
        ["Rappel", "Rendez-vous confirmé"]
    skipped = support.wait_notice(rpc, org.id, declining["id"], lambda n: n["state"] == "skipped",
                                  kind="appointment_reminder")
    assert [(n["state"], n["reason"]) for n in skipped] == [("skipped", "opted_out")]
    confirmed = mail.wait_for(declining["email"])  # transactional: sent all the same
    assert [m["Subject"].split(" :")[0] for m in confirmed] == ["Rendez-vous confirmé"]


def test_the_last_use_of_a_pass_is_told_unless_pass_alerts_are_off(api, test_env, rpc, mail,
                                                                   org):
    told, _ = customer(api, org)
    untold, client = customer(api, org)
    client.ok("PUT", preferences_path(org, untold), json={"pass_alerts": False})
    dispatch = event_dispatcher({"AMQP_URI": test_env.env["AMQP_URI"]})
    for account in (told, untold):  # what passes publishes when a use is debited
        dispatch("passes", "pass_debited", {
            "event_id": f"evt_{uuid.uuid4().hex[:24]}", "type": "pass_debited",
            "occurred_at": datetime.now(timezone.utc).isoformat(), "version": 1,
            "data": {"id": f"pas_{uuid.uuid4().hex[:8]}", "org_id": org.id,
                     "account_id": account["id"], "name": "Carte 10 bains", "status": "active",
                     "uses_total": 10, "uses_left": 1, "expires_at": None}})
    (message,) = mail.wait_for(told["email"])
    assert "Carte 10 bains" in message["Subject"]
    skipped = support.wait_notice(rpc, org.id, untold["id"], lambda n: n["state"] == "skipped")
    assert [(n["kind"], n["reason"]) for n in skipped] == [("pass_last_use", "opted_out")]
    assert mail.to(untold["email"]) == []


def test_a_password_reset_link_goes_to_the_address_of_the_request(api, test_env, mail, org):
    account, _ = customer(api, org)
    url = f"https://shop.example.org/reset/{uuid.uuid4().hex}"
    event_dispatcher({"AMQP_URI": test_env.env["AMQP_URI"]})(
        "accounts", "password_reset_requested", {  # what accounts publishes (another branch)
            "event_id": f"evt_{uuid.uuid4().hex[:24]}", "type": "password_reset_requested",
            "occurred_at": datetime.now(timezone.utc).isoformat(), "version": 1,
            "data": {"org_id": org.id, "account_id": account["id"], "email": account["email"],
                     "reset_url": url}})
    (message,) = mail.wait_for(account["email"])
    assert message["Subject"].startswith("Réinitialisation de votre mot de passe")
    assert url in message.get_body(("plain",)).get_content()


def test_a_pass_about_to_expire_is_told_once_by_the_timer(api, test_env, rpc, mail, org):
    account, _ = customer(api, org)
    # what passes publishes for a sale: a pass whose warning (7 days before) is due at once
    expires = datetime.now(timezone.utc) + timedelta(days=7, seconds=2)
    pass_id = f"pas_{uuid.uuid4().hex[:8]}"
    dispatch = event_dispatcher({"AMQP_URI": test_env.env["AMQP_URI"]})
    for _ in range(2):  # and a second event about the same pass, unchanged: one warning
        dispatch("passes", "pass_sold", {
            "event_id": f"evt_{uuid.uuid4().hex[:24]}", "type": "pass_sold",
            "occurred_at": datetime.now(timezone.utc).isoformat(), "version": 1,
            "data": {"id": pass_id, "org_id": org.id, "account_id": account["id"],
                     "name": "Carte 10 bains", "status": "active", "uses_total": 10,
                     "uses_left": 4, "expires_at": expires.isoformat(),
                     "valid_until": expires.date().isoformat()}})
    found = support.wait_notice(rpc, org.id, account["id"], lambda n: n["state"] == "sent",
                                kind="pass_expiring")
    (message,) = mail.wait_for(account["email"])
    assert message["Subject"].startswith("Votre carte « Carte 10 bains » expire bientôt")
    assert "il vous reste 4 utilisation(s)" in message.get_body(("plain",)).get_content()
    assert len(found) == 1 and found[0]["event_id"].startswith(f"pass_expiring:{pass_id}:")
