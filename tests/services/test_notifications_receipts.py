"""Receipt e-mails after a checkout through HTTP (R7.4): sent once to the account's
address, in the org's language, through a real SMTP server; exactly once with redeliveries,
two instances, a crash midway and an SMTP outage; not for an org on a test clock."""
import io

import pytest
from nameko.standalone.events import event_dispatcher
from pypdf import PdfReader

from tests.services import test_notifications_support as support
from tests.support.events import EventListener


@pytest.fixture(scope="module")
def mail(stack):
    return stack.mail


@pytest.fixture(scope="module")
def fr_org(api, rpc):
    return support.org_in(api, rpc, "fr")


@pytest.fixture(scope="module")
def en_org(api, rpc):
    return support.org_in(api, rpc, "en")


def sent_once(rpc, mail, org, account):
    """The account's receipt, once the sent log says it went: exactly one message."""
    found = support.wait_notice(rpc, org.id, account["id"], lambda n: n["state"] == "sent",
                                kind="receipt")
    assert [(n["state"], n["email"]) for n in found] == [("sent", account["email"])]
    messages = mail.wait_for(account["email"])
    assert len(messages) == 1, [m["Subject"] for m in messages]
    return found[0], messages[0]


@pytest.mark.parametrize("locale, subject, total", [
    ("fr", "Votre reçu", "15,00\u00a0$"), ("en", "Your receipt", "$15.00")])
def test_a_checkout_sends_one_receipt_in_the_orgs_language(rpc, mail, fr_org, en_org,
                                                           locale, subject, total):
    org = fr_org if locale == "fr" else en_org
    account, checkout = support.paid_checkout(org)
    notice, message = sent_once(rpc, mail, org, account)
    assert message["To"] == account["email"]
    assert message["Subject"].startswith(subject)
    assert str(checkout["invoice"]["number"]) in message["Subject"]
    assert org.name in message["Subject"]
    assert message["Content-Language"] == locale
    body = message.get_body(("plain",)).get_content()
    assert total in body and account["name"] in body
    assert notice["locale"] == locale and notice["subject"] == message["Subject"]


def test_the_receipt_has_the_pdf_attached(rpc, mail, fr_org):
    account, checkout = support.paid_checkout(fr_org)
    _, message = sent_once(rpc, mail, fr_org, account)
    pdfs = [part for part in message.iter_attachments()
            if part.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1
    content = pdfs[0].get_content()
    assert content.startswith(b"%PDF")
    assert pdfs[0].get_filename() == f"receipt-{checkout['invoice']['number']}.pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert str(checkout["invoice"]["number"]) in text and "15,00" in text


def test_a_redelivered_event_handled_by_two_instances_sends_one_email(stack, test_env, rpc,
                                                                       mail, fr_org):
    stack.scale("notifications", 2)
    listener = EventListener(test_env.env["AMQP_URI"], "billing", ["checkout_completed"])
    try:
        account, checkout = support.paid_checkout(fr_org)
        event = listener.wait_for("checkout_completed", lambda e: e["data"]["invoice_id"]
                                  == checkout["invoice"]["id"])
    finally:
        listener.close()
    sent_once(rpc, mail, fr_org, account)

    dispatch = event_dispatcher({"AMQP_URI": test_env.env["AMQP_URI"]})
    dispatch("billing", "checkout_completed", event)
    dispatch("billing", "checkout_completed", event)
    support.wait_queue_drained(test_env.vhost, support.RECEIPT_QUEUE)

    sent_once(rpc, mail, fr_org, account)
    assert len(support.notices(rpc, fr_org.id, account["id"])) == 1


def test_a_service_killed_while_sending_sends_exactly_one_after_restart(stack, rpc, mail,
                                                                        en_org):
    mail.hold()  # the SMTP server keeps the message unanswered: the send is caught midway
    try:
        account, _ = support.paid_checkout(en_org)
        mail.wait_held()
        claimed = support.notices(rpc, en_org.id, account["id"])
        assert [(n["kind"], n["state"]) for n in claimed] == [("receipt", "pending")]
        stack.kill_service("notifications")
    finally:
        mail.release()
    assert mail.to(account["email"]) == []
    stack.start_service("notifications")

    notice, message = sent_once(rpc, mail, en_org, account)
    assert message["Subject"].startswith("Your receipt")
    assert message["Message-ID"] == f"<{notice['id']}@carnet.notifications>"


def test_a_failed_send_is_retried_until_the_smtp_server_is_back(stack, rpc, mail, fr_org):
    stack.scale("notifications", 2)  # both instances' timers retry: one sends
    mail.stop()
    try:
        account, _ = support.paid_checkout(fr_org)
        failed = support.wait_notice(rpc, fr_org.id, account["id"],
                                     lambda n: n["attempts"] >= 2 and n["state"] == "pending")
        assert failed[0]["last_error"]
    finally:
        mail.start()
    notice, message = sent_once(rpc, mail, fr_org, account)
    assert notice["attempts"] >= 3
    assert message["Subject"].startswith("Votre reçu")


def test_no_email_for_an_org_on_a_test_clock(api, rpc, mail):
    org = support.org_in(api, rpc, "fr")
    org.admin.ok("PUT", org.path("/test-clock"), json={"now": "2027-01-15T15:00:00+00:00"})
    account, _ = support.paid_checkout(org)
    found = support.wait_notice(rpc, org.id, account["id"], lambda n: n["state"] != "pending")
    assert [(n["kind"], n["state"], n["reason"]) for n in found] == [
        ("receipt", "skipped", "test_clock")]
    assert mail.to(account["email"]) == []
