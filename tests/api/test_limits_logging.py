"""Noise and leaks (issue 11, item 9): a business refusal is one INFO line in the service
logs, never an ERROR with a traceback; lists under another org's account answer 404 like
the account itself."""
import pytest

from tests.api.test_sales_cart import Shop
from tests.support.client import error_of


@pytest.fixture(scope="module")
def shop(new_org, api):
    return Shop(new_org(name="Sobre"), api)


def log_sizes(stack):
    return {path: path.stat().st_size for path in stack.logdir.glob("*-*.log")}


def written_since(stack, sizes):
    text = {}
    for path in stack.logdir.glob("*-*.log"):
        with open(path, "rb") as handle:
            handle.seek(sizes.get(path, 0))
            text[path.name] = handle.read().decode(errors="replace")
    return text


def test_a_refused_booking_leaves_one_info_line_and_no_traceback(shop, stack):
    _, occurrence = shop.activity(capacity=1)
    first, first_client = shop.customer()
    shop.add(first_client, shop.cart(first_client, first), type="a_la_carte",
             member_id=first["members"][0]["id"], occurrence_id=occurrence["id"])
    second, client = shop.customer()
    cart = shop.cart(client, second)
    before = log_sizes(stack)
    refused = shop.add(client, cart, type="a_la_carte", member_id=second["members"][0]["id"],
                       occurrence_id=occurrence["id"])
    error_of(refused, 409, "sold_out")
    error_of(shop.staff.get(shop.path("/activities/act_nope")), 404, "not_found")
    logs = written_since(stack, before)
    # the refusal is logged where it happened (registration), by the time it is answered
    service_logs = {name: text for name, text in logs.items()
                    if name.startswith(("registration-", "billing-", "catalog-"))}
    assert any("INFO" in line and "refused" in line and "sold_out" in line
               for text in service_logs.values() for line in text.splitlines()), service_logs
    for name, text in logs.items():
        assert "Traceback" not in text, (name, text)
        assert "ERROR" not in text, (name, text)


@pytest.mark.parametrize("kind", ["passes", "bundles", "registrations", "invoices",
                                  "subscriptions", "appointments", "credit"])
def test_lists_under_another_orgs_account_are_404(shop, new_org, api, kind):
    other = Shop(new_org(name="Ailleurs"), api) if not hasattr(shop, "_other") else shop._other
    shop._other = other
    account, _ = other.customer()
    error_of(shop.staff.get(shop.path(f"/accounts/{account['id']}")), 404, "not_found")
    error_of(shop.staff.get(shop.path(f"/accounts/{account['id']}/{kind}")), 404, "not_found")
    # and the owner's org still answers
    assert other.staff.get(other.path(f"/accounts/{account['id']}/{kind}")).status_code == 200
