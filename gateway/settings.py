"""The gateway's process settings, read by gunicorn.conf.py and by the code that sizes
itself from them (deploy/README.md "The gateway and the pools" says why these values)."""
from services.common.config import env


def workers() -> int:
    return int(env("CARNET_GATEWAY_WORKERS", "2"))


def threads() -> int:
    """Threads per worker process: its concurrent requests, hence the size of its pools."""
    return int(env("CARNET_GATEWAY_THREADS", "8"))


def control_socket():
    """gunicorn's control socket (``gunicornc``), per instance: a path given in
    ``CARNET_GATEWAY_CONTROL_SOCKET``, or none. gunicorn's default is one path per user
    ($HOME/.gunicorn/gunicorn.ctl), which two gateways on one host would share: starting
    one replaces the other's, stopping it deletes it. Nothing in Carnet uses it."""
    return env("CARNET_GATEWAY_CONTROL_SOCKET")
