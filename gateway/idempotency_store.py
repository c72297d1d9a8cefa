"""The gateway's ``Idempotency-Key`` store (docs/http-api.md conventions).

The first request with a key records its fingerprint (method, path, body) and, once
answered, its response; a retry with the same key and fingerprint gets that response back
and does nothing again; the same key with another fingerprint is refused
(``idempotency_key_reused``). A retry that arrives while the first is still running is
refused with ``idempotency_key_in_progress`` (409, retry later). Responses of 5xx are not
stored: the work did not complete, so the client may retry with the same key.
"""
import hashlib
import json
from datetime import timedelta

from sqlalchemy import (JSON, Column, Integer, MetaData, String, Table, bindparam, delete, select,
                        update)

from services.common.clock import utcnow
from services.common.db import insert_ignoring_duplicates
from services.common.errors import IdempotencyKeyInProgress, IdempotencyKeyReused
from services.common.types import UTCDateTime

metadata = MetaData()

keys = Table(
    "idempotency_keys", metadata,
    Column("scope", String(200), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("response", JSON, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("completed_at", UTCDateTime, nullable=True),
)

# A request still "in progress" after this long is taken to have died with its worker.
STALE_AFTER = timedelta(minutes=5)


# Every keyed request runs these two: built once (building a statement cost about as
# much CPU as running it on SQLite, issue 14). Parameters are named apart from the columns
# (an UPDATE reserves the columns' own names).
_THIS_KEY = (keys.c.scope == bindparam("s_scope")) & (keys.c.key == bindparam("s_key"))
_BEGIN = insert_ignoring_duplicates(keys, ["scope", "key"]).values(
    scope=bindparam("s_scope"), key=bindparam("s_key"), fingerprint=bindparam("s_fp"),
    created_at=bindparam("s_now"))
_FIND = select(keys).where(_THIS_KEY)
_COMPLETE = update(keys).where(_THIS_KEY).values(
    status_code=bindparam("s_status"), response=bindparam("s_response"),
    completed_at=bindparam("s_now"))


def fingerprint(method, path, body) -> str:
    canonical = json.dumps({"m": method, "p": path, "b": body}, sort_keys=True,
                           separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotencyStore:
    def __init__(self, engine):
        self.engine = engine  # also the login throttle's (gateway/throttle.py)
        # Each of the store's writes is one statement that stands alone (an insert that
        # does nothing on a duplicate, updates and a delete conditional on what they
        # change): on PostgreSQL it runs in autocommit, without the BEGIN and COMMIT round
        # trips of a transaction around it (issue 14: a keyed request costs the gateway two
        # round trips instead of six). SQLite keeps its short write transactions.
        self._statements = (engine.execution_options(isolation_level="AUTOCOMMIT")
                            if engine.dialect.name == "postgresql" else engine)

    def begin(self, scope, key, fp):
        """Returns None when the caller should do the work, or ``(status, body)`` to replay.

        The key is inserted unless it is there (``ON CONFLICT DO NOTHING``, no failed
        insert to roll back), else the row found decides; each statement is safe alone
        (a row deleted meanwhile starts again, a stale row is taken over only if it is
        still the one read)."""
        now = utcnow()
        this_key = {"s_scope": scope, "s_key": key}
        while True:
            with self._statements.begin() as conn:
                if conn.execute(_BEGIN, dict(this_key, s_fp=fp, s_now=now)).rowcount == 1:
                    return None
                row = conn.execute(_FIND, this_key).first()
                if row is None:  # abandoned and deleted meanwhile: start again
                    continue
                if row.fingerprint != fp:
                    raise IdempotencyKeyReused(
                        "this Idempotency-Key was used with a different request",
                        {"key": key})
                if row.completed_at is not None:
                    return row.status_code, row.response
                created = row.created_at
                if now - created > STALE_AFTER:
                    taken = conn.execute(update(keys).where(
                        keys.c.scope == scope, keys.c.key == key,
                        keys.c.completed_at.is_(None),
                        keys.c.created_at == created).values(created_at=now)).rowcount
                    if taken:
                        return None
                raise IdempotencyKeyInProgress(
                    "a request with this Idempotency-Key is still being processed; retry "
                    "shortly", {"key": key})

    def complete(self, scope, key, status_code, body):
        with self._statements.begin() as conn:
            conn.execute(_COMPLETE, {"s_scope": scope, "s_key": key, "s_status": status_code,
                                     "s_response": body, "s_now": utcnow()})

    def abandon(self, scope, key):
        with self._statements.begin() as conn:
            conn.execute(delete(keys).where(keys.c.scope == scope, keys.c.key == key,
                                            keys.c.completed_at.is_(None)))
