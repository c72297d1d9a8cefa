"""The notices notifications sends (R7.4) and the preferences a client may turn off."""
RECEIPT = "receipt"
REGISTRATION_CANCELLED = "registration_cancelled"
SUBSCRIPTION_CHARGED = "subscription_charged"
RENEWAL_DECLINED = "renewal_declined"
SUBSCRIPTION_CANCELLED = "subscription_cancelled"
APPOINTMENT_BOOKED = "appointment_booked"
APPOINTMENT_REMINDER = "appointment_reminder"
PASS_EXPIRING = "pass_expiring"
PASS_LAST_USE = "pass_last_use"
PASSWORD_RESET = "password_reset"
WAITLIST_OFFER = "waitlist_offer"

KINDS = (RECEIPT, REGISTRATION_CANCELLED, SUBSCRIPTION_CHARGED, RENEWAL_DECLINED,
         SUBSCRIPTION_CANCELLED, APPOINTMENT_BOOKED, APPOINTMENT_REMINDER, PASS_EXPIRING,
         PASS_LAST_USE, PASSWORD_RESET, WAITLIST_OFFER)

# What a client may turn off (R7.4): the preference that governs each optional kind.
# Everything else is transactional (money moved, a booking made or undone, a password).
REMINDERS = "reminders"
PASS_ALERTS = "pass_alerts"
OPTIONAL = {APPOINTMENT_REMINDER: REMINDERS, PASS_EXPIRING: PASS_ALERTS,
            PASS_LAST_USE: PASS_ALERTS}
PREFERENCES = (REMINDERS, PASS_ALERTS)
TRANSACTIONAL = tuple(k for k in KINDS if k not in OPTIONAL)
