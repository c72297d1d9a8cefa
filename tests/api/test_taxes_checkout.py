"""Taxes and receipts over HTTP with every service running (R7.1, R7.2, R7.3; docs/http-api.md lines
marked R7; docs/taxes.md): a Québec centre adds GST and QST on top of its prices, a
Luxembourg salon's prices include VAT, an org without taxes sells as before."""
import base64
import csv
import io
import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from tests.api import test_checkout_support as shop
from tests.support.client import error_of

QUEBEC_TAXES = [
    {"code": "GST", "name": "TPS/GST", "rate": "5", "registration_number": "123456789 RT0001"},
    {"code": "QST", "name": "TVQ/QST", "rate": "9.975",
     "registration_number": "1234567890 TQ0001"},
]


class Shop:
    """An org with a staff client, its customers, and what they buy."""

    def __init__(self, org, api, tz):
        self.org, self.api, self.admin, self.tz = org, api, org.admin, tz
        key = self.admin.ok("POST", org.path("/api-keys"), json={"role": "staff",
                                                                 "name": "Desk"})
        self.staff = api.with_token(api.ok("POST", "/auth/token",
                                           json={"api_key": key["api_key"]})["token"])

    def path(self, suffix=""):
        return self.org.path(suffix)

    def settings(self, **patch):
        return self.admin.ok("PATCH", self.path(), json=patch)

    def customer(self, first_name="Léa", last_name="Tremblay"):
        email = f"{uuid.uuid4().hex[:10]}@example.org"
        account = self.api.ok("POST", self.path("/accounts"), json={
            "email": email, "password": "correct horse battery", "name": "Famille Tremblay",
            "members": [{"first_name": first_name, "last_name": last_name,
                         "birth_date": "1990-04-05"}]})
        token = self.api.ok("POST", "/auth/login", json={
            "org_id": self.org.id, "email": email, "password": "correct horse battery"})["token"]
        return account, self.api.with_token(token)

    def checkout(self, account, items):
        cart = self.staff.ok("POST", self.path("/carts"), json={"account_id": account["id"]})
        for item in items:
            self.staff.ok("POST", self.path(f"/carts/{cart['id']}/items"), json=item, expect=201)
        return self.staff.ok("POST", self.path(f"/carts/{cart['id']}/checkout"),
                             json={"payment": {"method": "card", "card_token": "tok_ok"}},
                             headers={"Idempotency-Key": uuid.uuid4().hex})["invoice"]

    def receipt_text(self, invoice, client=None):
        response = (client or self.staff).get(self.path(f"/invoices/{invoice['id']}/receipt.pdf"))
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(response.content))
        return "\n".join(page.extract_text() for page in reader.pages)

    def today(self):
        day = datetime.now(ZoneInfo(self.tz)).date()
        return day.isoformat(), (day + timedelta(days=1)).isoformat()

    def report(self, name, fmt=None):
        start, end = self.today()
        params = {"from": start, "to": end, **({"format": fmt} if fmt else {})}
        response = self.staff.get(self.path(f"/reports/{name}"), params=params)
        assert response.status_code == 200, response.text
        if fmt == "csv":
            return list(csv.DictReader(io.StringIO(response.text)))
        return response.json()


def amounts(taxes):
    return [(t["code"], t["amount"]) for t in taxes]


@pytest.fixture
def quebec(new_org, api):
    store = Shop(new_org(name="Centre Rosemont", timezone="America/Montreal", currency="CAD"),
                 api, "America/Montreal")
    org = store.settings(locale="en", address="5350 rue Lafond\nMontréal QC H1X 2X2",
                         prices_include_tax=False, taxes=QUEBEC_TAXES)
    assert [(t["code"], t["rate"]) for t in org["taxes"]] == [("GST", "5"), ("QST", "9.975")]
    assert (org["prices_include_tax"], org["locale"], org["timezone"]) == \
        (False, "en", "America/Montreal")
    return store


def test_quebec_gst_and_qst_on_a_seat_and_a_pass_then_a_partial_refund(quebec):
    activity, occurrence = shop.setup_activity(quebec.admin, quebec.org, a_la_carte_price=1500)
    pass_type = quebec.admin.ok("POST", quebec.path("/pass-types"), json={
        "name": "Carte 10 bains", "price": 6000, "uses": 10, "valid_days": 365,
        "eligible_activity_ids": [activity["id"]], "accounting_code": "4200"})
    assert activity["tax_codes"] is None and pass_type["tax_codes"] is None  # all the org's
    account, client = quebec.customer()
    member = account["members"][0]

    invoice = quebec.checkout(account, [
        {"type": "a_la_carte", "member_id": member["id"], "occurrence_id": occurrence["id"]},
        {"type": "pass", "member_id": member["id"], "pass_type_id": pass_type["id"]}])

    seat, card = invoice["lines"]
    assert (seat["amount"], seat["net"], amounts(seat["taxes"]), seat["total"]) == \
        (1500, 1500, [("GST", 75), ("QST", 150)], 1725)
    # 60.00 × 9.975 % = 5.985 → 5.99: per line and per tax, half up (docs/taxes.md)
    assert (card["amount"], amounts(card["taxes"]), card["total"]) == \
        (6000, [("GST", 300), ("QST", 599)], 6899)
    assert (invoice["subtotal"], amounts(invoice["taxes"]), invoice["total"]) == \
        (7500, [("GST", 375), ("QST", 749)], 8624)
    # the card is charged the taxed total
    assert [(p["method"], p["amount"]) for p in invoice["payments"]] == [("card", 8624)]
    assert quebec.staff.ok("GET", quebec.path(f"/invoices/{invoice['id']}")) == invoice

    # the receipt says the same, in English, with the tax numbers; the customer reads it too
    text = quebec.receipt_text(invoice)
    for expected in ("Centre Rosemont", "5350 rue Lafond", "Montréal QC H1X 2X2",
                     "123456789 RT0001", "1234567890 TQ0001", f"Invoice no. {invoice['number']}",
                     "Léa Tremblay", "Carte 10 bains", "Subtotal 75.00 CAD",
                     "(GST) (5 %) 3.75 CAD", "(QST) (9.975 %) 7.49 CAD", "Total 86.24 CAD",
                     "card  86.24 CAD"):
        assert expected in text, (expected, text)
    assert quebec.receipt_text(invoice, client) == text
    as_json = quebec.staff.ok("GET", quebec.path(f"/invoices/{invoice['id']}/receipt.pdf"),
                              headers={"Accept": "application/json"})
    assert (as_json["filename"], as_json["locale"]) == (f"receipt-{invoice['number']}.pdf", "en")
    assert base64.b64decode(as_json["content_base64"]).startswith(b"%PDF")

    # the day's tax report
    report = quebec.report("taxes")
    rows = {r["code"]: r for r in report["items"]}
    assert [(rows[c]["collected"], rows[c]["refunded"], rows[c]["net"]) for c in ("GST", "QST")] \
        == [(375, 0, 375), (749, 0, 749)]
    assert report["total"] == {"collected": 1124, "refunded": 0, "net": 1124}

    # a refund of half reverses half of each tax (cumulative, half up)
    refund = quebec.staff.post(quebec.path(f"/invoices/{invoice['id']}/refunds"),
                               json={"amount": 4312, "to": "original"},
                               headers={"Idempotency-Key": uuid.uuid4().hex})
    assert refund.status_code == 201, refund.text
    assert amounts(refund.json()["taxes"]) == [("GST", 188), ("QST", 375)]
    report = quebec.report("taxes")
    rows = {r["code"]: r for r in report["items"]}
    assert [(rows[c]["collected"], rows[c]["refunded"], rows[c]["net"]) for c in ("GST", "QST")] \
        == [(375, 188, 187), (749, 375, 374)]
    assert report["total"] == {"collected": 1124, "refunded": 563, "net": 561}
    as_csv = {r["code"]: r for r in quebec.report("taxes", fmt="csv")}
    assert (as_csv["QST"]["collected"], as_csv["QST"]["refunded"], as_csv["QST"]["net"],
            as_csv["QST"]["rate"], as_csv["QST"]["currency"]) == \
        ("7.49", "3.75", "3.74", "9.975", "CAD")
    refunded_receipt = quebec.receipt_text(invoice)
    assert "-43.12 CAD" in refunded_receipt and "GST 1.88 CAD, QST 3.75 CAD" in refunded_receipt

    # it reconciles: the sales detail's taxes are what was collected, the money received
    # is the taxed total minus the refund
    detail = quebec.report("sales-detail")
    assert [(r["amount"], r["net"], r["tax"]) for r in detail["items"]] == \
        [(1500, 1500, 225), (6000, 6000, 899)]
    assert sum(r["tax"] for r in detail["items"]) == report["total"]["collected"]
    summary = quebec.report("sales-summary")
    assert amounts(summary["taxes"]) == [("GST", 375), ("QST", 749)]
    assert quebec.report("payments-by-accounting-code")["total"] == \
        {"payments": 8624, "refunds": 4312, "net": 4312}
    detail_csv = quebec.report("sales-detail", fmt="csv")
    assert [(r["net"], r["tax"]) for r in detail_csv] == [("15.00", "2.25"), ("60.00", "8.99")]


def test_the_receipt_e_mail_asks_for_the_receipt_and_its_invoice_in_one_call(quebec, rpc):
    """``billing.get_receipt_pdf(…, with_invoice=True)`` (the notifications service's one
    call per receipt e-mail, issue 14): the same PDF, and the invoice exactly as
    ``get_invoice`` answers it; without the flag the answer is the HTTP one, no invoice."""
    activity, occurrence = shop.setup_activity(quebec.admin, quebec.org, a_la_carte_price=1500)
    account, _ = quebec.customer()
    invoice = quebec.checkout(account, [{"type": "a_la_carte",
                                         "member_id": account["members"][0]["id"],
                                         "occurrence_id": occurrence["id"]}])
    both = rpc.call("billing", "get_receipt_pdf", quebec.org.id, invoice["id"], True)
    assert both["invoice"] == rpc.call("billing", "get_invoice", quebec.org.id, invoice["id"])
    assert both["invoice"] == invoice
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(
        base64.b64decode(both["content_base64"]))).pages)
    assert f"Invoice no. {invoice['number']}" in text and "Total 17.25 CAD" in text
    plain = rpc.call("billing", "get_receipt_pdf", quebec.org.id, invoice["id"])
    assert set(plain) == {"filename", "content_base64", "locale"}
    assert (plain["filename"], plain["locale"]) == (both["filename"], "en")


def test_a_void_gives_back_what_the_refunds_had_not(quebec):
    kind = quebec.admin.ok("POST", quebec.path("/membership-types"), json={
        "name": "Membre", "price": 10000, "duration_days": 365, "accounting_code": "4400"})
    account, _ = quebec.customer()
    invoice = quebec.checkout(account, [{"type": "membership",
                                         "member_id": account["members"][0]["id"],
                                         "membership_type_id": kind["id"]}])
    assert amounts(invoice["taxes"]) == [("GST", 500), ("QST", 998)]
    assert invoice["total"] == 11498
    quebec.staff.ok("POST", quebec.path(f"/invoices/{invoice['id']}/refunds"),
                    json={"amount": 1000, "to": "account_credit"},
                    headers={"Idempotency-Key": uuid.uuid4().hex})
    quebec.staff.ok("POST", quebec.path(f"/invoices/{invoice['id']}/void"),
                    json={"reason": "sold by mistake"},
                    headers={"Idempotency-Key": uuid.uuid4().hex})
    report = quebec.report("taxes")
    rows = {r["code"]: r for r in report["items"]}
    # the taxes collected are all given back once: by the refund, then by the void
    assert [(rows[c]["collected"], rows[c]["refunded"], rows[c]["net"]) for c in ("GST", "QST")] \
        == [(500, 500, 0), (998, 998, 0)]
    after_void = quebec.staff.ok("POST", quebec.path(f"/invoices/{invoice['id']}/refunds"),
                                 json={"amount": 1000, "to": "original"},
                                 headers={"Idempotency-Key": uuid.uuid4().hex})
    assert after_void["taxes"] == []  # the void already gave the taxes back
    detail = quebec.report("sales-detail")
    assert [(r["entry"], r["tax"]) for r in detail["items"]] == [("sale", 1498), ("void", -1498)]
    text = quebec.receipt_text(invoice)  # the receipt tells the void and both refunds
    for expected in ("INVOICE VOIDED", "Reason: sold by mistake", "-10.00 CAD to account credit "
                     "(Taxes: GST 0.43 CAD, QST 0.87 CAD)", "-10.00 CAD to original payment",
                     "Total 114.98 CAD"):
        assert expected in text, (expected, text)


def test_an_exempt_item_carries_no_tax_and_tax_codes_are_checked(quebec):
    kind = quebec.admin.ok("POST", quebec.path("/membership-types"), json={
        "name": "Membre exempt", "price": 2000, "duration_days": 365, "tax_codes": []})
    only_gst = quebec.admin.ok("POST", quebec.path("/membership-types"), json={
        "name": "Membre TPS", "price": 2000, "duration_days": 365, "tax_codes": ["GST"]})
    assert (kind["tax_codes"], only_gst["tax_codes"]) == ([], ["GST"])
    account, client = quebec.customer()
    member = account["members"][0]
    invoice = quebec.checkout(account, [
        {"type": "membership", "member_id": member["id"], "membership_type_id": kind["id"]},
        {"type": "membership", "member_id": member["id"], "membership_type_id": only_gst["id"]}])
    assert [amounts(line["taxes"]) for line in invoice["lines"]] == [[], [("GST", 100)]]
    assert (invoice["subtotal"], invoice["total"]) == (4000, 4100)

    error_of(quebec.admin.post(quebec.path("/membership-types"), json={
        "name": "X", "price": 1, "duration_days": 1, "tax_codes": ["HST"]}), 400,
        "validation_error")
    error_of(quebec.admin.patch(quebec.path(), json={"taxes": [
        {"code": "GST", "name": "GST", "rate": 5}]}), 400, "validation_error")  # not a string
    error_of(quebec.admin.patch(quebec.path(), json={"taxes": [
        {"code": "GST", "name": "GST", "rate": "5"}, {"code": "gst", "name": "x", "rate": "1"}]}),
        400, "validation_error")
    error_of(quebec.admin.patch(quebec.path(), json={"timezone": "Europe/Paris"}), 400,
             "validation_error")
    error_of(quebec.staff.patch(quebec.path(), json={"name": "Autre"}), 403)
    error_of(client.patch(quebec.path(), json={"name": "Autre"}), 403)
    # another customer cannot read the receipt
    _, stranger = quebec.customer()
    error_of(stranger.get(quebec.path(f"/invoices/{invoice['id']}/receipt.pdf")), 403)
    error_of(quebec.staff.get(quebec.path("/invoices/inv_nope/receipt.pdf")), 404, "not_found")


def test_luxembourg_vat_included_bundle_receipt_shows_47_01_plus_7_99(new_org, api):
    salon = Shop(new_org(name="Salon Élégance", timezone="Europe/Luxembourg", currency="EUR"),
                 api, "Europe/Luxembourg")
    salon.settings(locale="fr", address="12 rue de la Gare\nL-1611 Luxembourg",
                   prices_include_tax=True, taxes=[{"code": "VAT", "name": "TVA", "rate": "17",
                                                    "registration_number": "LU12345678"}])
    service = salon.admin.ok("POST", salon.path("/services"), json={
        "name": "Soin visage", "duration_minutes": 60, "price": 1000, "accounting_code": "4300"})
    bundle = salon.admin.ok("POST", salon.path("/bundle-types"), json={
        "name": "Forfait soins", "accounting_code": "4310",
        "divisions": [{"name": "5+1", "items": [{"service_id": service["id"], "count": 6}],
                       "price": 5500}]})
    account, _ = salon.customer(first_name="Zoé", last_name="Müller")
    invoice = salon.checkout(account, [{"type": "bundle", "member_id": account["members"][0]["id"],
                                        "bundle_type_id": bundle["id"], "division": "5+1"}])
    (line,) = invoice["lines"]
    assert (line["amount"], line["net"], amounts(line["taxes"]), line["total"]) == \
        (5500, 4701, [("VAT", 799)], 5500)
    assert (invoice["subtotal"], amounts(invoice["taxes"]), invoice["total"]) == \
        (4701, [("VAT", 799)], 5500)
    assert [p["amount"] for p in invoice["payments"]] == [5500]
    text = salon.receipt_text(invoice)
    for expected in ("Salon Élégance", "L-1611 Luxembourg", "TVA (VAT): LU12345678",
                     f"Reçu - Facture no {invoice['number']}", "Zoé Müller",
                     "Sous-total 47,01 EUR", "TVA (VAT) (17 %) 7,99 EUR", "Total 55,00 EUR",
                     "Prix taxes incluses"):
        assert expected in text, (expected, text)

    # an appointment paid at the desk: 10.00 VAT included is 8.55 + 1.45
    starts_at = (datetime.now(ZoneInfo("Europe/Luxembourg")) + timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0).isoformat()
    appointment = salon.staff.ok("POST", salon.path("/appointments"), json={
        "member_id": account["members"][0]["id"], "service_id": service["id"],
        "starts_at": starts_at}, headers={"Idempotency-Key": uuid.uuid4().hex}, expect=201)
    paid = salon.staff.ok("POST", salon.path(f"/appointments/{appointment['id']}/checkout"),
                          json={"payment": {"method": "cash"}},
                          headers={"Idempotency-Key": uuid.uuid4().hex})["invoice"]
    assert (paid["subtotal"], amounts(paid["taxes"]), paid["total"]) == \
        (855, [("VAT", 145)], 1000)
    assert [(p["method"], p["amount"]) for p in paid["payments"]] == [("cash", 1000)]


def test_an_org_without_taxes_invoices_as_before(new_org, api):
    plain = Shop(new_org(name="Studio", timezone="America/Montreal"), api, "America/Montreal")
    assert plain.admin.ok("GET", plain.path())["taxes"] == []
    activity, occurrence = shop.setup_activity(plain.admin, plain.org, a_la_carte_price=1500)
    account, _ = plain.customer()
    invoice = plain.checkout(account, [{"type": "a_la_carte",
                                        "member_id": account["members"][0]["id"],
                                        "occurrence_id": occurrence["id"]}])
    (line,) = invoice["lines"]
    assert (line["amount"], line["net"], line["taxes"], line["total"]) == (1500, 1500, [], 1500)
    assert (invoice["subtotal"], invoice["taxes"], invoice["total"]) == (1500, [], 1500)
    assert [p["amount"] for p in invoice["payments"]] == [1500]
    report = plain.report("taxes")
    assert (report["items"], report["total"]) == \
        ([], {"collected": 0, "refunded": 0, "net": 0})
    assert "net" not in plain.report("sales-detail", fmt="csv")[0]  # the CSV as before
    text = plain.receipt_text(invoice)
    assert "Total 15,00 CAD" in text and "Reçu" in text  # the org's default locale: fr


def test_a_cancelled_seat_credits_what_was_paid_with_its_taxes(quebec):
    _, occurrence = shop.setup_activity(quebec.admin, quebec.org, a_la_carte_price=1500)
    account, client = quebec.customer()
    invoice = quebec.checkout(account, [{"type": "a_la_carte",
                                         "member_id": account["members"][0]["id"],
                                         "occurrence_id": occurrence["id"]}])
    assert invoice["total"] == 1725
    registration_id = invoice["lines"][0]["registration_id"]
    client.ok("POST", quebec.path(f"/registrations/{registration_id}/cancel"), json={},
              headers={"Idempotency-Key": uuid.uuid4().hex})
    deadline = time.monotonic() + 30
    credit = client.ok("GET", quebec.path(f"/accounts/{account['id']}/credit"))
    while credit["balance"] == 0 and time.monotonic() < deadline:
        time.sleep(0.2)  # polling for the event's effect, with a deadline
        credit = client.ok("GET", quebec.path(f"/accounts/{account['id']}/credit"))
    assert credit["balance"] == 1725  # the price and its taxes: what the client paid
    rows = {r["code"]: r for r in quebec.report("taxes")["items"]}
    assert [(rows[c]["collected"], rows[c]["refunded"]) for c in ("GST", "QST")] == \
        [(75, 75), (150, 150)]
