"""Bundles applied to appointments through registration's RPCs (R4.5-R4.7): price 0 while
applied, booked -> used at checkout, the use back on removal or cancellation, the client's
choice between two bundles, and a race of applications past the remaining count."""
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.common.errors import CarnetError
from services.common.rpc import RpcPool
from tests.services.test_appointments_support import Salon, at, refused


@pytest.fixture
def salon(rpc):
    return Salon(rpc)


@pytest.fixture
def treatment(salon):
    """A 50.00 service, a "10+1" bundle type of 11 of it, a client holding one."""
    service = salon.service(price=5000)
    kind = salon.bundle_type(service, count=11)
    client = salon.client()
    return service, kind, client, salon.sell_bundle(kind, client)


def test_applying_at_booking_books_a_use_and_checkout_turns_it_into_used(salon, treatment):
    service, _, client, bundle = treatment
    assert salon.counts(client, bundle, service) == (11, 0, 0, 11)
    booked = salon.book(client, service, at(2), bundle_id=bundle["id"])
    assert (booked["price"], booked["bundle_id"], booked["bundle_status"]) == \
        (0, bundle["id"], "applied")
    assert salon.counts(client, bundle, service) == (11, 1, 0, 10)

    invoice = "inv_" + uuid.uuid4().hex[:8]
    done = salon.reg("complete_appointment", booked["id"], {"invoice_id": invoice})
    assert (done["status"], done["price"], done["bundle_status"], done["invoice_id"]) == \
        ("completed", 0, "used", invoice)
    assert salon.counts(client, bundle, service) == (11, 0, 1, 10)
    # billing retrying its step changes nothing
    assert salon.reg("complete_appointment", booked["id"], {"invoice_id": invoice}) == done
    assert salon.counts(client, bundle, service) == (11, 0, 1, 10)


def test_cancelling_gives_the_booked_use_back(salon, treatment):
    service, _, client, bundle = treatment
    booked = salon.book(client, service, at(2), apply_bundle=True)
    assert booked["bundle_id"] == bundle["id"]
    assert salon.counts(client, bundle, service) == (11, 1, 0, 10)
    cancelled = salon.reg("cancel_appointment", booked["id"])
    assert (cancelled["status"], cancelled["bundle_status"]) == ("cancelled", "returned")
    assert salon.counts(client, bundle, service) == (11, 0, 0, 11)
    assert salon.reg("cancel_appointment", booked["id"]) == cancelled
    assert salon.counts(client, bundle, service) == (11, 0, 0, 11)


def test_applied_later_removed_and_applied_again_in_the_agenda(salon, treatment):
    service, _, client, bundle = treatment
    booked = salon.book(client, service, at(2))
    assert booked["price"] == 5000
    applied = salon.reg("apply_appointment_bundle", booked["id"], {})
    assert (applied["price"], applied["bundle_id"]) == (0, bundle["id"])
    assert salon.reg("apply_appointment_bundle", booked["id"],
                     {"bundle_id": bundle["id"]}) == applied
    assert salon.counts(client, bundle, service) == (11, 1, 0, 10)

    removed = salon.reg("remove_appointment_bundle", booked["id"])
    assert (removed["price"], removed["bundle_id"], removed["bundle_status"]) == \
        (5000, None, "none")
    assert salon.counts(client, bundle, service) == (11, 0, 0, 11)
    assert salon.reg("remove_appointment_bundle", booked["id"]) == removed

    again = salon.reg("apply_appointment_bundle", booked["id"], {"bundle_id": bundle["id"]})
    assert again["price"] == 0
    assert salon.counts(client, bundle, service) == (11, 1, 0, 10)


def test_applied_only_at_checkout_uses_a_remaining_use(salon, treatment):
    service, _, client, bundle = treatment
    booked = salon.book(client, service, at(2))
    done = salon.reg("complete_appointment", booked["id"],
                     {"invoice_id": "inv_" + uuid.uuid4().hex[:8], "bundle_id": bundle["id"]})
    assert (done["status"], done["price"], done["bundle_id"]) == ("completed", 0, bundle["id"])
    assert salon.counts(client, bundle, service) == (11, 0, 1, 10)


def test_two_bundles_need_a_choice_and_the_chosen_one_is_booked(salon, treatment):
    service, kind, client, first = treatment
    second = salon.sell_bundle(kind, client)
    error = refused(lambda: salon.book(client, service, at(2), apply_bundle=True),
                    "bundle_choice_required")
    assert sorted(c["id"] for c in error.details["candidates"]) == \
        sorted([first["id"], second["id"]])
    assert all(c["name"] for c in error.details["candidates"])
    assert salon.reg("list_appointments", client["id"]) == {"items": []}   # nothing booked

    booked = salon.book(client, service, at(2), bundle_id=second["id"])
    assert (booked["bundle_id"], booked["price"]) == (second["id"], 0)
    assert salon.counts(client, second, service) == (11, 1, 0, 10)
    assert salon.counts(client, first, service) == (11, 0, 0, 11)


def test_refusals_no_bundle_someone_elses_bundle_another_service(salon, treatment):
    service, kind, client, bundle = treatment
    stranger = salon.client("Autre")
    refused(lambda: salon.book(stranger, service, at(2), apply_bundle=True),
            "no_bundle_available")
    error = refused(lambda: salon.book(stranger, service, at(2), bundle_id=bundle["id"]),
                    "bundle_not_applicable")
    assert error.details["reason"] == "member"
    haircut = salon.service(name="Coupe", price=3000)
    refused(lambda: salon.book(client, haircut, at(2), bundle_id=bundle["id"]),
            "bundle_not_applicable")
    assert salon.reg("list_appointments", stranger["id"]) == {"items": []}
    assert salon.counts(client, bundle, service) == (11, 0, 0, 11)
    # another bundle applied: remove it first
    other = salon.sell_bundle(kind, client)
    booked = salon.book(client, service, at(3), bundle_id=bundle["id"])
    refused(lambda: salon.reg("apply_appointment_bundle", booked["id"],
                              {"bundle_id": other["id"]}), "bundle_already_applied")
    refused(lambda: salon.reg("complete_appointment", booked["id"],
                              {"invoice_id": "inv_1", "bundle_id": other["id"]}),
            "bundle_already_applied")


def test_a_race_of_applications_never_takes_more_than_the_remaining_uses(salon, test_env):
    service = salon.service(price=5000)
    kind = salon.bundle_type(service, count=3, division="3")
    client = salon.client()
    bundle = salon.sell_bundle(kind, client, division="3")
    appointments = [salon.book(client, service, at(2, hour=8 + i)) for i in range(10)]

    pool = RpcPool(amqp_uri=test_env.env["AMQP_URI"], size=10, timeout=60)

    def apply(appointment):
        try:
            return pool.call("registration", "apply_appointment_bundle", salon.org_id,
                             appointment["id"], {"bundle_id": bundle["id"]})
        except CarnetError as exc:
            return exc.code

    try:
        with ThreadPoolExecutor(max_workers=10) as executor:
            outcomes = list(executor.map(apply, appointments))
    finally:
        pool.close()
    applied = [o for o in outcomes if isinstance(o, dict)]
    assert len(applied) == 3, outcomes
    assert sorted(o for o in outcomes if not isinstance(o, dict)) == ["bundle_exhausted"] * 7
    assert salon.counts(client, bundle, service) == (3, 3, 0, 0)
    states = [salon.reg("get_appointment", a["id"]) for a in appointments]
    assert sorted((s["bundle_status"], s["price"]) for s in states) == \
        [("applied", 0)] * 3 + [("none", 5000)] * 7
