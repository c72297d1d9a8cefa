"""Run by ``test_reply_queue_after_reconnection.py`` in a process of its own (Nameko needs
eventlet's monkey patching): a service container with every one of Carnet's patches
(``services.common.service`` installs them all, as in a service process) loses its
consuming connection, as a cluster node's loss or a network cut does, and reconnects.
Prints, as one JSON object, its reply queue's name before and after, and whether a call
that needs a reply (the service calling itself) is answered before and after.

Usage: ``python -m tests.common.reconnect_probe`` with ``AMQP_URI`` set."""
import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

from nameko.containers import ServiceContainer  # noqa: E402
from nameko.messaging import QueueConsumer  # noqa: E402
from nameko.rpc import ReplyListener, RpcProxy, rpc  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

import services.common.service  # noqa: E402,F401 (Carnet's patches of Nameko)

NAME = "reconnect_probe_" + uuid.uuid4().hex[:8]


class Caller:
    name = NAME
    itself = RpcProxy(NAME)

    @rpc
    def echo(self, value):
        return value

    @rpc
    def ask_itself(self, value):
        return self.itself.echo(value)  # its reply comes back on the service's reply queue


def main():
    config = {"AMQP_URI": os.environ["AMQP_URI"], "max_workers": 4}
    container = ServiceContainer(Caller, config)
    container.start()
    listener = next(e for e in container.subextensions if isinstance(e, ReplyListener))
    consumer = next(e for e in container.subextensions if isinstance(e, QueueConsumer))
    seen = {}
    with ClusterRpcProxy(config, timeout=10) as cluster:
        seen["before"] = {"queue": listener.queue.name,
                          "answer": cluster[NAME].ask_itself("one")}
        connection = consumer.carnet_connection
        connection.connection.sock.shutdown(socket.SHUT_RDWR)  # the connection drops
        deadline = time.monotonic() + 30
        while listener.queue.name == seen["before"]["queue"] or \
                consumer.carnet_connection is connection:
            if time.monotonic() > deadline:
                break
            eventlet.sleep(0.1)  # polling for the reconnection, not waiting it out
        seen["after"] = {"queue": listener.queue.name,
                         "answer": cluster[NAME].ask_itself("two")}
    container.stop()
    print(json.dumps(seen), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
