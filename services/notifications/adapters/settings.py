"""Notifications settings, read from the environment (docs/notifications.md lists them)."""
from services.common.config import env


def smtp_host() -> str:
    return env("CARNET_SMTP_HOST", "127.0.0.1")


def smtp_port() -> int:
    return int(env("CARNET_SMTP_PORT", "1025"))


def smtp_security() -> str:
    """``none`` (plain, the local catcher), ``starttls`` or ``ssl`` (implicit TLS)."""
    value = env("CARNET_SMTP_SECURITY", None)
    if value is None:  # CARNET_SMTP_STARTTLS=1 / CARNET_SMTP_SSL=1 also work
        if env("CARNET_SMTP_SSL", "0") == "1":
            return "ssl"
        if env("CARNET_SMTP_STARTTLS", "0") == "1":
            return "starttls"
        return "none"
    value = value.lower()
    if value not in ("none", "starttls", "ssl"):
        raise ValueError("CARNET_SMTP_SECURITY must be none, starttls or ssl")
    return value


def smtp_user():
    return env("CARNET_SMTP_USER", None)


def smtp_password():
    return env("CARNET_SMTP_PASSWORD", None)


def smtp_from() -> str:
    return env("CARNET_SMTP_FROM", "Carnet <no-reply@carnet.localhost>")


def smtp_timeout() -> float:
    return float(env("CARNET_SMTP_TIMEOUT", "20"))


def lease_seconds() -> int:
    """How long an instance owns a notice it is sending; longer than an SMTP exchange can
    last (connect + send, each bounded by ``CARNET_SMTP_TIMEOUT``)."""
    return int(env("CARNET_NOTIFY_LEASE_SECONDS", "120"))


def retry_interval() -> float:
    """Seconds between two passes of the timer that sends what is due (retries, reminders)."""
    return float(env("CARNET_NOTIFY_INTERVAL", "10"))


def retry_base_seconds() -> int:
    return int(env("CARNET_NOTIFY_RETRY_BASE_SECONDS", "30"))


def retry_max_seconds() -> int:
    return int(env("CARNET_NOTIFY_RETRY_MAX_SECONDS", "3600"))


def max_attempts() -> int:
    return int(env("CARNET_NOTIFY_MAX_ATTEMPTS", "10"))


def reminder_hours() -> int:
    """An appointment reminder leaves this many hours before the start ("the day before")."""
    return int(env("CARNET_NOTIFY_REMINDER_HOURS", "24"))


def pass_expiry_days() -> int:
    """A pass with uses left is announced as about to expire this many days before."""
    return int(env("CARNET_NOTIFY_PASS_EXPIRY_DAYS", "7"))


def send_for_test_clock_orgs() -> bool:
    """Orgs on a billing test clock get no e-mail unless this is 1."""
    return env("CARNET_NOTIFY_TEST_CLOCK_ORGS", "0") == "1"


def cache_seconds() -> float:
    return float(env("CARNET_NOTIFY_CACHE_SECONDS", "60"))


def public_url() -> str:
    """The base of links in e-mails (the shop's address), as accounts' reset links."""
    return env("CARNET_PUBLIC_URL", "http://localhost:8000").rstrip("/")
