"""Accounts over HTTP (docs/http-api.md "Accounts", R1.2): who may create and read households,
validation errors, the POS search, staff members.

Orgs here are arbitrary ids with keys made by the accounts RPC; anonymous self sign-up,
which needs an org that exists in the catalog, is in test_accounts_signup.py."""
import uuid

import pytest

from tests.support.client import error_of


def household(email=None, password="correct horse battery", **overrides):
    body = {
        "email": email or f"owner-{uuid.uuid4().hex[:8]}@example.com",
        "name": "Famille Gagnon",
        "members": [
            {"first_name": "Julie", "last_name": "Gagnon", "birth_date": "1988-11-30",
             "gender": "female", "skills": []},
            {"first_name": "Noah", "last_name": "Gagnon", "birth_date": "2017-06-12",
             "gender": "male", "skills": ["swim level 1"]},
        ],
    }
    if password is not None:
        body["password"] = password
    body.update(overrides)
    return body


class Org:
    """An org id with an admin, a staff member and helpers, all over HTTP."""

    def __init__(self, api, rpc):
        self.id = f"org_{uuid.uuid4().hex[:12]}"
        self.api = api
        admin_key = rpc.call("accounts", "create_api_key", self.id,
                             {"role": "admin", "name": "owner"})["api_key"]
        self.admin = self.client_for_key(admin_key)
        staff_key = self.admin.ok("POST", self.path("/api-keys"),
                                  json={"role": "staff", "name": "desk"})["api_key"]
        self.staff = self.client_for_key(staff_key)

    def client_for_key(self, key):
        return self.api.with_token(self.api.ok("POST", "/auth/token",
                                               json={"api_key": key})["token"])

    def path(self, suffix=""):
        return f"/orgs/{self.id}{suffix}"

    def customer(self, email, password="correct horse battery"):
        token = self.api.ok("POST", "/auth/login", json={
            "org_id": self.id, "email": email, "password": password})["token"]
        return self.api.with_token(token)


@pytest.fixture
def org(api, rpc):
    return Org(api, rpc)


def test_staff_creates_an_account_with_two_members(org):
    response = org.staff.post(org.path("/accounts"), json=household("julie@example.com",
                                                                    password=None))
    assert response.status_code == 201, response.text
    account = response.json()
    assert account["email"] == "julie@example.com" and account["name"] == "Famille Gagnon"
    julie, noah = account["members"]
    assert julie["id"] != noah["id"]
    assert noah["birth_date"] == "2017-06-12" and noah["skills"] == ["swim level 1"]
    assert noah["gender"] == "male" and noah["account_id"] == account["id"]
    assert org.staff.ok("GET", org.path(f"/accounts/{account['id']}")) == account


def test_a_customer_reads_and_extends_their_own_account_only(org):
    mine = org.staff.ok("POST", org.path("/accounts"), json=household("moi@example.com"))
    other = org.staff.ok("POST", org.path("/accounts"), json=household())
    me = org.customer("Moi@Example.com")

    assert me.ok("GET", org.path(f"/accounts/{mine['id']}"))["id"] == mine["id"]
    added = me.post(org.path(f"/accounts/{mine['id']}/members"), json={
        "first_name": "Lou", "last_name": "Gagnon", "birth_date": "2021-02-14"})
    assert added.status_code == 201 and added.json()["gender"] == "unspecified"

    error_of(me.get(org.path(f"/accounts/{other['id']}")), 403, "forbidden")
    error_of(me.post(org.path(f"/accounts/{other['id']}/members"), json={
        "first_name": "X", "last_name": "Y", "birth_date": "2000-01-01"}), 403, "forbidden")


def test_a_customer_may_not_create_accounts_search_or_manage_staff(org):
    org.staff.ok("POST", org.path("/accounts"), json=household("c@example.com"))
    me = org.customer("c@example.com")
    error_of(me.post(org.path("/accounts"), json=household()), 403, "forbidden")
    error_of(me.get(org.path("/accounts"), params={"q": "gagnon"}), 403, "forbidden")
    error_of(me.get(org.path("/staff")), 403, "forbidden")
    error_of(me.post(org.path("/api-keys"), json={"role": "admin", "name": "me"}),
             403, "forbidden")


def test_a_customer_token_is_403_on_another_org(org, api, rpc):
    org.staff.ok("POST", org.path("/accounts"), json=household("d@example.com"))
    me = org.customer("d@example.com")
    elsewhere = Org(api, rpc)
    error_of(me.post(elsewhere.path("/accounts"), json=household()), 403, "forbidden")


def test_login_refuses_a_wrong_email_or_password_the_same_way(org, api):
    org.staff.ok("POST", org.path("/accounts"), json=household("e@example.com"))
    wrong_password = error_of(api.post("/auth/login", json={
        "org_id": org.id, "email": "e@example.com", "password": "not it at all"}),
        401, "unauthenticated")
    wrong_email = error_of(api.post("/auth/login", json={
        "org_id": org.id, "email": "f@example.com", "password": "correct horse battery"}),
        401, "unauthenticated")
    assert wrong_password == wrong_email
    error = error_of(api.post("/auth/login", json={"org_id": org.id}), 400, "validation_error")
    assert set(error["details"]) == {"email", "password"}


def test_a_malformed_account_is_400_with_field_details(org):
    body = household()
    del body["email"]
    body["members"][1]["birth_date"] = "2017-13-45"
    error = error_of(org.staff.post(org.path("/accounts"), json=body), 400, "validation_error")
    assert "email" in error["details"]
    assert "birth_date" in error["details"]["members"]["1"]

    error = error_of(org.staff.post(org.path("/accounts"), json=household(members=[])),
                     400, "validation_error")
    assert "members" in error["details"]

    future = household()
    future["members"][0]["birth_date"] = "2199-01-01"  # within the date bounds, in the future
    error = error_of(org.staff.post(org.path("/accounts"), json=future), 400,
                     "validation_error")
    assert error["details"]["members"]["0"]["birth_date"] == ["must not be in the future"]


def test_a_malformed_member_is_400(org):
    account = org.staff.ok("POST", org.path("/accounts"), json=household())
    error = error_of(org.staff.post(org.path(f"/accounts/{account['id']}/members"), json={
        "first_name": "", "last_name": "B", "birth_date": "tomorrow", "gender": "robot"}),
        400, "validation_error")
    assert set(error["details"]) == {"first_name", "birth_date", "gender"}


def test_an_email_is_registered_once_per_org(org):
    org.staff.ok("POST", org.path("/accounts"), json=household("twice@example.com"))
    error_of(org.staff.post(org.path("/accounts"), json=household("TWICE@example.com")),
             409, "email_already_registered")


def test_a_missing_account_is_404(org):
    error_of(org.staff.get(org.path("/accounts/acc_does_not_exist")), 404, "not_found")
    error_of(org.staff.post(org.path("/accounts/acc_does_not_exist/members"), json={
        "first_name": "A", "last_name": "B", "birth_date": "2000-01-01"}), 404, "not_found")


def test_another_orgs_account_is_404_for_staff(org, api, rpc):
    elsewhere = Org(api, rpc)
    theirs = elsewhere.staff.ok("POST", elsewhere.path("/accounts"), json=household())
    error_of(org.staff.get(org.path(f"/accounts/{theirs['id']}")), 404, "not_found")


def test_the_pos_search_finds_clients_and_pages(org):
    gagnon = org.staff.ok("POST", org.path("/accounts"), json=household())
    roy = org.staff.ok("POST", org.path("/accounts"), json=household(
        "roy@example.com", name="Famille Roy", members=[
            {"first_name": "Émile", "last_name": "Roy", "birth_date": "2014-08-08"}]))

    def search(**params):
        return org.staff.ok("GET", org.path("/accounts"), params=params)

    assert [a["id"] for a in search(q="emile")["items"]] == [roy["id"]]
    assert [a["id"] for a in search(q="ROY@")["items"]] == [roy["id"]]
    assert [a["id"] for a in search(q="gagnon")["items"]] == [gagnon["id"]]
    first = search(q="famille", limit=1)
    rest = search(q="famille", limit=1, cursor=first["next_cursor"])
    assert [a["id"] for a in first["items"] + rest["items"]] == [gagnon["id"], roy["id"]]
    assert rest["next_cursor"] is None
    error_of(org.staff.get(org.path("/accounts"), params={"limit": 0}), 400, "validation_error")
    error_of(org.staff.get(org.path("/accounts"), params={"cursor": "garbage!"}), 400,
             "validation_error")


def test_admins_create_staff_members_and_staff_read_them(org):
    created = org.admin.post(org.path("/staff"), json={"name": "Sophie"})
    assert created.status_code == 201
    sophie = created.json()
    assert sophie == {"id": sophie["id"], "name": "Sophie"}
    assert org.staff.ok("GET", org.path("/staff"))["items"] == [sophie]
    error_of(org.staff.post(org.path("/staff"), json={"name": "Me"}), 403, "forbidden")
    error_of(org.admin.post(org.path("/staff"), json={"name": " "}), 400, "validation_error")


def test_the_accounts_routes_are_documented(api):
    paths = api.get("/openapi.json").json()["paths"]
    create = paths["/api/v1/orgs/{org}/accounts"]["post"]
    assert "requestBody" in create and "201" in create["responses"]
    assert "q" in [p["name"] for p in paths["/api/v1/orgs/{org}/accounts"]["get"]["parameters"]]
    assert "/api/v1/orgs/{org}/accounts/{account_id}/members" in paths
    assert "/api/v1/orgs/{org}/staff" in paths
