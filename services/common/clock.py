"""'Now' comes from here, never from datetime.now() in domain code, so tests and
billing runs can set it (a test clock)."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class SystemClock:
    def now(self) -> datetime:
        return utcnow()


def ensure_utc(value: datetime) -> datetime:
    """Naive datetimes (SQLite gives them back) are UTC by convention inside Carnet."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)

