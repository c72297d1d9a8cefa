"""Asking catalog, accounts and passes by RPC (``services.common.peers``): never inside a
database transaction, with a time limit (``CARNET_RPC_TIMEOUT``: ``service_unavailable``).

What another service refuses and registration passes on is raised in registration's own
words (``contract/errors.py``, same API code and category): the pass service's
``pass_exhausted`` becomes registration's ``PassExhausted``, its bundle refusals
registration's ``Bundle…`` errors, a missing pass ``ReferenceNotFound``. A missing activity,
occurrence or member of a hold is ``OfferingNotFound`` (:meth:`Peers.ask`), of an
appointment ``AppointmentNotFound`` (:meth:`Peers.found`).
"""
from services.common import peers as rpc
from services.common.errors import NotFound
from services.common.peers import refusals_in_own_words

from ..contract import errors


class Peers:
    """The service's RpcProxies (``catalog``, ``accounts``, ``passes``) for one worker."""

    def __init__(self, catalog, accounts, passes):
        self._proxies = {"catalog": catalog, "accounts": accounts, "passes": passes}

    def start(self, service, method, *args):
        """Send the call now (calls run in parallel); :meth:`wait` or :meth:`ask` later."""
        return rpc.start(self._proxies[service], method, *args)

    @staticmethod
    def wait(reply, what):
        with refusals_in_own_words(errors):
            return rpc.wait_for(reply, what)

    def call(self, service, method, *args):
        return self.wait(self.start(service, method, *args), f"{service}.{method}")

    @classmethod
    def ask(cls, reply, what):
        """The answer of a hold's lookup; not found: ``OfferingNotFound``."""
        try:
            return cls.wait(reply, what)
        except NotFound as exc:
            raise errors.OfferingNotFound(exc.message, exc.details)

    @classmethod
    def found(cls, reply, what, field, value):
        """The answer of an appointment's lookup; not found: ``AppointmentNotFound``."""
        try:
            return cls.wait(reply, what)
        except NotFound:
            raise errors.AppointmentNotFound(f"no such {field[:-3].replace('_', ' ')}",
                                             {field: value})
