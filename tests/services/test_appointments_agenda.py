"""Appointments through registration's RPCs (R5.1, R5.2): booking with the service's duration
and price, staff never double-booked, the day's agenda per staff member, cancellation,
no-show and checkout (billing's ``complete_appointment``) without a bundle."""
import uuid

import pytest

from tests.services.test_appointments_support import Salon, at, refused


@pytest.fixture
def salon(rpc):
    return Salon(rpc)


def test_a_booking_takes_the_service_duration_and_price_and_shows_org_local_times(salon):
    service, staff, client = salon.service(minutes=45, price=5000), salon.staff(), salon.client()
    booked = salon.book(client, service, "2030-06-03T14:00:00Z", staff)
    assert (booked["status"], booked["price"], booked["duration_minutes"]) == \
        ("booked", 5000, 45)
    assert booked["starts_at"] == "2030-06-03T10:00:00-04:00"   # America/Montreal, summer
    assert booked["ends_at"] == "2030-06-03T10:45:00-04:00"
    assert (booked["staff_id"], booked["staff_name"]) == (staff["id"], "Julie")
    assert booked["account_id"] == client["id"]
    assert (booked["bundle_id"], booked["bundle_status"]) == (None, "none")
    assert salon.reg("get_appointment", booked["id"]) == booked


def test_a_staff_member_is_never_double_booked_but_back_to_back_and_others_are_fine(salon):
    service, julie, marc = salon.service(minutes=60), salon.staff(), salon.staff("Marc")
    first, second = salon.client(), salon.client("Lise")
    held = salon.book(first, service, "2030-06-03T14:00:00Z", julie)
    error = refused(lambda: salon.book(second, service, "2030-06-03T14:30:00Z", julie),
                    "staff_busy")
    assert error.details["appointment_id"] == held["id"]
    salon.book(second, service, "2030-06-03T15:00:00Z", julie)      # right after
    salon.book(second, service, "2030-06-03T13:00:00Z", julie)      # right before
    salon.book(second, service, "2030-06-03T14:30:00Z", marc)       # another staff member
    salon.book(second, service, "2030-06-03T14:30:00Z")             # no staff member
    # a cancelled appointment frees the time
    salon.reg("cancel_appointment", held["id"], {"by_staff": True})
    salon.book(second, service, "2030-06-03T14:00:00Z", julie)


def test_unknown_member_service_or_staff_are_not_found_and_nothing_is_booked(salon):
    service, staff, client = salon.service(), salon.staff(), salon.client()
    member = client["members"][0]["id"]
    for field, data in (("service_id", {"service_id": "svc_nope"}),
                        ("member_id", {"member_id": "mem_nope"}),
                        ("staff_id", {"staff_id": "stf_nope"})):
        request = dict({"member_id": member, "service_id": service["id"],
                        "starts_at": at(5), "staff_id": staff["id"]}, **data)
        error = refused(lambda: salon.reg("book_appointment", request), "not_found")
        assert field in error.details
    other = salon.client("Autre")
    refused(lambda: salon.reg("book_appointment", {
        "member_id": member, "service_id": service["id"], "starts_at": at(5),
        "account_id": other["id"]}), "not_found")
    refused(lambda: salon.reg("book_appointment", {
        "member_id": member, "service_id": service["id"], "starts_at": "2030-06-03T10:00"}),
        "validation_error")
    assert salon.reg("list_appointments", client["id"]) == {"items": []}


def test_the_agenda_lists_an_org_local_day_per_staff_member(salon):
    service, julie, marc, client = salon.service(minutes=30), salon.staff(), \
        salon.staff("Marc"), salon.client()
    # 2030-06-03 in Montreal is 04:00Z on the 3rd to 04:00Z on the 4th
    early = salon.book(client, service, "2030-06-03T04:00:00Z", julie)
    late = salon.book(client, service, "2030-06-04T03:30:00Z", marc)
    salon.book(client, service, "2030-06-03T03:30:00Z", julie)       # the 2nd, local
    free = salon.book(client, service, "2030-06-03T16:00:00Z")
    gone = salon.book(client, service, "2030-06-03T17:00:00Z", julie)
    salon.reg("cancel_appointment", gone["id"])

    day = salon.reg("agenda", "2030-06-03")
    assert (day["date"], day["timezone"]) == ("2030-06-03", "America/Montreal")
    assert [(g["staff_id"], [a["id"] for a in g["appointments"]]) for g in day["staff"]] == \
        [(julie["id"], [early["id"]]), (marc["id"], [late["id"]]), (None, [free["id"]])]
    only = salon.reg("agenda", "2030-06-03", staff_id=marc["id"])
    assert [g["staff_id"] for g in only["staff"]] == [marc["id"]]
    refused(lambda: salon.reg("agenda", "03/06/2030"), "validation_error")


def test_cancel_no_show_and_complete_are_one_way_and_idempotent(salon):
    service, client = salon.service(), salon.client()
    past = salon.book(client, service, at(-1))
    future = salon.book(client, service, at(3))
    refused(lambda: salon.reg("mark_no_show", future["id"]), "appointment_not_started")
    no_show = salon.reg("mark_no_show", past["id"])
    assert no_show["status"] == "no_show"
    assert salon.reg("mark_no_show", past["id"])["status"] == "no_show"
    refused(lambda: salon.reg("cancel_appointment", past["id"]), "appointment_not_booked")

    invoice = "inv_" + uuid.uuid4().hex[:8]
    done = salon.reg("complete_appointment", future["id"], {"invoice_id": invoice})
    assert (done["status"], done["invoice_id"], done["price"]) == ("completed", invoice, 5000)
    assert salon.reg("complete_appointment", future["id"], {"invoice_id": invoice}) == done
    refused(lambda: salon.reg("complete_appointment", future["id"], {"invoice_id": "inv_x"}),
            "appointment_not_booked")
    refused(lambda: salon.reg("cancel_appointment", future["id"]), "appointment_not_booked")

    other = salon.book(client, service, at(4))
    cancelled = salon.reg("cancel_appointment", other["id"], {"by_staff": False})
    assert (cancelled["status"], cancelled["cancelled_by"]) == ("cancelled", "client")
    assert salon.reg("cancel_appointment", other["id"]) == cancelled
    refused(lambda: salon.reg("complete_appointment", other["id"], {"invoice_id": invoice}),
            "appointment_not_booked")
    refused(lambda: salon.reg("get_appointment", "apt_nope"), "not_found")
    listed = [a["id"] for a in salon.reg("list_appointments", client["id"])["items"]]
    assert sorted(listed) == sorted([past["id"], future["id"], other["id"]])
