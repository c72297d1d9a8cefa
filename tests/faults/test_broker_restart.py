"""RabbitMQ restarts while 16 customers book (issue 11, reliability): the gateway answers
503 quickly during the outage, every service and the gateway reconnect by themselves, and
afterwards every booking that answered 2xx exists exactly once, every outbox row is
published, seats equal registrations and pass ledgers equal their debits. No process is
restarted by the test."""
import pytest

from tests.faults.conftest import report
from tests.faults.outage import assert_nothing_lost, book_through_outage

pytestmark = pytest.mark.slow


def test_bookings_survive_a_broker_restart(broker_stack, backend):
    broker = broker_stack.broker
    figures = book_through_outage(broker_stack, stop=broker.stop, start=broker.start)
    report("broker_restart", dict(figures, backend=backend))
    assert_nothing_lost(figures)
