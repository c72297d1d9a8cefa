"""accounts domain: API key format and verification, token claims."""
from datetime import datetime, timezone

import jwt

from services.accounts.contract import tokens
from services.accounts.domain import api_keys

SECRET = "a-test-secret-that-is-long-enough-for-hs256"


def test_a_key_carries_its_id_and_a_secret_stored_only_as_a_hash():
    new = api_keys.generate()
    assert new.api_key.startswith("ck_")
    key_id, secret = api_keys.parse(new.api_key)
    assert key_id == new.id
    assert secret not in new.secret_hash and new.api_key not in new.secret_hash
    assert len(secret) >= 40  # 32 random bytes, url-safe
    assert api_keys.verify(secret, new.secret_hash)


def test_two_keys_never_share_id_or_secret():
    a, b = api_keys.generate(), api_keys.generate()
    assert a.id != b.id and a.api_key != b.api_key and a.secret_hash != b.secret_hash


def test_another_keys_secret_does_not_verify():
    a, b = api_keys.generate(), api_keys.generate()
    _, secret_b = api_keys.parse(b.api_key)
    assert not api_keys.verify(secret_b, a.secret_hash)


def test_malformed_keys_do_not_parse():
    for bad in (None, 42, "", "ck_", "ck_abc_def", "xx_" + "0" * 24 + "_" + "s" * 43,
                "ck_" + "Z" * 24 + "_" + "s" * 43, "ck_" + "0" * 24 + "_short"):
        assert api_keys.parse(bad) is None, bad


def test_a_secret_may_contain_underscores():
    key = "ck_" + "a" * 24 + "_" + "x_y-z" * 9
    assert api_keys.parse(key) == ("key_" + "a" * 24, "x_y-z" * 9)


def test_a_staff_token_has_the_claims_the_gateway_verifies():
    now = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)
    issued = tokens.issue(SECRET, subject="key_1", org_id="org_1", role="staff", now=now,
                          ttl_seconds=3600)
    claims = jwt.decode(issued["token"], SECRET, algorithms=["HS256"],
                        options={"verify_exp": False})
    assert claims == {"sub": "key_1", "org": "org_1", "role": "staff", "cv": 0,
                      "iat": int(datetime(2026, 3, 1, 12, tzinfo=timezone.utc).timestamp()),
                      "exp": int(datetime(2026, 3, 1, 13, tzinfo=timezone.utc).timestamp())}
    assert issued["expires_at"] == "2026-03-01T13:00:00+00:00"
    assert jwt.get_unverified_header(issued["token"])["alg"] == "HS256"


def test_a_customer_token_carries_the_account():
    issued = tokens.issue(SECRET, subject="acc_1", org_id="org_1", role="customer",
                          account_id="acc_1", now=datetime.now(timezone.utc), ttl_seconds=60)
    claims = jwt.decode(issued["token"], SECRET, algorithms=["HS256"])
    assert claims["account"] == "acc_1" and claims["role"] == "customer"


def test_expires_at_is_utc_whatever_the_zone_of_now():
    from zoneinfo import ZoneInfo
    now = datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("America/Montreal"))
    issued = tokens.issue(SECRET, subject="s", org_id="o", role="admin", now=now,
                          ttl_seconds=60)
    assert issued["expires_at"] == "2026-07-01T13:01:00+00:00"


def _forge(**claims):
    return jwt.encode(claims, SECRET, algorithm="HS256")


def test_verification_refuses_what_this_deployment_would_not_issue():
    import pytest
    now = datetime.now(timezone.utc)
    t = int(now.timestamp())
    base = {"sub": "key_1", "org": "org_1", "role": "admin", "cv": 0}
    good = tokens.issue(SECRET, subject="key_1", org_id="org_1", role="admin", now=now,
                        ttl_seconds=3600)["token"]
    assert tokens.verify(SECRET, good, now=now, ttl_seconds=3600, leeway_seconds=30)["sub"] \
        == "key_1"
    refused = {
        "a century": _forge(**base, iat=t, exp=t + 100 * 365 * 86400),
        "longer than the TTL": _forge(**base, iat=t - 10, exp=t + 3600),
        "no iat": _forge(**base, exp=t + 60),
        "no exp": _forge(**base, iat=t),
        "no cv": _forge(sub="key_1", org="org_1", role="admin", iat=t, exp=t + 60),
        "issued in the future": _forge(**base, iat=t + 600, exp=t + 1200),
        "unknown role": _forge(**dict(base, role="root"), iat=t, exp=t + 60),
        "customer without its account": _forge(**dict(base, role="customer"), iat=t,
                                               exp=t + 60),
        "another secret": jwt.encode(dict(base, iat=t, exp=t + 60), "x" * 40,
                                     algorithm="HS256"),
    }
    for why, token in refused.items():
        with pytest.raises(tokens.TokenRejected):
            tokens.verify(SECRET, token, now=now, ttl_seconds=3600, leeway_seconds=30)
            raise AssertionError(why)
