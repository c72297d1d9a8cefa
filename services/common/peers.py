"""Asking another service by RPC from inside a Nameko service: never inside a database
transaction (DEVELOPERS.md), and with a time limit, since Nameko 2's RpcProxy waits
forever: a service that does not answer in ``CARNET_RPC_TIMEOUT`` seconds becomes
``service_unavailable``.

    reply = start(self.catalog, "get_activity", org_id, activity_id)   # sent now
    member = call(self.accounts, "get_member", org_id, member_id)       # meanwhile
    activity = wait_for(reply, "catalog.get_activity")
"""
import eventlet
from nameko.exceptions import UnknownService

from . import config
from .errors import ServiceUnavailable

_NOTHING = object()


def start(proxy, method, *args, **kwargs):
    """Send the call now; :func:`wait_for` its reply later (so calls run in parallel)."""
    try:
        return getattr(proxy, method).call_async(*args, **kwargs)
    except UnknownService as exc:
        raise ServiceUnavailable(f"a service is not running ({exc})")


def wait_for(reply, what):
    result = _NOTHING
    with eventlet.Timeout(config.rpc_timeout(), False):
        result = reply.result()
    if result is _NOTHING:
        raise ServiceUnavailable(f"{what}: no answer within {config.rpc_timeout():g} s")
    return result


def call(proxy, method, *args, **kwargs):
    return wait_for(start(proxy, method, *args, **kwargs), method)
