"""The transactional outbox and idempotent consumption.

A fact is written to ``outbox`` in the same transaction as the change it describes
(:meth:`UnitOfWork.emit`), published right after commit, and re-published by the relay
timer if that first attempt did not happen (crash, broker down). Delivery is therefore
at least once; consumers record each ``event_id`` in ``processed_events`` in the same
transaction as their own change, so a duplicate is recognised and skipped.

Marking a row published is not worth a commit of its own per request (issue 14: it was
the second of a booking's two commits in every service). Rows published after commit are
marked in batches: at the next publish once the oldest unmarked row has waited
``CARNET_OUTBOX_MARK_DELAY`` seconds (or 200 rows wait), on every relay tick before the
relay looks for unpublished rows, and when the service stops. A process that dies with
rows unmarked has them published again by the relay (at least once, as above).
"""
import logging
import threading
import time
from datetime import timedelta

from sqlalchemy import JSON, Column, Integer, String, Table, select, update

from .clock import utcnow
from .types import UTCDateTime

log = logging.getLogger(__name__)

EVENT_VERSION = 1


def define_tables(metadata):
    """Add ``outbox`` and ``processed_events`` to a service's metadata."""
    outbox = Table(
        "outbox", metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        # insert_sentinel: a unit of work's events go in one INSERT … RETURNING id, and
        # SQLAlchemy matches the ids to the rows by this client-made unique value (SQLite
        # does not promise RETURNING's order; without it, one INSERT per event)
        Column("event_id", String(64), nullable=False, unique=True, insert_sentinel=True),
        Column("event_type", String(100), nullable=False),
        Column("payload", JSON, nullable=False),
        Column("created_at", UTCDateTime, nullable=False, index=True),
        Column("published_at", UTCDateTime, nullable=True, index=True),
    )
    processed = Table(
        "processed_events", metadata,
        Column("event_id", String(64), primary_key=True),
        Column("event_type", String(100), nullable=False),
        Column("processed_at", UTCDateTime, nullable=False),
    )
    return outbox, processed


def envelope(event_id, event_type, occurred_at, data, version=EVENT_VERSION):
    return {
        "event_id": event_id,
        "type": event_type,
        "occurred_at": occurred_at.isoformat(),
        "version": version,
        "data": data,
    }


class OutboxRelay:
    """Publishes outbox rows; used right after commit and by each service's relay timer."""

    MARK_BATCH = 200

    def __init__(self, engine, outbox_table, service_name, dispatch, mark_delay=0.0):
        self.engine = engine
        self.outbox = outbox_table
        self.service_name = service_name
        self.dispatch = dispatch  # dispatch(service_name, event_type, payload)
        self.mark_delay = mark_delay  # seconds a published row may wait for its mark
        self._lock = threading.Lock()
        self._unmarked = []
        self._oldest = None

    def publish_rows(self, rows):
        done = []
        for row in rows:
            try:
                self.dispatch(self.service_name, row["event_type"], row["payload"])
            except Exception:  # broker down: the relay timer will try again
                log.warning("could not publish %s now; the relay will retry",
                            row["event_id"], exc_info=True)
                break
            done.append(row["id"])
        if done:
            self._mark_later(done)
        return len(done)

    def _mark_later(self, ids):
        with self._lock:
            self._unmarked.extend(ids)
            if self._oldest is None:
                self._oldest = time.monotonic()
            due = len(self._unmarked) >= self.MARK_BATCH or \
                time.monotonic() - self._oldest >= self.mark_delay
        if due:
            self.flush_marks()

    def unmarked(self):
        """Ids published but not yet marked (waiting for :meth:`flush_marks`)."""
        with self._lock:
            return list(self._unmarked)

    def flush_marks(self):
        """Mark every row published so far, in one short transaction."""
        with self._lock:
            ids, self._unmarked, self._oldest = self._unmarked, [], None
        if not ids:
            return 0
        try:
            with self.engine.begin() as conn:
                conn.execute(update(self.outbox).where(self.outbox.c.id.in_(ids))
                             .values(published_at=utcnow()))
        except Exception:  # the database is away: the relay publishes them again later
            log.warning("could not mark %d published events; the relay will send them again",
                        len(ids), exc_info=True)
            return 0
        return len(ids)

    def relay_pending(self, older_than_seconds=5, batch=200):
        """Publish what was committed but not published (oldest first).

        Rows younger than ``older_than_seconds`` are left to the publish-after-commit path.
        On PostgreSQL rows are claimed with SKIP LOCKED so several instances share the work;
        on SQLite the immediate transaction serialises relays.
        """
        self.flush_marks()  # what this process published is not published again
        cutoff = utcnow() - timedelta(seconds=older_than_seconds)
        query = (select(self.outbox).where(self.outbox.c.published_at.is_(None),
                                           self.outbox.c.created_at <= cutoff)
                 .order_by(self.outbox.c.id).limit(batch))
        if self.engine.dialect.name != "postgresql":
            # SQLite: never hold the write lock across a network call. Read, publish, then
            # mark in a short transaction (a concurrent relay may publish a row twice;
            # consumers are idempotent).
            with self.engine.execution_options(sqlite_begin="DEFERRED").connect() as conn:
                rows = [dict(r._mapping) for r in conn.execute(query)]
            published = self.publish_rows(rows)
            self.flush_marks()
            return published
        published = 0
        with self.engine.begin() as conn:
            # PostgreSQL: claim rows with SKIP LOCKED so instances share the work.
            rows = [dict(r._mapping) for r in conn.execute(query.with_for_update(skip_locked=True))]
            for row in rows:
                try:
                    self.dispatch(self.service_name, row["event_type"], row["payload"])
                except Exception:
                    log.warning("outbox relay: broker unavailable", exc_info=True)
                    break
                conn.execute(update(self.outbox).where(self.outbox.c.id == row["id"])
                             .values(published_at=utcnow()))
                published += 1
        return published

