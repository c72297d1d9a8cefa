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
    """The broker's address, or several nodes of a RabbitMQ cluster separated by ``;``
    (``amqp://u:p@rabbit-0:5672/;amqp://u:p@rabbit-1:5672/``): kombu tries the next one,
    round-robin, when a connection fails. Nameko reads the same variable through
    ``deploy/nameko.yaml``; both pass the string to kombu unchanged."""
    return env("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")


def amqp_addresses(uri=None) -> list:
    """The nodes named by an ``AMQP_URI`` (one, or several separated by ``;``)."""
    return [part.strip() for part in (uri or amqp_uri()).split(";") if part.strip()]


def redacted_amqp_uri(uri=None) -> str:
    """The ``AMQP_URI`` with every node's password masked, for logs (Nameko's own masking
    only sees the first address of a list)."""
    from urllib.parse import urlsplit, urlunsplit
    parts = []
    for address in amqp_addresses(uri):
        split = urlsplit(address)
        if split.password:
            netloc = split.netloc.replace(f":{split.password}@", ":********@", 1)
            split = split._replace(netloc=netloc)
        parts.append(urlunsplit(split))
    return ";".join(parts)


AMQP_QUEUE_TYPES = ("classic", "quorum")


def amqp_queue_type() -> str:
    """``CARNET_AMQP_QUEUE_TYPE``: ``classic`` (default, no queue argument: what existing
    brokers already hold) or ``quorum`` (``x-queue-type: quorum`` on every durable
    ``rpc-<service>`` and ``evt-…`` queue, replicated over a cluster's nodes). RabbitMQ
    refuses to redeclare an existing queue with another type: set it before a vhost's first
    start, or delete the queues when switching (deploy/README.md)."""
    value = env("CARNET_AMQP_QUEUE_TYPE", "classic").strip().lower()
    if value not in AMQP_QUEUE_TYPES:
        raise ConfigurationError(f"CARNET_AMQP_QUEUE_TYPE={value!r}: use one of "
                                 f"{', '.join(AMQP_QUEUE_TYPES)}")
    return value


def database_url(name: str) -> str:
    return env(f"{name.upper()}_DATABASE_URL") or f"sqlite:///{var_dir() / (name + '.db')}"


class ConfigurationError(RuntimeError):
    """A setting the process cannot start without (the message says which and how)."""


def production() -> bool:
    return env("CARNET_ENV", "development").strip().lower() == "production"


JWT_SECRET_FILE = "jwt_secret"
MIN_JWT_SECRET_LENGTH = 32
_jwt_secret = None


def jwt_secret() -> str:
    """The key that signs and verifies tokens (docs/security.md).

    ``CARNET_JWT_SECRET`` when set (at least 32 characters in production). Otherwise, on a
    developer machine, a random secret kept in ``<var dir>/jwt_secret`` (mode 0600): the
    first process to need it creates it, every other process (and every later start)
    reads it, so all processes on the machine agree and no secret is ever known from the
    source. With ``CARNET_ENV=production`` an unset secret is a ConfigurationError.
    """
    global _jwt_secret
    if _jwt_secret is None:
        _jwt_secret = _resolve_jwt_secret()
    return _jwt_secret


def _resolve_jwt_secret() -> str:
    value = env("CARNET_JWT_SECRET")
    if value is not None:
        if production() and len(value) < MIN_JWT_SECRET_LENGTH:
            raise ConfigurationError(
                f"CARNET_JWT_SECRET is shorter than {MIN_JWT_SECRET_LENGTH} characters; "
                "set a long random value (e.g. `openssl rand -hex 32`)")
        return value
    if production():
        raise ConfigurationError(
            "CARNET_ENV=production and CARNET_JWT_SECRET is not set: refusing to start. "
            "Set CARNET_JWT_SECRET to the same long random value (e.g. `openssl rand -hex 32`) "
            "in every Carnet process.")
    return _secret_file(var_dir() / JWT_SECRET_FILE)


def _secret_file(path: Path) -> str:
    """Read ``path``, or create it with a new random secret. Creation is atomic: the secret
    is written to a temporary file of this process (O_EXCL, 0600) that is then hard-linked
    to ``path``; the link fails if another process got there first, and a reader never
    sees a half-written file. Whoever loses reads the winner's secret."""
    import logging
    import secrets

    for _ in range(50):
        try:
            text = path.read_text().strip()
        except FileNotFoundError:
            text = None
        if text:
            return text
        if text is None:
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except OSError as error:
                raise ConfigurationError(
                    f"CARNET_JWT_SECRET is not set and {path} cannot be created ({error}); "
                    "set CARNET_JWT_SECRET or CARNET_VAR_DIR") from error
            try:
                with os.fdopen(fd, "w") as handle:
                    handle.write(secrets.token_urlsafe(48) + "\n")
                    handle.flush()
                    os.fsync(handle.fileno())
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    continue  # another process created it: read theirs
                logging.getLogger("carnet.config").warning(
                    "CARNET_JWT_SECRET is not set: generated a random token secret in %s "
                    "(kept for the next starts; set CARNET_JWT_SECRET in production)", path)
            finally:
                os.unlink(tmp)
        else:  # an empty file (written by hand?): not a secret
            raise ConfigurationError(f"{path} is empty; delete it or set CARNET_JWT_SECRET")
    raise ConfigurationError(f"could not read or create {path}")


def token_leeway_seconds() -> int:
    """Clock skew tolerated between processes for a token's ``iat``."""
    return int(env("CARNET_TOKEN_LEEWAY_SECONDS", "30"))


def token_ttl_seconds() -> int:
    return int(env("CARNET_TOKEN_TTL_SECONDS", "3600"))


def rpc_timeout() -> float:
    return float(env("CARNET_RPC_TIMEOUT", "10"))


def stop_deadline_seconds() -> float:
    """How long a service's stop (SIGTERM) may take before the process gives up and exits
    (``services/common/service.py``): within the 30 s an orchestrator waits."""
    return float(env("CARNET_STOP_DEADLINE", "25"))


def hold_ttl_seconds() -> int:
    return int(env("CARNET_HOLD_TTL_SECONDS", str(15 * 60)))


def outbox_relay_interval() -> float:
    return float(env("CARNET_OUTBOX_RELAY_INTERVAL", "2"))


def test_clocks_enabled() -> bool:
    """Per-org test clocks (``PUT /orgs/{org}/test-clock``, billing's): development and
    tests only. Off, no org can be on one, so nobody needs to ask billing."""
    return env("CARNET_TEST_CLOCKS", "0") == "1"


def outbox_mark_delay() -> float:
    """Seconds a published outbox row may wait to be marked with others in one commit
    (``services/common/outbox.py``); 0 marks after every publish."""
    return float(env("CARNET_OUTBOX_MARK_DELAY", "0.25"))


def db_pool_size(max_workers: int) -> int:
    """Connections kept per service process: one per Nameko worker (``max_workers``), so a
    busy process never opens and closes connections per call (``CARNET_DB_POOL_SIZE``
    overrides it)."""
    return int(env("CARNET_DB_POOL_SIZE", str(max_workers)))


def db_max_overflow() -> int:
    """Connections beyond the pool, for what runs outside the workers (the health and
    metrics endpoint's queries)."""
    return int(env("CARNET_DB_MAX_OVERFLOW", "2"))


def db_pool_recycle_seconds() -> int:
    """A pooled connection older than this is replaced at its next checkout (before a
    server or a proxy drops it for idleness)."""
    return int(env("CARNET_DB_POOL_RECYCLE_SECONDS", "1800"))


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
