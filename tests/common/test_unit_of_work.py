"""The unit of work, outbox and idempotent consumption on the real database backend."""
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
    with access.uow(readonly=True) as uow:
        row = uow.session.execute(select(database.outbox).where(
            database.outbox.c.event_id == envelope["event_id"])).one()
        assert row.published_at is not None


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
