"""RPC requests and replies are transient, events persistent (issue 14), as the broker sees
them: a queue of the test's own is bound to Nameko's RPC exchange (every request and
every reply of the session's vhost) and to the accounts' event exchange, and the test
reads the delivery mode of what it receives (services/common/rpc.py: RpcPublisher)."""
import time
import uuid

import pytest
from kombu import Connection, Exchange, Queue, binding

from services.billing.contract import errors as billing_errors
from services.common.errors import NotFound

TRANSIENT, PERSISTENT = 1, 2


@pytest.fixture
def tap(test_env):
    """Copies of the messages published to ``nameko-rpc`` and ``accounts.events``."""
    conn = Connection(test_env.env["AMQP_URI"])
    rpc_exchange = Exchange("nameko-rpc", type="topic", durable=True)
    events = Exchange("accounts.events", type="topic", durable=True)
    queue = Queue(f"test-tap-{uuid.uuid4().hex[:8]}", exclusive=True, auto_delete=True,
                  durable=False, bindings=[binding(rpc_exchange, routing_key="#"),
                                           binding(events, routing_key="account_created")])
    received = []

    def on_message(body, message):
        received.append((message.delivery_info["exchange"],
                         message.delivery_info["routing_key"], dict(message.properties),
                         body))
        message.ack()

    class Tap:
        messages = received

        @staticmethod
        def until(condition, timeout=15):
            deadline = time.monotonic() + timeout
            while not condition():
                if time.monotonic() > deadline:
                    raise AssertionError(f"not received within {timeout} s: {received}")
                try:
                    conn.drain_events(timeout=0.5)
                except TimeoutError:
                    pass  # nothing yet: ask again until the deadline

    with conn:
        channel = conn.channel()
        rpc_exchange(channel).declare()
        events(channel).declare()
        with conn.Consumer(queue, callbacks=[on_message], accept=["json"]):
            yield Tap


HOPS = ("billing.create_cart", "catalog.get_org")


def test_rpc_requests_and_replies_are_transient_and_events_persistent(rpc, tap):
    # the test's RPC pool asks billing, and billing asks catalog (a Nameko RpcProxy inside a
    # service): two requests, two replies (the org is unknown: the replies carry the error,
    # which billing passes on in its own words)
    with pytest.raises(NotFound) as refused:
        rpc.call("billing", "create_cart", f"org_{uuid.uuid4().hex[:12]}",
                 {"account_id": "acc_none"})
    assert type(refused.value).__module__ == billing_errors.__name__
    assert refused.value.code == "not_found"

    def rpc_messages():
        on_rpc = [(key, props) for exchange, key, props, _ in tap.messages
                  if exchange == "nameko-rpc"]
        requests = {p["correlation_id"]: (k, p) for k, p in on_rpc if "reply_to" in p}
        replies = {p["correlation_id"]: (k, p) for k, p in on_rpc if "reply_to" not in p}
        return requests, replies

    def both_hops_answered():
        requests, replies = rpc_messages()
        ours = [cid for cid, (key, _) in requests.items() if key in HOPS]
        return ({requests[cid][0] for cid in ours} == set(HOPS)
                and all(cid in replies for cid in ours))

    tap.until(both_hops_answered)
    requests, replies = rpc_messages()
    modes = {key: (props["delivery_mode"], replies[cid][1]["delivery_mode"])
             for cid, (key, props) in requests.items() if key in HOPS}
    assert modes == {"billing.create_cart": (TRANSIENT, TRANSIENT),
                     "catalog.get_org": (TRANSIENT, TRANSIENT)}

    # an event, published by the accounts service's outbox after its commit
    account = rpc.call("accounts", "create_account", f"org_{uuid.uuid4().hex[:12]}", {
        "email": f"owner-{uuid.uuid4().hex[:8]}@example.com",
        "password": "correct horse battery", "name": "Famille Roy",
        "members": [{"first_name": "Anne", "last_name": "Roy", "birth_date": "1980-01-02",
                     "gender": "female"}]})

    def announced():
        return [(props, body) for exchange, _, props, body in tap.messages
                if exchange == "accounts.events" and body["data"]["id"] == account["id"]]

    tap.until(announced)
    [(props, body)] = announced()
    assert body["type"] == "account_created"
    assert props["delivery_mode"] == PERSISTENT
