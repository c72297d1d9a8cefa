"""Every event the catalog publishes carries exactly the payload its contract lists
(``services/catalog/contract/events.py``), and what a copy of the catalog kept from the
events alone (registration's read model, issue 14) needs is in them: each occurrence when
it comes to exist, with its à la carte offer and capacity, and the activity's counts."""
import pytest

from services.catalog.contract import events as catalog_events
from tests.support.events import EventListener


@pytest.fixture
def events(test_env):
    listener = EventListener(test_env.env["AMQP_URI"], "catalog")
    yield listener
    listener.close()


def checked(event):
    """The event, once its payload loads with its contract (unknown fields refused)."""
    event_type = event["type"]
    assert event["version"] == catalog_events.VERSIONS[event_type]
    catalog_events.PAYLOADS[event_type]().load(event["data"])
    return event


def of_org(org_id):
    return lambda e: e["data"].get("org_id", e["data"].get("id")) == org_id


def test_every_event_carries_the_payload_of_its_contract(rpc, events):
    seen = set()

    def wait(event_type, predicate):
        seen.add(event_type)
        return checked(events.wait_for(event_type, predicate))

    org = rpc.call("catalog", "create_org", {"name": "Centre", "timezone": "America/Montreal",
                                             "currency": "CAD"})
    o = org["id"]
    wait(catalog_events.ORG_CREATED, of_org(o))
    rpc.call("catalog", "update_org", o, {"address": "1 rue du Lac", "taxes": [
        {"code": "GST", "name": "TPS", "rate": "5", "registration_number": "123"}]})
    assert wait(catalog_events.ORG_UPDATED, of_org(o))["data"]["taxes"][0]["code"] == "GST"
    program = rpc.call("catalog", "create_program", o, {"name": "Saison"})
    wait(catalog_events.PROGRAM_CREATED, of_org(o))
    membership = rpc.call("catalog", "create_membership_type", o, {
        "name": "Membre", "price": 2000, "duration_days": 365})
    wait(catalog_events.MEMBERSHIP_TYPE_CREATED, of_org(o))

    activity = rpc.call("catalog", "create_activity", o, {
        "program_id": program["id"], "name": "Natation",
        "restrictions": {"min_age": 6, "membership_type_ids": [membership["id"]]},
        "schedule": {"start_date": "2030-09-02", "end_date": "2030-09-30",
                     "slots": [{"weekday": 0, "start_time": "09:00", "duration_minutes": 60}]},
        "session": {"enabled": True, "price": 12000, "capacity": 10,
                    "cancellation": {"allowed": True, "deadline_minutes_before": 60,
                                     "refund": "prorated"}},
        "a_la_carte": {"enabled": True, "price": 1500, "capacity": 15, "opens_minutes_before": 600,
                       "closes_minutes_before": 60,
                       "fees": {"window_minutes_before": 120,
                                "late_cancel_fee": {"type": "fixed", "amount": 500}}}})
    a = activity["id"]
    created = wait(catalog_events.ACTIVITY_CREATED, lambda e: e["data"]["id"] == a)
    assert created["data"] == activity
    # each occurrence of the schedule is announced, with what booking it needs
    listed = rpc.call("catalog", "list_occurrences", o, a)["items"]
    assert len(listed) == 5
    for occurrence in listed:
        added = wait(catalog_events.OCCURRENCE_ADDED,
                     lambda e: e["data"]["id"] == occurrence["id"])["data"]
        expected = {k: v for k, v in occurrence.items() if k != "a_la_carte"}
        assert {k: added[k] for k in expected} == expected
        assert added["a_la_carte"] == {k: v for k, v in occurrence["a_la_carte"].items()
                                       if k not in ("bookable", "reason")}
        assert added["a_la_carte"]["capacity"] == 15
        assert (added["origin"], added["status"], added["cancel_reason"]) == \
            ("schedule", "scheduled", None)
        assert (added["activity_occurrence_count"], added["activity_first_starts_at"],
                added["activity_last_ends_at"]) == (5, activity["first_starts_at"],
                                                    activity["last_ends_at"])

    updated = rpc.call("catalog", "update_activity", o, a, {
        "a_la_carte": {"capacity": 20, "cancellation": {"allowed": True}},
        "schedule": {"end_date": "2030-09-23"}})
    event = wait(catalog_events.ACTIVITY_UPDATED, lambda e: e["data"]["id"] == a)
    assert event["data"] == updated
    removed = wait(catalog_events.OCCURRENCE_CANCELLED,
                   lambda e: e["data"]["id"] == listed[-1]["id"])["data"]
    assert (removed["cancel_reason"], removed["activity_occurrence_count"]) == \
        ("removed_from_schedule", 4)
    assert {o_["a_la_carte"]["capacity"] for o_ in rpc.call(
        "catalog", "list_occurrences", o, a)["items"] if o_["status"] == "scheduled"} == {20}

    single = rpc.call("catalog", "add_occurrence", o, a, {"starts_at": "2030-10-04T10:00:00",
                                                          "duration_minutes": 45})
    added = wait(catalog_events.OCCURRENCE_ADDED, lambda e: e["data"]["id"] == single["id"])
    assert (added["data"]["origin"], added["data"]["a_la_carte"]["capacity"],
            added["data"]["activity_occurrence_count"],
            added["data"]["activity_last_ends_at"]) == ("single", 20, 5, single["ends_at"])
    rpc.call("catalog", "cancel_occurrence", o, single["id"])
    cancelled = wait(catalog_events.OCCURRENCE_CANCELLED,
                     lambda e: e["data"]["id"] == single["id"])["data"]
    assert (cancelled["status"], cancelled["cancel_reason"],
            cancelled["activity_occurrence_count"]) == ("cancelled", "cancelled", 4)

    converted = rpc.call("catalog", "convert_seats", o, a, {"seats": 3})
    after = wait(catalog_events.ACTIVITY_UPDATED,
                 lambda e: e["data"]["id"] == a and e["data"]["session"]["converted_seats"])
    seats = wait(catalog_events.SEATS_CONVERTED, lambda e: e["data"]["activity_id"] == a)["data"]
    assert seats["conversion_id"].startswith("cnv")
    assert {k: v for k, v in seats.items() if k != "conversion_id"} == {
        "org_id": o, "activity_id": a, "seats": 3, "session_capacity": 7, "converted_seats": 3,
        "a_la_carte_capacity": 23}
    assert (converted["session_capacity"], converted["a_la_carte_capacity"]) == (7, 23)
    assert after["data"]["a_la_carte"]["capacity"] == 23

    service = rpc.call("catalog", "create_service", o, {
        "name": "Coupe", "duration_minutes": 30, "price": 3000,
        "fees": {"window_minutes_before": 60, "no_show_fee": {"type": "percent", "percent": 50}}})
    wait(catalog_events.SERVICE_CREATED, of_org(o))
    pass_type = rpc.call("catalog", "create_pass_type", o, {
        "name": "10 bains", "price": 9000, "uses": 10, "valid_days": 365,
        "eligible_activity_ids": [a]})
    wait(catalog_events.PASS_TYPE_CREATED, of_org(o))
    rpc.call("catalog", "update_pass_type", o, pass_type["id"], {"price": 9500})
    wait(catalog_events.PASS_TYPE_UPDATED, of_org(o))
    bundle = rpc.call("catalog", "create_bundle_type", o, {"name": "Forfait", "divisions": [
        {"name": "Coupes", "items": [{"service_id": service["id"], "count": 3}]}]})
    wait(catalog_events.BUNDLE_TYPE_CREATED, of_org(o))
    plan = rpc.call("catalog", "create_subscription_plan", o, {
        "name": "Mensuel", "monthly_price": 4000, "activity_ids": [a]})
    wait(catalog_events.SUBSCRIPTION_PLAN_CREATED, of_org(o))

    for entity, object_id, patch in (
            ("service", service["id"], {"price": 3500}),
            ("bundle_type", bundle["id"], {"name": "Forfait 3"}),
            ("membership_type", membership["id"], {"price": 2500}),
            ("subscription_plan", plan["id"], {"monthly_price": 4500})):
        rpc.call("catalog", f"update_{entity}", o, object_id, patch, "admin:test")
        edited = wait(catalog_events.CATALOG_EDITED, lambda e: e["data"]["entity_id"] == object_id)
        assert (edited["data"]["entity"], edited["data"]["actor"]) == (entity, "admin:test")
        update = wait(catalog_events.EDITED_ENTITIES[entity],
                      lambda e: e["data"]["id"] == object_id)
        assert update["data"] == edited["data"]["after"]

    assert seen == set(catalog_events.PAYLOADS)
