"""A pass booking made with a client's ``X-Request-Id``, shared by the metrics and the logs
tests (they then look at what each process recorded of it)."""
import time
import uuid

import pytest
import requests

from tests.api.test_pass_booking_http import Centre


def scrape(port):
    response = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    assert response.status_code == 200
    return response.text


def sample(text, name, **labels):
    """The value of one Prometheus sample (0 when absent)."""
    from prometheus_client.parser import text_string_to_metric_families
    total = 0.0
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                total += s.value
    return total


def poll(condition, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)  # polling a condition with a deadline, not waiting for time
    pytest.fail(f"not within {timeout} s: {what}")


@pytest.fixture(scope="module")
def pass_booking(new_org, api, rpc):
    """(request id, registration): one booking with a pass, the client's id on it."""
    centre = Centre(new_org(), api, rpc)
    activity, (occurrence,) = centre.activity(count=1)
    kind = centre.pass_type([activity], uses=2)
    account, client = centre.customer()
    card = centre.sell(kind, account)
    request_id = "booking-" + uuid.uuid4().hex
    response = client.post(centre.path("/registrations"), headers={"X-Request-Id": request_id},
                            json={"member_id": account["members"][0]["id"],
                                  "occurrence_id": occurrence["id"], "pass_id": card["id"]})
    assert response.status_code == 201, response.text
    assert response.headers["X-Request-Id"] == request_id
    return request_id, response.json()
