"""Editing what was created, audited (issue 17): catalog objects for future sales only,
accounts, members and staff, the audit log admins read, and password reset by e-mail link
(the same answer for an unknown e-mail, one-time tokens)."""
import time
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse

import pytest

from tests.api import test_checkout_support as shop
from tests.support.client import error_of
from tests.support.events import EventListener

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def org(new_org):
    return new_org()


@pytest.fixture(scope="module")
def staff(org):
    return org.client("staff")


def audit_of(org, entity_id, count=1, deadline=20):
    end = time.monotonic() + deadline
    while True:
        items = org.admin.ok("GET", org.path("/audit"), params={"entity_id": entity_id})["items"]
        if len(items) >= count or time.monotonic() > end:
            return items
        time.sleep(0.2)


def test_a_service_edit_applies_to_appointments_booked_afterwards_and_is_audited(
        org, staff):
    service = org.admin.ok("POST", org.path("/services"), json={
        "name": "Coupe", "duration_minutes": 30, "price": 4000, "accounting_code": "4500"})
    account = shop.household(staff, org)
    member = account["members"][0]["id"]
    at = (datetime.now(timezone.utc) + timedelta(days=3)).replace(minute=0, second=0,
                                                                  microsecond=0)
    before = staff.ok("POST", org.path("/appointments"), expect=201, json={
        "member_id": member, "service_id": service["id"], "starts_at": at.isoformat()})

    error_of(staff.patch(org.path(f"/services/{service['id']}"), json={"price": 1}), 403)
    error_of(org.admin.patch(org.path(f"/services/{service['id']}"), json={"price": -5}),
             400, "validation_error")
    edited = org.admin.ok("PATCH", org.path(f"/services/{service['id']}"),
                          json={"price": 4500, "name": "Coupe et brushing"})
    assert (edited["price"], edited["name"], edited["duration_minutes"]) == \
        (4500, "Coupe et brushing", 30)
    after = staff.ok("POST", org.path("/appointments"), expect=201, json={
        "member_id": member, "service_id": service["id"],
        "starts_at": (at + timedelta(hours=2)).isoformat()})
    assert after["price"] == 4500
    kept = staff.ok("GET", org.path(f"/appointments/{before['id']}"))
    assert kept["price"] == 4000  # booked before: the price it was booked with

    (entry,) = audit_of(org, service["id"])
    assert (entry["entity"], entry["action"]) == ("service", "updated")
    assert entry["actor"].startswith("admin:")
    assert (entry["before"]["price"], entry["after"]["price"]) == (4000, 4500)
    error_of(staff.get(org.path("/audit")), 403)


def test_plans_membership_and_bundle_types_are_edited_for_future_sales(org):
    activity, _ = shop.setup_activity(org.admin, org)
    plan = org.admin.ok("POST", org.path("/subscription-plans"), json={
        "name": "Illimité", "monthly_price": 5000, "activity_ids": [activity["id"]],
        "accounting_code": "4600"})
    edited = org.admin.ok("PATCH", org.path(f"/subscription-plans/{plan['id']}"),
                          json={"monthly_price": 5500})
    assert (edited["monthly_price"], edited["activity_ids"]) == (5500, [activity["id"]])
    error_of(org.admin.patch(org.path(f"/subscription-plans/{plan['id']}"),
                             json={"activity_ids": ["act_nope"]}), 400, "validation_error")
    membership = org.admin.ok("POST", org.path("/membership-types"), json={
        "name": "Membre", "price": 2000, "duration_days": 365, "accounting_code": "4700"})
    assert org.admin.ok("PATCH", org.path(f"/membership-types/{membership['id']}"),
                        json={"duration_days": 180})["duration_days"] == 180
    service = org.admin.ok("POST", org.path("/services"), json={
        "name": "Soin", "duration_minutes": 60, "price": 6000})
    bundle = org.admin.ok("POST", org.path("/bundle-types"), json={
        "name": "5 soins", "divisions": [{"name": "5", "items": [
            {"service_id": service["id"], "count": 5}]}]})
    renamed = org.admin.ok("PATCH", org.path(f"/bundle-types/{bundle['id']}"),
                           json={"name": "Cinq soins"})
    assert renamed["name"] == "Cinq soins" and renamed["divisions"] == bundle["divisions"]
    error_of(org.admin.patch(org.path(f"/bundle-types/{bundle['id']}"),
                             json={"divisions": []}), 400, "validation_error")
    assert [e["after"]["monthly_price"] for e in audit_of(org, plan["id"])] == [5500]
    assert audit_of(org, bundle["id"])[0]["before"]["name"] == "5 soins"


def test_accounts_members_and_staff_are_edited_and_audited(org, staff, api):
    account = shop.household(api, org, 2, password=PASSWORD)
    client = api.with_token(api.ok("POST", "/auth/login", json={
        "org_id": org.id, "email": account["email"], "password": PASSWORD})["token"])
    other = shop.household(staff, org)
    renamed = client.ok("PATCH", org.path(f"/accounts/{account['id']}"),
                        json={"name": "Famille Roy-Gagnon"})
    assert renamed["name"] == "Famille Roy-Gagnon"
    error_of(client.patch(org.path(f"/accounts/{other['id']}"), json={"name": "X"}), 403)
    error_of(client.patch(org.path(f"/accounts/{account['id']}"),
                          json={"email": other["email"]}), 409)
    member = account["members"][1]["id"]
    edited = staff.ok("PATCH", org.path(f"/members/{member}"),
                      json={"skills": ["Nage 3"], "birth_date": "2014-02-01"})
    assert edited["skills"] == ["Nage 3"] and edited["birth_date"] == "2014-02-01"
    error_of(client.patch(org.path(f"/members/{other['members'][0]['id']}"),
                          json={"first_name": "X"}), 403)
    person = org.admin.ok("POST", org.path("/staff"), json={"name": "Julie"})
    assert org.admin.ok("PATCH", org.path(f"/staff/{person['id']}"),
                        json={"name": "Julie B."})["name"] == "Julie B."

    (account_edit,) = audit_of(org, account["id"])
    assert account_edit["actor"] == f"customer:{account['id']}"
    assert (account_edit["before"]["name"], account_edit["after"]["name"]) == \
        (account["name"], "Famille Roy-Gagnon")
    (member_edit,) = audit_of(org, member)
    assert member_edit["before"]["skills"] == [] and member_edit["actor"].startswith("staff:")
    assert audit_of(org, person["id"])[0]["after"] == {"id": person["id"], "name": "Julie B."}
    page = org.admin.ok("GET", org.path("/audit"), params={"limit": 2})
    assert len(page["items"]) == 2 and page["next_cursor"]


def test_a_password_is_reset_by_a_one_time_link(org, staff, api, test_env):
    account = shop.household(api, org, 1, password=PASSWORD)
    listener = EventListener(test_env.env["AMQP_URI"], "accounts",
                             ("password_reset_requested",))
    try:
        unknown = api.post("/auth/password-reset", json={
            "org_id": org.id, "email": f"nobody-{uuid.uuid4().hex[:6]}@example.org"})
        known = api.post("/auth/password-reset",
                         json={"org_id": org.id, "email": account["email"].upper()})
        assert (unknown.status_code, unknown.json()) == (known.status_code, known.json()) \
            == (202, {"status": "accepted"})
        event = listener.wait_for("password_reset_requested",
                                  lambda e: e["data"]["account_id"] == account["id"])["data"]
        assert event["email"] == account["email"] and event["org_id"] == org.id
        token = parse_qs(urlparse(event["reset_url"]).query)["token"][0]
        # asked again at once: the same answer, no second link
        assert api.post("/auth/password-reset", json={
            "org_id": org.id, "email": account["email"]}).status_code == 202
        with pytest.raises(AssertionError):
            listener.wait_for("password_reset_requested",
                              lambda e: e["data"]["account_id"] == account["id"], timeout=3)
    finally:
        listener.close()

    error_of(api.post("/auth/password-reset/confirm",
                      json={"token": token, "password": "short"}), 400, "validation_error")
    done = api.post("/auth/password-reset/confirm",
                    json={"token": token, "password": "a brand new passphrase"})
    assert done.status_code == 200, done.text
    error_of(api.post("/auth/login", json={"org_id": org.id, "email": account["email"],
                                           "password": PASSWORD}), 401)
    assert api.ok("POST", "/auth/login", json={
        "org_id": org.id, "email": account["email"],
        "password": "a brand new passphrase"})["token"]
    error_of(api.post("/auth/password-reset/confirm",
                      json={"token": token, "password": "yet another passphrase"}), 400,
             "invalid_reset_token")
    assert audit_of(org, account["id"])[0]["action"] == "password_reset"
