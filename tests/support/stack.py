"""The real thing, started for the tests (``carnet/stack.py``): every service as its own
``nameko run`` process (optionally several instances), and the gateway under gunicorn,
sending e-mail to an in-memory SMTP server the tests read (``stack.mail``).

Readiness is awaited by asking (a health RPC, ``GET /health``), never by sleeping.
"""
from carnet import stack as _stack
from carnet.stack import BIN, PROCESSES, SERVICE_CLASSES, free_port
from tests.support.mailbox import Mailbox

__all__ = ["BIN", "PROCESSES", "SERVICE_CLASSES", "Stack", "free_port"]

# notifications retries quickly here, so that outage tests end in seconds
NOTIFY_SETTINGS = {
    "CARNET_SMTP_TIMEOUT": "10", "CARNET_NOTIFY_LEASE_SECONDS": "12",
    "CARNET_NOTIFY_INTERVAL": "1", "CARNET_NOTIFY_RETRY_BASE_SECONDS": "1",
    "CARNET_NOTIFY_RETRY_MAX_SECONDS": "2", "CARNET_NOTIFY_MAX_ATTEMPTS": "50"}


class Stack(_stack.Stack):
    def __init__(self, env, logdir):
        super().__init__(env, logdir, mail=Mailbox(), settings=NOTIFY_SETTINGS)
