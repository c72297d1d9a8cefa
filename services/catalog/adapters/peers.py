"""Asking the registration service by RPC (R2.5, R2.6), never inside a database transaction,
with a time limit: Nameko 2's RpcProxy waits forever, so a service that does not answer in
``CARNET_RPC_TIMEOUT`` seconds becomes ``service_unavailable``."""
import eventlet
from nameko.exceptions import UnknownService

from services.common import config
from services.common.errors import ServiceUnavailable

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
