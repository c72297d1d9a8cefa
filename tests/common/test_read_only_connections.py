"""Read-only units of work on PostgreSQL run in autocommit (``services/common/db.py:
readonly``); the connection they used must come back to the pool as it was, without a
round trip to put it back (issue 14)."""
import pytest
from psycopg2.extensions import TRANSACTION_STATUS_INTRANS
from sqlalchemy import text

from services.common import db


def test_a_connection_used_for_reads_comes_back_to_transactions_at_the_servers_level(
        test_env, backend):
    if backend != "postgresql":
        pytest.skip("autocommit reads are PostgreSQL's (SQLite reads in a deferred transaction)")
    engine = db.make_engine(test_env.env["PASSES_DATABASE_URL"], pool_size=1, max_overflow=0)
    try:
        for _ in range(2):  # psycopg2 only sent the SET when leaving autocommit a second time
            with db.readonly(engine).connect() as conn:
                assert conn.execute(text("select 1")).scalar() == 1
                assert conn.connection.dbapi_connection.autocommit
            with engine.begin() as conn:  # the same pooled connection, for a write
                level = conn.exec_driver_sql("show transaction_isolation").scalar()
                raw = conn.connection.dbapi_connection
                assert not raw.autocommit
                assert raw.get_transaction_status() == TRANSACTION_STATUS_INTRANS
                # the server's default (None), so psycopg2 leaves autocommit without a
                # ``SET default_transaction_isolation`` of its own
                assert raw.isolation_level is None
            assert level == "read committed"
    finally:
        engine.dispose()
