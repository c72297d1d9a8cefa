"""The catalog's input contracts: what a request must look like before any rule runs."""
import pytest

from services.catalog.contract import schemas
from services.common.errors import InvalidInput
from services.common.schemas import load


def errors(schema, data):
    with pytest.raises(InvalidInput) as caught:
        load(schema, data)
    return caught.value.details


def test_an_org_needs_an_iana_timezone_an_iso_currency_and_a_known_locale():
    assert load(schemas.OrgIn(), {"name": "Centre", "timezone": "America/Montreal",
                                  "currency": "CAD", "locale": "en"})["currency"] == "CAD"
    details = errors(schemas.OrgIn(), {"name": "Centre", "timezone": "Mars/Olympus",
                                       "currency": "cad", "locale": "de"})
    assert set(details) == {"timezone", "currency", "locale"}
    for bad in ("EST", "+05:00", "", "../etc/passwd", "localtime"):
        assert "timezone" in errors(schemas.OrgIn(), {"name": "C", "timezone": bad,
                                                      "currency": "CAD"})


def test_money_is_an_integer_in_minor_units_never_a_float():
    base = {"name": "Cut", "duration_minutes": 30, "accounting_code": "4000"}
    assert load(schemas.ServiceIn(), dict(base, price=2500))["price"] == 2500
    for bad in (25.0, 25.5, "2500", -1, True):
        assert "price" in errors(schemas.ServiceIn(), dict(base, price=bad))


def test_nested_money_is_checked_too():
    details = errors(schemas.ActivityIn(), {"program_id": "prg_1", "name": "Swim",
                                            "a_la_carte": {"price": 15.5}})
    assert details == {"a_la_carte": {"price": ["Not a valid integer."]}}


def test_slots_need_a_weekday_from_0_to_6_and_a_local_hh_mm():
    details = errors(schemas.ActivityIn(), {
        "program_id": "prg_1", "name": "Swim",
        "schedule": {"start_date": "2030-01-07", "end_date": "2030-02-07",
                     "slots": [{"weekday": 7, "start_time": "9:00", "duration_minutes": 0}]}})
    assert set(details["schedule"]["slots"][0]) == {"weekday", "start_time", "duration_minutes"}


def test_unknown_fields_are_refused_not_dropped():
    assert "colour" in errors(schemas.ProgramIn(), {"name": "Fall", "colour": "red"})


def test_a_patch_takes_any_subset_and_fills_in_nothing():
    assert load(schemas.ActivityPatch(), {"session": {"price": 100}}) == {
        "session": {"price": 100}}
    assert "name" in errors(schemas.ActivityPatch(), {"name": None})


def test_from_and_to_take_a_date_or_a_date_time():
    query = schemas.RangeQuery()
    assert query.load({"from": "2030-03-01", "to": "2030-03-02T10:00:00-05:00"}) == {
        "from_": "2030-03-01", "to": "2030-03-02T10:00:00-05:00"}
    with pytest.raises(Exception):
        query.load({"from": "next tuesday"})
