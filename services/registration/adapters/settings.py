"""Registration's settings from the environment (besides ``services.common.config``)."""
from services.common import config


def hold_ttl_seconds() -> int:
    """How long a hold keeps its seat (R3.1): ``CARNET_HOLD_TTL_SECONDS``, 15 minutes."""
    return config.hold_ttl_seconds()


def sweep_interval() -> float:
    """Every how many seconds each instance expires lapsed holds
    (``CARNET_HOLD_SWEEP_INTERVAL``, default 5). Read when the service module is imported."""
    return float(config.env("CARNET_HOLD_SWEEP_INTERVAL", "5"))


def unsafe_capacity_check() -> bool:
    """TEST ONLY (``CARNET_UNSAFE_CAPACITY_CHECK=1``): replace the conditional update by a
    naive count-then-insert in separate transactions, which oversells under concurrency.
    It exists so that the race test can show it fails; never set it anywhere else."""
    return config.env("CARNET_UNSAFE_CAPACITY_CHECK", "0") == "1"


def pass_booking_recovery_seconds() -> float:
    """A booking with a pass (no cart) still held this many seconds after it began was
    interrupted between the seat and the debit; the recovery timer settles it
    (``CARNET_PASS_BOOKING_RECOVERY_SECONDS``, default 60: well above the RPC timeout, so a
    request still running is not taken for a dead one)."""
    return float(config.env("CARNET_PASS_BOOKING_RECOVERY_SECONDS", "60"))


def pass_booking_sweep_interval() -> float:
    """Every how many seconds each instance looks for interrupted bookings with a pass
    (``CARNET_PASS_BOOKING_SWEEP_INTERVAL``, default 10). Read at import."""
    return float(config.env("CARNET_PASS_BOOKING_SWEEP_INTERVAL", "10"))


def waitlist_offer_seconds() -> int:
    """How long a seat offered from the waiting list is held for the member (R3.9):
    ``CARNET_WAITLIST_OFFER_SECONDS``, default 2 hours (never past the registration's
    close)."""
    return int(config.env("CARNET_WAITLIST_OFFER_SECONDS", "7200"))


def waitlist_sweep_interval() -> float:
    """Every how many seconds each instance refreshes the capacity of pools with people
    waiting from the catalog and offers what is free (``CARNET_WAITLIST_SWEEP_INTERVAL``,
    default 30; catalog events do it at once). Read at import."""
    return float(config.env("CARNET_WAITLIST_SWEEP_INTERVAL", "30"))


def unsafe_waitlist_offer() -> bool:
    """TEST ONLY (``CARNET_UNSAFE_WAITLIST_OFFER=1``): offer freed seats after the
    transaction that freed them, in two transactions without the pool's lock; it exists so
    that the waiting-list race test can show it fails. Never set it anywhere else."""
    return config.env("CARNET_UNSAFE_WAITLIST_OFFER", "0") == "1"


def appointment_recovery_seconds() -> float:
    """A bundle step on an appointment still ``applying`` this many seconds after it began
    is given back by the recovery timer (``CARNET_APPOINTMENT_RECOVERY_SECONDS``, 60)."""
    return float(config.env("CARNET_APPOINTMENT_RECOVERY_SECONDS", "60"))


def appointment_sweep_interval() -> float:
    """Every how many seconds each instance settles appointments' bundle steps left in
    flight (``CARNET_APPOINTMENT_SWEEP_INTERVAL``, default 15). Read at import."""
    return float(config.env("CARNET_APPOINTMENT_SWEEP_INTERVAL", "15"))
