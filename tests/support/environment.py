"""Isolated broker and databases for one test session.

Each session gets its own RabbitMQ virtual host (so parallel runs never consume each
other's messages) and its own databases: SQLite files in a temporary folder, or fresh
PostgreSQL databases ``ct_<id>_<service>``, dropped at the end.
"""
import os
import shutil
import subprocess
import uuid
from urllib.parse import quote

from services.common.config import QUIET_WARNINGS, SERVICES

PG_URL = os.environ.get("CARNET_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_BASE = os.environ.get("CARNET_TEST_AMQP_BASE", "amqp://guest:guest@127.0.0.1:5672")


def postgres_reachable():
    try:
        import psycopg2
        psycopg2.connect(PG_URL, connect_timeout=3).close()
        return True
    except Exception:
        return False


def _rabbitmqctl(*args):
    return subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=60)


class TestEnvironment:
    __test__ = False  # not a test class (pytest collects names starting with Test)

    def __init__(self, backend, workdir):
        self.backend = backend
        self.workdir = workdir
        self.run_id = uuid.uuid4().hex[:8]
        self.vhost = None
        self.databases = []
        self.env = {}

    # -- broker -------------------------------------------------------------------------
    def _make_vhost(self):
        override = os.environ.get("CARNET_TEST_AMQP_URI")
        if override:
            return override
        if shutil.which("rabbitmqctl") is None:
            raise RuntimeError("rabbitmqctl not found: set CARNET_TEST_AMQP_URI to a broker "
                               "virtual host reserved for the tests")
        vhost = f"carnet-test-{self.run_id}"
        result = _rabbitmqctl("add_vhost", vhost)
        if result.returncode != 0:
            raise RuntimeError(f"could not create a RabbitMQ vhost: {result.stderr}")
        _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        self.vhost = vhost
        return f"{AMQP_BASE}/{quote(vhost, safe='')}"

    # -- databases -----------------------------------------------------------------------
    def _database_url(self, name):
        if self.backend == "sqlite":
            return f"sqlite:///{self.workdir}/{name}.db"
        import psycopg2
        dbname = f"ct_{self.run_id}_{name}"
        conn = psycopg2.connect(PG_URL)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{dbname}"')
        conn.close()
        self.databases.append(dbname)
        return PG_URL.rsplit("/", 1)[0] + "/" + dbname

    def setup(self):
        self.env = {
            "AMQP_URI": self._make_vhost(),
            "CARNET_VAR_DIR": str(self.workdir),
            "CARNET_JWT_SECRET": "test-secret-" + uuid.uuid4().hex + uuid.uuid4().hex,
            "CARNET_OUTBOX_RELAY_INTERVAL": "1",
            "CARNET_TEST_CLOCKS": "1",  # PUT /orgs/{org}/test-clock (billing's test clock)
            # every test signs in from 127.0.0.1: keep the per-address sign-in throttle out
            # of their way (tests/api/test_security_throttle.py proves it with tight limits)
            "CARNET_LOGIN_MAX_FAILURES_PER_ADDRESS": "100000",
            # every service runs here at once, some twice: stay well inside PostgreSQL's
            # default max_connections (100)
            "CARNET_DB_POOL_SIZE": "3",
            "CARNET_DB_MAX_OVERFLOW": "5",
            "PYTHONWARNINGS": QUIET_WARNINGS,
        }
        for name in (*SERVICES, "gateway"):
            self.env[f"{name.upper()}_DATABASE_URL"] = self._database_url(name)
        return self.env

    def teardown(self):
        if self.vhost:
            _rabbitmqctl("delete_vhost", self.vhost)
        if self.databases:
            import psycopg2
            conn = psycopg2.connect(PG_URL)
            conn.autocommit = True
            with conn.cursor() as cur:
                for dbname in self.databases:
                    cur.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            conn.close()
