"""accounts: API keys and tokens through the real broker (docs/contracts.md)."""
import uuid

import jwt
import pytest

from services.accounts.contract.errors import InvalidApiKey
from services.common.errors import InvalidInput


def org_id():
    return f"org_{uuid.uuid4().hex[:12]}"


def claims(token, test_env):
    return jwt.decode(token, test_env.env["CARNET_JWT_SECRET"], algorithms=["HS256"])


def test_an_admin_key_is_shown_once_and_gives_an_admin_token(rpc, test_env):
    org = org_id()
    created = rpc.call("accounts", "create_api_key", org, {"role": "admin", "name": "Front desk"})
    assert created["role"] == "admin" and created["name"] == "Front desk"
    assert created["id"].startswith("key_") and created["api_key"].startswith("ck_")

    issued = rpc.call("accounts", "token_for_api_key", created["api_key"])
    token = claims(issued["token"], test_env)
    assert token["sub"] == created["id"]
    assert token["org"] == org
    assert token["role"] == "admin"
    assert "account" not in token
    assert token["exp"] > token["iat"]
    assert issued["expires_at"].startswith("20")


def test_a_staff_key_gives_a_staff_token(rpc, test_env):
    org = org_id()
    created = rpc.call("accounts", "create_api_key", org, {"role": "staff", "name": "Julie"})
    token = claims(rpc.call("accounts", "token_for_api_key", created["api_key"])["token"],
                   test_env)
    assert (token["role"], token["org"]) == ("staff", org)


@pytest.mark.parametrize("mangle", [
    lambda key: key[:-1] + ("A" if key[-1] != "A" else "B"),  # wrong secret
    lambda key: "ck_" + "0" * 24 + "_" + key.split("_", 2)[2],  # unknown key id
    lambda key: "not a key",
    lambda key: "",
])
def test_a_wrong_key_is_refused_as_unauthenticated(rpc, mangle):
    created = rpc.call("accounts", "create_api_key", org_id(), {"role": "admin", "name": "x"})
    with pytest.raises(InvalidApiKey) as refused:
        rpc.call("accounts", "token_for_api_key", mangle(created["api_key"]))
    assert refused.value.code == "unauthenticated"


def test_an_unknown_role_or_missing_name_is_invalid_input(rpc):
    with pytest.raises(InvalidInput) as refused:
        rpc.call("accounts", "create_api_key", org_id(), {"role": "customer"})
    assert set(refused.value.details) == {"role", "name"}
