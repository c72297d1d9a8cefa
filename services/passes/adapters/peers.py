"""Asking catalog and accounts by RPC: never inside a database transaction (on SQLite a
green thread that yields while holding the write lock would stall the others), and with a
time limit, since Nameko 2's RpcProxy waits forever: a service that does not answer in
``CARNET_RPC_TIMEOUT`` seconds becomes ``service_unavailable``."""
from nameko.exceptions import MethodNotFound

# Registered so that their errors arrive here as themselves (and travel on unchanged).
from services.accounts.contract import errors as _accounts_errors  # noqa: F401
from services.catalog.contract import errors as _catalog_errors  # noqa: F401

from services.common.peers import call, start, wait_for  # noqa: F401 (re-exported)


def pass_type_terms(catalog, org_id, pass_type_id):
    """The pass type with its current terms and ``terms_version`` (R2.9). Falls back to
    ``get_pass_type`` (which also carries ``terms_version``) if the catalog in front of us
    is older than ``get_pass_type_terms``."""
    try:
        return call(catalog, "get_pass_type_terms", org_id, pass_type_id)
    except MethodNotFound:
        return call(catalog, "get_pass_type", org_id, pass_type_id)
