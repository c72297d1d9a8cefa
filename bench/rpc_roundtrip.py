"""The cost of the gateway: an RPC through HTTP + gateway against the raw Nameko RPC.

    .venv/bin/python -m bench.rpc_roundtrip         (CARNET_BENCH_DB=postgresql for PG)

Baseline: ``catalog.ping`` called directly over RabbitMQ (an empty RPC). Then
``catalog.health`` (one ``SELECT 1``) direct, and the same through ``GET /health/catalog``
(HTTP, gunicorn, Flask, the gateway's pooled RPC client), sequential and with 8 clients.
"""
import os
import threading

import requests

from bench.common import backends, running_stack, summary, timed, timed_concurrent
from services.common.rpc import RpcPool

N = int(os.environ.get("CARNET_BENCH_N", "500"))


def run(backend):
    with running_stack(backend=backend) as stack:
        rpc = RpcPool(amqp_uri=stack.env["AMQP_URI"], size=8, timeout=10)
        http = requests.Session()
        url = stack.url + "/health/catalog"
        for _ in range(50):  # warm up pools and connections
            rpc.call("catalog", "ping")
            http.get(url)
        print(f"\nrpc_roundtrip ({backend}, n={N})")
        base = timed(lambda: rpc.call("catalog", "ping"), N)
        summary("raw RPC catalog.ping (baseline)", base)
        summary("raw RPC catalog.health", timed(lambda: rpc.call("catalog", "health"), N), base)
        summary("HTTP GET /health/catalog via gateway", timed(lambda: http.get(url), N), base)
        wall_b, conc_base = timed_concurrent(lambda: rpc.call("catalog", "ping"), N, 8)
        summary("raw RPC catalog.ping, 8 threads", conc_base, base, wall_b)
        sessions = {}

        def get():
            s = sessions.setdefault(threading.get_ident(), requests.Session())
            s.get(url)
        wall, conc = timed_concurrent(get, N, 8)
        summary("HTTP /health/catalog, 8 clients", conc, base, wall)
        print(f"throughput ratio gateway/raw at 8 clients: {(N / wall) / (N / wall_b):.2f}")
        rpc.close()


def main():
    for backend in backends():
        run(backend)


if __name__ == "__main__":
    main()
