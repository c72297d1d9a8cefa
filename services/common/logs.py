"""Refusals are answers, not faults (issue 11, item 9).

Nameko logs every exception an entrypoint raises with its traceback, at ERROR (WARNING for
``expected_exceptions``). A typed refusal (``validation_error``, ``not_found``,
``sold_out`` …: every :class:`CarnetError` category that maps to a 4xx) is the service
doing its job, so :class:`RefusalsAsInfo` rewrites those records to one INFO line
(``refused <service>.<method>: <code>: <message>``). Anything else, including
``ServiceUnavailable`` and every unexpected exception, keeps its level and traceback.
"""
import logging

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


_installed = False


def install():
    """Once per process (the services import it with ``services.common.service``)."""
    global _installed
    if not _installed:
        for name in LOGGERS:
            logging.getLogger(name).addFilter(RefusalsAsInfo())
        _installed = True
