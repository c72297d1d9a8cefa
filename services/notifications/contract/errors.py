"""Notifications's typed errors (registered so they cross RPC as themselves).

Imported by the gateway: keep this module free of database and broker imports."""
from services.common.errors import NotFound, remote_error


@remote_error
class NotificationAccountNotFound(NotFound):
    """Preferences of an account that does not exist in the org."""
    code = "not_found"
