import uuid

import pytest
from sqlalchemy import event

from services.common import db
from gateway.idempotency_store import (IdempotencyKeyInProgress, IdempotencyKeyReused,
                                      IdempotencyStore, fingerprint)


@pytest.fixture
def store(test_env):
    from pathlib import Path
    engine = db.make_engine(test_env.env["GATEWAY_DATABASE_URL"], pool_size=2)
    db.migrate(engine, Path("gateway/migrations"), "gateway")
    yield IdempotencyStore(engine)
    engine.dispose()


def test_same_key_same_request_replays_the_first_answer(store):
    key, fp = uuid.uuid4().hex, fingerprint("POST", "/x", {"a": 1})
    assert store.begin("org:me", key, fp) is None
    store.complete("org:me", key, 201, {"id": "inv_1"})
    assert store.begin("org:me", key, fp) == (201, {"id": "inv_1"})


def test_same_key_other_body_is_refused(store):
    key = uuid.uuid4().hex
    assert store.begin("org:me", key, fingerprint("POST", "/x", {"a": 1})) is None
    store.complete("org:me", key, 201, {})
    with pytest.raises(IdempotencyKeyReused):
        store.begin("org:me", key, fingerprint("POST", "/x", {"a": 2}))


def test_a_retry_during_the_first_request_is_told_to_wait(store):
    key, fp = uuid.uuid4().hex, fingerprint("POST", "/x", None)
    assert store.begin("org:me", key, fp) is None
    with pytest.raises(IdempotencyKeyInProgress):
        store.begin("org:me", key, fp)


def test_an_abandoned_request_can_be_retried(store):
    key, fp = uuid.uuid4().hex, fingerprint("POST", "/x", None)
    assert store.begin("org:me", key, fp) is None
    store.abandon("org:me", key)
    assert store.begin("org:me", key, fp) is None


def test_keys_are_scoped(store):
    key, fp = uuid.uuid4().hex, fingerprint("POST", "/x", None)
    assert store.begin("org-a:me", key, fp) is None
    assert store.begin("org-b:me", key, fp) is None


def test_on_postgresql_no_transaction_is_opened_around_the_store_s_statements(store):
    """Issue 14: each write stands alone, so PostgreSQL is sent the statement only, not
    BEGIN and COMMIT around it (psycopg2 in autocommit sends neither)."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps its short write transactions")
    sent = []

    def record(conn, _cursor, statement, _parameters, _context, _executemany):
        sent.append((statement.split()[0], conn.connection.dbapi_connection.autocommit))
    event.listen(store.engine, "before_cursor_execute", record)
    try:
        key, fp = uuid.uuid4().hex, fingerprint("POST", "/x", {"a": 1})
        assert store.begin("org:me", key, fp) is None
        store.complete("org:me", key, 201, {"id": "inv_1"})
        assert store.begin("org:me", key, fp) == (201, {"id": "inv_1"})  # a replay
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert sent == [("INSERT", True), ("UPDATE", True), ("INSERT", True), ("SELECT", True)]
