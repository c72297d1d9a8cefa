"""The catalog's one peer, registration (R2.5, R2.6, and its copy of the catalog, issue 14),
through ``services.common.peers``: never inside a database transaction, and with a time
limit (Nameko 2's RpcProxy waits forever, so a service that does not answer in
``CARNET_RPC_TIMEOUT`` seconds becomes ``service_unavailable``)."""
from services.common import config
from services.common.peers import call, refusals_in_own_words, start, wait_for

from ..contract import errors


class Peers:
    def __init__(self, registration):
        self.registration = registration

    def a_la_carte_in_use(self, org_id, activity_id) -> dict:
        """``{in_use, count}``: active (held or confirmed) à la carte registrations (R2.5)."""
        return call(self.registration, "a_la_carte_in_use", org_id, activity_id)

    def reserve_converted_seats(self, org_id, activity_id, conversion, pool_capacity):
        """Registration takes the seats of ``conversion`` in the session pool (R2.6); its
        refusal (``not_enough_unsold_seats``) is passed on in the catalog's own words."""
        with refusals_in_own_words(errors):
            return call(self.registration, "reserve_converted_seats", org_id, activity_id,
                        dict(conversion, pool_capacity=pool_capacity))

    def return_converted_seats(self, org_id, activity_id, conversion):
        """Give a conversion up: its seats go back to the pool once (a late take of it is
        refused)."""
        return call(self.registration, "return_converted_seats", org_id, activity_id,
                    conversion)

    def catalog_changed(self, org_id, activity_id):
        """Registration refreshes its copy of the activity and its occurrences (issue 14).
        Waited for a quarter of ``CARNET_RPC_TIMEOUT`` only: the edit is committed, and its
        own caller (the gateway) must get its answer before it gives up."""
        return wait_for(start(self.registration, "catalog_changed", org_id, activity_id),
                        "registration.catalog_changed", config.rpc_timeout() / 4)
