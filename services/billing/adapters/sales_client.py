"""What checkout delivers through other services (the saga's :class:`Sales` port,
docs/contracts.md "passes" and "registration"): passes, bundles and memberships sold on the
invoice (R6.3), a hold given the pass bought in its cart (R3.10), an appointment completed
(R4.7), and the sales of an undone checkout revoked. Every call is idempotent for the
invoice and cart item, and limited in time (``call_with_timeout``); answers are sorted as
for the seats: a typed refusal is :class:`StepRefused`, no answer :class:`StepUnavailable`.
"""
from nameko.exceptions import RemoteError

from services.common.errors import (BusinessRuleViolation, InvalidInput, NotFound,
                                    ServiceUnavailable)

from ..domain.checkout import StepRefused, StepUnavailable
from .registration_client import call_with_timeout, refusal


class CheckoutSales:
    def __init__(self, passes, registration, timeout):
        self.passes = passes
        self.registration = registration
        self.timeout = timeout

    def _step(self, proxy, service, method, *args):
        try:
            return call_with_timeout(proxy, service, method, self.timeout, *args)
        except (NotFound, BusinessRuleViolation, InvalidInput) as refused:
            raise StepRefused(refusal(refused))
        except (ServiceUnavailable, RemoteError, ConnectionError, OSError) as problem:
            raise StepUnavailable(str(problem))

    def sell(self, org_id, account_id, invoice_id, item):
        reference = item.get("reference") or {}
        data = {"account_id": account_id, "member_id": item.get("member_id"),
                "invoice_id": invoice_id, "cart_item_id": item["id"]}
        if item["type"] == "pass":
            return self._step(self.passes, "passes", "sell_pass", org_id,
                              dict(data, pass_type_id=reference["pass_type_id"]))
        if item["type"] == "bundle":
            return self._step(self.passes, "passes", "sell_bundle", org_id,
                              dict(data, bundle_type_id=reference["bundle_type_id"],
                                   division=reference["division"]))
        if item["type"] == "membership":
            return self._step(self.passes, "passes", "sell_membership", org_id,
                              dict(data, membership_type_id=reference["membership_type_id"]))
        raise ValueError(f"not sold by passes: {item['type']}")

    def revoke_for_invoice(self, org_id, invoice_id):
        return self._step(self.passes, "passes", "revoke_for_invoice", org_id, invoice_id)

    def give_pass_use_back(self, org_id, pass_id, registration_id, reason):
        """The use a voided booking took, given back now (idempotent on the registration:
        registration's own consumer of the cancellation then replays it)."""
        return self._step(self.passes, "passes", "credit_pass", org_id, pass_id,
                          {"registration_id": registration_id, "force": True,
                           "reason": reason})

    def attach_pass_to_hold(self, org_id, registration_id, pass_id):
        return self._step(self.registration, "registration", "attach_pass_to_hold", org_id,
                          registration_id, {"pass_id": pass_id})

    def release(self, org_id, registration_id):
        return self._step(self.registration, "registration", "release", org_id,
                          registration_id)

    def complete_appointment(self, org_id, appointment_id, invoice_id, bundle_id=None):
        data = {"invoice_id": invoice_id}
        if bundle_id:
            data["bundle_id"] = bundle_id
        return self._step(self.registration, "registration", "complete_appointment", org_id,
                          appointment_id, data)
