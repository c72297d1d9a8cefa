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
                                              "broker": "ok"}, name


def test_a_pass_booking_is_counted_in_each_service_it_crossed(stack, pass_booking):  # noqa: F811
    (registration_port,) = stack.health_ports["registration"]
    (passes_port,) = stack.health_ports["passes"]
    (billing_port,) = stack.health_ports["billing"]
    registration = scrape(registration_port)
    assert sample(registration, "carnet_rpc_calls_total", service="registration",
                  method="book_with_pass", outcome="ok") >= 1, registration
    assert sample(registration, "carnet_rpc_seconds_count", service="registration",
                  method="book_with_pass") >= 1
    # the gauges read from registration's database see the confirmed seat
    assert sample(registration, "carnet_registrations", service="registration",
                  status="confirmed") >= 1
    assert sample(registration, "carnet_seats", service="registration", kind="taken") >= 1
    # the pass's use was taken by RPC from registration
    assert sample(scrape(passes_port), "carnet_rpc_calls_total", service="passes",
                  method="debit_pass", outcome="ok") >= 1
    # billing heard of the confirmed registration (an event), with its lag measured
    poll(lambda: sample(scrape(billing_port), "carnet_events_handled_total", service="billing",
                        source="registration", outcome="ok") >= 1,
         "billing counted the registration event")
    billing = scrape(billing_port)
    assert sample(billing, "carnet_event_lag_seconds_count", service="billing",
                  source="registration") >= 1
    # every event registration wrote is published (its outbox drains)
    poll(lambda: sample(scrape(registration_port), "carnet_outbox_backlog",
                        service="registration") == 0 or None, "registration's outbox drained")


def test_the_billing_worker_counts_its_runs(stack, rpc):
    (port,) = stack.health_ports["billing_worker"]
    before = sample(scrape(port), "carnet_rpc_calls_total", service="billing_worker",
                    method="run_now", outcome="ok")
    result = rpc.call("billing_worker", "run_now")
    text = scrape(port)
    assert sample(text, "carnet_rpc_calls_total", service="billing_worker", method="run_now",
                  outcome="ok") == before + 1
    for outcome in ("charged", "failed", "skipped"):
        assert sample(text, "carnet_billing_run_subscriptions_total",
                      outcome=outcome) >= result[outcome]
