"""What events say of a watch (a pass's expiry warning, an appointment's reminder), on the
session's backend: the same fact with new details changes the details and nothing else (one
UPDATE, issue 14); a new fact waits again; a watch dropped and told again waits again."""
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common import db
from services.notifications.adapters.models import Watch
from services.notifications.adapters.repositories import Watches
from services.notifications.domain import notices as rules

MIGRATIONS = Path(__file__).resolve().parents[2] / "services/notifications/migrations"
NOW = datetime(2027, 1, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def engine(test_env):
    engine = db.make_engine(test_env.env["NOTIFICATIONS_DATABASE_URL"], pool_size=2)
    db.migrate(engine, MIGRATIONS, "notifications")
    yield engine
    engine.dispose()


def told(engine, subject_id, uses_left, expires=NOW + timedelta(days=30), status="active",
         at=NOW):
    """A pass event about ``subject_id``, kept as the intake keeps it."""
    data = {"id": subject_id, "account_id": "acc_1", "name": "Carte", "status": status,
            "uses_left": uses_left, "expires_at": expires.isoformat(), "valid_until": None}
    with Session(bind=engine) as session:
        session.begin()
        Watches(session).keep("org_1", rules.PASS_EXPIRING, subject_id,
                              rules.pass_watch(data, 7), at)
        session.commit()


def watch(engine, subject_id):
    with Session(bind=engine) as session:
        return session.execute(select(Watch).where(Watch.subject_id == subject_id)).scalar_one()


def test_the_same_fact_told_again_changes_its_details_only(engine):
    subject = f"pas_{uuid.uuid4().hex[:8]}"
    told(engine, subject, uses_left=4)
    first = watch(engine, subject)
    assert (first.state, first.params["uses_left"]) == ("waiting", 4)
    told(engine, subject, uses_left=3, at=NOW + timedelta(hours=1))
    again = watch(engine, subject)
    assert (again.state, again.params["uses_left"]) == ("waiting", 3)
    assert (again.id, again.fact, again.due_at) == (first.id, first.fact, first.due_at)
    assert again.updated_at == NOW + timedelta(hours=1)


def test_a_warning_already_sent_is_not_sent_again_for_the_same_fact(engine):
    subject = f"pas_{uuid.uuid4().hex[:8]}"
    told(engine, subject, uses_left=4)
    with Session(bind=engine) as session:
        session.begin()
        row = watch(engine, subject)
        assert Watches(session).take(row.id, row.fact, NOW) is not None
        session.commit()
    told(engine, subject, uses_left=3)
    after = watch(engine, subject)
    assert (after.state, after.params["uses_left"]) == ("done", 3)


def test_a_new_expiry_waits_again_and_a_dropped_watch_told_again_waits(engine):
    subject = f"pas_{uuid.uuid4().hex[:8]}"
    told(engine, subject, uses_left=4)
    later = NOW + timedelta(days=60)
    told(engine, subject, uses_left=4, expires=later)
    moved = watch(engine, subject)
    assert (moved.state, moved.fact) == ("waiting", later.isoformat())
    assert moved.due_at == later - timedelta(days=7)
    told(engine, subject, uses_left=0, expires=later)  # used up: nothing to warn about
    assert watch(engine, subject).state == "dropped"
    told(engine, subject, uses_left=1, expires=later)  # a use given back
    back = watch(engine, subject)
    assert (back.state, back.params["uses_left"]) == ("waiting", 1)
