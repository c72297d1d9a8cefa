"""Billing keeps the catalog's tax rules it asked for a checkout (issue 14, docs/taxes.md
"Where a checkout's tax rules come from"): the next checkout of the same things asks the
catalog nothing, and an edit of the org's taxes or of an item's ``tax_codes`` applies from
the moment billing has handled its event (the rule the client saw, or a newer one)."""
import pytest

from tests.api import test_checkout_support as shop
from tests.api.observability_support import poll
from tests.api.test_taxes_checkout import QUEBEC_TAXES, Shop, amounts


@pytest.fixture
def centre(new_org, api):
    store = Shop(new_org(name="Centre Hochelaga", timezone="America/Montreal",
                         currency="CAD"), api, "America/Montreal")
    store.settings(prices_include_tax=False, taxes=QUEBEC_TAXES)
    activity, occurrence = shop.setup_activity(store.admin, store.org, a_la_carte_price=2000,
                                               a_la_carte_capacity=40)
    return store, activity, occurrence


def seat(store, occurrence):
    """A new household checks out one à la carte seat: the invoice's taxes."""
    account, _ = store.customer()
    invoice = store.checkout(account, [{"type": "a_la_carte",
                                        "member_id": account["members"][0]["id"],
                                        "occurrence_id": occurrence["id"]}])
    return amounts(invoice["taxes"])


def test_a_second_checkout_of_the_same_things_is_taxed_with_the_catalog_stopped(centre,
                                                                                stack):
    store, _, occurrence = centre
    assert seat(store, occurrence) == [("GST", 100), ("QST", 200)]  # asked, then kept
    account, _ = store.customer()  # made while the catalog runs (the gateway's login)
    item = {"type": "a_la_carte", "member_id": account["members"][0]["id"],
            "occurrence_id": occurrence["id"]}
    stack.kill_service("catalog")
    try:
        invoice = store.checkout(account, [item])
    finally:
        stack.start_service("catalog")
    assert amounts(invoice["taxes"]) == [("GST", 100), ("QST", 200)]


def test_a_tax_edit_applies_to_checkouts_once_billing_has_handled_its_event(centre):
    store, activity, occurrence = centre
    assert seat(store, occurrence) == [("GST", 100), ("QST", 200)]

    # the org's GST goes from 5 % to 7 %: until billing handles the org_updated event, a
    # checkout may still be taxed at 5 % (the rule the client saw); then always at 7 %
    store.settings(taxes=[dict(QUEBEC_TAXES[0], rate="7"), QUEBEC_TAXES[1]])

    def taxed_at_the_new_rate():
        taxes = seat(store, occurrence)
        assert taxes in ([("GST", 100), ("QST", 200)], [("GST", 140), ("QST", 200)]), taxes
        return taxes == [("GST", 140), ("QST", 200)]
    poll(taxed_at_the_new_rate, "the new GST rate applies to checkouts")
    assert seat(store, occurrence) == [("GST", 140), ("QST", 200)]

    # the activity becomes GST only (an item's tax_codes, activity_updated)
    store.admin.ok("PATCH", store.path(f"/activities/{activity['id']}"),
                   json={"tax_codes": ["GST"]})

    def gst_only():
        taxes = seat(store, occurrence)
        assert taxes in ([("GST", 140), ("QST", 200)], [("GST", 140)]), taxes
        return taxes == [("GST", 140)]
    poll(gst_only, "the activity's new tax codes apply to checkouts")
    assert seat(store, occurrence) == [("GST", 140)]
