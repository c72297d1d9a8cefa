"""Asking the registration service by RPC (R2.5, R2.6), never inside a database transaction,
with a time limit: Nameko 2's RpcProxy waits forever, so a service that does not answer in
``CARNET_RPC_TIMEOUT`` seconds becomes ``service_unavailable``."""
from services.common.peers import call, start, wait_for  # noqa: F401 (re-exported)
