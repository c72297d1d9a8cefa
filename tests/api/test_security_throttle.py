"""Sign-in throttling (issue 11, 8): failed attempts per account (e-mail, API key) and per
client address, counted in the gateway's database so that every gateway instance shares
them; past a limit, 429 ``too_many_requests`` in the error envelope with ``Retry-After``.

Two gateways of their own, with tight limits and a fresh database of their own, trust one
proxy hop so that each test signs in from addresses of its own (``X-Forwarded-For``); the
session's gateway keeps its defaults for every other test."""
import random
import threading
import uuid

import pytest

from tests.api.test_security_support import extra_gateways
from tests.support.client import error_of

PASSWORD = "correct horse battery"
PER_ACCOUNT, PER_ADDRESS, WINDOW = 3, 8, 900


@pytest.fixture(scope="module")
def gateways(stack, test_env, tmp_path_factory):
    logdir = tmp_path_factory.mktemp("throttle")
    if test_env.backend == "sqlite":
        url = f"sqlite:///{logdir}/gateway-throttle.db"
    else:
        url = test_env._database_url("gwthrottle")  # dropped with the session's databases
    env = {"GATEWAY_DATABASE_URL": url, "CARNET_TRUSTED_PROXY_HOPS": "1",
           "CARNET_LOGIN_MAX_FAILURES_PER_ACCOUNT": str(PER_ACCOUNT),
           "CARNET_LOGIN_MAX_FAILURES_PER_ADDRESS": str(PER_ADDRESS),
           "CARNET_LOGIN_WINDOW_SECONDS": str(WINDOW)}
    with extra_gateways(stack, logdir, count=2, env=env) as clients:
        yield clients


def an_address():
    return f"198.51.100.{random.randint(1, 254)}-{uuid.uuid4().hex[:6]}"


class Attempts:
    """Sign-in attempts from one client address, alternating between the two gateways."""

    def __init__(self, gateways, address=None):
        self.gateways, self.turn = gateways, 0
        self.headers = {"X-Forwarded-For": address or an_address()}

    def post(self, path, body):
        gateway = self.gateways[self.turn % len(self.gateways)]
        self.turn += 1
        return gateway.post(path, json=body, headers=self.headers)

    def login(self, org_id, email, password):
        return self.post("/auth/login", {"org_id": org_id, "email": email,
                                         "password": password})


@pytest.fixture(scope="module")
def shop(new_org):
    return new_org("Throttle")


def customer(api, org, with_id=False):
    email = f"client-{uuid.uuid4().hex[:8]}@example.org"
    account = api.ok("POST", org.path("/accounts"), json={
        "email": email, "name": "Famille Roy", "password": PASSWORD,
        "members": [{"first_name": "Marie", "last_name": "Roy", "birth_date": "1980-01-02"}]})
    return (email, account["id"]) if with_id else email


def assert_throttled(response, scope):
    error = error_of(response, 429, "too_many_requests")
    assert error["details"]["scope"] == scope
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= WINDOW
    assert error["details"]["retry_after"] == retry_after


def test_an_account_is_locked_after_its_failures_on_any_gateway(api, shop, gateways):
    email = customer(api, shop)
    me = Attempts(gateways)
    for _ in range(PER_ACCOUNT):
        error_of(me.login(shop.id, email, "wrong password"), 401, "unauthenticated")
    # on either gateway, and even with the right password: it is not even checked
    assert_throttled(me.login(shop.id, email, PASSWORD), "account")
    assert_throttled(me.login(shop.id, email.upper(), PASSWORD), "account")
    assert_throttled(Attempts(gateways).login(shop.id, email, PASSWORD), "account")
    # another account from the same address is not affected
    assert me.login(shop.id, customer(api, shop), PASSWORD).status_code == 200


def test_a_success_clears_the_accounts_failures(api, shop, gateways):
    email = customer(api, shop)
    me = Attempts(gateways)
    for _ in range(PER_ACCOUNT - 1):
        error_of(me.login(shop.id, email, "wrong password"), 401, "unauthenticated")
    assert me.login(shop.id, email, PASSWORD).status_code == 200
    for _ in range(PER_ACCOUNT):
        error_of(me.login(shop.id, email, "wrong password"), 401, "unauthenticated")
    assert_throttled(me.login(shop.id, email, PASSWORD), "account")


def test_an_address_is_limited_across_accounts_and_successes_do_not_count(api, shop,
                                                                          gateways):
    me, honest = Attempts(gateways), customer(api, shop)
    for _ in range(PER_ADDRESS - 1):  # one failure each for many e-mails
        error_of(me.login(shop.id, f"{uuid.uuid4().hex[:8]}@example.org", "guess"), 401,
                 "unauthenticated")
    for _ in range(3):
        assert me.login(shop.id, honest, PASSWORD).status_code == 200
    error_of(me.login(shop.id, "last@example.org", "guess"), 401, "unauthenticated")
    assert_throttled(me.login(shop.id, honest, PASSWORD), "address")
    assert_throttled(me.post("/auth/token", {"api_key": "ck_nothing"}), "address")
    # another address is not
    assert Attempts(gateways).login(shop.id, honest, PASSWORD).status_code == 200


def test_api_keys_are_throttled_per_key(api, shop, gateways):
    key = shop.admin.ok("POST", shop.path("/api-keys"), json={"role": "staff", "name": "Poste"})
    guessed = key["api_key"][:-6] + "AAAAAA"
    me = Attempts(gateways)
    for _ in range(PER_ACCOUNT):
        error_of(me.post("/auth/token", {"api_key": guessed}), 401, "unauthenticated")
    assert_throttled(me.post("/auth/token", {"api_key": key["api_key"]}), "account")
    assert_throttled(Attempts(gateways).post("/auth/token", {"api_key": key["api_key"]}),
                     "account")


def test_parallel_guesses_cannot_overshoot_the_limit(api, shop, gateways):
    """Attempts are counted before they are checked: of 12 guesses at once through both
    gateways, exactly PER_ACCOUNT are checked (401), the others refused (429)."""
    email = customer(api, shop)
    statuses, start = [], threading.Barrier(12)

    def guess(index):
        attempts = Attempts([gateways[index % 2]], address=an_address())
        start.wait()
        statuses.append(attempts.login(shop.id, email, f"guess {index}").status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * PER_ACCOUNT + [429] * (12 - PER_ACCOUNT)


def test_wrong_current_passwords_are_throttled_too(api, shop, gateways):
    email, account_id = customer(api, shop, with_id=True)
    me = Attempts(gateways)
    token = me.login(shop.id, email, PASSWORD).json()["token"]
    path = shop.path(f"/accounts/{account_id}/password")
    gateway = gateways[0].with_token(token)
    headers = me.headers
    for _ in range(PER_ACCOUNT):
        error_of(gateway.post(path, json={"current_password": "nope nope",
                                          "new_password": "whatever it is"},
                              headers=headers), 400, "validation_error")
    assert_throttled(gateway.post(path, json={"current_password": PASSWORD,
                                              "new_password": "whatever it is"},
                                  headers=headers), "account")


def test_the_sessions_gateway_keeps_its_defaults(api, shop):
    """Not throttled by what happened on the tight gateways (their own database)."""
    email = customer(api, shop)
    for _ in range(PER_ACCOUNT + 1):
        error_of(api.post("/auth/login", json={"org_id": shop.id, "email": email,
                                               "password": "wrong password"}), 401)
    assert api.post("/auth/login", json={"org_id": shop.id, "email": email,
                                         "password": PASSWORD}).status_code == 200
