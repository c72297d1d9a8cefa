"""What a booking costs in hops and transactions, read from the services' own Prometheus
metrics (``services/common/observability.py``) before and after N bookings:

- ``carnet_rpc_calls_by_origin_total{service, method, origin}``: RPCs each service
  handled, by where their chain began: ``client`` (the gateway: the request's own path,
  the gateway's call counting as the first hop) or an event handler or timer (work a
  booking sets off in the background, e.g. a receipt e-mail);
- ``carnet_db_transactions_total{service, database, step}``: transactions begun and
  committed by each process (SQLAlchemy ``begin``/``commit`` events, ``services/common/db.py``;
  read-only units of work count too; PostgreSQL's ``pool_pre_ping`` does not);
- ``carnet_db_statements_total{service, database, verb}``: SQL statements each process
  sent (what a transaction costs on PostgreSQL is mostly its statements' round trips);
- ``carnet_events_handled_total{service, source, event}``: events handled.

Timers (outbox relay, notifications, billing worker) also open transactions while idle:
the same scrape over an idle window of the same length is subtracted.
"""
import time
from collections import Counter

import requests
from prometheus_client.parser import text_string_to_metric_families

WANTED = {"carnet_rpc_calls_by_origin": ("rpc", ("service", "method", "origin")),
          "carnet_db_transactions": ("tx", ("service", "step")),
          "carnet_db_statements": ("sql", ("service", "verb")),
          "carnet_events_handled": ("event", ("service", "source", "event"))}


def scrape(stack):
    """Every running instance's counters, summed: ``Counter({(kind, labels…): value})``."""
    totals = Counter()
    for ports in stack.health_ports.values():
        for port in ports:
            text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
            for family in text_string_to_metric_families(text):
                if family.name not in WANTED:
                    continue
                kind, labels = WANTED[family.name]
                for sample in family.samples:
                    if sample.name.endswith("_total"):
                        key = (kind, *(sample.labels.get(label, "") for label in labels))
                        totals[key] += sample.value
    return totals


def settled(stack, timeout=30):
    """Scrape until two scrapes half a second apart agree on RPCs and events (what a booking
    set off in the background, e.g. an e-mail, is done)."""
    deadline = time.monotonic() + timeout
    previous = scrape(stack)
    while True:
        time.sleep(0.5)  # the interval between two scrapes
        current = scrape(stack)
        same = all(previous[k] == current[k] for k in set(previous) | set(current)
                   if k[0] not in ("tx", "sql"))
        if same or time.monotonic() > deadline:
            return current
        previous = current


def delta(after, before):
    return Counter({k: after[k] - before[k] for k in after if after[k] - before[k]})


def per_booking(stack, book, n):
    """Run ``book`` ``n`` times at one client; the counters' deltas per booking, the idle
    window's subtracted: ``{(kind, labels…): per booking}``."""
    before = settled(stack)
    start = time.monotonic()
    for _ in range(n):
        book()
    after = settled(stack)
    busy = time.monotonic() - start
    idle_start = scrape(stack)
    time.sleep(busy)  # an idle window as long as the busy one: background work only
    idle = delta(scrape(stack), idle_start)
    work = delta(after, before)
    return {k: (work[k] - idle.get(k, 0)) / n for k in work if work[k] - idle.get(k, 0) > 0}


def report(title, counts):
    """Print RPCs by method, transactions by service, events handled; return the totals."""
    rpcs = sorted(((k[1], k[2]), v) for k, v in counts.items()
                  if k[0] == "rpc" and k[3] == "client")
    background = sorted(((k[3], k[1], k[2]), v) for k, v in counts.items()
                        if k[0] == "rpc" and k[3] != "client")
    commits = sorted((k[1], v) for k, v in counts.items() if k[0] == "tx" and k[2] == "commit")
    begins = {k[1]: v for k, v in counts.items() if k[0] == "tx" and k[2] == "begin"}
    events = sorted(((k[1], k[2], k[3]), v) for k, v in counts.items() if k[0] == "event")
    statements = {}
    for key, value in counts.items():
        if key[0] == "sql":
            statements.setdefault(key[1], {})[key[2]] = value
    total_rpc = sum(v for _, v in rpcs)
    total_commits = sum(v for _, v in commits)
    print(f"\n{title}: RPCs per booking {total_rpc:.1f} in the request's path "
          f"(+{sum(v for _, v in background):.1f} in the background), commits per booking "
          f"{total_commits:.1f} (transactions begun {sum(begins.values()):.1f})")
    print(f"    statements per booking {sum(sum(v.values()) for v in statements.values()):.1f}")
    for service, verbs in sorted(statements.items()):
        detail = ", ".join(f"{verb} {value:.2f}" for verb, value in sorted(verbs.items()))
        print(f"    sql     {service:<42} {sum(verbs.values()):5.2f}  ({detail})")
    for (service, method), value in rpcs:
        print(f"    rpc     {service + '.' + method:<42} {value:5.2f}")
    for (origin, service, method), value in background:
        print(f"    rpc     {service + '.' + method:<42} {value:5.2f}  (background, "
              f"from {origin})")
    for service, value in commits:
        print(f"    commits {service:<42} {value:5.2f}  (begun {begins.get(service, 0):.2f})")
    for (service, source, event), value in events:
        print(f"    event   {source + '.' + event + ' -> ' + service:<42} {value:5.2f}")
    return total_rpc, total_commits
