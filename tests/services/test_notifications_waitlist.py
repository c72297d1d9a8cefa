"""The waiting-list offer (R3.9, R7.4) through the whole stack and the real SMTP server: a
full occurrence, a household on its list, a seat freed by a cancellation -> exactly one
e-mail to the waiting account, in the org's language, saying what is held, for whom, until
when (the org's wall clock), where to claim it, and who in the family still waits. A
redelivered event sends nothing more. A full session whose capacity is raised is told too,
in English."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from nameko.standalone.events import event_dispatcher

from tests.api import test_checkout_support as shop
from tests.services import test_notifications_support as support
from tests.support.events import EventListener

OFFER_QUEUE = ("evt-registration-waitlist_seat_offered--"
               "notifications.on_waitlist_seat_offered")


@pytest.fixture(scope="module")
def mail(stack):
    return stack.mail


@pytest.fixture
def offers(test_env):
    listener = EventListener(test_env.env["AMQP_URI"], "registration",
                             ("waitlist_seat_offered",))
    yield listener
    listener.close()


def join(org, member_id, occurrence_id=None, activity_id=None):
    path = (f"/occurrences/{occurrence_id}/waitlist" if occurrence_id
            else f"/activities/{activity_id}/waitlist")
    return org.admin.ok("POST", org.path(path), json={"member_id": member_id}, expect=201)


def body_of(message):
    return message.get_body(("plain",)).get_content()


def offer_mails(mail, email, count=1):
    return [m for m in mail.wait_for(email, count=count)
            if m["Subject"].startswith(("Une place vous attend", "A seat is waiting"))]


def local(instant, zone):
    return datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))


def test_a_seat_freed_by_a_cancellation_is_offered_by_one_email_in_french(
        stack, test_env, rpc, mail, api, offers):
    org = support.org_in(api, rpc, "fr")
    _, occurrence = shop.setup_activity(org.admin, org, session_capacity=1,
                                        a_la_carte_capacity=1)
    (holder_account, holder_member), = shop.people(org.admin, org, 1)
    sold = shop.book(org.admin, org, holder_account, holder_member,
                     occurrence_id=occurrence["id"])
    assert sold.status_code == 200, sold.text
    family = shop.household(org.admin, org, members=2)
    first, second = family["members"]
    entry = join(org, first["id"], occurrence_id=occurrence["id"])
    join(org, second["id"], occurrence_id=occurrence["id"])
    assert support.notices(rpc, org.id, family["id"]) == []  # joining is not told

    registration = sold.json()["registrations"][0]
    org.admin.ok("POST", org.path(f"/registrations/{registration['id']}/cancel"), json={})
    event = offers.wait_for("waitlist_seat_offered", lambda e: e["data"]["id"] == entry["id"])
    assert event["data"]["household_still_waiting"] == [second["id"]]

    found = support.wait_notice(rpc, org.id, family["id"], lambda n: n["state"] == "sent",
                                kind="waitlist_offer")
    assert len(found) == 1
    (message,) = offer_mails(mail, family["email"])
    assert message["Content-Language"] == "fr"
    body = body_of(message)
    offered = org.admin.ok("GET", org.path(f"/waitlist/{entry['id']}"))
    assert offered["status"] == "offered"
    until = local(offered["offer_expires_at"], "America/Montreal")
    starts = local(occurrence["starts_at"], "America/Montreal")
    assert first["first_name"] in body and offered["description"] in body
    assert "jusqu'au " in body and f"{until.hour:02d} h {until.minute:02d}" in body
    assert f"{starts.hour:02d} h {starts.minute:02d}" in body  # the class, local time
    assert "15,00" in body  # the offer's price
    assert f"/shop/{org.id}" in body
    assert "Toujours en attente" in body and second["first_name"] in body

    # the same event delivered twice more: nothing more is sent
    dispatch = event_dispatcher({"AMQP_URI": test_env.env["AMQP_URI"]})
    dispatch("registration", "waitlist_seat_offered", event)
    dispatch("registration", "waitlist_seat_offered", event)
    support.wait_queue_drained(test_env.vhost, OFFER_QUEUE)
    assert len(support.notices(rpc, org.id, family["id"], kind="waitlist_offer")) == 1
    assert len(offer_mails(mail, family["email"])) == 1
    # the cancelled client hears of their cancellation, not of the offer
    holder = org.admin.ok("GET", org.path(f"/accounts/{holder_account}"))
    support.wait_notice(rpc, org.id, holder_account, lambda n: n["state"] == "sent",
                        kind="registration_cancelled")
    assert offer_mails(mail, holder["email"]) == []


def test_a_full_session_offer_is_told_in_english(rpc, mail, api, offers):
    org = support.org_in(api, rpc, "en")
    activity, _ = shop.setup_activity(org.admin, org, session_capacity=1,
                                      a_la_carte_capacity=None)
    (account_id, member_id), = shop.people(org.admin, org, 1)
    assert shop.book(org.admin, org, account_id, member_id,
                     activity_id=activity["id"]).status_code == 200
    family = shop.household(org.admin, org)
    entry = join(org, family["members"][0]["id"], activity_id=activity["id"])
    org.admin.ok("PATCH", org.path(f"/activities/{activity['id']}"),
                 json={"session": {"capacity": 2}})
    offers.wait_for("waitlist_seat_offered", lambda e: e["data"]["id"] == entry["id"])

    support.wait_notice(rpc, org.id, family["id"], lambda n: n["state"] == "sent",
                        kind="waitlist_offer")
    (message,) = offer_mails(mail, family["email"])
    assert message["Content-Language"] == "en"
    body = body_of(message)
    offered = org.admin.ok("GET", org.path(f"/waitlist/{entry['id']}"))
    until = local(offered["offer_expires_at"], "America/Toronto")
    hour = f"{until.hour % 12 or 12}:{until.minute:02d} {'AM' if until.hour < 12 else 'PM'}"
    assert f"until {until.strftime('%A')}" in body and hour in body
    assert "the session" in body and family["members"][0]["first_name"] in body
    assert f"/shop/{org.id}" in body and "$120.00" in body
    assert "Still waiting" not in body
