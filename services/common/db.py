"""Engines, migrations and the SQLite/PostgreSQL differences, in one place.

SQLite (the embedded default): WAL journal, a busy timeout, and ``BEGIN IMMEDIATE`` for
write transactions so that two processes never both read-then-write the same rows: the
second waits for the first. Read-only units of work use a deferred ``BEGIN``.

PostgreSQL (production): psycopg2 made cooperative with psycogreen when the process runs
under eventlet (Nameko), so a query never blocks the hub. The pool holds one connection
per concurrent user (each Nameko worker; each gunicorn thread of the gateway) and is not
pinged before each checkout (a round trip per transaction): a connection that turns out to
be dropped (a server restart, a failover) fails its statement with a disconnect error,
which SQLAlchemy recognises; it then discards that connection and every other pooled
connection opened before the error, so the request answers 503 and the next ones get
fresh connections. ``pool_recycle`` replaces connections before an idle timeout can
drop them.
"""
import fcntl
import hashlib
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, insert, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.visitors import InternalTraversal

from . import config

_patched = False

DEFAULT_CONCURRENCY = 10  # Nameko's default max_workers

# Transactions begun and committed by this process, by database name, and the statements
# it sent, by database and verb (exposed by services/common/observability.py as
# carnet_db_transactions_total and carnet_db_statements_total: what bench/ counts; a
# statement costs ~0.36 ms on PostgreSQL against ~0.03 on SQLite, issue 14)
TRANSACTIONS = {}
STATEMENTS = {}
VERBS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"})


def _count_transactions(engine):
    name = Path(make_url(str(engine.url)).database or "memory").stem

    def count(what):
        def _on(_conn):
            TRANSACTIONS[(name, what)] = TRANSACTIONS.get((name, what), 0) + 1
        return _on

    def statement(_conn, _cursor, sql, _parameters, _context, _executemany):
        head = sql.lstrip()[:6].upper()
        key = (name, next((verb for verb in VERBS if head.startswith(verb)), "other"))
        STATEMENTS[key] = STATEMENTS.get(key, 0) + 1
    event.listen(engine, "begin", count("begin"))
    event.listen(engine, "commit", count("commit"))
    event.listen(engine, "before_cursor_execute", statement)
    return engine


def _green_psycopg():
    global _patched
    if _patched:
        return
    try:
        from eventlet import patcher
    except ImportError:  # pragma: no cover
        return
    if patcher.is_monkey_patched("socket"):
        from psycogreen.eventlet import patch_psycopg
        patch_psycopg()
        _patched = True


def insert_for(dialect_name):
    """The ``insert`` construct of a database's dialect, the one that can say ``ON CONFLICT
    DO UPDATE`` (``on_conflict_do_update``, the read model's upserts): PostgreSQL's, or
    SQLite's (the embedded default). ``dialect_name``: ``engine.dialect.name``. For ``ON
    CONFLICT DO NOTHING`` use :func:`insert_ignoring_duplicates`."""
    return postgresql.insert if dialect_name == "postgresql" else sqlite.insert


class _OnConflictDoNothing(ClauseElement):
    """``ON CONFLICT (<columns>) DO NOTHING`` (PostgreSQL, and SQLite 3.24 and later), in
    the place of an INSERT the dialects keep for it (before ``RETURNING``), with a cache
    key (its columns). The dialects' own ``insert(…).on_conflict_do_nothing()`` is never
    cached in SQLAlchemy 2.0 (their Insert sets ``inherit_cache = False``:
    sqlalchemy/sqlalchemy#10445), so each execution compiled it again: ~90 µs of CPU on
    this kind of machine, against ~20 for the whole cached insert on SQLite (issue 14;
    every consumed event's claim is one)."""
    __visit_name__ = "carnet_on_conflict_do_nothing"
    _traverse_internals = [("columns", InternalTraversal.dp_string_list)]
    inherit_cache = True

    def __init__(self, columns):
        self.columns = list(columns)


@compiles(_OnConflictDoNothing)
def _compile_on_conflict_do_nothing(clause, compiler, **kw):
    columns = ", ".join(compiler.preparer.quote(name) for name in clause.columns)
    return f"ON CONFLICT ({columns}) DO NOTHING"


def insert_ignoring_duplicates(table, on):
    """``INSERT INTO table … ON CONFLICT (on…) DO NOTHING``: nothing happens (row count
    0) when a row with the same values of the unique key ``on`` (column names) is there;
    another key's violation still fails. A plain INSERT otherwise, cached by SQLAlchemy
    like one (:class:`_OnConflictDoNothing`)."""
    if not on:
        raise ValueError("name the unique key a duplicate would hit")
    statement = insert(table)
    statement._post_values_clause = _OnConflictDoNothing(on)  # as the dialects' Insert does
    return statement


def is_sqlite(url) -> bool:
    return make_url(str(url)).get_backend_name() == "sqlite"


def make_engine(url: str, pool_size: int = None, max_overflow: int = None):
    """The engine of ``url``; on PostgreSQL a pool of ``pool_size`` connections (the
    process's concurrency: :func:`config.db_pool_size`) plus ``max_overflow``."""
    url = str(url)
    if is_sqlite(url):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
            if mode == "IMMEDIATE":
                _begin_immediate(conn.connection.dbapi_connection)
            else:
                conn.exec_driver_sql(f"BEGIN {mode}")

        return _count_transactions(engine)
    _green_psycopg()
    size = pool_size or config.db_pool_size(DEFAULT_CONCURRENCY)
    overflow = config.db_max_overflow() if max_overflow is None else max_overflow
    engine = create_engine(url, pool_size=size, max_overflow=overflow,
                           pool_recycle=config.db_pool_recycle_seconds())
    _leave_autocommit_for_free(engine)
    return _count_transactions(engine)


def _leave_autocommit_for_free(engine):
    """A read-only unit of work (:func:`readonly`) runs in autocommit; when its connection
    goes back to the pool SQLAlchemy sets the server's default level again, explicitly, and
    psycopg2 then sends ``SET default_transaction_isolation TO DEFAULT`` every time the
    connection next leaves autocommit: one round trip per read-only unit of work (2.7 of a
    pass booking's ~44 statements, issue 14). Back to the server's own default, the
    connection only needs to leave autocommit, which psycopg2 does without a statement; its
    transactions then begin with a plain ``BEGIN`` at that same default level."""
    dialect = engine.dialect
    set_level = dialect.set_isolation_level

    def set_isolation_level(dbapi_connection, level):
        if level == dialect.default_isolation_level:
            dbapi_connection.autocommit = False
        else:
            set_level(dbapi_connection, level)

    dialect.set_isolation_level = set_isolation_level


def _cooperative_sleep(seconds):
    try:
        from eventlet import patcher
        if patcher.is_monkey_patched("thread"):
            import eventlet
            eventlet.sleep(seconds)
            return
    except ImportError:  # pragma: no cover
        pass
    time.sleep(seconds)


def _begin_immediate(dbapi_connection, timeout=60.0):
    """Take SQLite's write lock, waiting without blocking the process.

    SQLite's own busy handler sleeps inside the C call: under eventlet that freezes every
    green thread of the process, including the one holding the lock in the same process,
    which then cannot commit (a deadlock until the busy timeout). So the wait happens here,
    with a cooperative sleep between attempts, and the busy timeout is off meanwhile.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=0")
    deadline = time.monotonic() + timeout
    delay = 0.001
    try:
        while True:
            try:
                cursor.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                message = str(error).lower()
                if ("locked" not in message and "busy" not in message) or \
                        time.monotonic() > deadline:
                    raise
            _cooperative_sleep(delay)
            delay = min(delay * 2, 0.02)
    finally:
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()


def readonly(engine):
    """The same engine (same pool) for read-only units of work.

    SQLite: a deferred transaction (a consistent snapshot of the file, no write lock).
    PostgreSQL: autocommit, i.e. no ``BEGIN`` and ``ROLLBACK`` round trips around the reads
    (issue 14: two of a one-read unit of work's three round trips). Under READ COMMITTED,
    PostgreSQL's level here, every statement takes its own snapshot inside a transaction
    too, so what the reads see is the same; nothing is written in a read-only unit of work
    (and a row lock taken there would end with its statement)."""
    cached = getattr(engine, "_carnet_readonly", None)
    if cached is None:
        cached = engine.execution_options(isolation_level="AUTOCOMMIT") \
            if engine.dialect.name == "postgresql" \
            else engine.execution_options(sqlite_begin="DEFERRED")
        engine._carnet_readonly = cached
    return cached


@contextmanager
def _migration_lock(engine, name):
    """Several instances of a service may start at once: one migrates, the others wait."""
    if is_sqlite(engine.url):
        path = make_url(str(engine.url)).database
        lock_path = (path or str(config.var_dir() / name)) + ".migrate.lock"
        with open(lock_path, "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    key = int.from_bytes(hashlib.sha256(f"carnet-migrate-{name}".encode()).digest()[:8],
                         "big", signed=True)
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()


def migrate(engine, migrations_dir, name):
    """Apply the service's Alembic history up to head (idempotent, safe to race)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", str(engine.url).replace("%", "%%"))
    with _migration_lock(engine, name):
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")

