"""Bundle division prices (R2.11) and pass type terms versions (R2.8, R2.9)."""
from datetime import date

from services.catalog.domain.products import (divisions_errors, new_pass_terms,
                                              pass_terms_errors, patch_pass_terms,
                                              priced_divisions)

TREATMENT = "svc_treatment"


def test_a_division_price_defaults_to_the_services_prices_times_counts():
    [division] = priced_divisions(
        [{"name": "10+1", "items": [{"service_id": TREATMENT, "count": 11}]}],
        {TREATMENT: 5000})
    assert division["price"] == 55000
    assert division["price_overridden"] is False


def test_a_division_price_can_be_overridden():
    [division] = priced_divisions(
        [{"name": "10+1", "items": [{"service_id": TREATMENT, "count": 11}], "price": 50000}],
        {TREATMENT: 5000})
    assert (division["price"], division["price_overridden"]) == (50000, True)


def test_each_division_is_priced_on_its_own_from_several_services():
    divisions = priced_divisions([
        {"name": "short hair", "items": [{"service_id": "cut", "count": 5},
                                         {"service_id": "wash", "count": 5}]},
        {"name": "long hair", "items": [{"service_id": "cut", "count": 5}], "price": 0}],
        {"cut": 3000, "wash": 1250})
    assert [(d["name"], d["price"], d["price_overridden"]) for d in divisions] == [
        ("short hair", 21250, False), ("long hair", 0, True)]


def test_division_names_are_unique_and_a_service_is_listed_once_per_division():
    errors = divisions_errors([
        {"name": "5+1", "items": [{"service_id": "a", "count": 6}]},
        {"name": "5+1 ", "items": [{"service_id": "a", "count": 1},
                                   {"service_id": "a", "count": 2}]}])
    assert set(errors["divisions"][1]) == {"name", "items"}
    assert 0 not in errors["divisions"]


def ten_visits():
    return new_pass_terms({"name": "10 visits", "price": 10000, "uses": 10, "valid_days": 365,
                           "eligible_activity_ids": ["act_1"]})


def test_new_terms_get_the_defaults():
    terms = ten_visits()
    assert terms["family"] is False and terms["credit_on_cancel"] is True
    assert terms["expires_on"] is None
    assert pass_terms_errors(terms) == {}


def test_an_edit_makes_new_terms_and_leaves_the_current_ones_as_they_were():
    current = ten_visits()
    edited = patch_pass_terms(current, {"price": 12000})
    assert edited == dict(current, price=12000)
    assert current["price"] == 10000


def test_choosing_a_fixed_expiry_date_clears_the_validity_in_days_and_back():
    to_date = patch_pass_terms(ten_visits(), {"expires_on": date(2031, 6, 30)})
    assert (to_date["valid_days"], to_date["expires_on"]) == (None, date(2031, 6, 30))
    assert pass_terms_errors(to_date) == {}
    back = patch_pass_terms(to_date, {"valid_days": 30})
    assert (back["valid_days"], back["expires_on"]) == (30, None)


def test_validity_is_exactly_one_of_days_or_a_date():
    neither = patch_pass_terms(ten_visits(), {"valid_days": None})
    assert set(pass_terms_errors(neither)) == {"valid_days", "expires_on"}
    both = new_pass_terms({"name": "x", "price": 0, "valid_days": 3,
                           "expires_on": date(2031, 1, 1)})
    assert set(pass_terms_errors(both)) == {"valid_days", "expires_on"}


def test_unlimited_uses_is_null():
    assert pass_terms_errors(patch_pass_terms(ten_visits(), {"uses": None})) == {}
