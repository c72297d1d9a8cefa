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
