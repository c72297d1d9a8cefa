"""The gateway's RPC clients: one pool per worker process, created on first use (after
gunicorn forks), shared by the worker's threads."""
import os

from services.common import config
from services.common.rpc import RpcPool

_pools = {}


def pool(kind="default"):
    key = (os.getpid(), kind)
    if key not in _pools:
        if kind == "health":
            _pools[key] = RpcPool(size=8, timeout=float(config.env("CARNET_HEALTH_TIMEOUT", "2")))
        else:
            _pools[key] = RpcPool(size=int(config.env("CARNET_GATEWAY_RPC_POOL", "16")))
    return _pools[key]


def call(service, method, *args, **kwargs):
    return pool().call(service, method, *args, **kwargs)
