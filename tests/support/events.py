"""Listen to a service's events on the real broker, to wait for a fact instead of sleeping."""
import queue
import threading
import uuid

from amqp.exceptions import NotFound
from kombu import Connection, Exchange, Queue, binding


def consumers_on(amqp_uri, queue_name):
    """How many consumers the broker has on a queue right now (0: none, or no such queue)."""
    with Connection(amqp_uri) as connection:
        try:
            _, _, consumers = Queue(queue_name, durable=True)(
                connection.default_channel).queue_declare(passive=True)
        except NotFound:
            return 0
        return consumers


class EventListener:
    def __init__(self, amqp_uri, service, event_types=("#",)):
        self.received = queue.Queue()
        self._seen = []
        self.conn = Connection(amqp_uri)
        exchange = Exchange(f"{service}.events", type="topic", durable=True)
        name = f"test-listener-{uuid.uuid4().hex[:8]}"
        self.queues = [Queue(name, bindings=[binding(exchange, routing_key=t)
                                             for t in event_types],
                             exclusive=True, auto_delete=True)]
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def _run(self):
        with self.conn.Consumer(self.queues, callbacks=[self._on], accept=["json"]):
            self._ready.set()
            while not self._stop.is_set():
                try:
                    self.conn.drain_events(timeout=0.2)
                except TimeoutError:
                    continue
                except Exception:  # socket.timeout is TimeoutError on 3.10+
                    continue

    def _on(self, body, message):
        self.received.put(body)
        message.ack()

    def wait_for(self, event_type, predicate=lambda e: True, timeout=15):
        """The first event of ``event_type`` matching ``predicate`` (or AssertionError).

        Events that do not match are kept for later calls, so waiting for several facts in
        a row loses none of them."""
        import time
        for index, event in enumerate(self._seen):
            if event.get("type") == event_type and predicate(event):
                return self._seen.pop(index)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {event_type} event within {timeout}s")
            try:
                event = self.received.get(timeout=remaining)
            except queue.Empty:
                continue
            if event.get("type") == event_type and predicate(event):
                return event
            self._seen.append(event)

    def close(self):
        self._stop.set()
        self._thread.join(5)
        self.conn.release()
