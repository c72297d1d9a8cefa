"""Helpers of the notifications tests (not tests themselves): orgs in a given language,
a paid checkout through HTTP, the sent log read by RPC, the broker's queues."""
import subprocess
import time
import uuid

from tests.api import test_checkout_support as shop

__test__ = False

RECEIPT_QUEUE = "evt-billing-checkout_completed--notifications.on_checkout_completed"


class LocaleOrg:
    def __init__(self, api, rpc, locale, name, timezone, currency):
        org = rpc.call("catalog", "create_org", {"name": name, "timezone": timezone,
                                                 "currency": currency, "locale": locale})
        key = rpc.call("accounts", "create_api_key", org["id"], {"role": "admin", "name": "t"})
        self.id, self.name, self.locale = org["id"], org["name"], locale
        token = api.ok("POST", "/auth/token", json={"api_key": key["api_key"]})["token"]
        self.admin = api.with_token(token)

    def path(self, suffix=""):
        return f"/orgs/{self.id}{suffix}"


def org_in(api, rpc, locale):
    if locale == "en":
        return LocaleOrg(api, rpc, "en", f"Riverside Centre {uuid.uuid4().hex[:4]}",
                         "America/Toronto", "CAD")
    return LocaleOrg(api, rpc, "fr", f"Centre Rosemont {uuid.uuid4().hex[:4]}",
                     "America/Montreal", "CAD")


def paid_checkout(org, price=1500, password=None):
    """A household that buys one à la carte seat by card: ``(account, checkout)``."""
    _, occurrence = shop.setup_activity(org.admin, org, a_la_carte_price=price)
    account = shop.household(org.admin, org, password=password)
    cart = shop.new_cart(org.admin, org, account["id"])
    added = shop.add_a_la_carte(org.admin, org, cart["id"], account["members"][0]["id"],
                                occurrence["id"])
    assert added.status_code == 201, added.text
    paid = shop.pay(org.admin, org, cart["id"], "card", "tok_ok")
    assert paid.status_code == 200, paid.text
    return account, paid.json()


def notices(rpc, org_id, account_id, kind=None):
    return rpc.call("notifications", "list_notices", org_id, account_id=account_id,
                    kind=kind)["items"]


def wait_notice(rpc, org_id, account_id, predicate, kind=None, timeout=90):
    """The account's notices once one matches ``predicate`` (polled, with a deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        found = notices(rpc, org_id, account_id, kind)
        if any(predicate(n) for n in found):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"no matching notice within {timeout}s: {found}")
        time.sleep(0.2)


def wait_queue_drained(vhost, queue, timeout=60):
    """Until the broker says ``queue`` has nothing ready and nothing being handled."""
    deadline = time.monotonic() + timeout
    while True:
        out = subprocess.run(["rabbitmqctl", "list_queues", "-q", "-p", vhost, "name",
                              "messages_ready", "messages_unacknowledged"],
                             capture_output=True, text=True, timeout=60).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == queue and parts[1:] == ["0", "0"]:
                return
        if time.monotonic() > deadline:
            raise AssertionError(f"{queue} still busy: {out}")
        time.sleep(0.5)
