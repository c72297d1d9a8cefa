"""Billing's settings, from the environment (defaults suit development and tests)."""
from services.common import config


def step_timeout() -> float:
    """How long one call to another service may take inside billing (seconds). Below the
    gateway's RPC timeout, so a stuck step ends as a 503 the client can retry."""
    return float(config.env("CARNET_BILLING_STEP_TIMEOUT", str(config.rpc_timeout() * 0.8)))


def lease_seconds() -> float:
    """How long a process may drive a checkout without renewing its lease; comfortably
    longer than a step, so that a lease never lapses in the middle of one."""
    return max(float(config.env("CARNET_BILLING_LEASE_SECONDS", "30")), 3 * step_timeout())


def recovery_interval() -> float:
    """How often the recovery timer looks for interrupted checkouts, releases and voids."""
    return float(config.env("CARNET_BILLING_RECOVERY_INTERVAL", "2"))


def receipt_parties_seconds() -> float:
    """How long a billing process keeps what a receipt prints of its org (name, address,
    locale) and of the household (names) before asking again: a receipt may show a name
    changed less than this long ago (issue 14: two calls fewer per shop booking's receipt
    e-mail). 0 asks every time."""
    return float(config.env("CARNET_RECEIPT_PARTIES_SECONDS", "60"))


def payment_provider() -> str:
    return config.env("CARNET_PAYMENT_PROVIDER", "sandbox")


test_clocks_enabled = config.test_clocks_enabled


def subscription_lease_seconds() -> float:
    """How long a billing worker may hold a subscription it is charging before another
    worker may take it over (a crashed worker's subscriptions wait this long)."""
    return float(config.env("CARNET_SUBSCRIPTION_LEASE_SECONDS", "60"))


def billing_interval() -> float:
    """How often the billing worker wakes to charge what is due (seconds)."""
    return float(config.env("CARNET_BILLING_INTERVAL", "60"))


def retry_days() -> tuple:
    """Days after the due date on which a declined renewal is tried again (R6.4); after
    the last one fails, the subscription is cancelled."""
    text = config.env("CARNET_SUBSCRIPTION_RETRY_DAYS", "1,3,7")
    return tuple(int(part) for part in text.split(",") if part.strip())


def run_max_periods() -> int:
    """How many periods one billing run may create per subscription (R6.8): a subscription
    that is further behind catches up over several runs (the worker's next tick, or
    ``POST /billing-runs`` again, which says ``complete: false``)."""
    return max(1, int(config.env("CARNET_BILLING_RUN_MAX_PERIODS", "3")))
