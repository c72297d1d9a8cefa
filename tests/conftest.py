"""Fixtures for the three levels of tests.

- ``tests/domain``: plain Python, no fixtures needed from here.
- ``tests/services``: each service's entrypoints through the real broker (``rpc``).
- ``tests/api``: the gateway over HTTP with every service running (``api``, ``admin``).

One broker vhost, one set of databases and one running stack per session; each test that
writes creates its own org (``new_org``), so tests do not see each other's data.
"""
import contextlib
import io
import json
import os
import threading

import pytest

from tests.support.client import Client
from tests.support.environment import TestEnvironment
from tests.support.stack import Stack

BACKEND = os.environ.get("CARNET_TEST_DB", "sqlite")


def pytest_report_header(config):
    return f"carnet: database backend = {BACKEND}"


# What does not depend on the database runs once per `make test`, on the SQLite pass: the
# rules (tests/domain), the import and documentation checks, the manifests, and the fault
# tests of the broker and of the dev runner (the PostgreSQL pass has its own: the database
# restart and the broker cluster). CARNET_ONCE_TESTS_ON_ALL_DBS=1 runs them on both.
ONCE = ("domain", "architecture", "deploy", "faults/test_broker_restart.py",
        "faults/test_runner.py")


def pytest_collection_modifyitems(config, items):
    if BACKEND == "sqlite" or os.environ.get("CARNET_ONCE_TESTS_ON_ALL_DBS") == "1":
        return
    here = os.path.dirname(os.path.abspath(__file__))
    once = tuple(os.path.join(here, part) for part in ONCE)
    skip = pytest.mark.skip(reason="independent of the database: runs on the SQLite pass")
    for item in items:
        if str(item.fspath).startswith(once):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def backend():
    return BACKEND


@pytest.fixture(scope="session")
def test_env(tmp_path_factory):
    environment = TestEnvironment(BACKEND, tmp_path_factory.mktemp("carnet"))
    env = environment.setup()
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # in-process helpers (RPC pools, the CLI) use the same broker
    yield environment
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    environment.teardown()


@pytest.fixture(scope="session")
def stack(test_env):
    running = Stack(test_env.env, test_env.workdir / "logs")
    try:
        running.start_all()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def rpc(stack):
    """The session's RPC client. Every service's contract errors are imported, so that a
    refusal comes back as its contract type (``SeatSoldOut``, not a ``RemoteError``) whichever
    test files ran before, as the gateway does (``gateway/errors.py``)."""
    import services.accounts.contract.errors  # noqa: F401
    import services.billing.contract.errors  # noqa: F401
    import services.catalog.contract.errors  # noqa: F401
    import services.notifications.contract.errors  # noqa: F401
    import services.passes.contract.errors  # noqa: F401
    import services.registration.contract.errors  # noqa: F401
    return stack.rpc


@pytest.fixture(scope="session")
def api(stack):
    """An anonymous HTTP client of the gateway."""
    return Client(stack.url)


_environ_lock = threading.Lock()


def bootstrap_org(env, name="Centre Test", timezone="America/Montreal", currency="CAD"):
    """``carnet bootstrap``: the command's own entry point (``carnet.cli.main``: arguments,
    broker check, the two RPCs, the JSON it prints) run in this process with ``env``,
    rather than a new interpreter per org (about a second each, a few hundred times a
    pass). tests/browser/test_shop_money.py still runs it as its own process, as an
    operator does."""
    from carnet import cli
    argv = ["bootstrap", "--org", name, "--timezone", timezone, "--currency", currency,
            "--json"]
    out, err = io.StringIO(), io.StringIO()
    with _environ_lock:
        saved = {key: os.environ.get(key) for key in env}
        os.environ.update(env)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = cli.main(argv)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    assert code == 0, err.getvalue()
    return json.loads(out.getvalue())


@pytest.fixture(scope="session")
def new_org(stack, test_env, api):
    """Factory: a fresh org and an admin client for it (``org.id``, ``org.admin``)."""

    class Org:
        def __init__(self, org_id, api_key):
            self.id = org_id
            self.api_key = api_key
            token = api.ok("POST", "/auth/token", json={"api_key": api_key})["token"]
            self.admin = api.with_token(token)

        def path(self, suffix=""):
            return f"/orgs/{self.id}{suffix}"

        def client(self, role="staff", name="desk"):
            """A client signed in with a new API key of ``role`` for this org."""
            key = self.admin.ok("POST", self.path("/api-keys"), json={"role": role, "name": name})
            return api.with_token(
                api.ok("POST", "/auth/token", json={"api_key": key["api_key"]})["token"])

    def make(name="Centre Test", timezone="America/Montreal", currency="CAD"):
        created = bootstrap_org(test_env.env, name, timezone, currency)
        return Org(created["org_id"], created["api_key"])

    return make
