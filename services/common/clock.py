"""'Now' comes from here, never from datetime.now() in domain code, so tests and
billing runs can set it (a test clock)."""
from datetime import datetime, timezone

from nameko.extensions import DependencyProvider


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class SystemClock:
    def now(self) -> datetime:
        return utcnow()


class FixedClock:
    """A clock that says what it is told (tests, billing runs with ``as_of``)."""

    def __init__(self, at: datetime):
        self.at = ensure_utc(at)

    def now(self) -> datetime:
        return self.at

    def advance(self, delta):
        self.at = self.at + delta


def ensure_utc(value: datetime) -> datetime:
    """Naive datetimes (SQLite gives them back) are UTC by convention inside Carnet."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


class Clock(DependencyProvider):
    """Nameko dependency: ``self.clock.now()`` in entrypoints."""

    def __init__(self, clock=None):
        self.clock = clock or SystemClock()

    def get_dependency(self, worker_ctx):
        return self.clock
