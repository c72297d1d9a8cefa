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


def payment_provider() -> str:
    return config.env("CARNET_PAYMENT_PROVIDER", "sandbox")
