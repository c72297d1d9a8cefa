"""The unit of work, outbox and idempotent consumption on the real database backend."""
import threading
import uuid

from sqlalchemy import select

from services.common.uow import DatabaseAccess


def test_events_are_published_only_after_commit(database):
    access = DatabaseAccess(database)
    with access.uow() as uow:
        uow.emit("thing_happened", {"n": 1})
        assert database.published == []
        uow.commit()
    assert [e["type"] for e in database.published] == ["thing_happened"]
    envelope = database.published[0]
    assert set(envelope) == {"event_id", "type", "occurred_at", "version", "data"}
    database.relay.flush_marks()
    with access.uow(readonly=True) as uow:
        row = uow.session.execute(select(database.outbox).where(
            database.outbox.c.event_id == envelope["event_id"])).one()
        assert row.published_at is not None


def test_a_services_events_are_published_after_its_reply_in_commit_order(database):
    """Issue 14: in a service, a request does not wait for its events' publisher confirms:
    committed rows go to one green thread per process, which publishes them in commit
    order; what still waits when the service stops is published then."""
    from services.common.uow import BackgroundPublisher
    database._publisher = BackgroundPublisher(database.relay)
    database._publisher.start()
    access = DatabaseAccess(database)
    ids = []
    for n in range(3):
        with access.uow() as uow:
            ids.append(uow.emit("thing_happened", {"n": n})["event_id"])
            uow.commit()
    assert database.published == []  # nothing published in the requests themselves
    database._publisher.stop()
    assert [e["event_id"] for e in database.published] == ids


def test_a_unit_of_works_events_are_written_in_one_statement_in_emit_order(database):
    """Issue 14: a checkout's completion emits three events; each was an INSERT of its own,
    a round trip each on PostgreSQL. They are written together, at commit, in the order
    emitted, and published in that order."""
    from services.common import db
    access = DatabaseAccess(database)
    inserts = sum(n for (name, verb), n in db.STATEMENTS.items() if verb == "INSERT")
    with access.uow() as uow:
        ids = [uow.emit("thing_happened", {"n": n})["event_id"] for n in range(5)]
        uow.commit()
    assert sum(n for (name, verb), n in db.STATEMENTS.items() if verb == "INSERT") \
        == inserts + 1
    with access.uow(readonly=True) as uow:
        stored = [r.event_id for r in uow.session.execute(
            select(database.outbox).where(database.outbox.c.event_id.in_(ids))
            .order_by(database.outbox.c.id))]
    assert stored == ids
    assert [e["event_id"] for e in database.published] == ids


def test_events_are_in_the_transaction_once_flushed(database):
    """``flush()`` writes what was emitted so far: the transaction sees it, a rollback
    takes it back."""
    access = DatabaseAccess(database)
    with access.uow() as uow:
        event_id = uow.emit("thing_happened", {"n": 1})["event_id"]
        uow.flush()
        assert uow.session.execute(select(database.outbox.c.id).where(
            database.outbox.c.event_id == event_id)).scalar_one()
        uow.rollback()
    with access.uow(readonly=True) as uow:
        assert uow.session.execute(select(database.outbox.c.id).where(
            database.outbox.c.event_id == event_id)).first() is None
    assert database.published == []


def _published_at(access, database, event_ids):
    with access.uow(readonly=True) as uow:
        return {r.event_id: r.published_at for r in uow.session.execute(
            select(database.outbox).where(database.outbox.c.event_id.in_(event_ids)))}


def test_rows_published_after_commit_are_marked_together_not_one_commit_each(database):
    """Issue 14: a request's events are marked published in a later batch, so a request
    costs one commit; the relay tick marks what is waiting before it looks for rows to
    publish, so nothing this process sent is sent twice."""
    access = DatabaseAccess(database)
    database.relay.mark_delay = 3600  # nothing is due by age in this test
    ids = []
    for n in range(3):
        with access.uow() as uow:
            ids.append(uow.emit("thing_happened", {"n": n})["event_id"])
            uow.commit()
    assert [e["event_id"] for e in database.published] == ids
    assert set(_published_at(access, database, ids).values()) == {None}
    assert len(database.relay.unmarked()) == 3
    sent = len(database.published)
    database.relay.relay_pending(older_than_seconds=0)
    assert len(database.published) == sent  # marked first, so not published again
    assert None not in _published_at(access, database, ids).values()
    assert database.relay.unmarked() == []


def test_a_batch_is_marked_once_its_oldest_row_has_waited_the_delay(database):
    access = DatabaseAccess(database)
    database.relay.mark_delay = 0  # due at once: each publish marks what waits
    with access.uow() as uow:
        event_id = uow.emit("thing_happened", {"n": 9})["event_id"]
        uow.commit()
    assert database.relay.unmarked() == []
    assert _published_at(access, database, [event_id])[event_id] is not None


def test_rollback_discards_the_events(database):
    access = DatabaseAccess(database)
    with access.uow() as uow:
        payload = uow.emit("never_happened", {})
    assert database.published == []
    with access.uow(readonly=True) as uow:
        assert uow.session.execute(select(database.outbox).where(
            database.outbox.c.event_id == payload["event_id"])).first() is None


def test_a_duplicate_event_is_claimed_once(database):
    access = DatabaseAccess(database)
    event = {"event_id": "evt_" + uuid.uuid4().hex, "type": "x"}
    with access.uow() as uow:
        assert uow.claim_event(event) is True
        uow.commit()
    with access.uow() as uow:
        assert uow.claim_event(event) is False


def test_an_event_claimed_by_two_transactions_at_once_is_theirs_once(database):
    """Two instances handed the same event together: the claim is one insert that does
    nothing if the id is there (issue 14: it was a read, a savepoint and an insert), and
    exactly one of them gets it."""
    access = DatabaseAccess(database)
    event = {"event_id": "evt_" + uuid.uuid4().hex, "type": "x"}
    start, claimed = threading.Barrier(2), []

    def claim():
        start.wait()
        with access.uow() as uow:
            claimed.append(uow.claim_event(event))
            uow.commit()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(claimed) == [False, True]


def test_the_relay_publishes_what_was_committed_but_not_sent(database):
    access = DatabaseAccess(database)
    database.publish = lambda rows: None  # the process "crashed" right after commit
    with access.uow() as uow:
        payload = uow.emit("late_fact", {"n": 2})
        uow.commit()
    assert database.published == []
    assert database.relay.relay_pending(older_than_seconds=0) >= 1
    assert payload["event_id"] in [e["event_id"] for e in database.published]
    before = len(database.published)
    database.relay.relay_pending(older_than_seconds=0)
    assert len(database.published) == before  # published once, then marked
