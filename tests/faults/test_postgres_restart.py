"""PostgreSQL restarts (``pg_ctl stop -m fast``, then start: what an upgrade or a failover
does to open sessions) while 16 customers book, on the PostgreSQL stack (issue 11,
reliability). Same expectations as the broker restart: 503 during the outage, recovery
without restarting any process, nothing lost or doubled."""
import pytest

from tests.faults.conftest import report
from tests.faults.outage import assert_nothing_lost, book_through_outage

pytestmark = pytest.mark.slow


def test_bookings_survive_a_postgresql_restart(postgres_stack):
    pg = postgres_stack.pg
    figures = book_through_outage(postgres_stack, stop=pg.stop, start=pg.start)
    report("postgresql_restart", dict(figures, backend="postgresql"))
    assert_nothing_lost(figures)
