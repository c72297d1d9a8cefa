"""Helpers of the appointment tests (no tests here): a salon made through the services' real
RPCs — services, staff, clients, bundle types and bundles sold with ``passes.sell_bundle``
(billing's bundle cart items are another change)."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.common.errors import CarnetError
from services.accounts.contract import errors as _accounts_errors  # noqa: F401 (typed errors)
from services.catalog.contract import errors as _catalog_errors  # noqa: F401
from services.passes.contract import errors as _passes_errors  # noqa: F401
from services.registration.contract import errors as _registration_errors  # noqa: F401


def at(days, hour=10, minute=0):
    """An instant ``days`` from today at ``hour``:``minute`` UTC, RFC 3339."""
    day = datetime.now(timezone.utc).replace(hour=hour, minute=minute, second=0,
                                             microsecond=0)
    return (day + timedelta(days=days)).isoformat()


def refused(call, code):
    with pytest.raises(CarnetError) as raised:
        call()
    assert raised.value.code == code, (raised.value.code, raised.value.details)
    return raised.value


class Salon:
    def __init__(self, rpc, timezone_name="America/Montreal"):
        self.rpc = rpc
        self.org_id = rpc.call("catalog", "create_org", {
            "name": f"Salon {uuid.uuid4().hex[:6]}", "timezone": timezone_name,
            "currency": "CAD"})["id"]

    def call(self, service, method, *args, **kwargs):
        return self.rpc.call(service, method, self.org_id, *args, **kwargs)

    def reg(self, method, *args, **kwargs):
        return self.call("registration", method, *args, **kwargs)

    def service(self, name="Soin minceur", minutes=60, price=5000):
        return self.call("catalog", "create_service", {
            "name": f"{name} {uuid.uuid4().hex[:4]}", "duration_minutes": minutes,
            "price": price, "accounting_code": "4300"})

    def staff(self, name="Julie"):
        return self.call("accounts", "create_staff", {"name": name})

    def client(self, first_name="Marie"):
        return self.call("accounts", "create_account", {
            "email": f"{uuid.uuid4().hex[:10]}@example.org", "name": "Roy",
            "members": [{"first_name": first_name, "last_name": "Roy",
                         "birth_date": "1980-01-02", "gender": "female", "skills": []}]})

    def bundle_type(self, service, count=11, division="10+1", name="10 + 1 soins minceur"):
        return self.call("catalog", "create_bundle_type", {
            "name": f"{name} {uuid.uuid4().hex[:4]}", "accounting_code": "4310",
            "divisions": [{"name": division,
                           "items": [{"service_id": service["id"], "count": count}]}]})

    def sell_bundle(self, bundle_type, account, division="10+1"):
        return self.call("passes", "sell_bundle", {
            "bundle_type_id": bundle_type["id"], "division": division,
            "account_id": account["id"], "member_id": account["members"][0]["id"],
            "invoice_id": "inv_" + uuid.uuid4().hex[:10]})

    def counts(self, account, bundle, service):
        """(total, booked, used, remaining) of ``service`` in ``bundle``, as the account's
        bundles show them."""
        for item in self.call("passes", "list_account_bundles", account["id"])["items"]:
            if item["id"] == bundle["id"]:
                for line in item["items"]:
                    if line["service_id"] == service["id"]:
                        return (line["total"], line["booked"], line["used"],
                                line["remaining"])
        raise AssertionError("no such bundle line")

    def book(self, account, service, starts_at, staff=None, **extra):
        return self.reg("book_appointment", dict({
            "member_id": account["members"][0]["id"], "service_id": service["id"],
            "starts_at": starts_at, "staff_id": staff["id"] if staff else None}, **extra))
