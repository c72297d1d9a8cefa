"""POST /auth/token and the bearer-token conventions of docs/http-api.md (401, 403 across orgs).

Keys are made with the accounts RPC for an arbitrary org id: nothing here needs the org
to exist in the catalog."""
import time
import uuid

import jwt
import pytest

from tests.support.client import error_of


def org_id():
    return f"org_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def admin_key(rpc):
    org = org_id()
    key = rpc.call("accounts", "create_api_key", org, {"role": "admin", "name": "owner"})
    return org, key["api_key"]


def test_an_api_key_is_exchanged_for_a_token_that_opens_the_org(api, admin_key):
    org, key = admin_key
    response = api.post("/auth/token", json={"api_key": key})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"token", "expires_at"}
    admin = api.with_token(body["token"])
    assert admin.get(f"/orgs/{org}/staff").status_code == 200


def test_a_wrong_api_key_is_401(api, admin_key):
    _, key = admin_key
    error_of(api.post("/auth/token", json={"api_key": key[:-2] + "xx"}), 401, "unauthenticated")
    error_of(api.post("/auth/token", json={"api_key": "ck_nothing"}), 401, "unauthenticated")


def test_a_token_request_without_a_key_is_400_with_the_field(api):
    error = error_of(api.post("/auth/token", json={}), 400, "validation_error")
    assert "api_key" in error["details"]


def test_no_token_is_401(api, admin_key):
    org, _ = admin_key
    error_of(api.get(f"/orgs/{org}/staff"), 401, "unauthenticated")


def test_a_garbage_token_is_401(api, admin_key):
    org, _ = admin_key
    error_of(api.with_token("not.a.jwt").get(f"/orgs/{org}/staff"), 401, "unauthenticated")


def test_a_token_signed_with_another_secret_is_401(api, admin_key):
    org, _ = admin_key
    forged = jwt.encode({"sub": "key_x", "org": org, "role": "admin",
                         "exp": int(time.time()) + 600}, "someone-elses-secret-of-32-bytes!",
                        algorithm="HS256")
    error_of(api.with_token(forged).get(f"/orgs/{org}/staff"), 401, "unauthenticated")


def test_an_expired_token_is_401(api, admin_key, test_env):
    org, _ = admin_key
    # What a token issued two hours ago with a one-hour lifetime looks like.
    issued = int(time.time()) - 7200
    expired = jwt.encode({"sub": "key_x", "org": org, "role": "admin", "iat": issued,
                          "exp": issued + 3600}, test_env.env["CARNET_JWT_SECRET"],
                         algorithm="HS256")
    error = error_of(api.with_token(expired).get(f"/orgs/{org}/staff"), 401, "unauthenticated")
    assert "expired" in error["message"]


def test_a_token_of_one_org_is_403_on_another_orgs_paths(api, admin_key, rpc):
    _, key = admin_key
    other = org_id()
    rpc.call("accounts", "create_api_key", other, {"role": "admin", "name": "other"})
    token = api.ok("POST", "/auth/token", json={"api_key": key})["token"]
    client = api.with_token(token)
    error_of(client.get(f"/orgs/{other}/staff"), 403, "forbidden")
    error_of(client.post(f"/orgs/{other}/api-keys", json={"role": "staff", "name": "x"}),
             403, "forbidden")
    error_of(client.get(f"/orgs/{other}/accounts", params={"q": "a"}), 403, "forbidden")


def test_an_admin_creates_a_staff_key_that_works_but_cannot_create_keys(api, admin_key):
    org, key = admin_key
    admin = api.with_token(api.ok("POST", "/auth/token", json={"api_key": key})["token"])
    created = admin.post(f"/orgs/{org}/api-keys", json={"role": "staff", "name": "Julie"})
    assert created.status_code == 201
    body = created.json()
    assert body["id"] and body["api_key"] and body["role"] == "staff"

    staff = api.with_token(api.ok("POST", "/auth/token",
                                  json={"api_key": body["api_key"]})["token"])
    assert staff.get(f"/orgs/{org}/staff").status_code == 200
    error_of(staff.post(f"/orgs/{org}/api-keys", json={"role": "admin", "name": "me"}),
             403, "forbidden")


def test_an_api_key_request_with_a_bad_role_is_400(api, admin_key):
    org, key = admin_key
    admin = api.with_token(api.ok("POST", "/auth/token", json={"api_key": key})["token"])
    error = error_of(admin.post(f"/orgs/{org}/api-keys", json={"role": "owner", "name": "x"}),
                     400, "validation_error")
    assert "role" in error["details"]


def test_the_auth_routes_are_documented_as_public(api):
    spec = api.get("/openapi.json").json()
    for path in ("/api/v1/auth/token", "/api/v1/auth/login"):
        operation = spec["paths"][path]["post"]
        assert operation["security"] == []
        assert "200" in operation["responses"]
