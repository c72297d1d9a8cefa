"""One booking's path across the services is one grep: the request id the client sent (or
the gateway made) is in the JSON logs of every process the booking went through."""
import json

import requests

from tests.api.observability_support import pass_booking, poll  # noqa: F401


def lines_with(stack, process, request_id):
    found = []
    for path in stack.logdir.glob(f"{process}-[0-9]*.log"):  # not gateway-access.log
        for line in path.read_text(errors="replace").splitlines():
            if request_id in line:
                found.append(json.loads(line))  # every line about it is JSON
    return found


def test_one_pass_booking_is_followed_through_every_process(stack, pass_booking):  # noqa: F811
    request_id, registration = pass_booking
    expected = {"gateway": "gateway", "registration": "registration", "passes": "passes",
                "billing": "billing"}  # billing: the confirmed registration's event
    for process, service in expected.items():
        records = poll(lambda: lines_with(stack, process, request_id),
                       f"{request_id} in {process}'s log")
        for record in records:
            assert record["request_id"] == request_id
            assert record["service"] == service
            assert record["level"] in ("INFO", "WARNING", "ERROR") and record["time"]
    gateway = lines_with(stack, "gateway", request_id)
    assert any(r.get("path", "").endswith("/registrations") and r.get("status") == 201
               for r in gateway), gateway
    assert any("book_with_pass ok" in r["message"]
               for r in lines_with(stack, "registration", request_id))
    assert any("debit_pass ok" in r["message"] for r in lines_with(stack, "passes", request_id))
    assert any("registration_confirmed" in r["message"]
               for r in lines_with(stack, "billing", request_id))


def test_the_gateway_makes_an_id_when_the_client_sends_none_or_a_bad_one(stack):
    made = requests.get(stack.url + "/health", timeout=10).headers["X-Request-Id"]
    assert 1 <= len(made) <= 64
    bad = "x" * 65 + "\n"
    answered = requests.get(stack.url + "/health", headers={"X-Request-Id": "a b"},
                            timeout=10).headers["X-Request-Id"]
    assert answered not in ("a b", made)
    answered = requests.get(stack.url + "/health", headers={"X-Request-Id": bad.strip()},
                            timeout=10).headers["X-Request-Id"]
    assert answered != bad.strip() and len(answered) <= 64


def test_usr1_writes_every_green_thread_of_a_service_to_its_log(stack):
    """What an operator does when a service answers nothing but 503 and looks idle
    (deploy/README.md): its waiting workers and its consume loop are green threads, which
    py-spy does not show. The process goes on answering afterwards."""
    import os
    import signal

    proc = stack.procs["catalog"][0]

    def records():
        found = []
        for path in stack.logdir.glob("catalog-[0-9]*.log"):
            for line in path.read_text(errors="replace").splitlines():
                if line.startswith("{"):
                    found.append(json.loads(line))
        return found

    def dumps():
        return [r for r in records() if r["message"].endswith("green threads dumped")]

    before = len(dumps())
    os.kill(proc.pid, signal.SIGUSR1)
    poll(lambda: len(dumps()) > before, "the dump's last line in catalog's log")
    stacks = [r["message"] for r in records() if r["message"].startswith("green thread ")]
    # the queue consumer waiting on the broker is one of them, with its whole stack
    assert any("drain_events" in s and "kombu/mixins.py" in s for s in stacks), stacks[-5:]
    assert all(r["level"] == "WARNING" for r in dumps())
    assert proc.poll() is None
    assert requests.get(stack.url + "/health", timeout=10).status_code == 200
