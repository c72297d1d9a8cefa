"""R5.2 under concurrency: 20 bookings of one staff member for overlapping times, sent at once
through the broker to two registration instances: exactly one is booked, the others are
``staff_busy`` — the per-staff lock row and the overlap check share one transaction."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.common.errors import CarnetError
from services.common.rpc import RpcPool
from tests.services.test_appointments_support import Salon

RACERS = 20


@pytest.fixture
def racing_rpc(test_env):
    pool = RpcPool(amqp_uri=test_env.env["AMQP_URI"], size=RACERS, timeout=60)
    yield pool
    pool.close()


def race(salon, racing_rpc, requests):
    def one(data):
        try:
            return racing_rpc.call("registration", "book_appointment", salon.org_id,
                                   data)["id"], None
        except CarnetError as error:
            return None, error.code

    with ThreadPoolExecutor(max_workers=RACERS) as executor:
        results = list(executor.map(one, requests))
    return [r for r, _ in results if r], [c for _, c in results if c]


def test_twenty_concurrent_bookings_of_one_staff_member_book_exactly_one(rpc, stack,
                                                                        racing_rpc):
    salon = Salon(rpc)
    service, staff = salon.service(minutes=60), salon.staff()
    clients = [salon.client(f"C{i}") for i in range(4)]
    stack.scale("registration", 2)

    same_time = [{"member_id": clients[i % 4]["members"][0]["id"],
                  "service_id": service["id"], "staff_id": staff["id"],
                  "starts_at": "2031-02-03T15:00:00Z"} for i in range(RACERS)]
    booked, refusals = race(salon, racing_rpc, same_time)
    assert len(booked) == 1
    assert refusals == ["staff_busy"] * (RACERS - 1)

    # overlapping but different starts (15 minutes apart, 60-minute service) on a new day
    staggered = [dict(same_time[i], starts_at=f"2031-02-04T{10 + i // 4:02d}:"
                                              f"{(i % 4) * 15:02d}:00Z")
                 for i in range(RACERS)]
    booked, refusals = race(salon, racing_rpc, staggered)
    day = salon.reg("agenda", "2031-02-04", staff_id=staff["id"])["staff"][0]["appointments"]
    assert sorted(a["id"] for a in day) == sorted(booked)
    windows = sorted((a["starts_at"], a["ends_at"]) for a in day)
    assert all(end <= next_start for (_, end), (next_start, _) in zip(windows, windows[1:]))
    assert len(booked) >= 1 and len(booked) + len(refusals) == RACERS
    assert set(refusals) <= {"staff_busy"}
