"""Isolated broker and databases for one test session (``carnet/stack.py``'s
IsolatedEnvironment) with the settings the tests run under.

Each session gets its own RabbitMQ virtual host (so parallel runs never consume each
other's messages) and its own databases: SQLite files in a temporary folder, or fresh
PostgreSQL databases ``ct_<id>_<service>``, dropped at the end.
"""
from carnet.stack import AMQP_BASE, PG_URL, IsolatedEnvironment, postgres_reachable

__all__ = ["AMQP_BASE", "PG_URL", "TestEnvironment", "postgres_reachable"]

TEST_SETTINGS = {
    "CARNET_OUTBOX_RELAY_INTERVAL": "1",
    "CARNET_CHECK_EVENT_PAYLOADS": "1",  # every event emitted matches its contract/events.py
    "CARNET_TEST_CLOCKS": "1",  # PUT /orgs/{org}/test-clock (billing's test clock)
    # every test signs in from 127.0.0.1: keep the per-address sign-in throttle out
    # of their way (tests/api/test_security_throttle.py proves it with tight limits)
    "CARNET_LOGIN_MAX_FAILURES_PER_ADDRESS": "100000",
    # every service runs here at once, some twice: stay well inside PostgreSQL's
    # default max_connections (100)
    "CARNET_DB_POOL_SIZE": "3",
    "CARNET_DB_MAX_OVERFLOW": "5",
}


class TestEnvironment(IsolatedEnvironment):
    __test__ = False  # not a test class (pytest collects names starting with Test)

    def setup(self):
        env = super().setup()
        env.update(TEST_SETTINGS)
        return env
