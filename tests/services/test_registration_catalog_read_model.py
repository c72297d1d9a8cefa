"""Registration keeps a copy of the catalog's activities and occurrences (#14,
usecases/read_model.py): a hold on what it knows asks the catalog nothing; the catalog pushes
every change before it answers the edit (``catalog_changed``), so the next hold is judged on
it; an older event never overwrites a newer revision; a miss asks the catalog; a rebuild
refreshes the copy.

The registration database is read directly (never written) to see what the copy keeps."""
import uuid
from datetime import datetime, timezone

import pytest
from nameko.standalone.events import event_dispatcher
from sqlalchemy import create_engine, text

from services.catalog.contract import events as catalog_events
from tests.api.observability_support import poll
from tests.services.test_pass_booking_holds import pass_for
from tests.services.test_registration_support import Shop, in_days, listening, refused


@pytest.fixture
def shop(rpc):
    return Shop(rpc)


@pytest.fixture(scope="module")
def registration_db(test_env, stack):
    engine = create_engine(test_env.env["REGISTRATION_DATABASE_URL"])
    yield engine
    engine.dispose()


def kept_revision(engine, table, row_id):
    """The revision the copy keeps of an activity or occurrence, or None."""
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT revision FROM {table} WHERE id = :id"),
                            {"id": row_id}).scalar()


def claimed(engine, event_id):
    """Whether registration's copy handled this event (its claim, ``read_model.COPY_CLAIM``)."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1 FROM processed_events WHERE event_id = :id"),
                            {"id": f"{event_id}:copy"}).first() is not None


def deliver(test_env, registration_db, event_type, data):
    """Publish a crafted catalog event on the real broker and wait until the copy's handler
    has applied it (its claim is in registration's database)."""
    event_id = "evt_" + uuid.uuid4().hex[:24]
    dispatch = event_dispatcher({"AMQP_URI": test_env.env["AMQP_URI"]})
    dispatch("catalog", event_type, {
        "event_id": event_id, "type": event_type, "version": 1, "data": data,
        "occurred_at": datetime.now(timezone.utc).isoformat()})
    poll(lambda: claimed(registration_db, event_id), f"{event_type} {event_id} handled")


def test_known_offers_are_held_and_booked_with_the_catalog_stopped(shop, stack):
    activity, (first, second, third) = shop.activity(
        starts=[in_days(3), in_days(4), in_days(5)])
    household = shop.household({}, {})
    one, two = household["members"]
    card = pass_for(shop, activity, household, uses=3)
    shop.hold(household, one, occurrence=first)  # both members known to the read model
    shop.hold(household, two, occurrence=first)
    shop.hold(household, one, activity=activity)  # the session pool's first hold
    stack.kill_service("catalog")
    try:
        held = shop.hold(household, one, occurrence=second)
        session = shop.hold(household, two, activity=activity)
        booked = shop.reg("book_with_pass", {
            "member_id": two["id"], "occurrence_id": third["id"],
            "account_id": household["id"], "pass_id": card["id"]})
    finally:
        stack.start_service("catalog")
    assert (held["status"], held["price"], held["occurrence_id"]) == \
        ("held", 1500, second["id"])
    assert (session["status"], session["price"]) == ("held", 12000)
    assert (booked["status"], booked["paid_with"]["type"]) == ("confirmed", "pass")


def test_an_edit_is_seen_by_the_very_next_hold(shop, registration_db):
    activity, (first, second) = shop.activity(a_la_carte={"capacity": 5},
                                              starts=[in_days(3), in_days(4)])
    household = shop.household({}, {})
    one, two = household["members"]
    shop.hold(household, one, occurrence=first)  # the copy is in use

    # cancelled: the copy has the change by the time the catalog answers
    cancelled = shop.call("catalog", "cancel_occurrence", shop.org_id, second["id"])
    assert kept_revision(registration_db, "known_occurrences", second["id"]) == \
        cancelled["activity_revision"]
    error = refused(lambda: shop.hold(household, one, occurrence=second),
                    "registration_closed")
    assert error.details["reason"] == "occurrence_cancelled"

    # fewer seats: the one seat left is taken
    updated = shop.call("catalog", "update_activity", shop.org_id, activity["id"],
                        {"a_la_carte": {"capacity": 1}})
    assert updated["revision"] > cancelled["activity_revision"]
    assert kept_revision(registration_db, "known_activities", activity["id"]) == \
        updated["revision"]
    assert kept_revision(registration_db, "known_occurrences", first["id"]) == \
        updated["revision"]
    refused(lambda: shop.hold(household, two, occurrence=first), "sold_out")

    # a new price and more seats: the next hold pays the new price
    shop.call("catalog", "update_activity", shop.org_id, activity["id"],
              {"a_la_carte": {"capacity": 5, "price": 2200}})
    assert shop.hold(household, two, occurrence=first)["price"] == 2200


def test_without_registration_an_edit_succeeds_and_its_event_brings_it_to_the_copy(
        shop, stack, test_env, registration_db):
    activity, (occurrence,) = shop.activity(starts=[in_days(3)])
    with listening(test_env, catalog_events.ACTIVITY_UPDATED, service="catalog") as events:
        stack.kill_service("registration")
        try:  # the push gets no answer: the catalog logs it and answers anyway
            updated = shop.call("catalog", "update_activity", shop.org_id, activity["id"],
                                {"a_la_carte": {"price": 1900}})
        finally:
            stack.start_service("registration")
        event = events.wait_for(catalog_events.ACTIVITY_UPDATED,
                                lambda e: e["data"]["id"] == activity["id"])
    poll(lambda: claimed(registration_db, event["event_id"]), "activity_updated handled")
    assert kept_revision(registration_db, "known_activities", activity["id"]) == \
        updated["revision"]
    assert shop.hold(shop.household({}), occurrence=occurrence)["price"] == 1900


def test_an_older_event_does_not_overwrite_a_newer_revision(shop, test_env, registration_db):
    activity, (occurrence,) = shop.activity(starts=[in_days(3)])
    older_occurrence = shop.call("catalog", "get_occurrence", shop.org_id, occurrence["id"])
    updated = shop.call("catalog", "update_activity", shop.org_id, activity["id"],
                        {"a_la_carte": {"price": 2500}})
    # what the catalog said before the edit, delivered late (a redelivery, a slow consumer)
    deliver(test_env, registration_db, catalog_events.ACTIVITY_UPDATED,
            dict(activity, revision=older_occurrence["activity_revision"],
                 a_la_carte=dict(activity["a_la_carte"], price=999)))
    stale = dict(older_occurrence)
    stale["a_la_carte"] = {k: v for k, v in stale["a_la_carte"].items()
                           if k not in ("bookable", "reason")}
    stale["a_la_carte"]["capacity"] = 0
    deliver(test_env, registration_db, catalog_events.OCCURRENCE_ADDED, dict(
        stale, cancel_reason=None, activity_occurrence_count=1,
        activity_first_starts_at=older_occurrence["starts_at"],
        activity_last_ends_at=older_occurrence["ends_at"]))

    assert kept_revision(registration_db, "known_activities", activity["id"]) == \
        updated["revision"]
    assert kept_revision(registration_db, "known_occurrences", occurrence["id"]) == \
        updated["revision"]
    held = shop.hold(shop.household({}), occurrence=occurrence)
    assert (held["status"], held["price"]) == ("held", 2500)


def test_a_miss_asks_the_catalog_and_a_rebuild_from_scratch_replaces_the_copy(
        shop, test_env, registration_db):
    activity, (occurrence,) = shop.activity(starts=[in_days(3)])
    known = shop.call("catalog", "get_occurrence", shop.org_id, occurrence["id"])
    revision = known["activity_revision"]
    # the copy is told of a revision the catalog never had (say the catalog's database was
    # restored from a backup): the occurrence kept no longer matches its activity's revision
    future = dict(known, activity_revision=revision + 5, status="cancelled",
                  cancel_reason="cancelled", activity_occurrence_count=0,
                  activity_first_starts_at=None, activity_last_ends_at=None)
    future["a_la_carte"] = {k: v for k, v in known["a_la_carte"].items()
                            if k not in ("bookable", "reason")}
    deliver(test_env, registration_db, catalog_events.OCCURRENCE_CANCELLED, future)
    assert kept_revision(registration_db, "known_occurrences", occurrence["id"]) == \
        revision + 5

    # a miss: the catalog is asked, and it says the occurrence is scheduled
    household = shop.household({})
    assert shop.hold(household, occurrence=occurrence)["status"] == "held"
    # something the catalog never had is asked too, and refused as before
    refused(lambda: shop.reg("hold", {
        "kind": "a_la_carte", "occurrence_id": "occ_nope", "member_id":
        household["members"][0]["id"], "account_id": household["id"],
        "cart_id": "cart_x", "cart_item_id": "item_x"}), "not_found")

    # a rebuild keeps the newest revision; from scratch, what the catalog says now
    shop.reg("rebuild_read_model")
    assert kept_revision(registration_db, "known_occurrences", occurrence["id"]) == \
        revision + 5
    rebuilt = shop.reg("rebuild_read_model", from_scratch=True)
    assert rebuilt["activities_refreshed"] == 1 and rebuilt["occurrences_refreshed"] == 1
    assert kept_revision(registration_db, "known_occurrences", occurrence["id"]) == revision
    assert kept_revision(registration_db, "known_activities", activity["id"]) == revision


def test_the_copy_is_rebuilt_on_demand(shop, registration_db):
    first, (one, two) = shop.activity(starts=[in_days(3), in_days(4)])
    second, (three,) = shop.activity(name="Yoga", starts=[in_days(5)])
    rebuilt = shop.reg("rebuild_read_model")
    assert rebuilt["catalog_version"] >= 1
    assert (rebuilt["activities_refreshed"], rebuilt["occurrences_refreshed"]) == (2, 3)
    for activity, occurrences in ((first, (one, two)), (second, (three,))):
        revision = shop.call("catalog", "get_activity", shop.org_id,
                             activity["id"])["revision"]
        assert kept_revision(registration_db, "known_activities", activity["id"]) == revision
        for occurrence in occurrences:
            assert kept_revision(registration_db, "known_occurrences",
                                 occurrence["id"]) == revision
