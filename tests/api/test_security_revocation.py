"""API keys are listed and revoked (docs/http-api.md "Auth"), and a revoked key's tokens stop
working within seconds; a customer's sessions end when the password changes (issue 11, 3).
The gateway learns both through a per-process cache of a few seconds
(``CARNET_CREDENTIAL_CACHE_SECONDS``), hence the bounded polls."""
import uuid

import pytest

from tests.api.test_security_support import eventually
from tests.support.client import error_of

PASSWORD = "correct horse battery"


def token_for(api, key):
    return api.ok("POST", "/auth/token", json={"api_key": key})["token"]


def refused(client, path):
    return client.get(path).status_code == 401


@pytest.fixture
def org(new_org):
    return new_org()


def test_keys_are_listed_without_their_secret_and_paginated(api, org):
    created = [org.admin.ok("POST", org.path("/api-keys"),
                            json={"role": "staff", "name": f"Poste {i}"}) for i in range(3)]
    first = org.admin.ok("GET", org.path("/api-keys"), params={"limit": 2})
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = org.admin.ok("GET", org.path("/api-keys"),
                        params={"limit": 2, "cursor": first["next_cursor"]})
    items = first["items"] + rest["items"]
    assert rest["next_cursor"] is None
    assert [k["name"] for k in items] == ["bootstrap admin", "Poste 0", "Poste 1", "Poste 2"]
    listed = {k["id"]: k for k in items}
    for key in created:
        entry = listed[key["id"]]
        assert set(entry) == {"id", "name", "role", "prefix", "created_at", "revoked_at"}
        assert entry["role"] == "staff" and entry["revoked_at"] is None
        assert key["api_key"].startswith(entry["prefix"] + "_")
        secret = key["api_key"][len(entry["prefix"]) + 1:]
        assert secret not in str(first) + str(rest)


def test_only_admins_list_and_revoke_keys(api, org):
    key = org.admin.ok("POST", org.path("/api-keys"), json={"role": "staff", "name": "Julie"})
    staff = api.with_token(token_for(api, key["api_key"]))
    error_of(staff.get(org.path("/api-keys")), 403, "forbidden")
    error_of(staff.delete(org.path(f"/api-keys/{key['id']}")), 403, "forbidden")
    error_of(org.admin.delete(org.path("/api-keys/key_000000000000000000000000")), 404,
             "not_found")


def test_a_revoked_keys_tokens_stop_within_seconds(api, org):
    key = org.admin.ok("POST", org.path("/api-keys"), json={"role": "staff", "name": "Luc"})
    staff = api.with_token(token_for(api, key["api_key"]))
    assert staff.get(org.path("/staff")).status_code == 200

    response = org.admin.delete(org.path(f"/api-keys/{key['id']}"))
    assert response.status_code == 204 and not response.content
    assert org.admin.delete(org.path(f"/api-keys/{key['id']}")).status_code == 204  # again

    eventually(lambda: refused(staff, org.path("/staff")), timeout=30)
    error_of(staff.get(org.path("/staff")), 401, "unauthenticated")
    error_of(api.post("/auth/token", json={"api_key": key["api_key"]}), 401, "unauthenticated")
    (entry,) = [k for k in org.admin.ok("GET", org.path("/api-keys"))["items"]
                if k["id"] == key["id"]]
    assert entry["revoked_at"] is not None


def test_an_admin_may_revoke_the_key_in_use_but_not_the_last_admin_key(api, org):
    bootstrap_id = org.admin.ok("GET", org.path("/api-keys"))["items"][0]["id"]
    error = error_of(org.admin.delete(org.path(f"/api-keys/{bootstrap_id}")), 409,
                     "last_admin_key")
    assert error["details"]["key_id"] == bootstrap_id
    # rotation: a second admin key, then the first one revoked with its own token
    second = org.admin.ok("POST", org.path("/api-keys"), json={"role": "admin",
                                                               "name": "Relève"})
    assert org.admin.delete(org.path(f"/api-keys/{bootstrap_id}")).status_code == 204
    eventually(lambda: refused(org.admin, org.path("/staff")), timeout=30)
    successor = api.with_token(token_for(api, second["api_key"]))
    error_of(successor.delete(org.path(f"/api-keys/{second['id']}")), 409, "last_admin_key")
    assert successor.get(org.path("/staff")).status_code == 200


def customer_of(api, org):
    email = f"client-{uuid.uuid4().hex[:8]}@example.org"
    account = api.ok("POST", org.path("/accounts"), json={
        "email": email, "name": "Famille Roy", "password": PASSWORD,
        "members": [{"first_name": "Marie", "last_name": "Roy", "birth_date": "1980-01-02"}]})
    return account, email


def login(api, org, email, password):
    return api.post("/auth/login", json={"org_id": org.id, "email": email,
                                         "password": password})


def test_a_password_change_ends_the_older_sessions(api, org):
    account, email = customer_of(api, org)
    mine = org.path(f"/accounts/{account['id']}")
    old = api.with_token(login(api, org, email, PASSWORD).json()["token"])
    other_session = api.with_token(login(api, org, email, PASSWORD).json()["token"])
    assert old.get(mine).status_code == 200 and other_session.get(mine).status_code == 200

    wrong = old.post(mine + "/password", json={"current_password": "not it at all",
                                              "new_password": "a new long passphrase"})
    assert "current_password" in error_of(wrong, 400, "validation_error")["details"]
    missing = old.post(mine + "/password", json={"new_password": "a new long passphrase"})
    assert "current_password" in error_of(missing, 400, "validation_error")["details"]
    assert old.get(mine).status_code == 200  # refusals change nothing

    changed = old.post(mine + "/password", json={"current_password": PASSWORD,
                                                "new_password": "a new long passphrase"})
    assert changed.status_code == 204, changed.text

    new = api.with_token(login(api, org, email, "a new long passphrase").json()["token"])
    assert new.get(mine).status_code == 200  # at once, whatever the gateway had cached
    error_of(login(api, org, email, PASSWORD), 401, "unauthenticated")
    eventually(lambda: refused(old, mine) and refused(other_session, mine), timeout=30)
    error_of(old.get(mine), 401, "unauthenticated")
    assert new.get(mine).status_code == 200


def test_staff_set_a_password_without_the_current_one(api, org):
    account, email = customer_of(api, org)
    mine = org.path(f"/accounts/{account['id']}")
    session = api.with_token(login(api, org, email, PASSWORD).json()["token"])
    assert session.get(mine).status_code == 200
    assert org.admin.post(mine + "/password",
                          json={"new_password": "set at the counter"}).status_code == 204
    eventually(lambda: refused(session, mine), timeout=30)
    assert login(api, org, email, "set at the counter").status_code == 200


def test_a_customer_cannot_change_another_accounts_password(api, org):
    _, email = customer_of(api, org)
    other, _ = customer_of(api, org)
    me = api.with_token(login(api, org, email, PASSWORD).json()["token"])
    error_of(me.post(org.path(f"/accounts/{other['id']}/password"),
                     json={"current_password": PASSWORD, "new_password": "x" * 12}),
             403, "forbidden")
