"""Billing: which cart items may be added, what a hold is asked for, when a cart may change
or be checked out (R6.1)."""
from types import SimpleNamespace

import pytest

from services.billing.domain import cart as rules
from services.billing.contract.errors import CartEmpty, CartNotOpen, InvalidBillingInput
from services.common.errors import BusinessRuleViolation, InvalidInput


def request(**fields):
    base = {name: None for name in rules.ITEM_FIELDS}
    base.update(fields)
    return base


def a_cart(status=rules.OPEN, invoice_id=None):
    return SimpleNamespace(id="crt_1", account_id="acc_1", status=status,
                           invoice_id=invoice_id)


def test_session_and_a_la_carte_items_are_sold():
    assert rules.check_item_request(request(type="session", member_id="m",
                                            activity_id="a")).hold_kind == "session"
    assert rules.check_item_request(request(type="a_la_carte", member_id="m",
                                            occurrence_id="o")).hold_kind == "a_la_carte"


def test_a_subscription_needs_its_member_and_plan():
    assert rules.check_item_request(request(type="subscription", member_id="m",
                                            plan_id="p")).places_hold is False
    with pytest.raises(InvalidInput) as refused:
        rules.check_item_request(request(type="subscription", member_id="m"))
    assert refused.value.details == {"plan_id": ["is required for a 'subscription' item"]}


def test_every_api_item_type_has_a_kind_ready_to_be_switched_on():
    assert set(rules.ITEM_KINDS) == {"session", "a_la_carte", "pass", "bundle", "membership",
                                     "subscription"}
    assert {k for k, kind in rules.ITEM_KINDS.items() if kind.places_hold} == \
        {"session", "a_la_carte"}


def test_missing_fields_are_named():
    with pytest.raises(InvalidBillingInput) as refused:
        rules.check_item_request(request(type="session"))
    assert set(refused.value.details) == {"member_id", "activity_id"}
    with pytest.raises(InvalidBillingInput) as refused:
        rules.check_item_request(request(type="a_la_carte", member_id="m"))
    assert set(refused.value.details) == {"occurrence_id"}


def test_fields_of_another_item_type_are_refused_rather_than_ignored():
    with pytest.raises(InvalidBillingInput) as refused:
        rules.check_item_request(request(type="session", member_id="m", activity_id="a",
                                         occurrence_id="o"))
    assert set(refused.value.details) == {"occurrence_id"}


def test_unknown_type_is_invalid():
    with pytest.raises(InvalidBillingInput) as refused:
        rules.check_item_request(request(type="gift"))
    assert "type" in refused.value.details


def test_a_la_carte_is_paid_with_a_pass_of_the_account_or_of_the_cart_not_both():
    for pay_with in ({"pass_id": "pas_1"}, {"cart_item_id": "itm_1"}):
        rules.check_item_request(request(type="a_la_carte", member_id="m", occurrence_id="o",
                                         pay_with=pay_with))
    with pytest.raises(InvalidBillingInput) as refused:
        rules.check_item_request(request(type="a_la_carte", member_id="m", occurrence_id="o",
                                         pay_with={"pass_id": "pas_1",
                                                   "cart_item_id": "itm_1"}))
    assert "pay_with" in refused.value.details


def test_a_bundle_without_a_member_is_client_required():
    with pytest.raises(BusinessRuleViolation) as refused:
        rules.check_item_request(request(type="bundle", bundle_type_id="b", division="10+1"))
    assert refused.value.code == "client_required"


def test_hold_request_names_the_cart_item_and_the_pool():
    kind = rules.ITEM_KINDS["session"]
    assert rules.hold_request(kind, request(type="session", member_id="m", activity_id="a"),
                              a_cart(), "itm_1") == {
        "kind": "session", "member_id": "m", "account_id": "acc_1", "cart_id": "crt_1",
        "cart_item_id": "itm_1", "activity_id": "a"}
    kind = rules.ITEM_KINDS["a_la_carte"]
    held = rules.hold_request(kind, request(type="a_la_carte", member_id="m",
                                            occurrence_id="o"), a_cart(), "itm_2")
    assert held["kind"] == "a_la_carte" and held["occurrence_id"] == "o"
    assert "activity_id" not in held


def test_reference_keeps_what_the_item_sells():
    kind = rules.ITEM_KINDS["a_la_carte"]
    data = request(type="a_la_carte", member_id="m", occurrence_id="o")
    assert rules.reference_of(kind, data, {"activity_id": "a", "occurrence_id": "o"}) == \
        {"occurrence_id": "o", "activity_id": "a"}


def test_total_is_the_sum_of_item_prices():
    items = [SimpleNamespace(price=1500), SimpleNamespace(price=0), SimpleNamespace(price=250)]
    assert rules.total(items) == 1750
    assert rules.total([]) == 0


def test_only_an_open_cart_changes_or_checks_out():
    rules.ensure_open(a_cart())
    with pytest.raises(CartNotOpen) as refused:
        rules.ensure_open(a_cart(rules.CHECKED_OUT, invoice_id="inv_1"))
    assert refused.value.details == {"status": "checked_out", "invoice_id": "inv_1"}
    with pytest.raises(CartNotOpen):
        rules.ensure_open(a_cart(rules.CHECKING_OUT))


def test_an_empty_cart_cannot_be_checked_out():
    with pytest.raises(CartEmpty) as refused:
        rules.ensure_can_check_out(a_cart(), [])
    assert refused.value.code == "cart_empty"
