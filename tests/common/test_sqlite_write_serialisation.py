"""SQLite is the embedded default: with BEGIN IMMEDIATE, read-then-write transactions from
several processes are serialised, so none is lost and none fails with "database is locked"."""
import multiprocessing

import pytest
from sqlalchemy import text

from services.common import db



def _increment(url, times, begin, barrier, results):
    engine = db.make_engine(url)
    if begin == "DEFERRED":
        engine = db.readonly(engine)
    errors = 0
    barrier.wait()  # every process starts at the same moment
    for _ in range(times):
        try:
            with engine.begin() as conn:
                value = conn.execute(text("SELECT value FROM counter")).scalar_one()
                conn.execute(text("UPDATE counter SET value = :v"), {"v": value + 1})
        except Exception:
            errors += 1
    results.put(errors)


def _race(url, begin, processes=4, times=50):
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS counter"))
        conn.execute(text("CREATE TABLE counter (value INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(processes), ctx.Queue()
    workers = [ctx.Process(target=_increment, args=(url, times, begin, barrier, results))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    errors = sum(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(30)
    with engine.begin() as conn:
        value = conn.execute(text("SELECT value FROM counter")).scalar_one()
    return value, errors


def test_immediate_transactions_lose_no_update(tmp_path):
    value, errors = _race(f"sqlite:///{tmp_path}/race.db", "IMMEDIATE")
    assert (value, errors) == (4 * 50, 0)


def test_deferred_transactions_would_not_be_safe(tmp_path):
    """The control: the same race with SQLite's default deferred BEGIN fails or loses."""
    value, errors = _race(f"sqlite:///{tmp_path}/race.db", "DEFERRED")
    assert errors > 0 or value < 4 * 50
