"""Notifications rules without a broker or a database: which event tells whom what, what
a client may turn off, backoff, and the French and English words (R7.4)."""
from datetime import datetime, timedelta, timezone

from services.notifications.domain import notices as rules
from services.notifications.domain import templates
from services.notifications.domain.formatting import money

ORG = {"name": "Centre Rosemont", "currency": "CAD", "timezone": "America/Montreal"}


def test_each_event_makes_the_notice_its_account_expects():
    receipt, = rules.plan("checkout_completed", {"org_id": "o", "account_id": "acc_1",
                                                 "invoice_id": "inv_1", "total": 7500})
    assert (receipt.kind, receipt.recipient, receipt.attachment) == \
        ("receipt", "acc_1", {"receipt": "inv_1"})
    assert rules.plan("checkout_completed", {"org_id": "o"}) == []  # nobody to tell
    assert rules.plan("activity_created", {"org_id": "o", "account_id": "acc_1"}) == []


def test_cancellations_by_client_staff_occurrence_or_void_are_told_a_subscription_end_not():
    def kinds(**data):
        return [p.kind for p in rules.plan("registration_cancelled",
                                           dict(org_id="o", account_id="a", **data))]
    assert kinds(cancelled_by="client") == ["registration_cancelled"]
    assert kinds(cancelled_by="staff", cancel_reason="occurrence_cancelled") == \
        ["registration_cancelled"]
    assert kinds(cancelled_by="invoice_void") == ["registration_cancelled"]
    assert kinds(cancelled_by="subscription_end") == []


def test_a_decline_is_told_while_retries_remain_and_the_last_one_as_the_end():
    data = {"org_id": "o", "account_id": "a", "subscription_id": "sub_1"}
    assert [p.kind for p in rules.plan("subscription_charge_failed",
                                       dict(data, next_attempt_at="2027-02-02T05:00:00Z"))] \
        == ["renewal_declined"]
    assert rules.plan("subscription_charge_failed", dict(data, next_attempt_at=None)) == []
    assert [p.kind for p in rules.plan("subscription_cancelled",
                                       dict(data, reason="payment_failed"))] \
        == ["subscription_cancelled"]


def test_only_reminders_and_pass_alerts_can_be_turned_off():
    off = {"reminders": False, "pass_alerts": False}
    assert [k for k in rules.KINDS if not rules.is_wanted(k, off)] == \
        ["appointment_reminder", "pass_expiring", "pass_last_use"]
    assert all(rules.is_wanted(k, {}) for k in rules.KINDS)


def test_a_pass_is_watched_while_it_has_uses_and_an_expiry():
    expires = "2027-03-01T00:00:00-05:00"
    watch = rules.pass_watch({"id": "pas_1", "account_id": "a", "status": "active",
                              "uses_left": 3, "expires_at": expires}, 7)
    assert watch.due_at == datetime(2027, 2, 22, 5, tzinfo=timezone.utc)
    for gone in ({"uses_left": 0}, {"status": "revoked"}, {"expires_at": None}):
        assert rules.pass_watch(dict({"id": "pas_1", "account_id": "a", "status": "active",
                                      "uses_left": 3, "expires_at": expires}, **gone), 7) is None


def test_backoff_doubles_up_to_its_cap():
    assert [rules.retry_delay(n, 30, 3600).total_seconds() for n in (1, 2, 3, 8, 20)] == \
        [30, 60, 120, 3600, 3600]
    now = datetime(2027, 1, 1, tzinfo=timezone.utc)
    assert not rules.still_relevant("appointment_reminder", (now - timedelta(1)).isoformat(), now)


def test_money_and_dates_read_as_each_language_writes_them():
    assert money(123450, "CAD", "fr") == "1\u202f234,50\u00a0$"
    assert money(123450, "CAD", "en") == "$1,234.50"
    assert money(5500, "EUR", "fr") == "55,00\u00a0€"
    values = templates.context("appointment_reminder", "fr",
                               {"starts_at": "2027-01-01T09:30:00-05:00", "member_name": "Léa",
                                "service_name": "Coupe"}, ORG, {"name": "Famille Roy"})
    subject, body = templates.render("appointment_reminder", "fr", values)
    assert subject == "Rappel : rendez-vous demain — Centre Rosemont"
    assert "vendredi 1er janvier 2027 à 09 h 30" in body and "Famille Roy" in body
    values = templates.context("appointment_reminder", "en",
                               {"starts_at": "2027-01-01T14:05:00-05:00"}, ORG, {})
    assert "Friday, January 1, 2027 at 2:05 PM" in templates.render(
        "appointment_reminder", "en", values)[1]


def test_every_kind_has_both_languages_and_a_missing_value_renders_empty():
    for kind in rules.KINDS:
        for locale in ("fr", "en"):
            subject, body = templates.render(kind, locale, templates.context(
                kind, locale, {}, ORG, None))
            assert "Centre Rosemont" in subject and "${" not in subject
            assert "${" not in body
