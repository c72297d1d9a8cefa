"""Billing's calls to other services: every one through ``services.common.peers``, limited
to ``settings.step_timeout()`` (below the gateway's RPC timeout, so a stuck call ends as a
503 the client can retry, and a checkout step never outlasts its lease). A call that gave
up may still be executed later by the other service (the request stays in its queue),
which is why every step billing asks for is idempotent.

Two ways to ask:
- :meth:`Peers.ask`: the answer, or the peer's refusal in billing's own words (``sold_out``
  … reach the gateway with the peer's code, message and details, as one of billing's
  contract errors; the peers' contracts are imported below so that Nameko rebuilds their
  errors here first), or ``service_unavailable``.
- :meth:`Peers.step`: a step of the checkout saga (docs in ``domain/checkout.py``): a
  typed refusal (business rule, not found, invalid) is :class:`StepRefused`; no answer
  (timeout, service down, unexpected remote error) is :class:`StepUnavailable`.

:class:`Seats` and :class:`Sales` are the saga's ports, built on :meth:`Peers.step`.
"""
from nameko.exceptions import RemoteError

# Other services' errors must arrive here as themselves (sold_out …) so that they reach
# the gateway unchanged.
from services.accounts.contract import errors as _accounts_errors  # noqa: F401
from services.catalog.contract import errors as _catalog_errors  # noqa: F401
from services.passes.contract import errors as _passes_errors  # noqa: F401
from services.registration.contract import errors as _registration_errors  # noqa: F401
from services.common import peers as rpc
from services.common.cache import PeerCache
from services.common.errors import (BusinessRuleViolation, InvalidInput, NotFound,
                                    ServiceUnavailable)

from ..contract import errors
from ..contract.errors import InvalidBillingInput
from ..domain.checkout import StepRefused, StepUnavailable
from . import settings

# org id -> {currency, timezone}: neither changes once the org exists
_orgs = PeerCache(seconds=None, size=10_000)
# (org id, account id) of accounts known to exist: accounts are never deleted, so a yes is
# for good (a no is never kept: the account may be created the next moment)
_accounts = PeerCache(seconds=None, size=100_000)
# what a receipt prints of its org and household: editable, so kept a short while only
_receipt_parties = PeerCache(seconds=settings.receipt_parties_seconds(), size=10_000)
# (org id, its catalog tax revision, the priced objects) -> catalog's tax rules for them:
# good while the org's revision (``TaxMarks``) is the same (issue 14)
_checkout_tax_rules = PeerCache(seconds=None, size=10_000)


def refusal(error) -> dict:
    return {"code": getattr(error, "code", "error"),
            "message": getattr(error, "message", str(error)),
            "details": getattr(error, "details", {}) or {}}


class Peers:
    """The RPC proxies of the service that uses it (``registration``, ``accounts``,
    ``catalog``, ``passes``; the worker has the catalog only)."""

    def __init__(self, timeout=None, **proxies):
        self.proxies = proxies
        self.timeout = settings.step_timeout() if timeout is None else timeout

    def ask(self, service, method, *args):
        """The answer; a peer's refusal in billing's own words (same code, message and
        details: ``contract/errors.py``); ``service_unavailable`` on no answer."""
        with rpc.refusals_in_own_words(errors):
            reply = rpc.start(self.proxies[service], method, *args)
            return rpc.wait_for(reply, f"{service}.{method}", self.timeout)

    def step(self, service, method, *args):
        try:
            return self.ask(service, method, *args)
        except (NotFound, BusinessRuleViolation, InvalidInput) as refused:
            raise StepRefused(refusal(refused))
        except (ServiceUnavailable, RemoteError, ConnectionError, OSError) as problem:
            raise StepUnavailable(str(problem))

    # -- what billing asks -------------------------------------------------------------------
    def org(self, org_id):
        """``{currency, timezone}`` of an org (cached: they never change); an unknown org
        is ``not_found``."""
        def fetch():
            org = self.ask("catalog", "get_org", org_id)
            return {"currency": org["currency"], "timezone": org["timezone"]}
        return _orgs.get(org_id, fetch)

    def ensure_account(self, org_id, account_id):
        """The account exists in the org (``not_found`` if not); asked once per process and
        account (issue 14: a shop booking's cart no longer costs accounts a call)."""
        _accounts.get((org_id, account_id),
                      lambda: bool(self.ask("accounts", "get_account", org_id, account_id)))

    def receipt_org(self, org_id):
        """The org as a receipt prints it (``get_org``), at most
        ``settings.receipt_parties_seconds()`` old (0: asked every time)."""
        return _receipt_parties.get(("org", org_id),
                                    lambda: self.ask("catalog", "get_org", org_id))

    def receipt_account(self, org_id, account_id):
        """The account as a receipt prints it (``get_account``: its name, its members'
        names), ``{}`` if there is none; at most ``settings.receipt_parties_seconds()``
        old."""
        def fetch():
            try:
                return self.ask("accounts", "get_account", org_id, account_id)
            except NotFound:
                return {}
        return _receipt_parties.get(("account", org_id, account_id), fetch)

    def catalog_object(self, method, field, org_id, object_id):
        """An object of the catalog named in the request: unknown is invalid input."""
        try:
            return self.ask("catalog", method, org_id, object_id)
        except NotFound:
            raise InvalidBillingInput("the request is not valid",
                                      {field: ["no such object in this organisation"]})

    def tax_rules(self, org_id, refs):
        """R7.2: catalog's tax rules for these priced objects."""
        return self.ask("catalog", "tax_rules", org_id, refs)

    def checkout_tax_rules(self, org_id, refs, revision):
        """:meth:`tax_rules`, kept by this process under ``revision``, the org's count of
        catalog edits billing has handled that may change them (``TaxMarks``): asked again
        once an edit's event was handled. An answer that leaves one of ``refs`` out (an
        object the catalog does not know) is not kept."""
        key = (org_id, revision, tuple(sorted(f"{r['type']}:{r['id']}" for r in refs)))
        found = _checkout_tax_rules.find(key)
        if found is not None:
            return found
        rules = self.tax_rules(org_id, refs)
        if all(name in (rules.get("codes") or {}) for name in key[2]):
            _checkout_tax_rules.put(key, rules)
        return rules


class Seats:
    """Registration's side of the saga (docs/contracts.md, "registration")."""

    def __init__(self, peers: Peers):
        self.peers = peers

    def confirm(self, org_id, registration_ids, invoice_id):
        return self.peers.step("registration", "confirm", org_id, list(registration_ids),
                               invoice_id)["items"]

    def cancel_for_invoice(self, org_id, invoice_id):
        return self.peers.step("registration", "cancel_for_invoice", org_id,
                               invoice_id)["items"]

    def release(self, org_id, registration_id):
        return self.peers.step("registration", "release", org_id, registration_id)


class Sales:
    """What checkout delivers through other services (docs/contracts.md "passes" and
    "registration"): passes, bundles and memberships sold on the invoice (R6.3), a hold
    given the pass bought in its cart (R3.10), an appointment completed (R4.7), and the
    sales of an undone checkout revoked. Every call is idempotent for the invoice and
    cart item."""

    def __init__(self, peers: Peers):
        self.peers = peers

    def sell(self, org_id, account_id, invoice_id, item):
        reference = item.get("reference") or {}
        data = {"account_id": account_id, "member_id": item.get("member_id"),
                "invoice_id": invoice_id, "cart_item_id": item["id"]}
        if item["type"] == "pass":
            return self.peers.step("passes", "sell_pass", org_id,
                                   dict(data, pass_type_id=reference["pass_type_id"]))
        if item["type"] == "bundle":
            return self.peers.step("passes", "sell_bundle", org_id,
                                   dict(data, bundle_type_id=reference["bundle_type_id"],
                                        division=reference["division"]))
        if item["type"] == "membership":
            return self.peers.step("passes", "sell_membership", org_id, dict(
                data, membership_type_id=reference["membership_type_id"]))
        raise ValueError(f"not sold by passes: {item['type']}")

    def revoke_for_invoice(self, org_id, invoice_id):
        return self.peers.step("passes", "revoke_for_invoice", org_id, invoice_id)

    def give_pass_use_back(self, org_id, pass_id, registration_id, reason):
        """The use a voided booking took, given back now (idempotent on the registration:
        registration's own consumer of the cancellation then replays it)."""
        return self.peers.step("passes", "credit_pass", org_id, pass_id,
                               {"registration_id": registration_id, "force": True,
                                "reason": reason})

    def attach_pass_to_hold(self, org_id, registration_id, pass_id):
        return self.peers.step("registration", "attach_pass_to_hold", org_id,
                               registration_id, {"pass_id": pass_id})

    def release(self, org_id, registration_id):
        return self.peers.step("registration", "release", org_id, registration_id)

    def complete_appointment(self, org_id, appointment_id, invoice_id, bundle_id=None):
        data = {"invoice_id": invoice_id}
        if bundle_id:
            data["bundle_id"] = bundle_id
        return self.peers.step("registration", "complete_appointment", org_id,
                               appointment_id, data)
