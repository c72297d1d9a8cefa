"""A real SMTP server for the tests (aiosmtpd, on a free port), keeping what it receives in
memory: the notifications service sends to it as to any SMTP server.

``stop()``/``start()`` take it down and bring it back on the same port (an SMTP outage);
``hold()`` makes it keep each message's DATA unanswered until ``release()`` (a send caught
midway), after which the held messages are refused, never delivered.
"""
import asyncio
import email
import email.policy
import socket
import threading
import time

from aiosmtpd.controller import Controller


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self, box):
        self.box = box

    async def handle_DATA(self, server, session, envelope):
        if self.box._holding.is_set():
            self.box.held += 1
            while self.box._holding.is_set():
                await asyncio.sleep(0.05)
            return "451 Requested action aborted: try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.box._lock:
            self.box.messages.append(message)
        return "250 OK"


class Mailbox:
    def __init__(self, port=None):
        self.host = "127.0.0.1"
        self.port = port or _free_port()
        self.messages = []
        self.held = 0
        self._lock = threading.Lock()
        self._holding = threading.Event()
        self._controller = None

    def start(self):
        deadline = time.monotonic() + 30
        while True:
            controller = Controller(_Handler(self), hostname=self.host, port=self.port)
            try:
                controller.start()
                self._controller = controller
                return self
            except (OSError, RuntimeError):  # the port is still being released
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def hold(self):
        self._holding.set()

    def release(self):
        self._holding.clear()

    # -- reading what arrived --------------------------------------------------------------------
    def to(self, address):
        with self._lock:
            return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def wait_for(self, address, count=1, timeout=60):
        """The messages to ``address`` once at least ``count`` have arrived."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.to(address)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} message(s) to {address} within {timeout}s, "
                                     f"expected {count}")
            time.sleep(0.1)

    def wait_held(self, timeout=60):
        deadline = time.monotonic() + timeout
        while self.held == 0:
            if time.monotonic() > deadline:
                raise AssertionError("no message reached the SMTP server")
            time.sleep(0.05)
