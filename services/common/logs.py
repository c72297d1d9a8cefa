"""JSON logs an operator can follow: every line says which service wrote it and, when it
was caused by an HTTP request, that request's id.

The gateway takes the id from the client's ``X-Request-Id`` (when it is short and plain,
see :func:`sanitise`) or makes one, and answers it in the same header. It then travels:

- through every RPC, as Nameko context data (``request_id``, an AMQP header Nameko passes on
  to every nested call);
- through every event, in the envelope (``request_id``, set by ``uow.emit``); the handler
  of the event takes it back (``services.common.observability``), so what an event causes
  carries the id of the request that caused the event.

So ``grep <id>`` over every process's log finds one booking's path across the services.
"""
import contextvars
import logging
import os
import re
import sys
import uuid

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

HEADER = "X-Request-Id"
CONTEXT_KEY = "request_id"
_REQUEST_ID = contextvars.ContextVar("carnet_request_id", default=None)
_PLAIN = re.compile(r"^[A-Za-z0-9._:@-]{1,64}$")
_service = {"name": None}


def sanitise(value):
    """A client's id if it is 1–64 characters of ``A-Za-z0-9._:@-``, else None (then the
    gateway makes one): nothing a client sends can break a log line or grow it."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if _PLAIN.match(value) else None


def new_request_id():
    return uuid.uuid4().hex


def current():
    return _REQUEST_ID.get()


def bind(request_id):
    """Make ``request_id`` (or None) the current one, for this thread / green thread."""
    _REQUEST_ID.set(request_id)


def set_service(name):
    _service["name"] = name


def service_name():
    if _service["name"] is None:  # before the container says: from ``nameko run … mod:Class``
        target = next((arg for arg in sys.argv[1:] if ":" in arg and "/" not in arg), "")
        _service["name"] = target.split(":")[-1] or os.path.basename(sys.argv[0])
    return _service["name"]


def stamp_proxy(cluster):
    """Put the current request id in a standalone RPC proxy's context data (the gateway's
    and the CLI's pooled proxies), or take an earlier request's id out of it."""
    worker_ctx = getattr(cluster, "_worker_ctx", None)
    if worker_ctx is None:
        return
    request_id = current()
    if request_id:
        worker_ctx.data[CONTEXT_KEY] = request_id
    else:
        worker_ctx.data.pop(CONTEXT_KEY, None)


def stamp_envelope(payload):
    """An event emitted while handling a request carries that request's id."""
    request_id = current()
    if request_id:
        payload[CONTEXT_KEY] = request_id
    return payload


class ContextFilter(logging.Filter):
    """Adds ``service`` and ``request_id`` to every record (attach it to the handler)."""

    def filter(self, record):
        record.service = service_name()
        record.request_id = current()
        return True


class JsonFormatter(_JsonFormatter):
    """python-json-logger, with Carnet's field names: time, level, service, logger,
    request_id, message (and the exception, when there is one)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(levelname)s %(service)s %(name)s %(request_id)s %(message)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")  # ISO 8601, UTC
        super().__init__(*args, **kwargs)


def logging_config(level="INFO", fmt="json"):
    """A ``logging.config.dictConfig`` for processes that are not Nameko services (the
    gateway under gunicorn); services get the same from ``deploy/nameko.yaml``."""
    return {
        "version": 1, "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter}},
        "formatters": {"json": {"()": JsonFormatter},
                       "plain": {"format": "%(levelname)s %(service)s %(name)s "
                                           "[%(request_id)s]: %(message)s"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context"],
                                 "formatter": fmt if fmt in ("json", "plain") else "json",
                                 "stream": "ext://sys.stdout"}},
        "root": {"level": level, "handlers": ["console"]},
        "loggers": {name: {"level": "WARNING"} for name in ("kombu", "nameko", "amqp")},
    }


# -- refusals are answers, not faults (issue 11, item 9) ------------------------------------
# Nameko logs every exception an entrypoint raises with its traceback, at ERROR (WARNING for
# ``expected_exceptions``). A typed refusal (every CarnetError category that maps to a 4xx) is
# the service doing its job: RefusalsAsInfo rewrites those records to one INFO line
# (``refused <call id>: <code>: <message>``). Anything else keeps its level and traceback.
from .errors import (BusinessRuleViolation, Forbidden, InvalidInput, NotFound,
                     PaymentDeclined, Unauthenticated)

REFUSALS = (InvalidInput, Unauthenticated, PaymentDeclined, Forbidden, NotFound,
            BusinessRuleViolation)
LOGGERS = ("nameko.containers",)


def refusal_of(record):
    exc = record.exc_info[1] if record.exc_info else None
    return exc if isinstance(exc, REFUSALS) else None


class RefusalsAsInfo(logging.Filter):
    def filter(self, record):
        refusal = refusal_of(record)
        if refusal is not None:
            worker = record.args[0] if isinstance(record.args, tuple) and record.args else ""
            record.msg = "refused %s: %s: %s"
            record.args = (getattr(worker, "call_id", worker), refusal.code, refusal.message)
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.exc_info, record.exc_text = None, None
        return True


def dump_greenlets(signum=None, frame=None):
    """Every green thread's stack, as one WARNING line each (``kill -USR1 <pid>``): what a
    service that stopped answering is waiting on. py-spy sees only the hub of an eventlet
    process; its workers, consumers and timers are greenlets."""
    import gc
    import traceback

    import greenlet
    stacks = [obj for obj in gc.get_objects() if isinstance(obj, greenlet.greenlet)
              and obj.gr_frame is not None]
    for green in stacks:
        logging.getLogger(__name__).warning(
            "green thread %s:\n%s", getattr(green, "name", None) or type(green).__name__,
            "".join(traceback.format_stack(green.gr_frame)))
    logging.getLogger(__name__).warning("%d green threads dumped", len(stacks))


_installed = False


def install():
    """Once per process (the services import it with ``services.common.service``)."""
    global _installed
    if not _installed:
        for name in LOGGERS:
            logging.getLogger(name).addFilter(RefusalsAsInfo())
        import signal
        signal.signal(signal.SIGUSR1, dump_greenlets)
        _installed = True
