"""Run by ``test_stop_during_startup.py`` in a process of its own (Nameko needs eventlet's
monkey patching, the test runner does not have it): a service container, with Carnet's
patches (``services.common.service``), is told to stop while its consumers are still
starting, and one of its dependencies takes its time to stop (as ``Database.stop`` does,
publishing what is pending), so that the broker connection comes up in the middle of the
stop. Prints what was seen, as one JSON object:

- ``stopped_while_starting``: the stop really began before the consumers were ready;
- ``rpc_consumers``: consumers on the service's RPC queue once the connection is up;
- ``answer``: what an RPC to the stopping instance got back (``"no answer"`` in 2 s, or the
  error's name);
- ``stopped``: the stop finished once the slow dependency was done.

Usage: ``python -m tests.common.stop_probe`` with ``AMQP_URI`` set. ``Hanging`` is a
service whose stop never finishes, for ``nameko run``."""
import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import os  # noqa: E402
import uuid  # noqa: E402

from eventlet.event import Event  # noqa: E402
from kombu import Connection  # noqa: E402
from nameko.containers import ServiceContainer  # noqa: E402
from nameko.events import event_handler  # noqa: E402
from nameko.exceptions import RpcTimeout  # noqa: E402
from nameko.extensions import DependencyProvider  # noqa: E402
from nameko.messaging import QueueConsumer  # noqa: E402
from nameko.rpc import RpcProxy, rpc  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

import services.common.service  # noqa: E402,F401 (Carnet's patches of Nameko)
from tests.support.events import consumers_on  # noqa: E402

NAME = "stop_probe_" + uuid.uuid4().hex[:8]
RELEASE = Event()


class SlowToStop(DependencyProvider):
    def stop(self):
        RELEASE.wait()


class Probe:
    name = NAME
    slow = SlowToStop()
    peer = RpcProxy(NAME + "_peer")  # a reply queue too, as every service that calls another

    @rpc
    def echo(self, value):
        return value

    @event_handler(NAME + "_source", "probed")
    def on_probed(self, payload):
        pass


class NeverStops(DependencyProvider):
    def stop(self):
        Event().wait()  # nothing ever sends it


class Hanging:
    """Run with ``nameko run tests.common.stop_probe:Hanging``: its stop never finishes."""
    name = "stop_probe_hanging"
    stuck = NeverStops()

    @rpc
    def echo(self, value):
        return value


def delete_queues(uri):
    """The probe's queues (deleting one that was never declared is not an error)."""
    with Connection(uri) as connection:
        channel = connection.default_channel
        for name in (f"rpc-{NAME}", f"evt-{NAME}_source-probed--{NAME}.on_probed"):
            channel.queue_delete(name)


def main():
    uri = os.environ["AMQP_URI"]
    config = {"AMQP_URI": uri, "max_workers": 2}
    container = ServiceContainer(Probe, config)
    queue_consumer = next(extension for extension in container.subextensions
                          if isinstance(extension, QueueConsumer))
    starting = eventlet.spawn(container.start)
    while queue_consumer._gt is None:  # the consumer thread exists, still connecting
        eventlet.sleep(0)
    seen = {"stopped_while_starting": not queue_consumer._consumers_ready.ready()}
    stopping = eventlet.spawn(container.stop)
    with eventlet.Timeout(20, False):
        starting.wait()  # returns once the connection is up and the consumers declared
    seen["rpc_consumers"] = consumers_on(uri, f"rpc-{NAME}")
    try:
        with ClusterRpcProxy(config, timeout=2) as cluster:
            cluster[NAME].echo("anyone?")
            seen["answer"] = "answered"
    except RpcTimeout:
        seen["answer"] = "no answer"
    except Exception as error:  # noqa: BLE001 - reported: the test says what it expects
        seen["answer"] = getattr(error, "exc_type", None) or type(error).__name__
    RELEASE.send()
    seen["stopped"] = False
    with eventlet.Timeout(20, False):
        stopping.wait()
        seen["stopped"] = True
    delete_queues(uri)
    print(json.dumps(seen), flush=True)
    os._exit(0)  # a stop that never finished leaves green threads behind


if __name__ == "__main__":
    main()
