"""Unit of work and the Nameko ``Database`` dependency.

In an entrypoint::

    with self.db.uow() as uow:          # BEGIN (IMMEDIATE on SQLite)
        repo = ActivityRepository(uow.session)
        ...
        uow.emit("activity_created", {...})   # same transaction as the change
        uow.commit()                    # then the events are published

Leaving the block without ``commit()`` rolls everything back, events included.
"""
import functools
import logging
from pathlib import Path

import eventlet
from eventlet.queue import Full, LightQueue
from nameko.extensions import DependencyProvider
from sqlalchemy import insert
from sqlalchemy.orm import Session

from . import config, db, logs
from .clock import utcnow
from .outbox import EVENT_VERSION, OutboxRelay, envelope
from .types import new_id

log = logging.getLogger(__name__)


class UndeclaredEvent(Exception):
    """An event that the service's ``contract/events.py`` does not declare (or a payload its
    schema refuses, when payloads are checked): a programming error, never a client's."""


def declared_version(database, event_type, data):
    declared = getattr(database, "events", None)
    if declared is None:
        return EVENT_VERSION
    if event_type not in declared.VERSIONS:
        raise UndeclaredEvent(f"{database.service_name} emits {event_type!r}, which its "
                              f"contract/events.py does not declare")
    if getattr(database, "check_payloads", False):
        problems = declared.PAYLOADS[event_type]().validate(data)
        if problems:
            raise UndeclaredEvent(f"{database.service_name}'s {event_type!r} payload does not "
                                  f"match its contract: {problems}")
    return declared.VERSIONS[event_type]


# Statements every unit of work runs, built once per table: building one cost about as
# much CPU as running it on SQLite (issue 14).
@functools.lru_cache(maxsize=64)
def _insert_events(table):
    """A unit of work's events, in one statement (one round trip on PostgreSQL, however
    many it emitted), their ids back in the order given."""
    return insert(table).returning(table.c.id, sort_by_parameter_order=True)


@functools.lru_cache(maxsize=64)
def _claim(table):
    """processed_events: the event's id, unless it is there."""
    return db.insert_ignoring_duplicates(table, ["event_id"])


class UnitOfWork:
    def __init__(self, database, readonly=False):
        self.database = database
        self.readonly = readonly
        self.session = None
        self._pending = []
        self.committed = False

    def __enter__(self):
        engine = db.readonly(self.database.engine) if self.readonly else self.database.engine
        self.session = Session(bind=engine, expire_on_commit=False, autoflush=True)
        self.session.begin()
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if not self.committed:
                self.session.rollback()
        finally:
            self.session.close()
        if self.committed and self._pending:
            self.database.publish(self._pending)
        return False

    def emit(self, event_type, data, occurred_at=None):
        """Record a fact in the outbox, in this transaction: the unit of work's events are
        inserted together, in the order emitted, at :meth:`flush` or :meth:`commit`."""
        occurred_at = occurred_at or utcnow()
        event_id = new_id("evt")
        version = declared_version(self.database, event_type, data)
        payload = logs.stamp_envelope(envelope(event_id, event_type, occurred_at, data,
                                               version=version))
        row = {"event_id": event_id, "event_type": event_type, "payload": payload,
               "created_at": utcnow(), "published_at": None}
        self._pending.append(row)  # written with the others at flush or commit
        return payload

    def _write_events(self):
        rows = [row for row in self._pending if "id" not in row]
        if rows:
            ids = self.session.execute(_insert_events(self.database.outbox),
                                       rows).scalars().all()
            for row, id_ in zip(rows, ids, strict=True):
                row["id"] = id_

    def claim_event(self, payload) -> bool:
        """True the first time this ``event_id`` is seen (in this transaction); False for a
        duplicate delivery, which the caller then ignores. One statement: an insert that
        does nothing if the id is there (a concurrent claim of the same event waits for the
        other transaction on PostgreSQL, and then claims nothing if it committed)."""
        return self.session.execute(_claim(self.database.processed_events), {
            "event_id": payload["event_id"], "event_type": payload.get("type", ""),
            "processed_at": utcnow()}).rowcount == 1

    def flush(self):
        self._write_events()
        self.session.flush()

    def commit(self):
        self._write_events()
        self.session.commit()
        self.committed = True

    def rollback(self):
        self.session.rollback()
        self._pending = []


def publish_now(relay, rows):
    try:
        relay.publish_rows(rows)
    except Exception:  # never fail the committed request; the relay timer retries
        log.warning("publish after commit failed; the relay will retry", exc_info=True)


class BackgroundPublisher:
    """Publishes committed outbox rows in one green thread per process, in commit order, so
    that a request's reply does not wait for its events' publisher confirms (three broker
    round trips in a pass booking's path, issue 14).

    Nothing is less safe than publishing in the request: the rows are in the outbox, and
    what this process does not publish (it dies, the broker is away, the queue is full) the
    relay timer publishes after ``relay_pending``'s delay, as before. Not started (outside a
    running container): rows are published at once, in the caller."""

    LIMIT = 10000  # rows waiting; beyond that they are left to the relay

    def __init__(self, relay):
        self.relay = relay
        self._queue = None
        self._thread = None

    def start(self):
        self._queue = LightQueue(self.LIMIT)
        self._thread = eventlet.spawn(self._run, self._queue)

    def put(self, rows):
        if self._queue is None:
            publish_now(self.relay, rows)
            return
        try:
            self._queue.put_nowait(rows)
        except Full:  # full: the broker is slow or away; the relay sends them later
            log.warning("%d events left to the outbox relay", len(rows))

    def _run(self, queue):
        while True:
            rows = queue.get()
            if rows is None:
                return
            publish_now(self.relay, rows)

    def stop(self, seconds=5):
        """Publish what is waiting (for at most ``seconds``), then stop."""
        if self._thread is None:
            return
        queue, thread, self._queue = self._queue, self._thread, None
        self._thread = None
        try:
            queue.put_nowait(None)
        except Full:
            thread.kill()
            return
        with eventlet.Timeout(seconds, False):
            thread.wait()
        thread.kill()


class DatabaseAccess:
    """What an entrypoint gets: a factory of units of work, and the engine for relays."""

    def __init__(self, database):
        self._database = database

    def uow(self, readonly=False):
        return UnitOfWork(self._database, readonly=readonly)

    def relay_outbox(self):
        return self._database.relay.relay_pending()

    @property
    def engine(self):
        return self._database.engine


class Database(DependencyProvider):
    """One engine (and pool) per service process; migrations applied on start.

    ``metadata`` must contain the outbox tables (``services.common.outbox.define_tables``).
    """

    def __init__(self, service_name, metadata, migrations_dir, events=None):
        self.service_name = service_name
        self.metadata = metadata
        self.migrations_dir = Path(migrations_dir)
        self.engine = None
        # the service's ``contract.events``: only the events it declares may be emitted, with
        # the version it declares (and, under CARNET_CHECK_EVENT_PAYLOADS=1, as in the tests,
        # a payload its schema accepts)
        self.events = events
        self.check_payloads = config.env("CARNET_CHECK_EVENT_PAYLOADS", "0") == "1"
        self._publisher = None  # set up in a container; outside one, published at once

    @property
    def outbox(self):
        return self.metadata.tables["outbox"]

    @property
    def processed_events(self):
        return self.metadata.tables["processed_events"]

    def setup(self):
        url = config.database_url(self.service_name)
        # one connection per Nameko worker: the pool never churns under a full load
        max_workers = int(self.container.config.get("max_workers") or db.DEFAULT_CONCURRENCY)
        self.engine = db.make_engine(url, pool_size=config.db_pool_size(max_workers))
        db.migrate(self.engine, self.migrations_dir, self.service_name)
        from nameko.standalone.events import event_dispatcher
        self._declare_exchange()
        dispatch = event_dispatcher(self.container.config)
        self.relay = OutboxRelay(self.engine, self.outbox, self.service_name, dispatch,
                                 mark_delay=config.outbox_mark_delay())
        self._publisher = BackgroundPublisher(self.relay)

    def start(self):
        if self._publisher is not None:
            self._publisher.start()

    def _declare_exchange(self):
        """Declare ``<service>.events`` now: the standalone dispatcher does not, and a publish
        to an exchange nobody declared yet fails (events before any consumer exists are
        then simply unrouted, as docs/contracts.md says)."""
        from kombu import Connection
        from nameko.standalone.events import get_event_exchange
        config_ = self.container.config
        exchange = get_event_exchange(self.service_name, config_)
        with Connection(config_["AMQP_URI"]) as connection:
            exchange(connection.default_channel).declare()

    def stop(self):
        if self._publisher is not None:
            self._publisher.stop()
        if self.engine is not None:
            self._mark_published_before_stop()
            self.engine.dispose()

    def _mark_published_before_stop(self, seconds=5):
        """Mark what this process published (``outbox.py``), without holding up a stop
        for long: what stays unmarked is published again by a relay (at least once)."""
        relay = getattr(self, "relay", None)
        if relay is None:
            return
        with eventlet.Timeout(seconds, False):
            relay.flush_marks()

    def publish(self, rows):
        """Hand the committed rows to the background publisher: the request does not wait
        for the broker's confirms (issue 14). Outside a container: published at once."""
        if self._publisher is not None:
            self._publisher.put(rows)
        else:
            publish_now(self.relay, rows)

    def get_dependency(self, worker_ctx):
        return DatabaseAccess(self)
