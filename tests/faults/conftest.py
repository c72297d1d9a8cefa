"""A stack of the test's own for the fault tests: its own RabbitMQ (and, for the
PostgreSQL case, its own PostgreSQL) on other ports, so that stopping them harms nobody
else on the machine. The databases are the session's backend (SQLite files, or fresh
databases on the shared PostgreSQL) unless the test brings its own PostgreSQL."""
import json
import os
from dataclasses import dataclass

import pytest

from services.common.config import SERVICES
from tests.conftest import bootstrap_org
from tests.support.client import Client
from tests.support.environment import TestEnvironment
from tests.support.own_servers import (OwnPostgres, OwnRabbit, own_postgres_available,
                                       own_servers_available)
from tests.support.stack import Stack

RPC_TIMEOUT = 8  # seconds, the gateway's and the services' (CARNET_RPC_TIMEOUT)
RECOVERY_SECONDS = 20  # a pass booking held this long was interrupted: settled by a timer


class FaultEnvironment(TestEnvironment):
    """The usual test environment, on a given broker and, optionally, an own PostgreSQL."""

    def __init__(self, backend, workdir, amqp_uri=None, pg=None):
        super().__init__(backend, workdir)
        self.amqp_uri, self.pg = amqp_uri, pg

    def _make_vhost(self):
        return self.amqp_uri or super()._make_vhost()

    def _database_url(self, name):
        if self.pg is None:
            return super()._database_url(name)
        import psycopg2
        conn = psycopg2.connect(self.pg.url())
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "carnet_{name}"')
        conn.close()
        return self.pg.url(f"carnet_{name}")

    def setup(self):
        env = super().setup()
        env["CARNET_RPC_TIMEOUT"] = str(RPC_TIMEOUT)
        env["CARNET_LOG_LEVEL"] = "WARNING"
        env["CARNET_PASS_BOOKING_RECOVERY_SECONDS"] = str(RECOVERY_SECONDS)
        return env


@dataclass
class FaultStack:
    stack: Stack
    env: dict
    broker: OwnRabbit = None
    pg: OwnPostgres = None

    @property
    def urls(self):
        return {name: self.env[f"{name.upper()}_DATABASE_URL"] for name in SERVICES}

    def new_org(self):
        created = bootstrap_org(self.env)
        api = Client(self.stack.url)
        token = api.ok("POST", "/auth/token", json={"api_key": created["api_key"]})["token"]

        class Org:
            id = created["org_id"]
            admin = api.with_token(token)

            def path(self, suffix=""):
                return f"/orgs/{self.id}{suffix}"
        return Org(), api

    def processes(self):
        procs = [p for group in self.stack.procs.values() for p in group]
        return procs + [self.stack.gateway]


def _start(environment, tmp_path, broker=None, pg=None):
    env = environment.setup()
    stack = Stack(env, tmp_path / "logs")
    try:
        stack.start_all()
    except Exception:
        stack.stop()
        environment.teardown()
        raise
    return FaultStack(stack, env, broker, pg)


@pytest.fixture
def broker_stack(tmp_path, backend):
    """Every service and the gateway on a RabbitMQ of this test's own."""
    why = own_servers_available()
    if why:
        pytest.skip(why)
    broker = OwnRabbit(tmp_path / "rabbit")
    try:
        broker.start()
    except Exception:
        broker.close()
        raise
    environment = FaultEnvironment(backend, tmp_path, amqp_uri=broker.amqp_uri)
    try:
        running = _start(environment, tmp_path, broker=broker)
        try:
            yield running
        finally:
            running.stack.stop()
            environment.teardown()
    finally:
        broker.close()


@pytest.fixture
def postgres_stack(tmp_path, backend):
    """Every service and the gateway on a PostgreSQL of this test's own (the broker is the
    session's usual one: a vhost of the shared RabbitMQ, which is not restarted)."""
    if backend != "postgresql":
        pytest.skip("the PostgreSQL restart runs on the PostgreSQL stack")
    why = own_postgres_available()
    if why:
        pytest.skip(why)
    pg = OwnPostgres()
    try:
        pg.start()
    except Exception:
        pg.close()
        raise
    environment = FaultEnvironment(backend, tmp_path, pg=pg)
    environment.databases = []  # dropped with the cluster, not on the shared PostgreSQL
    try:
        running = _start(environment, tmp_path, pg=pg)
        try:
            yield running
        finally:
            running.stack.stop()
            environment.teardown()
    finally:
        pg.close()


def report(name, figures):
    """The figures of a fault test: printed (``pytest -s``) and kept in
    ``$CARNET_FAULT_REPORT`` (one JSON line per test) when set."""
    line = json.dumps({"test": name, **figures}, sort_keys=True, default=str)
    print("\nFAULT FIGURES", line)
    target = os.environ.get("CARNET_FAULT_REPORT")
    if target:
        with open(target, "a") as handle:
            handle.write(line + "\n")
