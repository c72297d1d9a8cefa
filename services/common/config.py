"""Settings from the environment, with defaults that run on a developer machine.

Every service owns its database: ``<SERVICE>_DATABASE_URL`` (e.g. ``CATALOG_DATABASE_URL``),
default a SQLite file under ``var/`` (or ``$CARNET_VAR_DIR``).
"""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Eventlet announces its deprecation on import (Nameko needs it); keep the logs readable.
QUIET_WARNINGS = ("ignore::DeprecationWarning,ignore::Warning:nameko.cli.commands,"
                  "ignore::Warning:nameko.containers")

SERVICES = ("accounts", "catalog", "registration", "passes", "billing", "notifications")


def env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def var_dir() -> Path:
    path = Path(env("CARNET_VAR_DIR", str(ROOT / "var")))
    path.mkdir(parents=True, exist_ok=True)
    return path


def amqp_uri() -> str:
    return env("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")


def database_url(name: str) -> str:
    return env(f"{name.upper()}_DATABASE_URL") or f"sqlite:///{var_dir() / (name + '.db')}"


def jwt_secret() -> str:
    return env("CARNET_JWT_SECRET", "carnet-dev-secret-change-me-in-production")


def token_ttl_seconds() -> int:
    return int(env("CARNET_TOKEN_TTL_SECONDS", "3600"))


def rpc_timeout() -> float:
    return float(env("CARNET_RPC_TIMEOUT", "10"))


def hold_ttl_seconds() -> int:
    return int(env("CARNET_HOLD_TTL_SECONDS", str(15 * 60)))


def outbox_relay_interval() -> float:
    return float(env("CARNET_OUTBOX_RELAY_INTERVAL", "2"))


def db_pool_size() -> int:
    """Connections kept per service process; with the overflow, at most as many as the
    process has Nameko workers (one connection each), so PostgreSQL's max_connections
    goes further when services scale out."""
    return int(env("CARNET_DB_POOL_SIZE", "5"))


def db_max_overflow() -> int:
    return int(env("CARNET_DB_MAX_OVERFLOW", "5"))


# Health and metrics of each Nameko process (services.common.observability): one port per
# process so that ``make run`` runs them all on one host. ``CARNET_HEALTH_PORT`` overrides it
# (``0``: any free port, logged at start; in Kubernetes every pod uses 9100).
HEALTH_PORTS = {"accounts": 9101, "catalog": 9102, "registration": 9103, "passes": 9104,
                "billing": 9105, "billing_worker": 9106, "notifications": 9107}


def health_port(service_name: str):
    """(port, explicit): the configured port, else this process's default (not explicit)."""
    value = env("CARNET_HEALTH_PORT")
    if value is not None:
        return int(value), True
    return HEALTH_PORTS.get(service_name, 0), False


def health_host() -> str:
    return env("CARNET_HEALTH_HOST", "127.0.0.1")
