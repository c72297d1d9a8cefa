"""Anonymous self sign-up (docs/http-api.md "Accounts": POST /orgs/{org}/accounts is open to the
public): only into an org that exists, with a password, then login as a customer."""
from tests.api.test_accounts_http import household
from tests.support.client import error_of


def test_anonymous_sign_up_then_login_to_an_existing_org(new_org, api):
    org = new_org()
    body = household("self@example.com")
    response = api.post(f"/orgs/{org.id}/accounts", json=body)
    assert response.status_code == 201, response.text
    account = response.json()
    token = api.ok("POST", "/auth/login", json={
        "org_id": org.id, "email": "self@example.com", "password": body["password"]})["token"]
    me = api.with_token(token)
    assert me.ok("GET", f"/orgs/{org.id}/accounts/{account['id']}")["email"] == \
        "self@example.com"
    other = org.admin.ok("POST", f"/orgs/{org.id}/accounts", json=household())
    error_of(me.get(f"/orgs/{org.id}/accounts/{other['id']}"), 403, "forbidden")


def test_anonymous_sign_up_needs_a_password(new_org, api):
    org = new_org()
    error = error_of(api.post(f"/orgs/{org.id}/accounts", json=household(password=None)),
                     400, "validation_error")
    assert "password" in error["details"]


def test_anonymous_sign_up_to_an_unknown_org_is_404(api):
    error_of(api.post("/orgs/org_does_not_exist/accounts", json=household()), 404,
             "not_found")
