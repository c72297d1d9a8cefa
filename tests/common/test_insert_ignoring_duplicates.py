"""``db.insert_ignoring_duplicates`` on the session's backend: ``INSERT … ON CONFLICT (key)
DO NOTHING`` that SQLAlchemy caches (issue 14). Every consumed event's claim, every keyed
request's Idempotency-Key and every hold's seat pool go through it, so what it must keep:
a duplicate of the named key inserts nothing (row count 0) and fails nothing; another
key's violation still fails; and the statement is compiled once, not on every execution
(the dialects' own ``on_conflict_do_nothing()`` never is cached in SQLAlchemy 2.0)."""
import uuid

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.exc import IntegrityError

from services.common import db

@pytest.fixture
def table(test_env):
    engine = db.make_engine(test_env.env["PASSES_DATABASE_URL"], pool_size=2)
    metadata = MetaData()
    table = Table(f"t_ignoring_{uuid.uuid4().hex[:8]}", metadata,
                  Column("id", String(40), primary_key=True),
                  Column("code", String(40), nullable=False, unique=True),
                  Column("note", String(40)))
    metadata.create_all(engine)
    yield engine, table
    metadata.drop_all(engine)
    engine.dispose()


def test_a_duplicate_of_the_named_key_inserts_nothing_and_fails_nothing(table):
    engine, t = table
    insert = db.insert_ignoring_duplicates(t, ["id"])
    with engine.begin() as conn:
        assert conn.execute(insert, {"id": "a", "code": "A", "note": "first"}).rowcount == 1
        assert conn.execute(insert, {"id": "a", "code": "B", "note": "second"}).rowcount == 0
        assert conn.execute(t.select()).all() == [("a", "A", "first")]


def test_another_keys_violation_still_fails(table):
    engine, t = table
    with engine.begin() as conn:
        conn.execute(t.insert(), {"id": "a", "code": "A"})
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(db.insert_ignoring_duplicates(t, ["id"]), {"id": "b", "code": "A"})
    with engine.begin() as conn:  # on its own key, the same row is a duplicate
        assert conn.execute(db.insert_ignoring_duplicates(t, ["code"]),
                            {"id": "b", "code": "A"}).rowcount == 0


def test_it_is_compiled_once_and_each_key_has_its_own_statement(table):
    engine, t = table
    with engine.begin() as conn:
        first = conn.execute(db.insert_ignoring_duplicates(t, ["id"]).values(id="a", code="A"))
        again = conn.execute(db.insert_ignoring_duplicates(t, ["id"]).values(id="b", code="B"))
        other = conn.execute(db.insert_ignoring_duplicates(t, ["code"]).values(id="c", code="C"))
    assert again.context.compiled is first.context.compiled  # from SQLAlchemy's cache
    assert "ON CONFLICT (id) DO NOTHING" in str(first.context.compiled)
    assert "ON CONFLICT (code) DO NOTHING" in str(other.context.compiled)


def test_a_row_whose_id_the_database_makes_says_its_id(test_env):
    """Where the database makes the id (notifications' watches), PostgreSQL's insert asks
    it back with ``RETURNING``, which must come after ``ON CONFLICT``."""
    engine = db.make_engine(test_env.env["PASSES_DATABASE_URL"], pool_size=2)
    metadata = MetaData()
    t = Table(f"t_serial_{uuid.uuid4().hex[:8]}", metadata,
              Column("id", Integer, primary_key=True, autoincrement=True),
              Column("code", String(40), nullable=False, unique=True))
    metadata.create_all(engine)
    try:
        with engine.begin() as conn:
            made = conn.execute(db.insert_ignoring_duplicates(t, ["code"]).values(code="A"))
            again = conn.execute(db.insert_ignoring_duplicates(t, ["code"]).values(code="A"))
            assert (made.rowcount, again.rowcount) == (1, 0)
            assert made.inserted_primary_key[0] == conn.execute(t.select()).one().id
    finally:
        metadata.drop_all(engine)
        engine.dispose()


def test_a_key_must_be_named():
    with pytest.raises(ValueError):
        db.insert_ignoring_duplicates(Table("t", MetaData(), Column("id", String,
                                                                    primary_key=True)), [])
