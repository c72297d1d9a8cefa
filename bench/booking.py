"""Booking throughput through the gateway: checkouts per second and their latency at 1, 8
and 32 concurrent clients, against the empty round trips measured in the same run.

    .venv/bin/python -m bench.booking          (CARNET_BENCH_DB=postgresql for PG)

Starts its own stack (tests/support: TestEnvironment + Stack). One booking is what a web
shop does for one seat: create a cart, add an à la carte seat (a hold in registration),
check out paying by card (sandbox provider, registration.confirm, invoice) — 3 HTTP calls.
The checkout call alone is timed too.

Baselines, same run, same machine: ``billing.health`` called directly over RabbitMQ
(``services.common.rpc.RpcPool``: an RPC with one ``SELECT 1``) and ``GET /health/billing``
(the same RPC through HTTP, gunicorn, Flask and the gateway's pooled client). Ratios are
printed against the direct RPC's p50; throughput against the direct RPC at the same
concurrency.

Environment: CARNET_BENCH_N (bookings per concurrency level, default 120),
CARNET_BENCH_BASE_N (baseline calls, default 400).
"""
import os
import threading
import time

import requests

from bench.common import pct, running_stack, summary, timed, timed_concurrent
from services.common.rpc import RpcPool
from tests.api import test_checkout_support as shop
from tests.support.client import Client

N = int(os.environ.get("CARNET_BENCH_N", "120"))
BASE_N = int(os.environ.get("CARNET_BENCH_BASE_N", "400"))
LEVELS = (1, 8, 32)


class Org:
    def __init__(self, org_id):
        self.id = org_id

    def path(self, suffix=""):
        return f"/orgs/{self.id}{suffix}"


def bootstrap(stack, rpc):
    org = rpc.call("catalog", "create_org", {"name": "Bench", "timezone": "America/Montreal",
                                              "currency": "CAD", "locale": "fr"})
    key = rpc.call("accounts", "create_api_key", org["id"], {"role": "admin", "name": "bench"})
    token = Client(stack.url).ok("POST", "/auth/token", json={"api_key": key["api_key"]})["token"]
    return Org(org["id"]), token


def main():
    backend = os.environ.get("CARNET_BENCH_DB", "sqlite")
    with running_stack() as stack:
        rpc = RpcPool(amqp_uri=stack.env["AMQP_URI"], size=max(LEVELS), timeout=30)
        org, token = bootstrap(stack, rpc)
        admin = Client(stack.url, token)
        total = N * len(LEVELS) + 20
        _, occurrence = shop.setup_activity(admin, org, session_capacity=None,
                                            a_la_carte_capacity=total + 10)
        print(f"preparing {total} people …", flush=True)
        people = iter(shop.people(admin, org, total, per_household=30))
        people_lock = threading.Lock()
        clients = threading.local()
        checkout_samples = []

        def client():
            if not hasattr(clients, "http"):
                clients.http = Client(stack.url, token)
            return clients.http

        def booking():
            with people_lock:
                account_id, member_id = next(people)
            http = client()
            cart = shop.new_cart(http, org, account_id)
            added = shop.add_a_la_carte(http, org, cart["id"], member_id, occurrence["id"])
            assert added.status_code == 201, added.text
            started = time.perf_counter()
            paid = shop.pay(http, org, cart["id"], "card", "tok_ok")
            checkout_samples.append(time.perf_counter() - started)
            assert paid.status_code == 200, paid.text

        health_url = stack.url + "/health/billing"
        sessions = {}

        def http_health():
            session = sessions.setdefault(threading.get_ident(), requests.Session())
            assert session.get(health_url).status_code == 200

        for _ in range(50):  # warm up pools, connections, caches
            rpc.call("billing", "health")
            http_health()
        for _ in range(20):
            booking()
        checkout_samples.clear()

        print(f"\nbooking ({backend}, {N} bookings per level, baseline n={BASE_N})")
        base = timed(lambda: rpc.call("billing", "health"), BASE_N)
        summary("raw RPC billing.health (baseline)", base)
        summary("HTTP GET /health/billing via gateway", timed(http_health, BASE_N), base)
        rows = []
        for level in LEVELS:
            wall_rpc, rpc_samples = timed_concurrent(lambda: rpc.call("billing", "health"),
                                                     BASE_N, level)
            summary(f"raw RPC billing.health, {level} clients", rpc_samples, base, wall_rpc)
            wall_http, http_samples = timed_concurrent(http_health, BASE_N, level)
            summary(f"HTTP /health/billing, {level} clients", http_samples, base, wall_http)
            checkout_samples.clear()
            wall, samples = timed_concurrent(booking, N, level)
            summary(f"booking (cart+seat+checkout), {level} clients", samples, base, wall)
            summary(f"  of which POST …/checkout, {level} clients", list(checkout_samples), base)
            rows.append((level, N / wall, pct(checkout_samples, 50), pct(checkout_samples, 99),
                         (N / wall) / (BASE_N / wall_rpc), (N / wall) / (BASE_N / wall_http)))
        print("\nclients  checkouts/s  checkout p50   checkout p99   "
              "vs raw RPC/s  vs HTTP health/s")
        for level, per_second, p50, p99, vs_rpc, vs_http in rows:
            print(f"{level:>7}  {per_second:>11.1f}  {p50 * 1000:>9.1f} ms  {p99 * 1000:>9.1f} ms"
                  f"  {vs_rpc:>12.3f}  {vs_http:>16.3f}")
        rpc.close()


if __name__ == "__main__":
    main()
