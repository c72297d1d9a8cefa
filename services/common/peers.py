"""Asking another service by RPC from inside a Nameko service: never inside a database
transaction (DEVELOPERS.md), and with a time limit, since Nameko 2's RpcProxy waits
forever: a service that does not answer in ``CARNET_RPC_TIMEOUT`` seconds becomes
``service_unavailable`` (and the next requests go on new connections:
:func:`services.common.rpc.suspect_request_connections`).

    reply = start(self.catalog, "get_activity", org_id, activity_id)   # sent now
    member = call(self.accounts, "get_member", org_id, member_id)       # meanwhile
    activity = wait_for(reply, "catalog.get_activity")
"""
from contextlib import contextmanager

import eventlet
from nameko.exceptions import UnknownService

from . import config
from .errors import CarnetError, ServiceUnavailable
from .rpc import suspect_request_connections

_NOTHING = object()


def start(proxy, method, *args, **kwargs):
    """Send the call now; :func:`wait_for` its reply later (so calls run in parallel)."""
    try:
        return getattr(proxy, method).call_async(*args, **kwargs)
    except UnknownService as exc:
        raise ServiceUnavailable(f"a service is not running ({exc})")


def wait_for(reply, what, seconds=None):
    """The reply, or :class:`ServiceUnavailable` after ``seconds`` (default
    ``CARNET_RPC_TIMEOUT``; a caller that must answer before its own caller gives up
    passes less)."""
    seconds = config.rpc_timeout() if seconds is None else seconds
    result = _NOTHING
    with eventlet.Timeout(seconds, False):
        result = reply.result()
    if result is _NOTHING:
        suspect_request_connections(what)
        raise ServiceUnavailable(f"{what}: no answer within {seconds:g} s")
    return result


def call(proxy, method, *args, **kwargs):
    return wait_for(start(proxy, method, *args, **kwargs), method)


def in_own_words(error, contract_errors):
    """A peer's refusal as one of the caller's own contract errors: the caller's error type
    with the same ``code`` and category (so a client sees the same API code, and the error
    that crosses the caller's RPC boundary is the caller's own). An error the caller's
    contract has no word for is returned as it is."""
    if not isinstance(error, CarnetError) or type(error).__module__ in (
            contract_errors.__name__, CarnetError.__module__):
        return error  # already the caller's, or a shared category (service_unavailable …)
    category = next((base for base in type(error).__mro__[1:]
                     if base.__module__ == CarnetError.__module__), CarnetError)
    for candidate in vars(contract_errors).values():
        if (isinstance(candidate, type) and issubclass(candidate, category)
                and candidate.__module__ == contract_errors.__name__
                and getattr(candidate, "code", None) == error.code):
            return candidate(error.message, error.details)
    return error


@contextmanager
def refusals_in_own_words(contract_errors):
    """``with refusals_in_own_words(errors): call(...)``: see :func:`in_own_words`."""
    try:
        yield
    except CarnetError as error:
        translated = in_own_words(error, contract_errors)
        if translated is error:
            raise
        raise translated from error
