"""Each Nameko process answers its own health probes and Prometheus metrics
(services/common/observability.py), and a booking is counted where it happened."""
import requests

from tests.api.observability_support import pass_booking, poll, sample, scrape  # noqa: F401


def test_every_process_is_live_and_ready_on_its_own_port(stack):
    for name, ports in stack.health_ports.items():
        for port in ports:
            live = requests.get(f"http://127.0.0.1:{port}/health/live", timeout=10)
            assert live.status_code == 200 and live.json()["status"] == "ok", name
            ready = requests.get(f"http://127.0.0.1:{port}/health/ready", timeout=10)
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"] == {"migrations": "ok", "database": "ok",
                                              "broker": "ok", "consumers": "ok"}, name


class Instances:
    """The metrics of every running instance of a service, summed (earlier tests may
    have scaled a service out: a call is counted by the instance that took it)."""

    def __init__(self, stack, service):
        self.texts = [scrape(port) for port in stack.health_ports[service]]
        assert self.texts, f"no running {service}"


def total(metrics, name, **labels):
    return sum(sample(text, name, **labels) for text in metrics.texts)


def test_a_pass_booking_is_counted_in_each_service_it_crossed(stack, pass_booking):  # noqa: F811
    registration = Instances(stack, "registration")
    assert total(registration, "carnet_rpc_calls_total", service="registration",
                 method="book_with_pass", outcome="ok") >= 1, registration.texts
    assert total(registration, "carnet_rpc_seconds_count", service="registration",
                 method="book_with_pass") >= 1
    # the gauges read from registration's database see the confirmed seat
    assert total(registration, "carnet_registrations", service="registration",
                 status="confirmed") >= 1
    assert total(registration, "carnet_seats", service="registration", kind="taken") >= 1
    # the statements that booking sent are counted, by verb (a seat is taken by an UPDATE
    # or an INSERT; every service reads)
    assert total(registration, "carnet_db_statements_total", service="registration",
                 verb="SELECT") >= 1
    assert total(registration, "carnet_db_statements_total", service="registration",
                 verb="INSERT") + total(registration, "carnet_db_statements_total",
                                        service="registration", verb="UPDATE") >= 1
    # the pass's use was taken by RPC from registration
    assert total(Instances(stack, "passes"), "carnet_rpc_calls_total", service="passes",
                 method="debit_pass", outcome="ok") >= 1
    # billing heard of the confirmed registration (an event), with its lag measured
    poll(lambda: total(Instances(stack, "billing"), "carnet_events_handled_total",
                       service="billing", source="registration", outcome="ok") >= 1,
         "billing counted the registration event")
    billing = Instances(stack, "billing")
    assert total(billing, "carnet_event_lag_seconds_count", service="billing",
                 source="registration") >= 1
    # every event registration wrote is published (its outbox drains)
    poll(lambda: total(Instances(stack, "registration"), "carnet_outbox_backlog",
                       service="registration") == 0 or None, "registration's outbox drained")


def test_the_billing_worker_counts_its_runs(stack, rpc):
    before = total(Instances(stack, "billing_worker"), "carnet_rpc_calls_total",
                   service="billing_worker", method="run_now", outcome="ok")
    result = rpc.call("billing_worker", "run_now")

    def counted():  # the call is counted as its worker ends, which may be after the reply
        metrics = Instances(stack, "billing_worker")
        calls = total(metrics, "carnet_rpc_calls_total", service="billing_worker",
                      method="run_now", outcome="ok")
        return (calls, metrics) if calls > before else None

    calls, after = poll(counted, "the billing worker counted run_now")
    assert calls == before + 1
    for outcome in ("charged", "failed", "skipped"):
        assert total(after, "carnet_billing_run_subscriptions_total",
                     outcome=outcome) >= result[outcome]
