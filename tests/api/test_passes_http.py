"""Passes over HTTP (docs/http-api.md "Accounts" …/passes and …/bundles, "Billing" pass-grants and
PATCH passes, "Reports" passes): who may read and change what, grants with an
Idempotency-Key, expiry changes recorded with who and why, and the report in JSON and CSV
agreeing with the ledgers (R4.1-R4.3, R4.5)."""
import csv
import io
import uuid

import pytest

from tests.support.client import error_of


class Shop:
    """An org (``new_org``) with a staff client, an activity, a pass type and households."""

    def __init__(self, api, rpc, new_org):
        self.org = new_org()
        self.api, self.rpc = api, rpc
        self.admin = self.org.admin
        staff_key = self.admin.ok("POST", self.path("/api-keys"),
                                  json={"role": "staff", "name": "desk"})["api_key"]
        self.staff = api.with_token(api.ok("POST", "/auth/token",
                                           json={"api_key": staff_key})["token"])
        program = rpc.call("catalog", "create_program", self.org.id, {"name": "Hiver"})
        self.activity = rpc.call("catalog", "create_activity", self.org.id, {
            "program_id": program["id"], "name": "Yoga"})["id"]
        self.pass_type = rpc.call("catalog", "create_pass_type", self.org.id, {
            "name": "Carte 5", "price": 5000, "uses": 5, "valid_days": 60, "family": True,
            "eligible_activity_ids": [self.activity], "credit_on_cancel": True})

    def path(self, suffix=""):
        return self.org.path(suffix)

    def household(self, password="correct horse battery"):
        email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
        account = self.staff.ok("POST", self.path("/accounts"), json={
            "email": email, "password": password, "name": "Famille Roy",
            "members": [{"first_name": "Anne", "last_name": "Roy",
                         "birth_date": "1985-02-03"}]})
        token = self.api.ok("POST", "/auth/login", json={
            "org_id": self.org.id, "email": email, "password": password})["token"]
        return account, self.api.with_token(token)

    def debit(self, pass_id, member_id):
        return self.rpc.call("passes", "debit_pass", self.org.id, pass_id, {
            "registration_id": f"reg_{uuid.uuid4().hex[:8]}", "member_id": member_id,
            "activity_id": self.activity})


@pytest.fixture
def shop(api, rpc, new_org):
    return Shop(api, rpc, new_org)


def test_staff_grant_passes_and_each_household_sees_only_its_own(shop, api):
    (first, first_client), (second, second_client) = shop.household(), shop.household()
    granted = shop.staff.ok("POST", shop.path("/pass-grants"), expect=201, json={
        "pass_type_id": shop.pass_type["id"], "account_ids": [first["id"], second["id"]],
        "reason": "storm closure"})["items"]
    assert [p["account_id"] for p in granted] == [first["id"], second["id"]]

    mine = first_client.ok("GET", shop.path(f"/accounts/{first['id']}/passes"))["items"]
    assert len(mine) == 1
    item = mine[0]
    assert {"id", "pass_type_id", "name", "family", "member_id", "status", "uses_total",
            "uses_left", "expires_at", "purchased_at"} <= set(item)
    assert (item["id"], item["name"], item["family"], item["status"], item["uses_total"],
            item["uses_left"]) == (granted[0]["id"], "Carte 5", True, "active", 5, 5)
    error_of(first_client.get(shop.path(f"/accounts/{second['id']}/passes")), 403, "forbidden")
    error_of(first_client.get(shop.path(f"/passes/{granted[1]['id']}")), 403, "forbidden")
    assert first_client.ok("GET", shop.path(f"/passes/{granted[0]['id']}"))["id"] == \
        granted[0]["id"]
    error_of(api.get(shop.path(f"/accounts/{first['id']}/passes")), 401, "unauthenticated")
    error_of(shop.staff.get(shop.path("/accounts/acc_nope/passes")), 404, "not_found")
    # Customers do not grant passes.
    error_of(first_client.post(shop.path("/pass-grants"), json={
        "pass_type_id": shop.pass_type["id"], "account_ids": [first["id"]]}), 403, "forbidden")


def test_a_grant_retried_with_its_idempotency_key_grants_once(shop):
    account, _ = shop.household()
    body = {"pass_type_id": shop.pass_type["id"], "account_ids": [account["id"]]}
    headers = {"Idempotency-Key": f"grant-{uuid.uuid4().hex}"}
    first = shop.staff.post(shop.path("/pass-grants"), json=body, headers=headers)
    again = shop.staff.post(shop.path("/pass-grants"), json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    listed = shop.staff.ok("GET", shop.path(f"/accounts/{account['id']}/passes"))["items"]
    assert [p["id"] for p in listed] == [first.json()["items"][0]["id"]]
    ledger = shop.staff.ok("GET", shop.path(f"/passes/{listed[0]['id']}/ledger"))["items"]
    assert [(e["kind"], e["delta"], e["reason"]) for e in ledger] == [
        ("grant", 5, "granted by staff")]


def test_a_grant_is_validated_before_anything_is_granted(shop):
    account, _ = shop.household()
    error = error_of(shop.staff.post(shop.path("/pass-grants"), json={
        "pass_type_id": shop.pass_type["id"], "account_ids": [account["id"], "acc_nope"]}),
        400, "validation_error")
    assert "account_ids" in error["details"]
    error = error_of(shop.staff.post(shop.path("/pass-grants"), json={
        "pass_type_id": "pst_nope", "account_ids": [account["id"]]}), 400, "validation_error")
    assert "pass_type_id" in error["details"]
    error = error_of(shop.staff.post(shop.path("/pass-grants"), json={
        "pass_type_id": shop.pass_type["id"], "account_ids": []}), 400, "validation_error")
    assert "account_ids" in error["details"]
    assert shop.staff.ok("GET", shop.path(f"/accounts/{account['id']}/passes"))["items"] == []


def test_staff_change_one_expiry_and_the_ledger_says_who_and_why(shop):
    account, customer = shop.household()
    granted = shop.staff.ok("POST", shop.path("/pass-grants"), expect=201, json={
        "pass_type_id": shop.pass_type["id"], "account_ids": [account["id"]]})["items"][0]
    path = shop.path(f"/passes/{granted['id']}")

    changed = shop.staff.ok("PATCH", path, json={"expires_at": "2031-01-15",
                                                 "reason": "injury, doctor's note"})
    assert changed["valid_until"] == "2031-01-15"
    assert changed["expires_at"] == "2031-01-16T00:00:00-05:00"
    adjustment = shop.staff.ok("GET", path + "/ledger")["items"][-1]
    assert (adjustment["kind"], adjustment["reason"]) == ("adjustment", "injury, doctor's note")
    assert adjustment["actor"] and adjustment["actor"].startswith("key_")
    assert adjustment["data"]["from"] == granted["expires_at"]

    error = error_of(shop.staff.patch(path, json={"expires_at": "2031-01-15"}), 400,
                     "validation_error")
    assert "reason" in error["details"]
    error = error_of(shop.staff.patch(path, json={"expires_at": "soon", "reason": "x"}), 400,
                     "validation_error")
    assert "expires_at" in error["details"]
    error_of(customer.patch(path, json={"expires_at": "2040-01-01", "reason": "mine"}), 403,
             "forbidden")
    error_of(shop.staff.patch(shop.path("/passes/pas_nope"), json={
        "expires_at": "2031-01-15", "reason": "x"}), 404, "not_found")


def test_the_pass_report_in_json_and_csv_agrees_with_the_ledgers(shop, rpc):
    account, _ = shop.household()
    member = account["members"][0]["id"]
    granted = shop.staff.ok("POST", shop.path("/pass-grants"), expect=201, json={
        "pass_type_id": shop.pass_type["id"], "account_ids": [account["id"]]})["items"][0]
    sold = rpc.call("passes", "sell_pass", shop.org.id, {
        "pass_type_id": shop.pass_type["id"], "account_id": account["id"],
        "invoice_id": "inv_1"})
    for _ in range(3):
        shop.debit(granted["id"], member)
    shop.debit(sold["id"], member)

    report = shop.staff.ok("GET", shop.path("/reports/passes"))
    rows = {r["pass_id"]: r for r in report["items"]}
    assert set(rows) == {granted["id"], sold["id"]}
    assert (rows[granted["id"]]["uses_left"], rows[sold["id"]]["uses_left"]) == (2, 4)
    for pass_id, row in rows.items():
        ledger = shop.staff.ok("GET", shop.path(f"/passes/{pass_id}/ledger"))["items"]
        assert row["uses_left"] == sum(e["delta"] for e in ledger)
        assert row["account_id"] == account["id"]
        assert row["pass_type_id"] == shop.pass_type["id"] and row["uses_total"] == 5

    response = shop.staff.get(shop.path("/reports/passes"), params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.text)))
    header, body = lines[0], lines[1:]
    assert header[:9] == ["pass_id", "account_id", "member_id", "pass_type_id", "name",
                          "purchased_at", "expires_at", "uses_total", "uses_left"]
    as_dicts = [dict(zip(header, line)) for line in body]
    assert [d["pass_id"] for d in as_dicts] == [r["pass_id"] for r in report["items"]]
    for d in as_dicts:
        row = rows[d["pass_id"]]
        assert d["uses_left"] == str(row["uses_left"])
        assert d["expires_at"] == row["expires_at"]
        assert d["member_id"] == (row["member_id"] or "")

    customer_account, customer = shop.household()
    error_of(customer.get(shop.path("/reports/passes")), 403, "forbidden")
    error = error_of(shop.staff.get(shop.path("/reports/passes"), params={"format": "xls"}),
                     400, "validation_error")
    assert "format" in error["details"]


def test_an_account_sees_its_bundles_with_booked_used_and_remaining(shop, rpc):
    account, customer = shop.household()
    member = account["members"][0]["id"]
    cut = rpc.call("catalog", "create_service", shop.org.id, {
        "name": "Coupe", "duration_minutes": 30, "price": 3000})["id"]
    kind = rpc.call("catalog", "create_bundle_type", shop.org.id, {
        "name": "Coupes", "divisions": [{"name": "3", "items": [
            {"service_id": cut, "count": 3}]}]})
    sold = rpc.call("passes", "sell_bundle", shop.org.id, {
        "bundle_type_id": kind["id"], "division": "3", "account_id": account["id"],
        "member_id": member, "invoice_id": "inv_b"})
    rpc.call("passes", "book_bundle", shop.org.id, sold["id"],
             {"appointment_id": "apt_1", "service_id": cut})
    rpc.call("passes", "use_bundle", shop.org.id, sold["id"],
             {"appointment_id": "apt_2", "service_id": cut})

    listed = customer.ok("GET", shop.path(f"/accounts/{account['id']}/bundles"))["items"]
    assert len(listed) == 1
    assert (listed[0]["id"], listed[0]["bundle_type_id"], listed[0]["division"]) == (
        sold["id"], kind["id"], "3")
    assert listed[0]["items"] == [{"service_id": cut, "total": 3, "booked": 1, "used": 1,
                                   "remaining": 1}]
    other, other_client = shop.household()
    error_of(other_client.get(shop.path(f"/accounts/{account['id']}/bundles")), 403,
             "forbidden")
    assert shop.staff.ok("GET", shop.path(f"/accounts/{other['id']}/bundles"))["items"] == []
