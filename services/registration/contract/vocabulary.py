"""The words of registration's contract: what a registration can be, its states, and how it
is paid. The domain uses these same names (services/registration/domain/rules.py)."""
SESSION = "session"
A_LA_CARTE = "a_la_carte"
KINDS = (SESSION, A_LA_CARTE)

HELD = "held"
CONFIRMED = "confirmed"
CANCELLED = "cancelled"
RELEASED = "released"
EXPIRED = "expired"
STATUSES = (HELD, CONFIRMED, CANCELLED, RELEASED, EXPIRED)

MONEY = "money"
PASS = "pass"
SUBSCRIPTION = "subscription"
PAYMENT_TYPES = (MONEY, PASS, SUBSCRIPTION)
